package cloud

import (
	"context"
	"testing"
	"time"
)

func TestLimiterKeepsToTheBudget(t *testing.T) {
	tests := map[string]struct {
		limits RateLimits
		action string
		calls  int
		// minimum time the calls must take: (calls - burst) / qps
		atLeast time.Duration
	}{
		"account bucket": {limits: RateLimits{Account: RateLimit{QPS: 50, Burst: 5}}, action: "X", calls: 15, atLeast: 180 * time.Millisecond},
		"per-action bucket is tighter": {
			limits: RateLimits{Account: RateLimit{QPS: 1000, Burst: 100}, PerAction: map[string]RateLimit{"Publish": {QPS: 20, Burst: 1}}},
			action: "Publish", calls: 5, atLeast: 180 * time.Millisecond,
		},
		"unlimited": {limits: RateLimits{}, action: "X", calls: 1000},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			l := NewLimiter(tc.limits)
			start := time.Now()
			for i := 0; i < tc.calls; i++ {
				if err := l.Wait(context.Background(), tc.action); err != nil {
					t.Fatal(err)
				}
			}
			if took := time.Since(start); took < tc.atLeast {
				t.Errorf("%d calls took %s, want at least %s", tc.calls, took, tc.atLeast)
			}
		})
	}
}

func TestLimiterGivesUpAsThrottledWhenTheContextEnds(t *testing.T) {
	l := NewLimiter(RateLimits{Account: RateLimit{QPS: 0.001, Burst: 1}})
	_ = l.Wait(context.Background(), "X") // spends the burst
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := l.Wait(ctx, "X")
	if ClassOf(err) != ClassThrottled {
		t.Fatalf("error %v has class %q, want Throttled", err, ClassOf(err))
	}
}

func TestLimitersSharePerAccount(t *testing.T) {
	var ls Limiters
	a := Config{Platform: PlatformAlibabaCCC, Region: "cn-shanghai", Credentials: &Credentials{AccessKeyID: "a"}}
	b := a
	b.Credentials = &Credentials{AccessKeyID: "b"}
	if ls.For(a, RateLimits{}) != ls.For(a, RateLimits{}) {
		t.Error("the same account got two limiters")
	}
	if ls.For(a, RateLimits{}) == ls.For(b, RateLimits{}) {
		t.Error("two accounts share a limiter")
	}
}
