package controller

import (
	"fmt"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
)

// writeOutcome turns how the reconcile of a script ended into status conditions. Without an
// error, the conditions follow from what the script needs next (s.after): nothing (Ready), the
// reviewers (InReview), a spec change (ReviewRejected) or another step (Progressing).
func (s *scriptReconcile) writeOutcome(err error) {
	obs := s.obs
	st := &obs.Status
	if err != nil {
		o := errorOutcome(err)
		if o.Stalled {
			st.ObservedGeneration = obs.Generation
		}
		applyOutcome(&st.Conditions, obs.Generation, o)
		return
	}
	st.ObservedGeneration = obs.Generation
	applyOutcome(&st.Conditions, obs.Generation, s.successOutcome())
}

func (s *scriptReconcile) successOutcome() outcome {
	sp, st := s.obs.Spec, s.obs.Status
	h := short(s.specHash)
	switch s.after.Action {
	case scriptNone:
		o := outcome{Ready: true, Synced: true, SyncReason: cfv1.ReasonUpToDate}
		switch {
		case sp.RollbackToVersion != "":
			o.ReadyReason = cfv1.ReasonRolledBack
			o.ReadyMessage = fmt.Sprintf("Script %s runs version %s (spec.rollbackToVersion); clear it to publish the spec again", st.ScriptID, st.AppliedVersion)
		case defaultReview(sp.ReviewPolicy) == cfv1.ReviewPolicyNone:
			o.ReadyReason = cfv1.ReasonDraftSaved
			o.ReadyMessage = fmt.Sprintf("The working copy of script %s holds spec %s; reviewPolicy None leaves review and publishing to a person", st.ScriptID, h)
		case st.Status == cloud.ScriptStatusApproved || st.Status == cloud.ScriptStatusPublishedApproved:
			o.ReadyReason = cfv1.ReasonReviewPassed
			o.ReadyMessage = fmt.Sprintf("Spec %s of script %s passed review; publish it on the console (reviewPolicy Submit)", h, st.ScriptID)
		default:
			o.ReadyReason = cfv1.ReasonPublished
			o.ReadyMessage = fmt.Sprintf("Script %s version %s is published with spec %s", st.ScriptID, st.AppliedVersion, h)
		}
		o.SyncMessage = o.ReadyMessage
		return o
	case scriptWait:
		if st.Status == cloud.ScriptStatusInReview || st.Status == cloud.ScriptStatusPublishedInReview {
			msg := fmt.Sprintf("Spec %s of script %s is in review (%s); waiting for the platform's reviewers", h, st.ScriptID, st.Status)
			return outcome{ReadyReason: cfv1.ReasonInReview, ReadyMessage: msg, Synced: true, Reconciling: true}
		}
		msg := fmt.Sprintf("Script %s is %s on the platform; waiting for it to finish", st.ScriptID, st.Status)
		return outcome{ReadyReason: cfv1.ReasonProgressing, ReadyMessage: msg, Synced: true, Reconciling: true}
	case scriptRejected:
		msg := fmt.Sprintf("The review of spec %s of script %s was rejected: %s. Change the spec to submit it again", h, st.ScriptID, sanitize(st.RejectReason))
		return outcome{ReadyReason: cfv1.ReasonReviewRejected, ReadyMessage: msg, Stalled: true}
	}
	msg := fmt.Sprintf("Script %s is %s; next: %s", st.ScriptID, nonEmpty(st.Status, "observed"), s.after.Action)
	return outcome{ReadyReason: cfv1.ReasonProgressing, ReadyMessage: msg, Synced: true, SyncReason: cfv1.ReasonUpToDate, Reconciling: true}
}

// state names the state of a script after a reconcile, for the resources gauge.
func (s *scriptReconcile) state(err error) string {
	if err != nil {
		return outboundState(err, "")
	}
	switch s.after.Action {
	case scriptNone:
		if s.obs.Spec.RollbackToVersion != "" || s.obs.Status.AppliedVersion != "" && s.obs.Status.PublishedHash == s.specHash {
			return "published"
		}
		return "draft"
	case scriptWait:
		return "review"
	case scriptRejected:
		return "stalled"
	}
	return "progressing"
}
