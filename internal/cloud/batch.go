package cloud

import (
	"context"
	"sync"
	"time"
)

// BatchedFlows is a FlowClient that answers GetFlow from one paged list of the instance's
// flows, shared by every reconcile within Window, instead of one Get per flow per resync: when
// many flows share an instance, the steady-state read cost per flow falls by the page size.
//
// Freshness rules, so that batching never makes a write act on stale data:
//   - a flow the operator wrote through this client (or that it could not find in the list) is
//     read directly until the next list, so the check before a write always sees the platform;
//   - a listed flow with an open draft is read directly, because lists do not carry draft
//     definitions;
//   - a flow whose write met someone else's lock, or whose direct read showed a draft, is read
//     directly until a direct read shows no draft: lists may hide drafts of published flows;
//   - a list older than Window is never used;
//   - a list the platform throttled fails GetFlow with that error (reading each flow directly
//     would be throttled too, many times over); another failed list makes GetFlow read
//     directly; either failure answers the lists asked for shortly after it, so that the
//     callers do not re-list one after the other.
//
// On a platform whose lists can hide an unpublished change of a published flow and where nothing
// locks a flow against a write planned from such a list (Amazon Connect's "$SAVED" content), the
// list serves a flow only when it proves that nothing unseen happened to it: its Revision must be
// one a direct read of the flow saw without a draft (or one the caller remembered from such a
// read across a restart, RememberRevision). Any other listed flow is read directly, so a change
// saved on the console is never missed: see RevisionLister. An adapter that publishes in one
// step (ContentPublisher) and does not report revisions is never served from a list.
//
// A served observation has Listed set: it is as old as the list, up to Window.
//
// Every other method passes straight through. It is safe for concurrent use.
type BatchedFlows struct {
	FlowClient
	// Window is how long one list serves GetFlow. Zero disables batching.
	Window time.Duration
	// PageSize of the list calls (the platform's maximum is best; CCC allows 100).
	PageSize int

	now       func() time.Time
	mu        sync.Mutex
	instances map[string]*instanceSnapshot
	// direct holds flows read directly whatever the list says, across lists: a list may not
	// show a draft at all (CCC lists a DraftId only while a flow was never published), so a
	// flow whose write met someone else's lock, or whose direct read showed a draft, is read
	// directly until a direct read shows it without one.
	direct map[FlowKey]bool
	// revisions is set when the list serves a flow only at a Revision seen without a draft
	// (RevisionLister); seen holds that Revision per flow.
	revisions bool
	seen      map[FlowKey]string
	// created holds flows this client has just created, for the first GetFlow after it.
	created map[FlowKey]*Flow
}

// CreatedFlowObserver is implemented by adapters that can say, without another call, what a
// flow they have just created holds: it did not exist before the create, so it holds exactly
// what was sent (Amazon Connect: the content saved, unpublished, as the $SAVED draft).
type CreatedFlowObserver interface {
	// CreateFlowObserved is CreateFlow that also returns the created flow as GetFlow would
	// show it right after the create.
	CreateFlowObserved(ctx context.Context, in CreateFlowInput) (*Flow, error)
}

// RevisionLister is implemented by adapters whose ListFlows cannot show an unpublished change of
// a published flow (Amazon Connect: a search shows the published content while "$SAVED" holds
// another), but whose lists and direct reads report every flow's Revision, which any change,
// a saved one included, moves. BatchedFlows then serves a listed flow only while its Revision is
// one a direct read saw without a draft: the flow has not changed since that read.
type RevisionLister interface {
	ListsRevisions() bool
}

type instanceSnapshot struct {
	// fetching is closed when the list under way finishes.
	fetching chan struct{}
	takenAt  time.Time
	flows    map[string]Flow
	err      error
	// dirty flows are read directly until the next list.
	dirty map[string]bool
}

// NewBatchedFlows wraps inner.
func NewBatchedFlows(inner FlowClient, window time.Duration, pageSize int) *BatchedFlows {
	if pageSize <= 0 {
		pageSize = 100
	}
	b := &BatchedFlows{FlowClient: inner, Window: window, PageSize: pageSize, now: time.Now,
		instances: map[string]*instanceSnapshot{}, direct: map[FlowKey]bool{}, seen: map[FlowKey]string{},
		created: map[FlowKey]*Flow{}}
	if rl, ok := inner.(RevisionLister); ok && rl.ListsRevisions() {
		b.revisions = true
	} else if _, oneStep := inner.(ContentPublisher); oneStep {
		// A one-step platform's list may hide a saved change that a publish would overwrite,
		// and without revisions nothing proves it does not: read every flow directly.
		b.Window = 0
	}
	return b
}

// RememberRevision tells the client that a direct read of key once saw the flow at revision
// with no draft (what the caller recorded from an earlier observation, e.g. in a resource's
// status), so that after a restart a list showing the same revision serves the flow without a
// direct read. It is ignored when the client already knows a revision of the flow, and on
// platforms without revisions.
func (b *BatchedFlows) RememberRevision(key FlowKey, revision string) {
	if revision == "" || !b.revisions {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.seen[key]; !ok {
		b.seen[key] = revision
	}
}

// GetFlowDirect reads the flow from the platform whatever the current list says, and learns
// from what it saw like any direct read.
func (b *BatchedFlows) GetFlowDirect(ctx context.Context, key FlowKey) (*Flow, error) {
	return b.getDirect(ctx, key)
}

// GetFlow answers from a fresh list when it can, and reads the flow directly otherwise.
func (b *BatchedFlows) GetFlow(ctx context.Context, key FlowKey) (*Flow, error) {
	if b.Window <= 0 {
		return b.FlowClient.GetFlow(ctx, key)
	}
	b.mu.Lock()
	direct := b.direct[key]
	created := b.created[key]
	delete(b.created, key)
	b.mu.Unlock()
	if created != nil {
		return created, nil
	}
	if direct {
		return b.getDirect(ctx, key)
	}
	snap, err := b.snapshot(ctx, key.InstanceID)
	if ClassOf(err) == ClassThrottled {
		// Reading every flow directly instead would only be throttled too, many times over.
		return nil, err
	}
	if err != nil {
		return b.getDirect(ctx, key)
	}
	b.mu.Lock()
	f, listed := snap.flows[key.FlowID]
	dirty := snap.dirty[key.FlowID]
	// With revisions, the list proves the flow unchanged since a direct read saw it without a
	// draft only when it shows the revision that read saw.
	unproven := b.revisions && (f.Revision == "" || f.Revision != b.seen[key])
	b.mu.Unlock()
	if !listed || dirty || f.Draft != nil || unproven {
		return b.getDirect(ctx, key)
	}
	out := f
	out.NumberList = append([]string(nil), f.NumberList...)
	out.Listed = true
	return &out, nil
}

// getDirect reads the flow from the platform and remembers whether it has a draft.
func (b *BatchedFlows) getDirect(ctx context.Context, key FlowKey) (*Flow, error) {
	f, err := b.FlowClient.GetFlow(ctx, key)
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.created, key)
	switch {
	case err == nil:
		if f.Draft != nil {
			b.direct[key] = true
		} else {
			delete(b.direct, key)
		}
		if f.Draft == nil && f.Revision != "" {
			b.seen[key] = f.Revision
		} else {
			delete(b.seen, key)
		}
	case IsNotFound(err):
		delete(b.seen, key)
	}
	return f, err
}

// noteLock makes key read directly when a write met someone else's lock.
func (b *BatchedFlows) noteLock(key FlowKey, err error) {
	if IsLocked(err) {
		b.mu.Lock()
		b.direct[key] = true
		b.mu.Unlock()
	}
}

// failHold is how long a failed list answers for the lists after it: a tenth of Window, at
// most 5 seconds.
func (b *BatchedFlows) failHold() time.Duration {
	return min(b.Window/10, 5*time.Second)
}

// snapshot returns a list of the instance no older than Window, listing (once, for every
// concurrent caller) when there is none.
func (b *BatchedFlows) snapshot(ctx context.Context, instanceID string) (*instanceSnapshot, error) {
	for {
		b.mu.Lock()
		s := b.instances[instanceID]
		if s != nil && s.fetching == nil && s.err == nil && b.now().Sub(s.takenAt) < b.Window {
			b.mu.Unlock()
			return s, nil
		}
		if s != nil && s.fetching == nil && s.err != nil && b.now().Sub(s.takenAt) < b.failHold() {
			// A list that just failed fails every caller for a moment: re-listing once per
			// caller would multiply the calls exactly when the platform pushes back.
			err := s.err
			b.mu.Unlock()
			return nil, err
		}
		if s != nil && s.fetching != nil {
			wait := s.fetching
			b.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		next := &instanceSnapshot{fetching: make(chan struct{}), dirty: map[string]bool{}}
		b.instances[instanceID] = next
		b.mu.Unlock()

		flows, err := b.listAll(ctx, instanceID)
		b.mu.Lock()
		next.flows, next.err, next.takenAt = flows, err, b.now()
		close(next.fetching)
		next.fetching = nil
		b.mu.Unlock()
		if err != nil {
			return nil, err
		}
		return next, nil
	}
}

// AllFlowsLister is implemented by adapters that list all of an instance's flows in one walk
// more cheaply than page by page (Amazon Connect reaches page n of a search through n-1 opaque
// continuation tokens, so paging costs a call per page walked, again for every page).
type AllFlowsLister interface {
	ListAllFlows(ctx context.Context, instanceID string) ([]Flow, error)
}

func (b *BatchedFlows) listAll(ctx context.Context, instanceID string) (map[string]Flow, error) {
	flows := map[string]Flow{}
	if l, ok := b.FlowClient.(AllFlowsLister); ok {
		all, err := l.ListAllFlows(ctx, instanceID)
		if err != nil {
			return nil, err
		}
		for _, f := range all {
			flows[f.ID] = f
		}
		return flows, nil
	}
	for page := 1; ; page++ {
		p, err := b.FlowClient.ListFlows(ctx, instanceID, page, b.PageSize)
		if err != nil {
			return nil, err
		}
		for _, f := range p.Flows {
			flows[f.ID] = f
		}
		if len(p.Flows) == 0 || page*b.PageSize >= p.TotalCount {
			return flows, nil
		}
	}
}

// markDirty makes the next GetFlow of key read the platform, and forgets its revision: a write
// moves it.
func (b *BatchedFlows) markDirty(key FlowKey) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.seen, key)
	if s := b.instances[key.InstanceID]; s != nil && s.dirty != nil {
		s.dirty[key.FlowID] = true
	}
}

// CreateFlow creates the flow; it is not in the current list, so it is read directly, except
// that where the adapter says what it has just created (CreatedFlowObserver) the first GetFlow
// after the create returns that without a call.
func (b *BatchedFlows) CreateFlow(ctx context.Context, in CreateFlowInput) (string, error) {
	if o, ok := b.FlowClient.(CreatedFlowObserver); ok && b.Window > 0 {
		f, err := o.CreateFlowObserved(ctx, in)
		if err != nil {
			return "", err
		}
		key := FlowKey{InstanceID: in.InstanceID, FlowID: f.ID}
		b.markDirty(key)
		b.mu.Lock()
		b.created[key] = f
		b.mu.Unlock()
		return f.ID, nil
	}
	id, err := b.FlowClient.CreateFlow(ctx, in)
	if id != "" {
		b.markDirty(FlowKey{InstanceID: in.InstanceID, FlowID: id})
	}
	return id, err
}

// StartEdit opens the draft; the flow is read directly afterwards.
func (b *BatchedFlows) StartEdit(ctx context.Context, key FlowKey) (string, error) {
	b.markDirty(key)
	id, err := b.FlowClient.StartEdit(ctx, key)
	b.noteLock(key, err)
	return id, err
}

// CommitDraft commits; the flow is read directly afterwards.
func (b *BatchedFlows) CommitDraft(ctx context.Context, key FlowKey, draftID, definition, description string) error {
	b.markDirty(key)
	err := b.FlowClient.CommitDraft(ctx, key, draftID, definition, description)
	b.noteLock(key, err)
	return err
}

// Publish publishes; the flow is read directly afterwards.
func (b *BatchedFlows) Publish(ctx context.Context, key FlowKey, draftID string) error {
	b.markDirty(key)
	err := b.FlowClient.Publish(ctx, key, draftID)
	b.noteLock(key, err)
	return err
}

// DiscardDraft discards; the flow is read directly afterwards.
func (b *BatchedFlows) DiscardDraft(ctx context.Context, key FlowKey, draftID string) error {
	b.markDirty(key)
	return b.FlowClient.DiscardDraft(ctx, key, draftID)
}

// DeleteFlow deletes; the flow is read directly afterwards.
func (b *BatchedFlows) DeleteFlow(ctx context.Context, key FlowKey) error {
	b.markDirty(key)
	return b.FlowClient.DeleteFlow(ctx, key)
}

// Unwrap returns the wrapped client, so that callers can reach optional interfaces
// (FlowVersioner) the adapter implements.
func (b *BatchedFlows) Unwrap() FlowClient { return b.FlowClient }

// RememberRevision passes a revision the caller recorded for key to fc when fc batches reads
// by revision (BatchedFlows); see BatchedFlows.RememberRevision. Elsewhere it does nothing.
func RememberRevision(fc FlowClient, key FlowKey, revision string) {
	if r, ok := fc.(interface{ RememberRevision(FlowKey, string) }); ok {
		r.RememberRevision(key, revision)
	}
}

// BatchesByRevision reports whether fc serves flows from a list only at a revision it saw
// (BatchedFlows over a RevisionLister): a caller that learns a flow's revision after its own
// write (GetFlowDirect) lets the next list serve the flow.
func BatchesByRevision(fc FlowClient) bool {
	b, ok := fc.(*BatchedFlows)
	return ok && b.revisions && b.Window > 0
}

// GetFlowDirect reads key from the platform itself, never from a list: through fc's own direct
// read where fc is a decorator that has one (so that it learns from the read), else through the
// adapter under any decorators.
func GetFlowDirect(ctx context.Context, fc FlowClient, key FlowKey) (*Flow, error) {
	if d, ok := fc.(interface {
		GetFlowDirect(context.Context, FlowKey) (*Flow, error)
	}); ok {
		return d.GetFlowDirect(ctx, key)
	}
	return Underlying(fc).GetFlow(ctx, key)
}

// Underlying returns the adapter under any decorators (BatchedFlows), so that a caller can
// type-assert it to an optional interface such as FlowVersioner.
func Underlying(fc FlowClient) FlowClient {
	for {
		u, ok := fc.(interface{ Unwrap() FlowClient })
		if !ok {
			return fc
		}
		fc = u.Unwrap()
	}
}
