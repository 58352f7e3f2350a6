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
// someone else's draft: a foreign draft is either waited for or discarded.
func planFlow(in flowPlanInput) flowPlan {
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
