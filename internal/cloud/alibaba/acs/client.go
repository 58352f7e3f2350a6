package acs

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
)

// ConfigError is a bad cloud.Config for platform: ClassInvalid, since retrying cannot help.
func ConfigError(platform, format string, args ...any) *cloud.Error {
	return &cloud.Error{Class: cloud.ClassInvalid, Platform: platform, Action: "Configure", Message: fmt.Sprintf(format, args...)}
}

// ParseEndpoint turns cloud.Config.Endpoint into the SDK's domain ("host[:port]") and scheme.
// Empty means the SDK's own endpoint over HTTPS. A URL is used as given. A bare "host:port"
// uses HTTPS for Alibaba Cloud hosts (*.aliyuncs.com) and port 443, and plain HTTP otherwise,
// which is what the emulator and local proxies serve.
func ParseEndpoint(platform, ep string) (domain, scheme string, err error) {
	ep = strings.TrimSpace(ep)
	if ep == "" {
		return "", "HTTPS", nil
	}
	if strings.Contains(ep, "://") {
		u, perr := url.Parse(ep)
		if perr != nil {
			return "", "", ConfigError(platform, "endpoint %q is not a valid URL", ep)
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return "", "", ConfigError(platform, "endpoint %q: scheme must be http or https", ep)
		}
		if u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
			return "", "", ConfigError(platform, "endpoint %q must be scheme://host[:port] with no path, query or user", ep)
		}
		return u.Host, strings.ToUpper(u.Scheme), nil
	}
	if strings.ContainsAny(ep, "/?#@ ") {
		return "", "", ConfigError(platform, "endpoint %q must be host[:port] or a URL", ep)
	}
	host, port := ep, ""
	if h, p, serr := net.SplitHostPort(ep); serr == nil {
		host, port = h, p
	}
	if strings.HasSuffix(strings.ToLower(host), ".aliyuncs.com") || port == "443" {
		return ep, "HTTPS", nil
	}
	return ep, "HTTP", nil
}

// Credentials builds the credentials provider for cr (static keys, with an STS token when
// given), or the SDK's default chain when cr is nil (environment, RRSA, profile, instance
// role). secrets are the values every error message must be scrubbed of.
func Credentials(platform string, cr *cloud.Credentials) (provider credentials.CredentialsProvider, secrets []string, err error) {
	var inner credentials.CredentialsProvider
	switch {
	case cr == nil:
		inner = credentials.NewDefaultCredentialsProvider()
	case cr.AccessKeyID == "" || cr.AccessKeySecret == "":
		return nil, nil, ConfigError(platform, "static credentials need both an access key ID and a secret")
	case cr.SecurityToken != "":
		inner = credentials.NewStaticSTSCredentialsProvider(cr.AccessKeyID, cr.AccessKeySecret, cr.SecurityToken)
		secrets = append(secrets, cr.SecurityToken, cr.AccessKeySecret)
	default:
		inner = credentials.NewStaticAKCredentialsProvider(cr.AccessKeyID, cr.AccessKeySecret)
		secrets = append(secrets, cr.AccessKeySecret)
	}
	return &serializedProvider{inner: inner}, secrets, nil
}

// NewTransport is the connection pool a client shares across its calls.
func NewTransport(connectTimeout time.Duration) *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: connectTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   connectTimeout,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// serializedProvider guards a credentials provider: the SDK's default chain remembers the
// provider that last worked in an unguarded field, and a client shares one chain across
// concurrent calls.
type serializedProvider struct {
	mu    sync.Mutex
	inner credentials.CredentialsProvider
}

// GetCredentials asks the wrapped provider under the lock and marks its failures.
func (p *serializedProvider) GetCredentials() (*credentials.Credentials, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cc, err := p.inner.GetCredentials()
	if err != nil {
		return nil, &CredentialsError{err: err}
	}
	return cc, nil
}

// GetProviderName names the wrapped provider.
func (p *serializedProvider) GetProviderName() string { return p.inner.GetProviderName() }

// CredentialsError marks a failure to obtain credentials, so that adapters classify it
// Unauthorized rather than Transient.
type CredentialsError struct{ err error }

// Error says credentials could not be obtained, and why.
func (e *CredentialsError) Error() string { return "obtaining credentials: " + e.err.Error() }

// Unwrap returns the provider's error.
func (e *CredentialsError) Unwrap() error { return e.err }

// ContextTransport sends every request of one call with that call's context, which the SDK
// cannot pass itself; cancelling the context aborts the request.
type ContextTransport struct {
	Ctx  context.Context
	Base http.RoundTripper
}

// RoundTrip sends r under the call's context.
func (t ContextTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return t.Base.RoundTrip(r.WithContext(t.Ctx))
}
