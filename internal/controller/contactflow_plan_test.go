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
