// Package outboundbot is the cloud.OutboundClient adapter for Alibaba Cloud OutboundBot
// (intelligent outbound calls), API version 2019-12-26, over services/outboundbot of the
// official alibaba-cloud-sdk-go. It maps every SDK error onto the cloud error taxonomy and never
// decides policy: it does not retry, submit, withdraw, publish or roll back on its own.
package outboundbot

import (
	"context"
	"net/http"
	"regexp"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkob "github.com/aliyun/alibaba-cloud-sdk-go/services/outboundbot"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/alibaba/acs"
)

// Default SDK timeouts. Retries are the controller's business, so one attempt is bounded by
// these and by the caller's context, whichever ends first.
const (
	// DefaultConnectTimeout bounds connecting (and the TLS handshake) of one call.
	DefaultConnectTimeout = 5 * time.Second
	// DefaultReadTimeout bounds one whole call.
	DefaultReadTimeout = 30 * time.Second
	// DefaultRegion is used when the Config names none; OutboundBot is served from it.
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

// Client implements cloud.OutboundClient for OutboundBot 2019-12-26. It is safe for concurrent
// use.
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
	// secrets are scrubbed from every error message, in case a transport error ever echoes
	// one.
	secrets []string
	// observer and limiter come from cloud.Config: every call is reported and kept within
	// the account's client-side budget.
	observer cloud.CallObserver
	limiter  *cloud.Limiter
}

var _ cloud.OutboundClient = (*Client)(nil)

// NewOutboundClient is the cloud.OutboundClientFactory for this platform.
func NewOutboundClient(_ context.Context, cfg cloud.Config) (cloud.OutboundClient, error) {
	return New(cfg)
}

var _ cloud.OutboundClientFactory = NewOutboundClient

// New builds a Client from cfg.
//
// Endpoint: empty resolves the platform's endpoint for the region over HTTPS. A URL
// ("http://127.0.0.1:18080", "https://outboundbot-vpc.example") is used as given. A bare
// "host:port" uses HTTPS for Alibaba Cloud hosts (*.aliyuncs.com) and port 443, and plain HTTP
// otherwise, which is what the emulator and local proxies serve; write a scheme to choose
// explicitly.
//
// Credentials: static keys (with a security token for STS) when cfg.Credentials is set;
// otherwise the SDK's default credential chain: environment variables, RRSA (the OIDC role
// variables that ACK injects), the CLI profile and config file, the ECS instance role.
//
// Errors are *cloud.Error of ClassInvalid: a bad Config does not get better by retrying.
func New(cfg cloud.Config, opts ...Option) (*Client, error) {
	if cfg.Platform != "" && cfg.Platform != cloud.PlatformAlibabaOutboundBot {
		return nil, configError("platform %q is not %s", cfg.Platform, cloud.PlatformAlibabaOutboundBot)
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

	if c.creds, c.secrets, err = acs.Credentials(cloud.PlatformAlibabaOutboundBot, cfg.Credentials); err != nil {
		return nil, err
	}
	c.transport = acs.NewTransport(c.connectTimeout)
	return c, nil
}

// Platform names the platform.
func (c *Client) Platform() string { return cloud.PlatformAlibabaOutboundBot }

func configError(format string, args ...any) *cloud.Error {
	return acs.ConfigError(cloud.PlatformAlibabaOutboundBot, format, args...)
}

// parseEndpoint turns cloud.Config.Endpoint into the SDK's domain and scheme (acs.ParseEndpoint).
func parseEndpoint(ep string) (domain, scheme string, err error) {
	return acs.ParseEndpoint(cloud.PlatformAlibabaOutboundBot, ep)
}

// call runs fn with an SDK client bound to ctx, bounded by the read timeout, and maps its error.
// extraSecrets are scrubbed from the error too: request values such as an NLU secret key.
func (c *Client) call(ctx context.Context, action string, fn func(api *sdkob.Client) error, extraSecrets ...string) error {
	if err := ctx.Err(); err != nil {
		return c.mapError(action, err, extraSecrets)
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
	rec := &acs.RequestIDTransport{Base: acs.ContextTransport{Ctx: ctx, Base: c.transport}}
	conf.Transport = rec
	api, err := sdkob.NewClientWithOptions(c.region, conf, c.creds)
	if err != nil {
		return c.mapError(action, err, extraSecrets)
	}
	if c.domain != "" {
		api.Domain = c.domain
	}
	api.SetConnectTimeout(c.connectTimeout)
	api.SetReadTimeout(c.readTimeout)
	return acs.Run(ctx, cloud.PlatformAlibabaOutboundBot, action, c.limiter, c.observer, func() (string, error) {
		if err := fn(api); err != nil {
			return rec.RequestID(), c.mapError(action, err, extraSecrets)
		}
		return rec.RequestID(), nil
	})
}
