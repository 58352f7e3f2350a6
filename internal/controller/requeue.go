package controller

import (
	"errors"
	"math/rand/v2"
	"time"

	"golang.org/x/time/rate"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
)

// Timing is the requeue policy of the controllers.
type Timing struct {
	// SyncPeriod is how often a converged resource is observed again for drift; each requeue is
	// jittered by up to +10% so that many resources do not resync in lockstep.
	SyncPeriod time.Duration
	// LockRetry is how often a resource waiting for someone else's draft looks again.
	LockRetry time.Duration
	// ThrottleBackoff is the base wait after the platform throttled a call; jittered up to 2x.
	ThrottleBackoff time.Duration
	// MaxRetryDelay caps the exponential backoff of a resource whose reconciles keep failing
	// with transient errors (5xx, timeouts): however many failures it had, it is tried again
	// within this long.
	MaxRetryDelay time.Duration
}

// DefaultTiming is what the manager uses unless flags say otherwise.
var DefaultTiming = Timing{SyncPeriod: 10 * time.Minute, LockRetry: 30 * time.Second, ThrottleBackoff: 5 * time.Second, MaxRetryDelay: 30 * time.Second}

func (t Timing) withDefaults() Timing {
	if t.SyncPeriod <= 0 {
		t.SyncPeriod = DefaultTiming.SyncPeriod
	}
	if t.LockRetry <= 0 {
		t.LockRetry = DefaultTiming.LockRetry
	}
	if t.ThrottleBackoff <= 0 {
		t.ThrottleBackoff = DefaultTiming.ThrottleBackoff
	}
	if t.MaxRetryDelay <= 0 {
		t.MaxRetryDelay = DefaultTiming.MaxRetryDelay
	}
	return t
}

// rateLimiter is controller-runtime's default workqueue rate limiter (per-item exponential
// backoff from 5 ms, and 10 qps with a burst of 100 overall) with the per-item backoff capped at
// MaxRetryDelay instead of 1000 s: a flow that met a run of 5xx answers is tried again within
// that long once the platform recovers.
func (t Timing) rateLimiter() workqueue.TypedRateLimiter[reconcile.Request] {
	t = t.withDefaults()
	return workqueue.NewTypedMaxOfRateLimiter(
		workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](5*time.Millisecond, t.MaxRetryDelay),
		&workqueue.TypedBucketRateLimiter[reconcile.Request]{Limiter: rate.NewLimiter(rate.Limit(10), 100)},
	)
}

func jitter(d time.Duration, frac float64) time.Duration {
	return d + time.Duration(rand.Float64()*frac*float64(d))
}

// resync is the result of a reconcile that converged.
func (t Timing) resync() ctrl.Result {
	return ctrl.Result{RequeueAfter: jitter(t.SyncPeriod, 0.1)}
}

// resultFor turns a reconcile error into the one requeue decision, by class: nil converges and
// resyncs; throttling backs off with jitter; a lock held by someone else looks again later;
// terminal classes (invalid, already exists, quota, unauthorized) stall until the spec (or, for
// credentials, the Secret) changes and only come back on the slow resync; anything else is
// returned so that the workqueue retries it with exponential backoff.
func (t Timing) resultFor(err error) (ctrl.Result, error) {
	t = t.withDefaults()
	if err == nil {
		return t.resync(), nil
	}
	var pe *ProviderError
	if errors.As(err, &pe) {
		return ctrl.Result{RequeueAfter: jitter(t.LockRetry, 0.5)}, nil
	}
	if _, ok := isWait(err); ok {
		// What it waits for usually wakes it through a watch; this is the backstop.
		return ctrl.Result{RequeueAfter: jitter(t.LockRetry, 0.5)}, nil
	}
	if errors.Is(err, errSpecInvalid) {
		return ctrl.Result{}, nil
	}
	switch c := cloud.ClassOf(err); {
	case c == cloud.ClassThrottled:
		wait := t.ThrottleBackoff
		if ce := cloud.AsError(err); ce != nil && ce.RetryAfter > wait {
			wait = ce.RetryAfter
		}
		return ctrl.Result{RequeueAfter: jitter(wait, 1)}, nil
	case c == cloud.ClassLocked:
		return ctrl.Result{RequeueAfter: jitter(t.LockRetry, 0.2)}, nil
	case c.Terminal():
		return t.resync(), nil
	case c == cloud.ClassNotFound:
		return ctrl.Result{RequeueAfter: jitter(t.LockRetry, 0.5)}, nil
	default:
		return ctrl.Result{}, err
	}
}

// errSpecInvalid marks a spec the operator refuses before any remote call.
var errSpecInvalid = errors.New("spec is invalid")
