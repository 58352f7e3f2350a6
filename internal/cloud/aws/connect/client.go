// Package connect is the cloud.FlowClient adapter for Amazon Connect contact flows, over
// aws-sdk-go-v2's service/connect. It maps every SDK error onto the cloud error taxonomy and
// never decides policy: it does not retry (the SDK's retryer is disabled), publish or version on
// its own.
//
// Connect has no drafts in the CCC sense. The adapter maps them onto the $SAVED content:
//
//   - Published: the flow was ever published (DescribeContactFlow of the plain ID answers);
//     PublishedDefinition is the published content.
//   - Draft: the $SAVED content when it differs from the published one (or the flow was never
//     published), with ID "$SAVED" (DraftID) and no Editor: Connect does not say who saved.
//   - StartEdit returns "$SAVED" without a call; CommitDraft saves into $SAVED; Publish
//     publishes the saved content (and versions it for CAMPAIGN flows); DiscardDraft puts the
//     published content back into $SAVED.
//
// Beyond cloud.FlowClient, Client implements cloud.ContentPublisher: PublishContent publishes
// exactly the content a controller diffed in one write (and versions it, for CAMPAIGN flows,
// under the checksum of those bytes); VersionDefinition reads a version's content back, for a
// rollback.
package connect

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/smithy-go/middleware"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
)

// Default timeouts. Retries are the controller's business, so one attempt is bounded by these
// and by the caller's context, whichever ends first.
const (
	DefaultConnectTimeout = 5 * time.Second
	DefaultReadTimeout    = 30 * time.Second
	// DefaultRegion is used when neither the Config nor (for ambient credentials) the
	// environment names a region.
	DefaultRegion = "us-east-1"
)

// DraftID is the only draft ID of a Connect flow: the $SAVED alias of its saved content.
const DraftID = "$SAVED"

// TypeCampaign is the flow type whose publishes are also versioned (CreateContactFlowVersion
// serves only it).
const TypeCampaign = "CAMPAIGN"

// DefaultFlowType is the type CreateFlow uses when the input names none.
const DefaultFlowType = "CONTACT_FLOW"

// appID is sent in the SDK's User-Agent so that platform-side logs can tell the operator's
// calls from a person's.
const appID = "contactflow-operator"

var regionPattern = regexp.MustCompile(`^[a-z0-9-]+$`)

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

// WithHTTPClient sends every call through hc instead of the adapter's own transport (tests use
// it for an httptest server's client). The read timeout still bounds each call.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) { c.httpClient = hc }
}

// Client implements cloud.FlowClient for Amazon Connect. It is safe for concurrent use.
type Client struct {
	api            *sdk.Client
	region         string
	connectTimeout time.Duration
	readTimeout    time.Duration
	httpClient     *http.Client
	// secrets are scrubbed from every error message, in case a transport error ever echoes
	// one.
	secrets []string
	// observer and limiter come from cloud.Config: every operation is reported and kept within
	// the account's client-side budget (Connect counts per account and Region).
	observer cloud.CallObserver
	limiter  *cloud.Limiter
}

var (
	_ cloud.FlowClient          = (*Client)(nil)
	_ cloud.ContentPublisher    = (*Client)(nil)
	_ cloud.RevisionLister      = (*Client)(nil)
	_ cloud.AllFlowsLister      = (*Client)(nil)
	_ cloud.CreatedFlowObserver = (*Client)(nil)
)

// NewFlowClient is the cloud.FlowClientFactory for this platform.
func NewFlowClient(ctx context.Context, cfg cloud.Config) (cloud.FlowClient, error) {
	return New(ctx, cfg)
}

var _ cloud.FlowClientFactory = NewFlowClient

// New builds a Client from cfg.
//
// Endpoint: empty uses the SDK's endpoint resolution for the region. A URL
// ("http://127.0.0.1:18080", "https://connect.vpce.example") becomes the SDK's BaseEndpoint. A
// bare "host:port" uses HTTPS for Amazon hosts (*.amazonaws.com, *.amazonaws.com.cn) and port
// 443, and plain HTTP otherwise, which is what the emulator and local proxies serve; write a
// scheme to choose explicitly.
//
// Credentials: static keys (with a session token for STS) when cfg.Credentials is set;
// otherwise the SDK's default chain: environment variables, the web identity token that IRSA
// injects, shared config and credentials files (SSO included), the ECS container role and the
// EC2 instance role. The region is cfg.Region, else (ambient only) the environment's, else
// DefaultRegion.
//
// The SDK's retries are disabled: one attempt per call.
//
// Errors are *cloud.Error of ClassInvalid: a bad Config does not get better by retrying.
func New(ctx context.Context, cfg cloud.Config, opts ...Option) (*Client, error) {
	if cfg.Platform != "" && cfg.Platform != cloud.PlatformAmazonConnect {
		return nil, configError("platform %q is not %s", cfg.Platform, cloud.PlatformAmazonConnect)
	}
	c := &Client{region: cfg.Region, connectTimeout: DefaultConnectTimeout, readTimeout: DefaultReadTimeout, observer: cfg.Observer, limiter: cfg.Limiter}
	for _, o := range opts {
		o(c)
	}
	if c.region != "" && !regionPattern.MatchString(c.region) {
		return nil, configError("region %q is not a valid region name", c.region)
	}
	endpoint, err := parseEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, err
	}

	var awsCfg aws.Config
	if cr := cfg.Credentials; cr != nil {
		if cr.AccessKeyID == "" || cr.AccessKeySecret == "" {
			return nil, configError("static credentials need both an access key ID and a secret")
		}
		awsCfg = aws.Config{
			Credentials: aws.NewCredentialsCache(
				credentials.NewStaticCredentialsProvider(cr.AccessKeyID, cr.AccessKeySecret, cr.SecurityToken)),
		}
		c.secrets = append(c.secrets, cr.AccessKeySecret)
		if cr.SecurityToken != "" {
			c.secrets = append(c.secrets, cr.SecurityToken)
		}
	} else {
		loadOpts := []func(*config.LoadOptions) error{}
		if c.region != "" {
			loadOpts = append(loadOpts, config.WithRegion(c.region))
		}
		awsCfg, err = config.LoadDefaultConfig(ctx, loadOpts...)
		if err != nil {
			return nil, configError("loading the default AWS configuration: %s", scrubText(err.Error(), nil))
		}
	}
	if c.region == "" {
		c.region = awsCfg.Region
	}
	if c.region == "" {
		c.region = DefaultRegion
	}
	awsCfg.Region = c.region
	awsCfg.Credentials = &markingProvider{inner: awsCfg.Credentials}
	awsCfg.AppID = appID

	hc := c.httpClient
	if hc == nil {
		hc = &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: c.connectTimeout, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   c.connectTimeout,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          64,
			MaxIdleConnsPerHost:   16,
			IdleConnTimeout:       90 * time.Second,
			ExpectContinueTimeout: time.Second,
		}}
	}
	detached := *hc
	detached.Transport = detachedBody{base: hc.Transport}
	c.api = sdk.NewFromConfig(awsCfg, func(o *sdk.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
		o.HTTPClient = &detached
		o.Retryer = aws.NopRetryer{}
		o.RetryMaxAttempts = 1
		o.APIOptions = append(o.APIOptions, c.observeOperations)
	})
	return c, nil
}

// observeOperations adds a step to every operation's middleware stack that waits on the
// client-side rate limiter and reports the operation, with Amazon's request ID, to the observer.
// The operation's own error goes back to the caller unchanged.
func (c *Client) observeOperations(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("contactflowObserve",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			op := awsmiddleware.GetOperationName(ctx)
			if err := c.limiter.Wait(ctx, op); err != nil {
				c.report(ctx, op, 0, "", err)
				return middleware.InitializeOutput{}, middleware.Metadata{}, err
			}
			start := time.Now()
			out, md, err := next.HandleInitialize(ctx, in)
			rid, _ := awsmiddleware.GetRequestIDMetadata(md)
			var classified error
			if err != nil {
				classified = c.mapError(op, err)
			}
			c.report(ctx, op, time.Since(start), rid, classified)
			return out, md, err
		}), middleware.After) // after the SDK has named the operation
}

// report tells the observer about one operation.
func (c *Client) report(ctx context.Context, op string, d time.Duration, requestID string, err error) {
	if c.observer == nil {
		return
	}
	c.observer.ObserveCall(ctx, cloud.CallOutcome(cloud.Call{Platform: cloud.PlatformAmazonConnect, Action: op, Duration: d}, err, requestID))
}

// Platform names the platform.
func (c *Client) Platform() string { return cloud.PlatformAmazonConnect }

// Region is the region the client signs for.
func (c *Client) Region() string { return c.region }

func configError(format string, args ...any) *cloud.Error {
	return &cloud.Error{
		Class:    cloud.ClassInvalid,
		Platform: cloud.PlatformAmazonConnect,
		Action:   "Configure",
		Message:  fmt.Sprintf(format, args...),
	}
}

// parseEndpoint turns cloud.Config.Endpoint into the SDK's BaseEndpoint URL ("" for none).
func parseEndpoint(ep string) (string, error) {
	ep = strings.TrimSpace(ep)
	if ep == "" {
		return "", nil
	}
	if strings.Contains(ep, "://") {
		u, err := url.Parse(ep)
		if err != nil {
			return "", configError("endpoint %q is not a valid URL", ep)
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return "", configError("endpoint %q: scheme must be http or https", ep)
		}
		if u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
			return "", configError("endpoint %q must be scheme://host[:port] with no path, query or user", ep)
		}
		return u.Scheme + "://" + u.Host, nil
	}
	if strings.ContainsAny(ep, "/?#@ ") {
		return "", configError("endpoint %q must be host[:port] or a URL", ep)
	}
	host, port := ep, ""
	if h, p, err := net.SplitHostPort(ep); err == nil {
		host, port = h, p
	}
	lower := strings.ToLower(host)
	if strings.HasSuffix(lower, ".amazonaws.com") || strings.HasSuffix(lower, ".amazonaws.com.cn") || port == "443" {
		return "https://" + ep, nil
	}
	return "http://" + ep, nil
}

// markingProvider wraps the credentials provider so that a failure to obtain credentials is
// recognisable (and classified Unauthorized rather than Transient) after the SDK wraps it.
type markingProvider struct {
	inner aws.CredentialsProvider
}

// Retrieve asks the wrapped provider and marks its failures.
func (p *markingProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	if p.inner == nil {
		return aws.Credentials{}, &credentialsError{err: fmt.Errorf("no credentials provider is configured")}
	}
	cr, err := p.inner.Retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, &credentialsError{err: err}
	}
	return cr, nil
}

// credentialsError marks a failure to obtain credentials.
type credentialsError struct{ err error }

// Error says credentials could not be obtained, and why.
func (e *credentialsError) Error() string { return "obtaining credentials: " + e.err.Error() }

// Unwrap returns the provider's error.
func (e *credentialsError) Unwrap() error { return e.err }

// maxRequestBody bounds the request bodies detachedBody buffers; a flow's content is at most
// 256000 characters, so real requests stay far below it.
const maxRequestBody = 8 << 20

// detachedBody sends every request with a private in-memory copy of its body. The SDK closes
// the body it gave the transport as soon as the response headers arrive; when the transport's
// writer has not finished with that body yet, the close fails the write and the transport
// drops the connection under the response being read ("use of closed network connection" on
// a 200). A copy the SDK does not know about cannot be closed under the transport.
type detachedBody struct {
	base http.RoundTripper
}

// RoundTrip sends a clone of r whose body is an in-memory copy; it closes r's body, as the
// RoundTripper contract asks.
func (t detachedBody) RoundTrip(r *http.Request) (*http.Response, error) {
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	if r.Body == nil || r.Body == http.NoBody {
		return base.RoundTrip(r)
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	r.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("buffering the request body: %w", err)
	}
	if len(data) > maxRequestBody {
		return nil, fmt.Errorf("request body larger than %d bytes", maxRequestBody)
	}
	clone := r.Clone(r.Context())
	clone.Body = io.NopCloser(bytes.NewReader(data))
	clone.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	return base.RoundTrip(clone)
}

// callCtx bounds one call by the read timeout.
func (c *Client) callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.readTimeout)
}
