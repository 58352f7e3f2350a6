package controller

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
)

// ProviderError says why a ProviderConfig could not be turned into a client. Reason is one of
// the API's condition reasons; Message never contains a credential.
type ProviderError struct {
	Reason  string
	Message string
}

func (e *ProviderError) Error() string { return e.Message }

// Providers resolves a resource's providerConfigRef into a cloud client. Clients are cached
// per account, region and endpoint, and rebuilt when the Secret's content changes, so that a
// rotated key takes effect without a restart and the SDK's connection pool is shared.
type Providers struct {
	// Reader reads ProviderConfigs and Secrets; the manager's API reader is fine, the cache too.
	Reader client.Reader
	// Flows builds a FlowClient for a platform config.
	Flows cloud.FlowClientFactory
	// Outbound builds an OutboundClient for a platform config; nil means no outbound-bot
	// support (OutboundClient then reports PlatformNotSupported).
	Outbound cloud.OutboundClientFactory
	// Observer, when set, is given to every client built (metrics and call logs).
	Observer cloud.CallObserver
	// ObserveWindow, when positive, lets one paged list of an instance's flows serve every
	// flow observation within the window (cloud.BatchedFlows); zero reads each flow directly.
	ObserveWindow time.Duration

	mu       sync.Mutex
	flows    map[string]cloud.FlowClient
	outbound map[string]cloud.OutboundClient
	limiters cloud.Limiters
}

// Config reads the ProviderConfig ref in namespace ns, and its Secret, into a cloud.Config.
func (p *Providers) Config(ctx context.Context, ns string, ref cfv1.LocalObjectReference) (cloud.Config, *cfv1.ProviderConfig, error) {
	pc := &cfv1.ProviderConfig{}
	if err := p.Reader.Get(ctx, types.NamespacedName{Namespace: ns, Name: ref.Name}, pc); err != nil {
		if apierrors.IsNotFound(err) {
			return cloud.Config{}, nil, &ProviderError{
				Reason:  cfv1.ReasonProviderConfigNotFound,
				Message: fmt.Sprintf("ProviderConfig %q not found in namespace %q; create it or fix spec.providerConfigRef.name", ref.Name, ns),
			}
		}
		return cloud.Config{}, nil, fmt.Errorf("reading ProviderConfig %q: %w", ref.Name, err)
	}
	cfg := cloud.Config{
		Platform: string(pc.Spec.Platform),
		Region:   pc.Spec.Region,
		Endpoint: pc.Spec.Endpoint,
	}
	switch pc.Spec.Credentials.Source {
	case cfv1.CredentialsSourceAmbient:
		return cfg, pc, nil
	case cfv1.CredentialsSourceSecret, "":
	default:
		return cloud.Config{}, pc, &ProviderError{
			Reason:  cfv1.ReasonProviderConfigInvalid,
			Message: fmt.Sprintf("ProviderConfig %q: spec.credentials.source %q is not Secret or Ambient", pc.Name, pc.Spec.Credentials.Source),
		}
	}
	sr := pc.Spec.Credentials.SecretRef
	if sr == nil {
		return cloud.Config{}, pc, &ProviderError{
			Reason:  cfv1.ReasonProviderConfigInvalid,
			Message: fmt.Sprintf("ProviderConfig %q: spec.credentials.secretRef is required when source is Secret", pc.Name),
		}
	}
	sec := &corev1.Secret{}
	if err := p.Reader.Get(ctx, types.NamespacedName{Namespace: ns, Name: sr.Name}, sec); err != nil {
		if apierrors.IsNotFound(err) {
			return cloud.Config{}, pc, &ProviderError{
				Reason:  cfv1.ReasonCredentialsNotFound,
				Message: fmt.Sprintf("Secret %q named by ProviderConfig %q not found in namespace %q", sr.Name, pc.Name, ns),
			}
		}
		return cloud.Config{}, pc, fmt.Errorf("reading Secret %q: %w", sr.Name, err)
	}
	idKey := defaultString(sr.AccessKeyIDKey, "accessKeyId")
	secretKey := defaultString(sr.AccessKeySecretKey, "accessKeySecret")
	creds := &cloud.Credentials{
		AccessKeyID:     string(sec.Data[idKey]),
		AccessKeySecret: string(sec.Data[secretKey]),
	}
	if sr.SecurityTokenKey != "" {
		creds.SecurityToken = string(sec.Data[sr.SecurityTokenKey])
	}
	var missing []string
	if creds.AccessKeyID == "" {
		missing = append(missing, idKey)
	}
	if creds.AccessKeySecret == "" {
		missing = append(missing, secretKey)
	}
	if len(missing) > 0 {
		return cloud.Config{}, pc, &ProviderError{
			Reason:  cfv1.ReasonCredentialsNotFound,
			Message: fmt.Sprintf("Secret %q named by ProviderConfig %q has no (or an empty) key %v", sr.Name, pc.Name, missing),
		}
	}
	cfg.Credentials = creds
	return cfg, pc, nil
}

// FlowClient returns the (cached) flow client for the ProviderConfig ref in namespace ns.
func (p *Providers) FlowClient(ctx context.Context, ns string, ref cfv1.LocalObjectReference) (cloud.FlowClient, error) {
	cfg, pc, err := p.Config(ctx, ns, ref)
	if err != nil {
		return nil, err
	}
	key := cacheKey(cfg) + "|" + rateKey(pc)
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.flows[key]; ok {
		return c, nil
	}
	cfg.Observer = p.Observer
	cfg.Limiter = p.limiters.For(cfg, rateLimits(cfg.Platform, pc))
	c, err := p.Flows(ctx, cfg)
	if err != nil {
		return nil, &ProviderError{Reason: cfv1.ReasonPlatformNotSupported, Message: fmt.Sprintf("ProviderConfig %q: %v", ref.Name, err)}
	}
	if p.ObserveWindow > 0 {
		c = cloud.NewBatchedFlows(c, p.ObserveWindow, 100)
	}
	if p.flows == nil {
		p.flows = map[string]cloud.FlowClient{}
	}
	p.flows[key] = c
	return c, nil
}

// OutboundClient returns the (cached) outbound-bot client for the ProviderConfig ref in
// namespace ns. It shares the account's rate limiter with the flow clients.
func (p *Providers) OutboundClient(ctx context.Context, ns string, ref cfv1.LocalObjectReference) (cloud.OutboundClient, error) {
	cfg, pc, err := p.Config(ctx, ns, ref)
	if err != nil {
		return nil, err
	}
	if p.Outbound == nil {
		return nil, &ProviderError{Reason: cfv1.ReasonPlatformNotSupported,
			Message: fmt.Sprintf("ProviderConfig %q: this operator was built without outbound-bot support", ref.Name)}
	}
	key := cacheKey(cfg) + "|" + rateKey(pc)
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.outbound[key]; ok {
		return c, nil
	}
	cfg.Observer = p.Observer
	cfg.Limiter = p.limiters.For(cfg, rateLimits(cfg.Platform, pc))
	c, err := p.Outbound(ctx, cfg)
	if err != nil {
		return nil, &ProviderError{Reason: cfv1.ReasonPlatformNotSupported, Message: fmt.Sprintf("ProviderConfig %q: %v", ref.Name, err)}
	}
	if p.outbound == nil {
		p.outbound = map[string]cloud.OutboundClient{}
	}
	p.outbound[key] = c
	return c, nil
}

// cacheKey identifies a config including its secrets, without keeping them in clear text.
func cacheKey(cfg cloud.Config) string {
	h := sha256.New()
	if cfg.Credentials != nil {
		h.Write([]byte(cfg.Credentials.AccessKeySecret))
		h.Write([]byte{0})
		h.Write([]byte(cfg.Credentials.SecurityToken))
	}
	return cfg.Key() + "|" + hex.EncodeToString(h.Sum(nil))
}

// rateLimits is the client-side budget for a ProviderConfig: its override, else the
// platform's default.
func rateLimits(platform string, pc *cfv1.ProviderConfig) cloud.RateLimits {
	limits := cloud.DefaultRateLimits[platform]
	if pc != nil && pc.Spec.RateLimit != nil {
		if qps, err := strconv.ParseFloat(pc.Spec.RateLimit.QPS, 64); err == nil {
			limits = cloud.RateLimits{Account: cloud.RateLimit{QPS: qps, Burst: int(pc.Spec.RateLimit.Burst)}}
		}
		for _, a := range pc.Spec.RateLimit.PerAction {
			if qps, err := strconv.ParseFloat(a.QPS, 64); err == nil {
				if limits.PerAction == nil {
					limits.PerAction = map[string]cloud.RateLimit{}
				}
				limits.PerAction[a.Action] = cloud.RateLimit{QPS: qps, Burst: int(a.Burst)}
			}
		}
	}
	return limits
}

// rateKey makes a changed override build a new client (and limiter).
func rateKey(pc *cfv1.ProviderConfig) string {
	if pc == nil || pc.Spec.RateLimit == nil {
		return ""
	}
	key := pc.Spec.RateLimit.QPS + "/" + strconv.Itoa(int(pc.Spec.RateLimit.Burst))
	for _, a := range pc.Spec.RateLimit.PerAction {
		key += "," + a.Action + "=" + a.QPS + "/" + strconv.Itoa(int(a.Burst))
	}
	return key
}

func defaultString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
