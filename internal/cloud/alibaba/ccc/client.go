// Package ccc is the cloud.FlowClient adapter for Alibaba Cloud Contact Center (CCC), API
// version 2020-07-01, over services/ccc of the official alibaba-cloud-sdk-go. It maps every SDK
// error onto the cloud error taxonomy and never decides policy: it does not retry, publish or
// take over a lock on its own.
package ccc

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/responses"
	sdkccc "github.com/aliyun/alibaba-cloud-sdk-go/services/ccc"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/alibaba/acs"
)

// Default SDK timeouts. Retries are the controller's business, so one attempt is bounded by
// these and by the caller's context, whichever ends first.
const (
	DefaultConnectTimeout = 5 * time.Second
	DefaultReadTimeout    = 30 * time.Second
	// DefaultRegion is used when the Config names none; CCC 2020-07-01 is served from it.
	DefaultRegion = "cn-shanghai"
)

// userAgent is appended to the SDK's own User-Agent so that platform-side logs can tell the
// operator's calls from a person's.
const userAgent = "contactflow-operator"

var regionPattern = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// Option tunes a Client beyond what cloud.Config says.
type Option func(*Client)

// WithTimeouts overrides the connect and read timeouts of every call (zero keeps the default).
func WithTimeouts(connect, read time.Duration) Option {
	return func(c *Client) {
		if connect > 0 {
			c.connectTimeout = connect
		}
		if read > 0 {
			c.readTimeout = read
		}
	}
}

// Client implements cloud.FlowClient for CCC 2020-07-01. It is safe for concurrent use.
//
// The SDK client has no context support and rewrites its http.Client's timeout and dialer on
// every request, which races when one client serves concurrent calls. So Client keeps the
// shareable parts (credentials, connection pool) and builds a cheap SDK client per call whose
// transport carries that call's context.
type Client struct {
	region         string
	domain         string
	scheme         string
	creds          credentials.CredentialsProvider
	transport      *http.Transport
	connectTimeout time.Duration
	readTimeout    time.Duration
	observer       cloud.CallObserver
	limiter        *cloud.Limiter
	// secrets are scrubbed from every error message, in case a transport error ever echoes
	// one.
	secrets []string
}

var _ cloud.FlowClient = (*Client)(nil)

// NewFlowClient is the cloud.FlowClientFactory for this platform.
func NewFlowClient(_ context.Context, cfg cloud.Config) (cloud.FlowClient, error) {
	return New(cfg)
}

var _ cloud.FlowClientFactory = NewFlowClient

// New builds a Client from cfg.
//
// Endpoint: empty resolves the platform's endpoint for the region over HTTPS. A URL
// ("http://127.0.0.1:18080", "https://ccc-vpc.example") is used as given. A bare "host:port"
// uses HTTPS for Alibaba Cloud hosts (*.aliyuncs.com) and port 443, and plain HTTP otherwise,
// which is what the emulator and local proxies serve; write a scheme to choose explicitly.
//
// Credentials: static keys (with a security token for STS) when cfg.Credentials is set;
// otherwise the SDK's default credential chain: environment variables, RRSA (the OIDC role
// variables that ACK injects), the CLI profile and config file, the ECS instance role.
//
// Errors are *cloud.Error of ClassInvalid: a bad Config does not get better by retrying.
func New(cfg cloud.Config, opts ...Option) (*Client, error) {
	if cfg.Platform != "" && cfg.Platform != cloud.PlatformAlibabaCCC {
		return nil, configError("platform %q is not %s", cfg.Platform, cloud.PlatformAlibabaCCC)
	}
	c := &Client{
		observer:       cfg.Observer,
		limiter:        cfg.Limiter,
		region:         cfg.Region,
		connectTimeout: DefaultConnectTimeout,
		readTimeout:    DefaultReadTimeout,
	}
	for _, o := range opts {
		o(c)
	}
	if c.region == "" {
		c.region = DefaultRegion
	}
	if !regionPattern.MatchString(c.region) {
		return nil, configError("region %q is not a valid region ID", c.region)
	}
	var err error
	if c.domain, c.scheme, err = parseEndpoint(cfg.Endpoint); err != nil {
		return nil, err
	}

	if c.creds, c.secrets, err = acs.Credentials(cloud.PlatformAlibabaCCC, cfg.Credentials); err != nil {
		return nil, err
	}
	c.transport = acs.NewTransport(c.connectTimeout)
	return c, nil
}

// Platform names the platform.
func (c *Client) Platform() string { return cloud.PlatformAlibabaCCC }

func configError(format string, args ...any) *cloud.Error {
	return acs.ConfigError(cloud.PlatformAlibabaCCC, format, args...)
}

// parseEndpoint turns cloud.Config.Endpoint into the SDK's domain and scheme (acs.ParseEndpoint).
func parseEndpoint(ep string) (domain, scheme string, err error) {
	return acs.ParseEndpoint(cloud.PlatformAlibabaCCC, ep)
}

// call runs fn with an SDK client bound to ctx, bounded by the read timeout, and maps its error.
func (c *Client) call(ctx context.Context, action string, fn func(api *sdkccc.Client) (responses.AcsResponse, error)) error {
	if err := ctx.Err(); err != nil {
		return c.mapError(action, err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.readTimeout)
	defer cancel()

	conf := sdk.NewConfig()
	conf.AutoRetry = false
	conf.MaxRetryTime = 0
	conf.Scheme = c.scheme
	conf.UserAgent = userAgent
	// Not an *http.Transport on purpose: the SDK then leaves the shared transport's dialer
	// and TLS settings alone.
	conf.Transport = acs.ContextTransport{Ctx: ctx, Base: c.transport}
	api, err := sdkccc.NewClientWithOptions(c.region, conf, c.creds)
	if err != nil {
		return c.mapError(action, err)
	}
	if c.domain != "" {
		api.Domain = c.domain
	}
	api.SetConnectTimeout(c.connectTimeout)
	api.SetReadTimeout(c.readTimeout)
	if err := c.limiter.Wait(ctx, action); err != nil {
		c.observe(ctx, action, time.Now(), nil, err)
		return err
	}
	start := time.Now()
	resp, err := fn(api)
	err = c.mapError(action, err)
	c.observe(ctx, action, start, resp, err)
	return err
}

// observe reports one call to the configured observer, with the platform's request ID and
// answer code read from the response body when there is one.
func (c *Client) observe(ctx context.Context, action string, start time.Time, resp responses.AcsResponse, err error) {
	if c.observer == nil {
		return
	}
	var body struct {
		RequestID string `json:"RequestId"`
		Code      string `json:"Code"`
	}
	if resp != nil && !reflect.ValueOf(resp).IsNil() && resp.GetHttpContentBytes() != nil {
		_ = json.Unmarshal(resp.GetHttpContentBytes(), &body)
	}
	call := cloud.Call{Platform: cloud.PlatformAlibabaCCC, Action: action, Duration: time.Since(start)}
	if err == nil && body.Code != "" && body.Code != "OK" {
		err = &cloud.Error{Class: cloud.ClassTransient, Code: body.Code}
	}
	c.observer.ObserveCall(ctx, cloud.CallOutcome(call, err, body.RequestID))
}
