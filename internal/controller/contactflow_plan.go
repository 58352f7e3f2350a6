package controller

import (
	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
)

// flowAction is the single remote action a reconcile takes after observing a flow.
type flowAction string

const (
	// actNone: the live flow already matches the spec as far as the spec asks.
	actNone flowAction = "None"
	// actWaitLocked: a change is needed but someone else's draft is in the way (lockPolicy Wait).
	actWaitLocked flowAction = "WaitLocked"
	// actPublishDraft: the operator's own draft already holds the desired definition.
	actPublishDraft flowAction = "PublishDraft"
	// actEditCommitPublish: open (or reuse) the operator's draft, commit, publish.
	actEditCommitPublish flowAction = "EditCommitPublish"
	// actEditCommit: open (or reuse) the operator's draft and commit, leaving it unpublished.
	actEditCommit flowAction = "EditCommit"
	// actDiscardOwnDraft: the flow matches the spec but a stale draft of the operator's is open.
	actDiscardOwnDraft flowAction = "DiscardOwnDraft"
	// actPublishContent: publish the desired flow in one write, with no draft step (platforms
	// where publishing writes the content itself: Amazon Connect).
	actPublishContent flowAction = "PublishContent"
)

// flowPlanInput is what the planner decides from: hashes are canonical (layout excluded), an
// empty hash means "absent".
type flowPlanInput struct {
	DesiredHash   string
	Published     bool
	PublishedHash string
	HasDraft      bool
	DraftHash     string
	OwnDraft      bool
	PublishPolicy cfv1.PublishPolicy
	LockPolicy    cfv1.LockPolicy
	// OneStepPublish: the platform publishes content in one write (Amazon Connect), so that a
	// publish needs no draft opened, committed and published first.
	OneStepPublish bool
}

// flowPlan is the planner's answer.
type flowPlan struct {
	Action flowAction
	// TakeOver: discard the other user's draft first (never publishing it).
	TakeOver bool
	// InSync: the live flow matches the spec (under its publish policy) before any action.
	InSync bool
}

// planFlow decides the one action for a reconcile. It is pure, so that every combination of
// live state and policy has a table test without a cluster. It never chooses to publish
// someone else's draft: a foreign draft is either waited for or discarded (on a one-step
// platform, replaced by the publish or the commit, which is the same for its single saved
// content).
func planFlow(in flowPlanInput) flowPlan {
	p := planDrafts(in)
	if in.OneStepPublish && (p.Action == actPublishDraft || p.Action == actEditCommitPublish) {
		// The desired flow is published as it is; the draft it would have gone through is the
		// same single saved content the publish writes.
		p.Action = actPublishContent
	}
	return p
}

// planDrafts is planFlow for platforms that publish through a draft.
func planDrafts(in flowPlanInput) flowPlan {
	publishedMatches := in.Published && in.PublishedHash == in.DesiredHash
	ownDraftMatches := in.HasDraft && in.OwnDraft && in.DraftHash == in.DesiredHash
	foreign := in.HasDraft && !in.OwnDraft

	if in.PublishPolicy == cfv1.PublishPolicyDraft {
		switch {
		case ownDraftMatches:
			return flowPlan{Action: actNone, InSync: true}
		case !in.HasDraft && publishedMatches:
			return flowPlan{Action: actNone, InSync: true}
		case foreign && publishedMatches:
			// Nothing to write: the published flow is what the spec says.
			return flowPlan{Action: actNone, InSync: true}
		case foreign && in.LockPolicy != cfv1.LockPolicyTakeOver:
			return flowPlan{Action: actWaitLocked}
		case foreign:
			return flowPlan{Action: actEditCommit, TakeOver: true}
		default:
			return flowPlan{Action: actEditCommit}
		}
	}

	switch {
	case publishedMatches && in.HasDraft && in.OwnDraft:
		return flowPlan{Action: actDiscardOwnDraft, InSync: true}
	case publishedMatches:
		// A foreign draft is reported, not touched: nothing needs writing.
		return flowPlan{Action: actNone, InSync: true}
	case ownDraftMatches:
		return flowPlan{Action: actPublishDraft}
	case foreign && in.LockPolicy != cfv1.LockPolicyTakeOver:
		return flowPlan{Action: actWaitLocked}
	case foreign:
		return flowPlan{Action: actEditCommitPublish, TakeOver: true}
	default:
		return flowPlan{Action: actEditCommitPublish}
	}
}

// rollbackAction is what a reconcile does about spec.rollbackTo.
type rollbackAction string

const (
	// rbNotFound: the flow has no version of that name (or does not exist yet).
	rbNotFound rollbackAction = "NotFound"
	// rbInPlace: the version already runs; nothing to write.
	rbInPlace rollbackAction = "InPlace"
	// rbApply: make the version run (classic FallbackContactFlowVersion; Amazon Connect:
	// publish its content again).
	rbApply rollbackAction = "Apply"
)

// rollbackPlanInput is what planRollback decides from.
type rollbackPlanInput struct {
	// Exists: the remote flow exists.
	Exists bool
	// TargetFound: the flow has the version spec.rollbackTo names.
	TargetFound bool
	// TargetRunning: that version is what runs now.
	TargetRunning bool
}

// planRollback decides what spec.rollbackTo asks for. A rollback needs no lock: a foreign draft
// is left as it is, as the platforms' own rollbacks leave it.
func planRollback(in rollbackPlanInput) rollbackAction {
	switch {
	case !in.Exists || !in.TargetFound:
		return rbNotFound
	case in.TargetRunning:
		return rbInPlace
	default:
		return rbApply
	}
}
