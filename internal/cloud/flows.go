// Package cloud is the provider-neutral boundary between the controllers and the contact-center
// platforms. Controllers call these interfaces with plain Go types; adapters in
// internal/cloud/<platform> implement them over each platform's official SDK and map every SDK
// error onto the taxonomy in errors.go. An adapter never decides policy: it does not choose to
// publish, to take over a lock or to retry a refused write.
package cloud

import "context"

// FlowKey identifies one remote contact flow.
type FlowKey struct {
	InstanceID string
	FlowID     string
}

// Flow is what an adapter observed of one remote flow. Definitions are the platform's own
// serialized form (for CCC the Definition JSON string), unparsed: internal/flow parses them.
type Flow struct {
	InstanceID string
	ID         string
	// ARN is the flow's ARN where the platform has them (Amazon Connect): what another flow's
	// definition uses to transfer to it. Empty on the Alibaba platforms, whose flows refer to
	// each other by ID.
	ARN         string
	Name        string
	Type        string
	Description string
	// Published reports whether a version of the flow has ever been published.
	Published bool
	// PublishedDefinition is the definition of the running (published) version; empty when the
	// flow was never published.
	PublishedDefinition string
	// PublishedVersion names the running version where the platform's read says which one runs
	// (classic AppliedVersion, a ContactFlowVersionId); empty elsewhere.
	PublishedVersion string
	// Draft is the open draft or locked version, nil when there is none.
	Draft *Draft
	// NumberList holds the phone numbers bound to the flow.
	NumberList  []string
	CreatedTime string
	UpdatedTime string
	// Revision is the platform's mark of the flow's last change of any kind, content saved but
	// not published included (Amazon Connect: LastModifiedTime, to the millisecond), the same in
	// a list and in a direct read of the same state; empty where the platform has none. Two
	// observations with the same non-empty Revision saw the same flow.
	Revision string
	// Listed reports that the observation was served from a list of the instance taken within
	// the batch window (BatchedFlows), not read from the platform just now.
	Listed bool
}

// Draft is an open edit of a flow: a CCC draft, a classic locked version, a Connect $SAVED
// content that differs from the published one.
type Draft struct {
	ID string
	// Editor is the user who holds the draft (CCC Editor, classic LockedBy); empty when the
	// platform does not say.
	Editor string
	// Definition is the draft's content.
	Definition string
	// UpdatedTime is when the draft was last changed, as the platform formats it.
	UpdatedTime string
}

// CreateFlowInput is what a new flow is created with. A created flow is never published by
// Create: the controller publishes it with Publish, so that a create can be recovered by lookup.
type CreateFlowInput struct {
	InstanceID  string
	Name        string
	Type        string
	Description string
	Definition  string
}

// Page is one page of a paged flow list.
type Page struct {
	Flows      []Flow
	PageNumber int
	PageSize   int
	TotalCount int
}

// FlowFinder is implemented by adapters that find a flow by its exact name with a search,
// where paging through the instance would cost a call per page walked (Amazon Connect reaches
// page n of a search through n-1 continuation tokens). It returns the flow's ID, or "" when no
// flow has that name.
type FlowFinder interface {
	FindFlowID(ctx context.Context, instanceID, name string) (string, error)
}

// FlowClient drives one platform's contact flows. Every method is safe to call concurrently and
// idempotent where the platform allows it; none of them decides policy.
type FlowClient interface {
	// Platform names the platform, as in ProviderConfig spec.platform.
	Platform() string

	// GetFlow observes one flow, including its open draft when there is one (the draft's
	// definition is read too). It never changes anything. A missing flow or instance returns a
	// ClassNotFound error.
	GetFlow(ctx context.Context, key FlowKey) (*Flow, error)

	// ListFlows returns one page (pageNumber from 1) of the instance's flows with their
	// published definitions and draft IDs; draft definitions may be left empty.
	ListFlows(ctx context.Context, instanceID string, pageNumber, pageSize int) (*Page, error)

	// CreateFlow creates an unpublished flow and returns its ID. A name already taken returns a
	// ClassAlreadyExists error.
	CreateFlow(ctx context.Context, in CreateFlowInput) (string, error)

	// StartEdit opens a draft of the flow for the caller and returns its ID. When the caller
	// already holds the draft, its ID is returned again; a draft held by another user returns a
	// ClassLocked error naming the holder.
	StartEdit(ctx context.Context, key FlowKey) (string, error)

	// CommitDraft saves definition (and description) into the caller's draft draftID.
	CommitDraft(ctx context.Context, key FlowKey, draftID, definition, description string) error

	// Publish makes draft draftID the running version.
	Publish(ctx context.Context, key FlowKey, draftID string) error

	// DiscardDraft drops draft draftID without publishing it. Discarding a draft that no longer
	// exists is success.
	DiscardDraft(ctx context.Context, key FlowKey, draftID string) error

	// DeleteFlow deletes the flow. Deleting a flow that does not exist is success.
	DeleteFlow(ctx context.Context, key FlowKey) error
}

// Ref is the value another flow's definition uses to refer to f: its ARN where the platform has
// them, else its ID.
func (f *Flow) Ref() string {
	if f.ARN != "" {
		return f.ARN
	}
	return f.ID
}
