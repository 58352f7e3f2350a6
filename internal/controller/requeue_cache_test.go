package controller

import (
	"context"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
)

// countingLister lists a fixed set and counts the calls.
type countingLister struct {
	calls int
	items []cloud.Resource
}

func (l *countingLister) ResourceKinds() []cloud.ResourceKind {
	return []cloud.ResourceKind{cloud.KindSkillGroup}
}

func (l *countingLister) ListResources(context.Context, string, cloud.ResourceKind) ([]cloud.Resource, error) {
	l.calls++
	return l.items, nil
}

func TestResourceCacheListsOncePerWindowAndForgets(t *testing.T) {
	ctx := context.Background()
	l := &countingLister{items: []cloud.Resource{{Kind: cloud.KindSkillGroup, ID: "sg-1", Name: "Sales", Ref: "sg-1"}}}
	var c resourceCache
	for i := 0; i < 5; i++ {
		if _, err := c.list(ctx, l, "ns/pc", "inst", cloud.KindSkillGroup, false); err != nil {
			t.Fatal(err)
		}
	}
	if l.calls != 1 {
		t.Fatalf("5 lookups within the window cost %d lists, want 1", l.calls)
	}
	// A fresh lookup (a name was missing) within resourceRetry is still served from the cache.
	if _, err := c.list(ctx, l, "ns/pc", "inst", cloud.KindSkillGroup, true); err != nil || l.calls != 1 {
		t.Fatalf("fresh lookup right after a list: calls %d, %v", l.calls, err)
	}
	// Another instance is another entry.
	_, _ = c.list(ctx, l, "ns/pc", "other", cloud.KindSkillGroup, false)
	if l.calls != 2 {
		t.Fatalf("another instance: calls %d, want 2", l.calls)
	}
	c.forget("ns/pc", "inst")
	_, _ = c.list(ctx, l, "ns/pc", "inst", cloud.KindSkillGroup, false)
	_, _ = c.list(ctx, l, "ns/pc", "other", cloud.KindSkillGroup, false)
	if l.calls != 3 {
		t.Fatalf("after forget: calls %d, want 3 (only the forgotten instance is listed again)", l.calls)
	}
}

func TestRetryBackoffIsCapped(t *testing.T) {
	rl := Timing{MaxRetryDelay: 2 * time.Second}.rateLimiter()
	req := reconcile.Request{NamespacedName: types.NamespacedName{Namespace: "ns", Name: "flow"}}
	var last time.Duration
	for i := 0; i < 40; i++ {
		last = rl.When(req)
	}
	if last != 2*time.Second {
		t.Fatalf("after 40 failures the delay is %s, want the cap 2s", last)
	}
	rl.Forget(req)
	if d := rl.When(req); d > 10*time.Millisecond {
		t.Fatalf("after Forget the delay is %s, want the 5ms base", d)
	}
}
