package cloud

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// fakeFlows is a FlowClient over a map that counts calls: enough to test the batching rules
// without a platform (the adapters are tested against the emulator).
type fakeFlows struct {
	FlowClient
	mu    sync.Mutex
	flows map[string]Flow
	gets  int
	lists int
}

func (f *fakeFlows) GetFlow(_ context.Context, key FlowKey) (*Flow, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets++
	fl, ok := f.flows[key.FlowID]
	if !ok {
		return nil, &Error{Class: ClassNotFound}
	}
	return &fl, nil
}

func (f *fakeFlows) ListFlows(_ context.Context, _ string, page, size int) (*Page, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists++
	var ids []string
	for i := 0; i < len(f.flows); i++ {
		ids = append(ids, fmt.Sprintf("f%03d", i))
	}
	p := &Page{PageNumber: page, PageSize: size, TotalCount: len(ids)}
	for i := (page - 1) * size; i < len(ids) && i < page*size; i++ {
		p.Flows = append(p.Flows, f.flows[ids[i]])
	}
	return p, nil
}

func (f *fakeFlows) Publish(context.Context, FlowKey, string) error { return nil }

func (f *fakeFlows) StartEdit(_ context.Context, key FlowKey) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fl := f.flows[key.FlowID]; fl.Draft != nil {
		return "", &Error{Class: ClassLocked, LockedBy: fl.Draft.Editor}
	}
	return "mine", nil
}

func newFake(n int) *fakeFlows {
	f := &fakeFlows{flows: map[string]Flow{}}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("f%03d", i)
		f.flows[id] = Flow{ID: id, InstanceID: "i", Published: true, PublishedDefinition: "{}"}
	}
	return f
}

func TestBatchedFlowsServesManyGetsFromOneList(t *testing.T) {
	fake := newFake(250)
	b := NewBatchedFlows(fake, time.Minute, 100)
	var wg sync.WaitGroup
	for i := 0; i < 250; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			f, err := b.GetFlow(context.Background(), FlowKey{InstanceID: "i", FlowID: fmt.Sprintf("f%03d", i)})
			if err != nil || f.ID != fmt.Sprintf("f%03d", i) {
				t.Errorf("GetFlow(%d) = %+v, %v", i, f, err)
			}
		}(i)
	}
	wg.Wait()
	if fake.lists != 3 || fake.gets != 0 {
		t.Errorf("250 concurrent gets cost %d list pages and %d gets, want 3 and 0", fake.lists, fake.gets)
	}
}

func TestBatchedFlowsFreshnessRules(t *testing.T) {
	ctx := context.Background()
	fake := newFake(3)
	fake.flows["f002"] = Flow{ID: "f002", InstanceID: "i", Draft: &Draft{ID: "d"}}
	clock := time.Unix(0, 0)
	b := NewBatchedFlows(fake, time.Minute, 100)
	b.now = func() time.Time { return clock }
	get := func(id string) {
		t.Helper()
		if _, err := b.GetFlow(ctx, FlowKey{InstanceID: "i", FlowID: id}); err != nil && !IsNotFound(err) {
			t.Fatal(err)
		}
	}
	tests := []struct {
		step              string
		do                func()
		wantLists, wantGe int
	}{
		{"first get lists", func() { get("f000") }, 1, 0},
		{"a listed flow is served from the list", func() { get("f001") }, 1, 0},
		{"a flow with a draft is read directly", func() { get("f002") }, 1, 1},
		{"an unlisted flow is read directly", func() { get("nope") }, 1, 2},
		{"after a write the flow is read directly", func() { _ = b.Publish(ctx, FlowKey{InstanceID: "i", FlowID: "f000"}, "d"); get("f000") }, 1, 3},
		{"other flows still come from the list", func() { get("f001") }, 1, 3},
		{"an old list is listed again", func() { clock = clock.Add(2 * time.Minute); get("f001") }, 2, 3},
		{"and the written flow is clean again", func() { get("f000") }, 2, 3},
	}
	for _, tc := range tests {
		tc.do()
		if fake.lists != tc.wantLists || fake.gets != tc.wantGe {
			t.Fatalf("%s: lists %d gets %d, want %d and %d", tc.step, fake.lists, fake.gets, tc.wantLists, tc.wantGe)
		}
	}
}

func TestBatchedFlowsDisabled(t *testing.T) {
	fake := newFake(2)
	b := NewBatchedFlows(fake, 0, 100)
	_, _ = b.GetFlow(context.Background(), FlowKey{InstanceID: "i", FlowID: "f000"})
	if fake.lists != 0 || fake.gets != 1 {
		t.Errorf("disabled batching: lists %d gets %d, want 0 and 1", fake.lists, fake.gets)
	}
}

// TestBatchedFlowsSeesDraftsAListHides covers a list that does not show a published flow's
// draft (as CCC lists do): once a write meets the lock, the flow is read directly, and stays so
// until a direct read shows no draft.
func TestBatchedFlowsSeesDraftsAListHides(t *testing.T) {
	ctx := context.Background()
	fake := newFake(2)
	hiding := &listHidesDrafts{fakeFlows: fake}
	b := NewBatchedFlows(hiding, time.Hour, 100)
	key := FlowKey{InstanceID: "i", FlowID: "f000"}
	fake.flows["f000"] = Flow{ID: "f000", InstanceID: "i", Published: true, Draft: &Draft{ID: "d", Editor: "alice"}}

	f, _ := b.GetFlow(ctx, key)
	if f.Draft != nil {
		t.Fatal("the list was expected to hide the draft in this test")
	}
	if _, err := b.StartEdit(ctx, key); !IsLocked(err) {
		t.Fatalf("StartEdit: %v, want Locked", err)
	}
	for i := 0; i < 3; i++ {
		f, _ = b.GetFlow(ctx, key)
		if f.Draft == nil || f.Draft.Editor != "alice" {
			t.Fatalf("read %d after the lock: %+v, want alice's draft", i, f.Draft)
		}
	}
	fake.mu.Lock()
	fake.flows["f000"] = Flow{ID: "f000", InstanceID: "i", Published: true}
	fake.mu.Unlock()
	if f, _ = b.GetFlow(ctx, key); f.Draft != nil {
		t.Fatalf("after the draft closed: %+v", f.Draft)
	}
	b.mu.Lock()
	still := b.direct[key]
	b.mu.Unlock()
	if still {
		t.Error("the flow is still read directly after a direct read showed no draft")
	}
}

// listHidesDrafts lists flows without their drafts.
type listHidesDrafts struct{ *fakeFlows }

func (l *listHidesDrafts) ListFlows(ctx context.Context, instance string, page, size int) (*Page, error) {
	p, err := l.fakeFlows.ListFlows(ctx, instance, page, size)
	if err != nil {
		return nil, err
	}
	for i := range p.Flows {
		p.Flows[i].Draft = nil
	}
	return p, nil
}
