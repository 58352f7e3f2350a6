package connect

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

// maxBodyBytes bounds a request body; a flow's content is at most 256000 characters.
const maxBodyBytes = 8 << 20

// UnknownAction is the stats action of requests that matched no operation.
const UnknownAction = "(unknown)"

// ServerOptions configure the REST front end.
type ServerOptions struct {
	Keys  *core.KeyStore
	Stats *core.Stats
	// Middleware wraps every operation, outermost first (latency, throttling with Throttled,
	// ...).
	Middleware []core.Middleware
	// Logger receives one line per call; nil discards.
	Logger *slog.Logger
	// Now is the clock for signature expiry; nil means time.Now.
	Now func() time.Time
}

// request is what an operation gets beyond the core.Call: the decoded pieces of the HTTP
// request and the signing region.
type request struct {
	path   map[string]string
	query  url.Values
	body   []byte
	region string
}

// decode unmarshals the JSON body into v; an empty body is an empty object.
func (r *request) decode(v any) error {
	if len(strings.TrimSpace(string(r.body))) == 0 {
		return nil
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		return core.Errorf(http.StatusBadRequest, "SerializationException", "The request body could not be parsed as JSON.")
	}
	return nil
}

type opFunc func(ctx context.Context, call *core.Call, req *request) (any, error)

// route is one operation: its HTTP method and path pattern ("/contact-flows/{InstanceId}").
type route struct {
	action   string
	method   string
	segments []string
	fn       opFunc
}

// match returns the path parameters when path (escaped, as received) fits the route.
func (rt *route) match(method, escapedPath string) (map[string]string, bool) {
	if method != rt.method {
		return nil, false
	}
	parts := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	if len(parts) != len(rt.segments) {
		return nil, false
	}
	params := map[string]string{}
	for i, seg := range rt.segments {
		if strings.HasPrefix(seg, "{") {
			v, err := url.PathUnescape(parts[i])
			if err != nil || v == "" {
				return nil, false
			}
			params[strings.Trim(seg, "{}")] = v
			continue
		}
		if parts[i] != seg {
			return nil, false
		}
	}
	return params, true
}

// Server is the Amazon Connect REST-JSON endpoint: SigV4 verification, routing by method and
// resource path, the platform's error shape. It shares the listener with the POP RPC front
// end; Match tells their requests apart.
type Server struct {
	svc      *Service
	stats    *core.Stats
	mws      []core.Middleware
	logger   *slog.Logger
	verifier *verifier
	routes   []route
}

// NewServer returns the front end for svc.
func NewServer(svc *Service, opts ServerOptions) *Server {
	s := &Server{svc: svc, stats: opts.Stats, mws: opts.Middleware, logger: opts.Logger}
	if s.stats == nil {
		s.stats = core.NewStats()
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	keys := opts.Keys
	if keys == nil {
		keys, _ = core.NewKeyStore(nil)
	}
	s.verifier = &verifier{keys: keys, now: now, signer: v4.NewSigner()}
	s.registerOperations()
	return s
}

func (s *Server) add(action, method, pattern string, fn opFunc) {
	s.routes = append(s.routes, route{
		action:   action,
		method:   method,
		segments: strings.Split(strings.TrimPrefix(pattern, "/"), "/"),
		fn:       fn,
	})
}

// pathPrefixes are the first path segments of the served operations.
var pathPrefixes = []string{
	"/contact-flows/", "/contact-flows-summary/", "/search-contact-flows", "/tags/",
	"/queues-summary/", "/prompts-summary/", "/instance/", "/phone-number/", "/flow-associations-summary/",
}

// Match reports whether r is meant for Amazon Connect: a SigV4 Authorization header or one of
// the Connect resource paths. POP RPC requests target "/" with Action and Version parameters
// and are never signed this way. Admin paths (/_emulator/) never match.
func (s *Server) Match(r *http.Request) bool {
	if strings.HasPrefix(r.URL.Path, "/_emulator/") {
		return false
	}
	if strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-") {
		return true
	}
	for _, p := range pathPrefixes {
		if strings.HasPrefix(r.URL.Path, p) {
			return true
		}
	}
	return false
}

// errorBody is the REST-JSON error body. The SDK reads the code from x-amzn-ErrorType and the
// message and, for InvalidContactFlowException, problems from the body.
type errorBody struct {
	Message  string          `json:"message"`
	Problems []problemDetail `json:"problems,omitempty"`
}

type problemDetail struct {
	Message string `json:"message"`
}

// ServeHTTP serves one Connect call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	requestID := core.NewUUID()
	action, user, target := UnknownAction, "", ""

	data, err := func() (any, error) {
		var rt *route
		var pathParams map[string]string
		escaped := r.URL.EscapedPath()
		for i := range s.routes {
			if p, ok := s.routes[i].match(r.Method, escaped); ok {
				rt, pathParams = &s.routes[i], p
				break
			}
		}
		if rt != nil {
			action = rt.action
			target = pathParams["ContactFlowId"]
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
		if err != nil {
			return nil, core.Errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException", "The request body is too large.")
		}
		key, region, aerr := s.verifier.verify(r.Context(), r, body)
		if aerr != nil {
			return nil, aerr
		}
		user = key.User
		if rt == nil {
			return nil, core.Errorf(http.StatusNotFound, CodeUnknownOperation, "No operation serves %s %s.", r.Method, r.URL.Path)
		}
		query := r.URL.Query()
		params := core.Params{}
		for k, v := range query {
			if len(v) > 0 {
				params[k] = v[0]
			}
		}
		for k, v := range pathParams {
			params[k] = v
		}
		call := &core.Call{
			Platform: Platform,
			Action:   rt.action,
			Caller:   core.Caller{AccessKeyID: key.ID, User: key.User},
			Params:   params,
		}
		req := &request{path: pathParams, query: query, body: body, region: region}
		h := core.Chain(func(ctx context.Context, c *core.Call) (any, error) { return rt.fn(ctx, c, req) }, s.mws...)
		return h(r.Context(), call)
	}()

	s.stats.RecordCall(Platform, action, target, err != nil)
	status, code := http.StatusOK, ""
	if err != nil {
		ae := core.AsAPIError(err)
		status, code = ae.HTTPStatus, ae.Code
		if code == "InternalError" {
			// core's generic 500 in the platform's own code, so the SDK sees
			// InternalServiceException.
			code = CodeInternalService
		}
		eb := errorBody{Message: ae.Message}
		var fe *InvalidFlowError
		if errors.As(err, &fe) {
			for _, p := range fe.Problems {
				eb.Problems = append(eb.Problems, problemDetail{Message: p})
			}
		}
		w.Header().Set("X-Amzn-ErrorType", code)
		writeJSON(w, status, requestID, eb)
	} else {
		if data == nil {
			data = struct{}{}
		}
		writeJSON(w, status, requestID, data)
	}

	level := slog.LevelInfo
	if status >= http.StatusInternalServerError {
		level = slog.LevelWarn
	}
	// Never log headers or bodies: they carry the signature and, with STS, the token.
	s.logger.LogAttrs(context.Background(), level, "Served call",
		slog.String("protocol", "rest-json"),
		slog.String("platform", Platform),
		slog.String("action", action),
		slog.String("user", user),
		slog.Int("status", status),
		slog.String("code", code),
		slog.Duration("latency", time.Since(start)),
		slog.String("requestId", requestID),
	)
}

func writeJSON(w http.ResponseWriter, status int, requestID string, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		status = http.StatusInternalServerError
		w.Header().Set("X-Amzn-ErrorType", CodeInternalService)
		b = []byte(`{"message":"The response could not be encoded."}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-RequestId", requestID)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
