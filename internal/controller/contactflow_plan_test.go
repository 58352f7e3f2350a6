package controller

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
)

func TestPlanFlow(t *testing.T) {
	const want, old, other = "want", "old", "other"
	pub, draft := cfv1.PublishPolicyPublish, cfv1.PublishPolicyDraft
	wait, take := cfv1.LockPolicyWait, cfv1.LockPolicyTakeOver
	tests := map[string]struct {
		in   flowPlanInput
		want flowPlan
	}{
		"published and equal: nothing": {
			in:   flowPlanInput{DesiredHash: want, Published: true, PublishedHash: want, PublishPolicy: pub, LockPolicy: wait},
			want: flowPlan{Action: actNone, InSync: true},
		},
		"published differs: edit commit publish": {
			in:   flowPlanInput{DesiredHash: want, Published: true, PublishedHash: old, PublishPolicy: pub, LockPolicy: wait},
			want: flowPlan{Action: actEditCommitPublish},
		},
		"never published, own draft holds desired (fresh create): publish it": {
			in:   flowPlanInput{DesiredHash: want, HasDraft: true, OwnDraft: true, DraftHash: want, PublishPolicy: pub, LockPolicy: wait},
			want: flowPlan{Action: actPublishDraft},
		},
		"own draft stale, published differs: edit commit publish reuses it": {
			in:   flowPlanInput{DesiredHash: want, Published: true, PublishedHash: old, HasDraft: true, OwnDraft: true, DraftHash: other, PublishPolicy: pub, LockPolicy: wait},
			want: flowPlan{Action: actEditCommitPublish},
		},
		"published equal, own stale draft left over: discard it": {
			in:   flowPlanInput{DesiredHash: want, Published: true, PublishedHash: want, HasDraft: true, OwnDraft: true, DraftHash: other, PublishPolicy: pub, LockPolicy: wait},
			want: flowPlan{Action: actDiscardOwnDraft, InSync: true},
		},
		"published equal, foreign draft: report only": {
			in:   flowPlanInput{DesiredHash: want, Published: true, PublishedHash: want, HasDraft: true, DraftHash: other, PublishPolicy: pub, LockPolicy: take},
			want: flowPlan{Action: actNone, InSync: true},
		},
		"change needed, foreign draft, Wait: wait": {
			in:   flowPlanInput{DesiredHash: want, Published: true, PublishedHash: old, HasDraft: true, DraftHash: other, PublishPolicy: pub, LockPolicy: wait},
			want: flowPlan{Action: actWaitLocked},
		},
		"change needed, foreign draft that happens to equal desired, Wait: still wait (never publish it)": {
			in:   flowPlanInput{DesiredHash: want, Published: true, PublishedHash: old, HasDraft: true, DraftHash: want, PublishPolicy: pub, LockPolicy: wait},
			want: flowPlan{Action: actWaitLocked},
		},
		"change needed, foreign draft, TakeOver: discard then edit": {
			in:   flowPlanInput{DesiredHash: want, Published: true, PublishedHash: old, HasDraft: true, DraftHash: want, PublishPolicy: pub, LockPolicy: take},
			want: flowPlan{Action: actEditCommitPublish, TakeOver: true},
		},
		"Draft policy, own draft holds desired: nothing": {
			in:   flowPlanInput{DesiredHash: want, Published: true, PublishedHash: old, HasDraft: true, OwnDraft: true, DraftHash: want, PublishPolicy: draft, LockPolicy: wait},
			want: flowPlan{Action: actNone, InSync: true},
		},
		"Draft policy, published equal and no draft: nothing": {
			in:   flowPlanInput{DesiredHash: want, Published: true, PublishedHash: want, PublishPolicy: draft, LockPolicy: wait},
			want: flowPlan{Action: actNone, InSync: true},
		},
		"Draft policy, change: edit commit only": {
			in:   flowPlanInput{DesiredHash: want, Published: true, PublishedHash: old, PublishPolicy: draft, LockPolicy: wait},
			want: flowPlan{Action: actEditCommit},
		},
		"Draft policy, foreign draft, Wait: wait": {
			in:   flowPlanInput{DesiredHash: want, Published: true, PublishedHash: old, HasDraft: true, DraftHash: other, PublishPolicy: draft, LockPolicy: wait},
			want: flowPlan{Action: actWaitLocked},
		},
		"Draft policy, foreign draft, TakeOver: discard then commit": {
			in:   flowPlanInput{DesiredHash: want, Published: true, PublishedHash: old, HasDraft: true, DraftHash: other, PublishPolicy: draft, LockPolicy: take},
			want: flowPlan{Action: actEditCommit, TakeOver: true},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, planFlow(tc.in)); diff != "" {
				t.Errorf("planFlow() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPlanFlowOneStep: on a platform that publishes content in one write (Amazon Connect) the
// same decisions hold, but a publish goes straight to the platform instead of through a draft.
func TestPlanFlowOneStep(t *testing.T) {
	const want, old, other = "want", "old", "other"
	pub, draft := cfv1.PublishPolicyPublish, cfv1.PublishPolicyDraft
	wait, take := cfv1.LockPolicyWait, cfv1.LockPolicyTakeOver
	tests := map[string]struct {
		in   flowPlanInput
		want flowPlan
	}{
		"created, own saved content holds desired: publish it in one write": {
			in:   flowPlanInput{DesiredHash: want, HasDraft: true, OwnDraft: true, DraftHash: want, PublishPolicy: pub, LockPolicy: wait},
			want: flowPlan{Action: actPublishContent},
		},
		"real change: publish in one write": {
			in:   flowPlanInput{DesiredHash: want, Published: true, PublishedHash: old, PublishPolicy: pub, LockPolicy: wait},
			want: flowPlan{Action: actPublishContent},
		},
		"in sync: nothing": {
			in:   flowPlanInput{DesiredHash: want, Published: true, PublishedHash: want, PublishPolicy: pub, LockPolicy: wait},
			want: flowPlan{Action: actNone, InSync: true},
		},
		"foreign saved change, in sync: report only": {
			in:   flowPlanInput{DesiredHash: want, Published: true, PublishedHash: want, HasDraft: true, DraftHash: other, PublishPolicy: pub, LockPolicy: wait},
			want: flowPlan{Action: actNone, InSync: true},
		},
		"foreign saved change, change needed, Wait: wait, never overwrite": {
			in:   flowPlanInput{DesiredHash: want, Published: true, PublishedHash: old, HasDraft: true, DraftHash: other, PublishPolicy: pub, LockPolicy: wait},
			want: flowPlan{Action: actWaitLocked},
		},
		"foreign saved change, change needed, TakeOver: replace it by publishing": {
			in:   flowPlanInput{DesiredHash: want, Published: true, PublishedHash: old, HasDraft: true, DraftHash: other, PublishPolicy: pub, LockPolicy: take},
			want: flowPlan{Action: actPublishContent, TakeOver: true},
		},
		"Draft policy, change: save only": {
			in:   flowPlanInput{DesiredHash: want, Published: true, PublishedHash: old, PublishPolicy: draft, LockPolicy: wait},
			want: flowPlan{Action: actEditCommit},
		},
		"Draft policy, own saved content holds desired: nothing": {
			in:   flowPlanInput{DesiredHash: want, Published: true, PublishedHash: old, HasDraft: true, OwnDraft: true, DraftHash: want, PublishPolicy: draft, LockPolicy: wait},
			want: flowPlan{Action: actNone, InSync: true},
		},
		"published equal, own stale saved content: put the published back": {
			in:   flowPlanInput{DesiredHash: want, Published: true, PublishedHash: want, HasDraft: true, OwnDraft: true, DraftHash: other, PublishPolicy: pub, LockPolicy: wait},
			want: flowPlan{Action: actDiscardOwnDraft, InSync: true},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tc.in.OneStepPublish = true
			if diff := cmp.Diff(tc.want, planFlow(tc.in)); diff != "" {
				t.Errorf("planFlow() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPlanRollback(t *testing.T) {
	tests := map[string]struct {
		in   rollbackPlanInput
		want rollbackAction
	}{
		"flow does not exist yet": {in: rollbackPlanInput{}, want: rbNotFound},
		"no such version":         {in: rollbackPlanInput{Exists: true}, want: rbNotFound},
		"version runs already":    {in: rollbackPlanInput{Exists: true, TargetFound: true, TargetRunning: true}, want: rbInPlace},
		"another version runs":    {in: rollbackPlanInput{Exists: true, TargetFound: true}, want: rbApply},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := planRollback(tc.in); got != tc.want {
				t.Errorf("planRollback(%+v) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}
