package core

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Quota is a token bucket: QPS calls a second, Burst at once.
type Quota struct {
	QPS   float64 `json:"qps"`
	Burst int     `json:"burst"`
}

// FaultConfig says which faults the emulator injects. The zero value injects none.
type FaultConfig struct {
	// Quotas are per-action token buckets, keyed "platform:Action" or "platform:*" (every
	// action of the platform shares that bucket, as Amazon Connect counts per account). A call
	// over its quota is answered with the platform's throttling error.
	Quotas map[string]Quota `json:"quotas,omitempty"`
	// LatencyJitter adds a uniformly random delay in [0, LatencyJitter) to every call.
	LatencyJitter Duration `json:"latencyJitter,omitempty"`
	// ErrorRate is the fraction of calls answered with the platform's internal error (5xx).
	ErrorRate float64 `json:"errorRate,omitempty"`
	// TimeoutRate is the fraction of calls that hang for StallFor (default 60s) or until the
	// client gives up, whichever comes first, and then fail.
	TimeoutRate float64  `json:"timeoutRate,omitempty"`
	StallFor    Duration `json:"stallFor,omitempty"`
	// DropRate is the fraction of cloud requests whose connection is closed without an answer.
	DropRate float64 `json:"dropRate,omitempty"`
}

// Duration is a time.Duration that reads and writes as "1.5s" in JSON.
type Duration time.Duration

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return []byte(strconv.Quote(time.Duration(d).String())), nil
}

// UnmarshalJSON reads a Go duration string or a number of nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		*d = Duration(n)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %w", s, err)
	}
	*d = Duration(v)
	return nil
}

// PlatformErrors are the refusals a platform answers faults with.
type PlatformErrors struct {
	Throttled *APIError
	Internal  *APIError
}

// AlibabaErrors are the POP products' throttling and internal errors.
var AlibabaErrors = PlatformErrors{
	Throttled: &APIError{HTTPStatus: http.StatusBadRequest, Code: "Throttling.User", Message: "Request was denied due to user flow control."},
	Internal:  &APIError{HTTPStatus: http.StatusInternalServerError, Code: "InternalError", Message: "The request processing has failed due to some unknown error, exception or failure."},
}

// Faults injects the configured faults. It is safe for concurrent use, and its configuration
// can change while calls run (the admin API does that).
type Faults struct {
	mu      sync.Mutex
	cfg     FaultConfig
	buckets map[string]*rate.Limiter
	errors  map[string]PlatformErrors
	stats   *Stats
}

// NewFaults returns a fault injector that answers with errs[platform] (AlibabaErrors when a
// platform is not listed) and counts throttled calls in stats.
func NewFaults(cfg FaultConfig, errs map[string]PlatformErrors, stats *Stats) *Faults {
	f := &Faults{errors: errs, stats: stats}
	f.Set(cfg)
	return f
}

// Set replaces the configuration; token buckets start full.
func (f *Faults) Set(cfg FaultConfig) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cfg = cfg
	f.buckets = map[string]*rate.Limiter{}
	for key, q := range cfg.Quotas {
		burst := q.Burst
		if burst < 1 {
			burst = 1
		}
		f.buckets[key] = rate.NewLimiter(rate.Limit(q.QPS), burst)
	}
}

// Config returns the current configuration.
func (f *Faults) Config() FaultConfig {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cfg
}

// decide picks the faults for one call under the lock: the bucket that refuses it (if any),
// the extra latency, and whether it errs or stalls.
func (f *Faults) decide(platform, action string) (throttled bool, delay time.Duration, fail, stall bool, stallFor time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, key := range []string{platform + ":" + action, platform + ":*"} {
		if b, ok := f.buckets[key]; ok && !b.Allow() {
			throttled = true
		}
	}
	if j := time.Duration(f.cfg.LatencyJitter); j > 0 {
		delay = time.Duration(rand.Int64N(int64(j)))
	}
	fail = f.cfg.ErrorRate > 0 && rand.Float64() < f.cfg.ErrorRate
	stall = f.cfg.TimeoutRate > 0 && rand.Float64() < f.cfg.TimeoutRate
	stallFor = time.Duration(f.cfg.StallFor)
	if stallFor <= 0 {
		stallFor = time.Minute
	}
	return
}

func (f *Faults) errorsFor(platform string) PlatformErrors {
	if e, ok := f.errors[platform]; ok {
		return e
	}
	return AlibabaErrors
}

// Middleware injects the call-level faults: throttling, latency jitter, internal errors and
// stalls.
func (f *Faults) Middleware() Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, call *Call) (any, error) {
			throttled, delay, fail, stall, stallFor := f.decide(call.Platform, call.Action)
			if throttled {
				if f.stats != nil {
					f.stats.RecordThrottled(call.Platform, call.Action)
				}
				return nil, f.errorsFor(call.Platform).Throttled
			}
			if delay > 0 {
				if err := sleep(ctx, delay); err != nil {
					return nil, err
				}
			}
			if stall {
				if err := sleep(ctx, stallFor); err != nil {
					return nil, err
				}
				return nil, f.errorsFor(call.Platform).Internal
			}
			if fail {
				return nil, f.errorsFor(call.Platform).Internal
			}
			return next(ctx, call)
		}
	}
}

// HTTP wraps a protocol front end so that a DropRate share of its requests lose their
// connection without an answer, as a network fault would.
func (f *Faults) HTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		drop := f.cfg.DropRate > 0 && rand.Float64() < f.cfg.DropRate
		f.mu.Unlock()
		if drop {
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					_ = conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		next.ServeHTTP(w, r)
	})
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ParseQuota parses "platform:Action=QPS[/BURST]" (Action may be *), as the --throttle flag
// takes it.
func ParseQuota(s string) (string, Quota, error) {
	key, spec, ok := strings.Cut(s, "=")
	if !ok || !strings.Contains(key, ":") {
		return "", Quota{}, fmt.Errorf("quota %q must be platform:Action=QPS[/BURST]", s)
	}
	qpsText, burstText, hasBurst := strings.Cut(spec, "/")
	qps, err := strconv.ParseFloat(qpsText, 64)
	if err != nil || qps <= 0 {
		return "", Quota{}, fmt.Errorf("quota %q: QPS must be a positive number", s)
	}
	q := Quota{QPS: qps, Burst: 1}
	if hasBurst {
		if q.Burst, err = strconv.Atoi(burstText); err != nil || q.Burst < 1 {
			return "", Quota{}, fmt.Errorf("quota %q: BURST must be a positive integer", s)
		}
	}
	return key, q, nil
}
