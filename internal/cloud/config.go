package cloud

import (
	"context"
	"fmt"
)

// Platform names, as in ProviderConfig spec.platform.
const (
	PlatformAlibabaCCC             = "AlibabaCCC"
	PlatformAlibabaCloudCallCenter = "AlibabaCloudCallCenter"
	PlatformAlibabaOutboundBot     = "AlibabaOutboundBot"
	PlatformAmazonConnect          = "AmazonConnect"
)

// Credentials are the secrets an adapter signs with. They are never logged, never put in an
// error and never printed: String and GoString redact them.
type Credentials struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
}

// String redacts the credentials so that a stray %v cannot leak them.
func (Credentials) String() string { return "[redacted]" }

// GoString redacts the credentials so that a stray %#v cannot leak them.
func (Credentials) GoString() string { return "cloud.Credentials{[redacted]}" }

// Config is everything an adapter needs to build its SDK client for one ProviderConfig.
type Config struct {
	Platform string
	Region   string
	// Endpoint overrides the platform's endpoint: "host:port" or a URL with scheme
	// ("http://127.0.0.1:18080"). Empty means the SDK's own endpoint resolution.
	Endpoint string
	// Credentials are static keys; nil means ambient credentials (RRSA / IRSA / instance role).
	Credentials *Credentials
	// Observer, when set, is told about every platform call the client makes (metrics, logs).
	// It is not part of Key.
	Observer CallObserver
	// Limiter, when set, is waited on before every platform call: the client-side budget of
	// the account and region, shared by every client of that account. It is not part of Key.
	Limiter *Limiter
}

// Key identifies the account and region a Config talks to, without secrets: clients and rate
// limiters are shared per Key.
func (c Config) Key() string {
	id := "ambient"
	if c.Credentials != nil {
		id = c.Credentials.AccessKeyID
	}
	return fmt.Sprintf("%s|%s|%s|%s", c.Platform, c.Region, c.Endpoint, id)
}

// FlowClientFactory builds a FlowClient for a Config. cmd/manager wires the real one; it is a
// function so that controllers never import an adapter.
type FlowClientFactory func(ctx context.Context, cfg Config) (FlowClient, error)
