// Package pop serves Alibaba Cloud POP RPC, the protocol of every Alibaba product the emulator
// speaks (CCC 2020-07-01, the classic CloudCallCenter 2017-07-05 and OutboundBot
// 2019-12-26). It decodes a request the way the official SDK builds it (parameters in the
// query and/or a form body, GET or POST to "/"), checks the signature, the timestamp and the
// nonce, routes by Version and Action (products that share a name, like the two CCC versions,
// differ in Version), runs the action through the middleware chain and writes the platform's
// JSON envelope or error body.
package pop

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

// maxBodyBytes bounds a form body; contact flow definitions are large but not this large.
const maxBodyBytes = 8 << 20

// timestampWindow is how far a request's Timestamp may be from the emulator's clock, as on the
// platform; nonces are remembered for as long.
const timestampWindow = 15 * time.Minute

// timestampLayout is the ISO 8601 UTC form the SDK sends.
const timestampLayout = "2006-01-02T15:04:05Z"

// UnknownPlatform is the stats key of calls that matched no route.
const UnknownPlatform = "unknown"

// Envelope wraps an action's data into the product's success body. Products differ: CCC
// 2020-07-01 answers {Code, HttpStatusCode, Message, RequestId, Data}; others add Success or
// put fields at the top level.
type Envelope func(requestID string, data any) any

// DataEnvelope is the CCC 2020-07-01 success body: Code "OK", HttpStatusCode 200, an empty
// Message and the action's data under Data (omitted for actions that return none).
func DataEnvelope(requestID string, data any) any {
	return dataEnvelope{RequestID: requestID, Code: "OK", HTTPStatusCode: http.StatusOK, Data: data}
}

type dataEnvelope struct {
	RequestID      string `json:"RequestId"`
	Code           string `json:"Code"`
	HTTPStatusCode int    `json:"HttpStatusCode"`
	Message        string `json:"Message"`
	Data           any    `json:"Data,omitempty"`
}

// errorBody is the POP gateway's error answer; the SDK's ServerError reads Code, Message,
// RequestId and HostId from it.
type errorBody struct {
	RequestID      string `json:"RequestId"`
	HostID         string `json:"HostId"`
	Code           string `json:"Code"`
	Message        string `json:"Message"`
	HTTPStatusCode int    `json:"HttpStatusCode"`
}

// Route binds one product action to its handler.
type Route struct {
	// Platform is the stats key ("ccc").
	Platform string
	// Version is the product API version ("2020-07-01").
	Version string
	// Action is the API action ("CreateContactFlow").
	Action  string
	Handler core.Handler
	// Envelope wraps the handler's data; nil means DataEnvelope.
	Envelope Envelope
}

// Options configure a Server.
type Options struct {
	Keys  *core.KeyStore
	Stats *core.Stats
	// Middleware wraps every routed handler, outermost first.
	Middleware []core.Middleware
	// Logger receives one line per call; nil discards.
	Logger *slog.Logger
	// Now is the clock for timestamp checks; nil means time.Now.
	Now func() time.Time
}

type routeKey struct{ version, action string }

// Server is the POP RPC endpoint. Register every route before serving.
type Server struct {
	keys     *core.KeyStore
	stats    *core.Stats
	mws      []core.Middleware
	logger   *slog.Logger
	now      func() time.Time
	nonces   *nonceCache
	routes   map[routeKey]Route
	versions map[string]bool
}

// NewServer returns a Server with no routes.
func NewServer(opts Options) *Server {
	s := &Server{
		keys:     opts.Keys,
		stats:    opts.Stats,
		mws:      opts.Middleware,
		logger:   opts.Logger,
		now:      opts.Now,
		nonces:   newNonceCache(2 * timestampWindow),
		routes:   map[routeKey]Route{},
		versions: map[string]bool{},
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.stats == nil {
		s.stats = core.NewStats()
	}
	return s
}

// Register adds a route. Registering the same Version and Action twice is a programming error
// and panics, so that two platform packages cannot silently shadow each other.
func (s *Server) Register(r Route) {
	k := routeKey{r.Version, r.Action}
	if _, dup := s.routes[k]; dup {
		panic(fmt.Sprintf("pop: route %s %s registered twice", r.Version, r.Action))
	}
	if r.Envelope == nil {
		r.Envelope = DataEnvelope
	}
	r.Handler = core.Chain(r.Handler, s.mws...)
	s.routes[k] = r
	s.versions[r.Version] = true
}

// Match reports whether r is a POP RPC request: RPC always targets "/", whereas REST protocols
// (Amazon Connect) use resource paths. It does not read the body.
func (s *Server) Match(r *http.Request) bool { return r.URL.Path == "/" || r.URL.Path == "" }

// ServeHTTP serves one POP RPC call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	requestID := core.NewRequestID()
	platform, action, version, user := UnknownPlatform, "", "", ""
	target := ""

	data, route, apiErr := func() (any, Route, *core.APIError) {
		params, apiErr := decodeParams(w, r)
		if apiErr != nil {
			return nil, Route{}, apiErr
		}
		action, version = params.Get("Action"), params.Get("Version")
		target = callTarget(params)
		route, apiErr := s.route(params)
		if apiErr != nil {
			return nil, Route{}, apiErr
		}
		platform = route.Platform
		key, apiErr := s.authenticate(r.Method, params)
		if apiErr != nil {
			return nil, route, apiErr
		}
		user = key.User
		call := &core.Call{
			Platform: route.Platform,
			Action:   route.Action,
			Caller:   core.Caller{AccessKeyID: key.ID, User: key.User},
			Params:   params,
		}
		data, err := route.Handler(r.Context(), call)
		if err != nil {
			return nil, route, core.AsAPIError(err)
		}
		return data, route, nil
	}()

	if action == "" {
		action = "(none)"
	}
	s.stats.RecordCall(platform, action, target, apiErr != nil)

	status, code := http.StatusOK, "OK"
	var body any
	if apiErr != nil {
		status, code = apiErr.HTTPStatus, apiErr.Code
		body = errorBody{
			RequestID:      requestID,
			HostID:         r.Host,
			Code:           apiErr.Code,
			Message:        apiErr.Message,
			HTTPStatusCode: apiErr.HTTPStatus,
		}
	} else {
		body = route.Envelope(requestID, data)
	}
	writeJSON(w, status, requestID, body)

	level := slog.LevelInfo
	if status >= http.StatusInternalServerError {
		level = slog.LevelWarn
	}
	// Never log parameters: they carry the signature and, for STS, the security token.
	s.logger.LogAttrs(context.Background(), level, "Served call",
		slog.String("protocol", "pop"),
		slog.String("platform", platform),
		slog.String("version", version),
		slog.String("action", action),
		slog.String("user", user),
		slog.Int("status", status),
		slog.String("code", code),
		slog.Duration("latency", time.Since(start)),
		slog.String("requestId", requestID),
	)
}

// decodeParams merges the query and a form body into one parameter set, form values winning,
// which is how the SDK merges them when it signs.
func decodeParams(w http.ResponseWriter, r *http.Request) (core.Params, *core.APIError) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return nil, core.Errorf(http.StatusMethodNotAllowed, "UnsupportedHTTPMethod",
			"This http method %s is not supported.", r.Method)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	if err := r.ParseForm(); err != nil {
		return nil, core.Errorf(http.StatusBadRequest, "InvalidParameter",
			"The request parameters could not be decoded.")
	}
	params := core.Params{}
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			params[k] = v[0]
		}
	}
	for k, v := range r.PostForm {
		if len(v) > 0 {
			params[k] = v[0]
		}
	}
	return params, nil
}

func (s *Server) route(params core.Params) (Route, *core.APIError) {
	if !params.Has("Action") {
		return Route{}, missing("Action")
	}
	if !params.Has("Version") {
		return Route{}, missing("Version")
	}
	version := params.Get("Version")
	if !s.versions[version] {
		return Route{}, core.Errorf(http.StatusBadRequest, "InvalidVersion",
			"Specified parameter Version is not valid.")
	}
	r, ok := s.routes[routeKey{version, params.Get("Action")}]
	if !ok {
		return Route{}, core.Errorf(http.StatusNotFound, "InvalidAction.NotFound",
			"Specified api is not found, please check your url and method.")
	}
	return r, nil
}

// authenticate checks the common signature parameters and the signature itself. Its messages
// never echo the secret; the SignatureDoesNotMatch message carries the server's string to sign,
// as the platform's does, so that the SDK can tell a wrong secret from a signing bug.
func (s *Server) authenticate(method string, params core.Params) (core.AccessKey, *core.APIError) {
	for _, name := range []string{"AccessKeyId", "Signature", "SignatureMethod", "SignatureNonce", "Timestamp"} {
		if !params.Has(name) {
			return core.AccessKey{}, missing(name)
		}
	}
	if params.Get("SignatureMethod") != "HMAC-SHA1" ||
		(params.Has("SignatureVersion") && params.Get("SignatureVersion") != "1.0") {
		return core.AccessKey{}, core.Errorf(http.StatusBadRequest, "IncompleteSignature",
			"The request signature does not conform to Aliyun standards.")
	}
	ts, err := time.Parse(timestampLayout, params.Get("Timestamp"))
	if err != nil {
		return core.AccessKey{}, core.Errorf(http.StatusBadRequest, "InvalidTimeStamp.Format",
			"Specified time stamp or date value is not well formatted.")
	}
	now := s.now()
	if d := now.Sub(ts); d > timestampWindow || d < -timestampWindow {
		return core.AccessKey{}, core.Errorf(http.StatusBadRequest, "InvalidTimeStamp.Expired",
			"Specified time stamp or date value is expired.")
	}
	key, ok := s.keys.Lookup(params.Get("AccessKeyId"))
	if !ok {
		return core.AccessKey{}, core.Errorf(http.StatusNotFound, "InvalidAccessKeyId.NotFound",
			"Specified access key is not found.")
	}
	sts := StringToSign(method, params)
	if !signatureMatches(params.Get("Signature"), Sign(sts, key.Secret)) {
		return core.AccessKey{}, core.Errorf(http.StatusBadRequest, "SignatureDoesNotMatch",
			"Specified signature is not matched with our calculation. server string to sign is:%s", sts)
	}
	if !s.nonces.use(params.Get("SignatureNonce"), now) {
		return core.AccessKey{}, core.Errorf(http.StatusBadRequest, "SignatureNonceUsed",
			"Specified signature nonce was used already.")
	}
	return key, nil
}

// missing is the platform's answer to an absent mandatory parameter: code Missing<Name>.
func missing(name string) *core.APIError {
	return core.Errorf(http.StatusBadRequest, "Missing"+name, "%s is mandatory for this action.", name)
}

// Missing returns the error an action answers when a mandatory parameter is absent, in the
// same form as the common parameters' checks.
func Missing(name string) *core.APIError { return missing(name) }

// Require returns the Missing error for the first of names absent from params, nil when all are
// present.
func Require(params core.Params, names ...string) *core.APIError {
	for _, n := range names {
		if strings.TrimSpace(params.Get(n)) == "" {
			return missing(n)
		}
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, requestID string, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"Code":"InternalError","Message":"The response could not be encoded."}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=utf-8")
	h.Set("x-acs-request-id", requestID)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// callTarget is the object a call names, for the call log: the flow (or script, or instance)
// ID, else the name a create gives.
func callTarget(p core.Params) string {
	for _, k := range []string{"ContactFlowId", "ScriptId", "Name", "InstanceName", "InstanceId"} {
		if v := p[k]; v != "" {
			return v
		}
	}
	return ""
}
