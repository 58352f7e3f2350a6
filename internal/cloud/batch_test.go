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

// savedFlows is a one-step platform like Amazon Connect: its list shows a published flow
// without its pending saved change (the draft), but every flow carries a Revision that any
// change moves, and it reports so (RevisionLister).
type savedFlows struct {
	*fakeFlows
	rev int
}

func (s *savedFlows) ListsRevisions() bool { return true }

func (s *savedFlows) ListFlows(ctx context.Context, instance string, page, size int) (*Page, error) {
	p, err := s.fakeFlows.ListFlows(ctx, instance, page, size)
	if err != nil {
		return nil, err
	}
	for i := range p.Flows {
		if p.Flows[i].Published {
			p.Flows[i].Draft = nil
		}
	}
	return p, nil
}

// change applies a console change to flow id and moves its revision, as the platform does.
func (s *savedFlows) change(id string, do func(f *Flow)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.flows[id]
	do(&f)
	s.rev++
	f.Revision = fmt.Sprintf("r%d", s.rev)
	s.flows[id] = f
}

func newSaved(n int) *savedFlows {
	s := &savedFlows{fakeFlows: newFake(n)}
	for id, f := range s.flows {
		f.Revision = "r0"
		s.flows[id] = f
	}
	return s
}

func (f *fakeFlows) counts() (lists, gets int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lists, f.gets
}

// TestBatchedFlowsRevisionsSeeSavedChanges: a change saved on the console between two resyncs
// is not in the list, but it moves the flow's revision, so the flow is read directly and the
// change is seen; once it is gone, the list serves the flow again.
func TestBatchedFlowsRevisionsSeeSavedChanges(t *testing.T) {
	ctx := context.Background()
	plat := newSaved(3)
	clock := time.Unix(0, 0)
	b := NewBatchedFlows(plat, time.Minute, 100)
	b.now = func() time.Time { return clock }
	key := FlowKey{InstanceID: "i", FlowID: "f000"}
	resync := func() { clock = clock.Add(2 * time.Minute) }
	get := func(step string, wantDraft, wantListed bool, wantLists, wantGets int) {
		t.Helper()
		f, err := b.GetFlow(ctx, key)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if (f.Draft != nil) != wantDraft || f.Listed != wantListed {
			t.Errorf("%s: draft %+v listed %v, want draft %v listed %v", step, f.Draft, f.Listed, wantDraft, wantListed)
		}
		if lists, gets := plat.counts(); lists != wantLists || gets != wantGets {
			t.Errorf("%s: lists %d gets %d, want %d and %d", step, lists, gets, wantLists, wantGets)
		}
	}

	get("never read directly: the list proves nothing", false, false, 1, 1)
	get("read directly at the listed revision: the list serves it", false, true, 1, 1)
	resync()
	get("next resync, unchanged", false, true, 2, 1)

	plat.change("f000", func(f *Flow) { f.Draft = &Draft{ID: "$SAVED", Definition: `{"console":1}`} })
	get("within the window the list is as old as it is", false, true, 2, 1)
	resync()
	get("a console save moved the revision: read directly, draft seen", true, false, 3, 2)
	get("a flow with a draft stays direct", true, false, 3, 3)
	resync()
	get("also on the next resync, without listing", true, false, 3, 4)

	plat.change("f000", func(f *Flow) { f.Draft = nil; f.PublishedDefinition = `{"console":1}` })
	resync()
	get("published on the console: read directly, no draft", false, false, 3, 5)
	resync()
	get("then the list serves it again", false, true, 4, 5)

	// A save that ends where it started still moves the revision.
	plat.change("f000", func(*Flow) {})
	resync()
	get("a revision moved by any change is read directly", false, false, 5, 6)
}

// TestBatchedFlowsRevisionsWritesForget: after the operator's own write the flow is read
// directly, because its revision moved.
func TestBatchedFlowsRevisionsWritesForget(t *testing.T) {
	ctx := context.Background()
	plat := newSaved(2)
	clock := time.Unix(0, 0)
	b := NewBatchedFlows(plat, time.Minute, 100)
	b.now = func() time.Time { return clock }
	key := FlowKey{InstanceID: "i", FlowID: "f001"}
	b.RememberRevision(key, "r0")
	if f, _ := b.GetFlow(ctx, key); !f.Listed {
		t.Fatal("a remembered revision should let the list serve the flow")
	}
	_ = b.Publish(ctx, key, "$SAVED")
	plat.change("f001", func(*Flow) {})
	clock = clock.Add(2 * time.Minute)
	if f, _ := b.GetFlow(ctx, key); f.Listed {
		t.Error("after a write the flow came from the list")
	}
	if _, gets := plat.counts(); gets != 1 {
		t.Errorf("gets = %d, want 1", gets)
	}
}

// TestBatchedFlowsRevisionsSteadyStateAndRestart: in steady state a resync costs the list pages
// and no direct read; an operator that restarts and remembers the revisions it recorded
// (RememberRevision, from status) reads directly only the flows that changed while it was down.
func TestBatchedFlowsRevisionsSteadyStateAndRestart(t *testing.T) {
	ctx := context.Background()
	const n, resyncs = 250, 5
	plat := newSaved(n)
	clock := time.Unix(0, 0)
	b := NewBatchedFlows(plat, time.Minute, 100)
	b.now = func() time.Time { return clock }
	status := map[FlowKey]string{}
	resync := func(b *BatchedFlows) {
		t.Helper()
		clock = clock.Add(2 * time.Minute)
		for i := 0; i < n; i++ {
			key := FlowKey{InstanceID: "i", FlowID: fmt.Sprintf("f%03d", i)}
			b.RememberRevision(key, status[key])
			f, err := b.GetFlow(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			status[key] = ""
			if f.Draft == nil {
				status[key] = f.Revision
			}
		}
	}
	resync(b)
	lists0, gets0 := plat.counts()
	if lists0 != 3 || gets0 != n {
		t.Fatalf("first resync: lists %d gets %d, want 3 and %d", lists0, gets0, n)
	}
	for i := 0; i < resyncs; i++ {
		resync(b)
	}
	lists, gets := plat.counts()
	perFlow := float64(lists-lists0+gets-gets0) / n / resyncs
	if gets != gets0 || perFlow > 3.0/n {
		t.Errorf("steady state: %d direct reads, %.4f reads per flow per resync; want 0 and at most pages/flows = %.4f",
			gets-gets0, perFlow, 3.0/n)
	}

	// Restart: a new client knows nothing but what status recorded. Two flows change while
	// it is down.
	plat.change("f007", func(f *Flow) { f.Draft = &Draft{ID: "$SAVED", Definition: "{}"} })
	plat.change("f100", func(f *Flow) { f.PublishedDefinition = `{"v":2}` })
	restarted := NewBatchedFlows(plat, time.Minute, 100)
	restarted.now = b.now
	resync(restarted)
	lists2, gets2 := plat.counts()
	if lists2-lists != 3 || gets2-gets != 2 {
		t.Errorf("after a restart: lists %d gets %d, want 3 and 2 (only the changed flows)", lists2-lists, gets2-gets)
	}
	if status[FlowKey{InstanceID: "i", FlowID: "f007"}] != "" {
		t.Error("a flow seen with a draft must not record a revision")
	}
}

// onePublisher publishes in one step but reports no revisions.
type onePublisher struct{ *fakeFlows }

func (onePublisher) PublishContent(context.Context, FlowKey, string, string, string) (string, error) {
	return "", nil
}
func (onePublisher) VersionDefinition(context.Context, FlowKey, string) (string, error) {
	return "", nil
}

func TestBatchedFlowsOneStepWithoutRevisionsReadsDirectly(t *testing.T) {
	fake := newFake(2)
	b := NewBatchedFlows(onePublisher{fake}, time.Minute, 100)
	for i := 0; i < 2; i++ {
		if f, _ := b.GetFlow(context.Background(), FlowKey{InstanceID: "i", FlowID: "f000"}); f.Listed {
			t.Fatal("served from a list")
		}
	}
	if lists, gets := fake.counts(); lists != 0 || gets != 2 {
		t.Errorf("lists %d gets %d, want 0 and 2", lists, gets)
	}
}

// throttledLists refuses every list, as a platform over its quota does.
type throttledLists struct{ *fakeFlows }

func (t *throttledLists) ListFlows(context.Context, string, int, int) (*Page, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lists++
	return nil, &Error{Class: ClassThrottled, Code: "Throttling"}
}

// TestBatchedFlowsThrottledListIsNotAStorm: a throttled list fails the reads that needed it
// instead of turning into one direct read per flow, and it is not retried by every caller.
func TestBatchedFlowsThrottledListIsNotAStorm(t *testing.T) {
	fake := newFake(50)
	b := NewBatchedFlows(&throttledLists{fake}, time.Minute, 100)
	clock := time.Unix(0, 0)
	b.now = func() time.Time { return clock }
	for i := 0; i < 50; i++ {
		_, err := b.GetFlow(context.Background(), FlowKey{InstanceID: "i", FlowID: fmt.Sprintf("f%03d", i)})
		if ClassOf(err) != ClassThrottled {
			t.Fatalf("GetFlow %d: %v, want the list's throttling", i, err)
		}
	}
	if lists, gets := fake.counts(); lists != 1 || gets != 0 {
		t.Errorf("50 reads under a throttled list: %d lists and %d gets, want 1 and 0", lists, gets)
	}
	clock = clock.Add(b.failHold())
	_, _ = b.GetFlow(context.Background(), FlowKey{InstanceID: "i", FlowID: "f000"})
	if lists, _ := fake.counts(); lists != 2 {
		t.Errorf("after the hold: %d lists, want 2", lists)
	}
}
