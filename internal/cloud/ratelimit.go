package cloud

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/time/rate"
)

// RateLimit is a token bucket: QPS tokens a second, at most Burst at once.
type RateLimit struct {
	QPS   float64
	Burst int
}

// RateLimits is the client-side budget of one account and region: an overall bucket shared by
// every call, and optional tighter buckets for single actions (Alibaba counts quotas per
// operation; Amazon Connect counts per account and Region).
type RateLimits struct {
	Account   RateLimit
	PerAction map[string]RateLimit
}

// DefaultRateLimits are the client-side budgets the operator keeps to unless a ProviderConfig
// says otherwise. They stay well under each platform's published quota so that most of the
// account's quota is left to the contact center's other tools:
//   - Amazon Connect allows 2 requests/s with a burst of 5 per account and Region for the flow
//     APIs, shared by every caller: the operator takes at most 1/s, burst 2.
//   - Alibaba sets per-operation quotas (Quota Center); the operator keeps to 10/s overall,
//     burst 20.
var DefaultRateLimits = map[string]RateLimits{
	PlatformAmazonConnect:          {Account: RateLimit{QPS: 1, Burst: 2}},
	PlatformAlibabaCCC:             {Account: RateLimit{QPS: 10, Burst: 20}},
	PlatformAlibabaCloudCallCenter: {Account: RateLimit{QPS: 10, Burst: 20}},
	PlatformAlibabaOutboundBot:     {Account: RateLimit{QPS: 10, Burst: 20}},
}

// Limiter holds the token buckets of one account and region. Adapters call Wait before every
// platform call; it is safe for concurrent use.
type Limiter struct {
	account   *rate.Limiter
	perAction map[string]*rate.Limiter
}

// NewLimiter builds a Limiter from limits. A zero QPS means unlimited.
func NewLimiter(limits RateLimits) *Limiter {
	l := &Limiter{account: bucket(limits.Account), perAction: map[string]*rate.Limiter{}}
	for action, rl := range limits.PerAction {
		l.perAction[action] = bucket(rl)
	}
	return l
}

func bucket(rl RateLimit) *rate.Limiter {
	if rl.QPS <= 0 {
		return rate.NewLimiter(rate.Inf, 0)
	}
	burst := rl.Burst
	if burst < 1 {
		burst = 1
	}
	return rate.NewLimiter(rate.Limit(rl.QPS), burst)
}

// Wait blocks until action may be called, or ctx ends (a ClassThrottled error then, so that
// the controller backs off instead of hammering the platform). A nil Limiter never waits.
func (l *Limiter) Wait(ctx context.Context, action string) error {
	if l == nil {
		return nil
	}
	if b, ok := l.perAction[action]; ok {
		if err := b.Wait(ctx); err != nil {
			return limitError(action, err)
		}
	}
	if err := l.account.Wait(ctx); err != nil {
		return limitError(action, err)
	}
	return nil
}

func limitError(action string, err error) error {
	return &Error{Class: ClassThrottled, Action: action, Code: "ClientRateLimit",
		Message: fmt.Sprintf("client-side rate limit: %v", err), Err: err}
}

// Limiters shares one Limiter per account and region (Config.Key), so that every resource
// using the same account draws from the same budget.
type Limiters struct {
	mu sync.Mutex
	by map[string]*Limiter
}

// For returns the Limiter for cfg and limits, building it the first time; changed limits get a
// new Limiter.
func (ls *Limiters) For(cfg Config, limits RateLimits) *Limiter {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.by == nil {
		ls.by = map[string]*Limiter{}
	}
	key := fmt.Sprintf("%s|%v", cfg.Key(), limits)
	if l, ok := ls.by[key]; ok {
		return l
	}
	l := NewLimiter(limits)
	ls.by[key] = l
	return l
}
