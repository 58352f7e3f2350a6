package controller

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
)

func TestPlanScript(t *testing.T) {
	const spec, old = "spec", "old"
	pub, sub, none := cfv1.ReviewPolicyPublish, cfv1.ReviewPolicySubmit, cfv1.ReviewPolicyNone
	steps := func(s ...scriptStep) []scriptStep { return s }
	tests := map[string]struct {
		in   scriptPlanInput
		want scriptPlan
	}{
		"just created with the spec: submit": {
			in:   scriptPlanInput{SpecHash: spec, ContentHash: spec, Status: cloud.ScriptStatusDrafted, IsDrafted: true, ReviewPolicy: pub},
			want: scriptPlan{Action: scriptSubmit, Steps: steps(stepSubmit)},
		},
		"no review policy given: Publish, so submit": {
			in:   scriptPlanInput{SpecHash: spec, ContentHash: spec, Status: cloud.ScriptStatusDrafted, IsDrafted: true},
			want: scriptPlan{Action: scriptSubmit, Steps: steps(stepSubmit)},
		},
		"just created, reviewPolicy Submit: submit": {
			in:   scriptPlanInput{SpecHash: spec, ContentHash: spec, Status: cloud.ScriptStatusDrafted, IsDrafted: true, ReviewPolicy: sub},
			want: scriptPlan{Action: scriptSubmit, Steps: steps(stepSubmit)},
		},
		"just created, reviewPolicy None: nothing (the draft is the goal)": {
			in:   scriptPlanInput{SpecHash: spec, ContentHash: spec, Status: cloud.ScriptStatusDrafted, IsDrafted: true, ReviewPolicy: none},
			want: scriptPlan{Action: scriptNone},
		},
		"spec changed, drafted: modify and submit": {
			in:   scriptPlanInput{SpecHash: spec, ContentHash: old, SubmittedHash: old, Status: cloud.ScriptStatusDrafted, IsDrafted: true, ReviewPolicy: pub},
			want: scriptPlan{Action: scriptModify, Steps: steps(stepModify, stepSubmit)},
		},
		"spec changed, published: modify and submit": {
			in: scriptPlanInput{SpecHash: spec, ContentHash: old, SubmittedHash: old, PublishedHash: old,
				Status: cloud.ScriptStatusPublished, AppliedVersion: "1", ReviewPolicy: pub},
			want: scriptPlan{Action: scriptModify, Steps: steps(stepModify, stepSubmit)},
		},
		"spec changed, reviewPolicy None: modify only": {
			in:   scriptPlanInput{SpecHash: spec, ContentHash: old, Status: cloud.ScriptStatusDrafted, IsDrafted: true, ReviewPolicy: none},
			want: scriptPlan{Action: scriptModify, Steps: steps(stepModify)},
		},
		"spec changed while in review: withdraw, modify, submit": {
			in:   scriptPlanInput{SpecHash: spec, ContentHash: old, SubmittedHash: old, Status: cloud.ScriptStatusInReview, IsDrafted: true, ReviewPolicy: pub},
			want: scriptPlan{Action: scriptWithdrawModifySubmit, Steps: steps(stepWithdraw, stepModify, stepSubmit)},
		},
		"spec changed while a published script is in review: withdraw, modify, submit": {
			in: scriptPlanInput{SpecHash: spec, ContentHash: old, SubmittedHash: old, PublishedHash: "v1",
				Status: cloud.ScriptStatusPublishedInReview, IsDrafted: true, AppliedVersion: "1", ReviewPolicy: sub},
			want: scriptPlan{Action: scriptWithdrawModifySubmit, Steps: steps(stepWithdraw, stepModify, stepSubmit)},
		},
		"spec changed while in review, reviewPolicy None: withdraw and modify": {
			in:   scriptPlanInput{SpecHash: spec, ContentHash: old, Status: cloud.ScriptStatusInReview, IsDrafted: true, ReviewPolicy: none},
			want: scriptPlan{Action: scriptWithdrawModifySubmit, Steps: steps(stepWithdraw, stepModify)},
		},
		"in review with the spec: wait for the reviewers": {
			in:   scriptPlanInput{SpecHash: spec, ContentHash: spec, SubmittedHash: spec, Status: cloud.ScriptStatusInReview, IsDrafted: true, ReviewPolicy: pub},
			want: scriptPlan{Action: scriptWait},
		},
		"in review with the spec, submitted by someone else: wait too": {
			in:   scriptPlanInput{SpecHash: spec, ContentHash: spec, SubmittedHash: old, Status: cloud.ScriptStatusInReview, IsDrafted: true, ReviewPolicy: pub},
			want: scriptPlan{Action: scriptWait},
		},
		"approved with the spec, reviewPolicy Publish: publish": {
			in:   scriptPlanInput{SpecHash: spec, ContentHash: spec, SubmittedHash: spec, Status: cloud.ScriptStatusApproved, IsDrafted: true, ReviewPolicy: pub},
			want: scriptPlan{Action: scriptPublish, Steps: steps(stepPublish)},
		},
		"approved over a published version: publish": {
			in: scriptPlanInput{SpecHash: spec, ContentHash: spec, SubmittedHash: spec, PublishedHash: old,
				Status: cloud.ScriptStatusPublishedApproved, IsDrafted: true, AppliedVersion: "1", ReviewPolicy: pub},
			want: scriptPlan{Action: scriptPublish, Steps: steps(stepPublish)},
		},
		"approved with the spec, reviewPolicy Submit: nothing (a person publishes)": {
			in:   scriptPlanInput{SpecHash: spec, ContentHash: spec, SubmittedHash: spec, Status: cloud.ScriptStatusApproved, IsDrafted: true, ReviewPolicy: sub},
			want: scriptPlan{Action: scriptNone},
		},
		"approved, then the spec changed: modify (drops the approval) and submit": {
			in:   scriptPlanInput{SpecHash: spec, ContentHash: old, SubmittedHash: old, Status: cloud.ScriptStatusApproved, IsDrafted: true, ReviewPolicy: pub},
			want: scriptPlan{Action: scriptModify, Steps: steps(stepModify, stepSubmit)},
		},
		"rejected for the spec's content: no resubmission": {
			in: scriptPlanInput{SpecHash: spec, ContentHash: spec, SubmittedHash: spec, Status: cloud.ScriptStatusDrafted, IsDrafted: true,
				RejectReason: "mentions a competitor", ReviewPolicy: pub},
			want: scriptPlan{Action: scriptRejected},
		},
		"rejected over a published version: no resubmission either": {
			in: scriptPlanInput{SpecHash: spec, ContentHash: spec, SubmittedHash: spec, PublishedHash: old, Status: cloud.ScriptStatusPublished,
				IsDrafted: true, AppliedVersion: "1", RejectReason: "too long", ReviewPolicy: pub},
			want: scriptPlan{Action: scriptRejected},
		},
		"rejected, then the spec changed: modify and submit again": {
			in: scriptPlanInput{SpecHash: spec, ContentHash: old, SubmittedHash: old, Status: cloud.ScriptStatusDrafted, IsDrafted: true,
				RejectReason: "mentions a competitor", ReviewPolicy: pub},
			want: scriptPlan{Action: scriptModify, Steps: steps(stepModify, stepSubmit)},
		},
		"an old rejection, the spec written but not submitted (submit failed): submit": {
			in: scriptPlanInput{SpecHash: spec, ContentHash: spec, SubmittedHash: old, Status: cloud.ScriptStatusDrafted, IsDrafted: true,
				RejectReason: "mentions a competitor", ReviewPolicy: pub},
			want: scriptPlan{Action: scriptSubmit, Steps: steps(stepSubmit)},
		},
		"rejected, reviewPolicy None: nothing": {
			in: scriptPlanInput{SpecHash: spec, ContentHash: spec, SubmittedHash: spec, Status: cloud.ScriptStatusDrafted, IsDrafted: true,
				RejectReason: "no", ReviewPolicy: none},
			want: scriptPlan{Action: scriptNone},
		},
		"published with the spec: nothing (steady state)": {
			in: scriptPlanInput{SpecHash: spec, ContentHash: spec, SubmittedHash: spec, PublishedHash: spec,
				Status: cloud.ScriptStatusPublished, AppliedVersion: "2", ReviewPolicy: pub},
			want: scriptPlan{Action: scriptNone},
		},
		"published with the spec, someone's drafted edit on the console: left to them": {
			in: scriptPlanInput{SpecHash: spec, ContentHash: spec, SubmittedHash: spec, PublishedHash: spec,
				Status: cloud.ScriptStatusPublished, IsDrafted: true, AppliedVersion: "2", ReviewPolicy: pub},
			want: scriptPlan{Action: scriptNone},
		},
		"published and nothing drafted, published hash lost: the working copy is the applied version": {
			in:   scriptPlanInput{SpecHash: spec, ContentHash: spec, SubmittedHash: spec, Status: cloud.ScriptStatusPublished, AppliedVersion: "2", ReviewPolicy: pub},
			want: scriptPlan{Action: scriptNone},
		},
		"published an older version, the spec drafted but not submitted: submit": {
			in: scriptPlanInput{SpecHash: spec, ContentHash: spec, SubmittedHash: old, PublishedHash: old,
				Status: cloud.ScriptStatusPublished, IsDrafted: true, AppliedVersion: "1", ReviewPolicy: pub},
			want: scriptPlan{Action: scriptSubmit, Steps: steps(stepSubmit)},
		},
		"name or scene changed on the console: write the spec again": {
			in: scriptPlanInput{SpecHash: spec, ContentHash: spec, SubmittedHash: spec, PublishedHash: spec,
				Status: cloud.ScriptStatusPublished, IsDrafted: true, AppliedVersion: "2", LiveDrift: true, ReviewPolicy: pub},
			want: scriptPlan{Action: scriptModify, Steps: steps(stepModify, stepSubmit)},
		},
		"rollback to an earlier version: rollback": {
			in: scriptPlanInput{SpecHash: spec, ContentHash: spec, SubmittedHash: spec, PublishedHash: spec,
				Status: cloud.ScriptStatusPublished, AppliedVersion: "2", ReviewPolicy: pub, RollbackToVersion: "1"},
			want: scriptPlan{Action: scriptRollback, Steps: steps(stepRollback)},
		},
		"rollback wins over a changed spec": {
			in: scriptPlanInput{SpecHash: spec, ContentHash: old, PublishedHash: old,
				Status: cloud.ScriptStatusPublished, AppliedVersion: "2", ReviewPolicy: pub, RollbackToVersion: "1"},
			want: scriptPlan{Action: scriptRollback, Steps: steps(stepRollback)},
		},
		"rollback while in review: withdraw, then rollback": {
			in: scriptPlanInput{SpecHash: spec, ContentHash: spec, SubmittedHash: spec, PublishedHash: old,
				Status: cloud.ScriptStatusPublishedInReview, IsDrafted: true, AppliedVersion: "2", ReviewPolicy: pub, RollbackToVersion: "1"},
			want: scriptPlan{Action: scriptRollback, Steps: steps(stepWithdraw, stepRollback)},
		},
		"rolled back already: nothing, whatever the spec's content": {
			in:   scriptPlanInput{SpecHash: spec, Status: cloud.ScriptStatusPublished, AppliedVersion: "1", ReviewPolicy: pub, RollbackToVersion: "1"},
			want: scriptPlan{Action: scriptNone},
		},
		"rollback cleared: the spec is written again": {
			in:   scriptPlanInput{SpecHash: spec, Status: cloud.ScriptStatusPublished, AppliedVersion: "1", ReviewPolicy: pub},
			want: scriptPlan{Action: scriptModify, Steps: steps(stepModify, stepSubmit)},
		},
		"platform busy publishing: wait": {
			in:   scriptPlanInput{SpecHash: spec, ContentHash: old, Status: "PUBLISH_IN_PROGRESS", AppliedVersion: "1", ReviewPolicy: pub},
			want: scriptPlan{Action: scriptWait},
		},
		"platform busy rolling back: wait, even with a rollback asked for": {
			in:   scriptPlanInput{SpecHash: spec, Status: "ROLLBACK_IN_PROGRESS", AppliedVersion: "2", ReviewPolicy: pub, RollbackToVersion: "1"},
			want: scriptPlan{Action: scriptWait},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, planScript(tc.in)); diff != "" {
				t.Errorf("planScript() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScriptHash(t *testing.T) {
	base := cfv1.OutboundScriptSpec{
		InstanceRef: cfv1.LocalObjectReference{Name: "bot"},
		ScriptName:  "reminder", Industry: "finance", Scene: "payment reminder",
		Content: []string{"Hello", "Your bill is due"},
		Speech:  cfv1.ScriptSpeech{TTSConfig: `{"voice":"xiaoyun","volume":50}`},
	}
	with := func(mutate func(*cfv1.OutboundScriptSpec)) cfv1.OutboundScriptSpec {
		s := *base.DeepCopy()
		mutate(&s)
		return s
	}
	tests := map[string]struct {
		spec  cfv1.OutboundScriptSpec
		equal bool
	}{
		"the same spec":                        {spec: with(func(*cfv1.OutboundScriptSpec) {}), equal: true},
		"review policy is no content":          {spec: with(func(s *cfv1.OutboundScriptSpec) { s.ReviewPolicy = cfv1.ReviewPolicyNone }), equal: true},
		"rollback is no content":               {spec: with(func(s *cfv1.OutboundScriptSpec) { s.RollbackToVersion = "1" }), equal: true},
		"deletion and adoption are no content": {spec: with(func(s *cfv1.OutboundScriptSpec) { s.DeletionPolicy, s.AdoptByName = cfv1.DeletionPolicyOrphan, true }), equal: true},
		"re-indented speech JSON is no change": {
			spec: with(func(s *cfv1.OutboundScriptSpec) {
				s.Speech.TTSConfig = "{\n  \"voice\": \"xiaoyun\",\n  \"volume\": 50\n}"
			}), equal: true,
		},
		"empty and absent content are the same": {
			spec: with(func(s *cfv1.OutboundScriptSpec) { s.Waveforms = []string{} }), equal: true,
		},
		"an utterance changed":        {spec: with(func(s *cfv1.OutboundScriptSpec) { s.Content[1] = "Your bill is overdue" })},
		"utterances reordered":        {spec: with(func(s *cfv1.OutboundScriptSpec) { s.Content[0], s.Content[1] = s.Content[1], s.Content[0] })},
		"a speech setting changed":    {spec: with(func(s *cfv1.OutboundScriptSpec) { s.Speech.TTSConfig = `{"voice":"xiaogang"}` })},
		"the NLS configuration added": {spec: with(func(s *cfv1.OutboundScriptSpec) { s.Speech.NLSConfig = `{"a":1}` })},
		"a switch flipped":            {spec: with(func(s *cfv1.OutboundScriptSpec) { s.LongWaitEnabled = true })},
		"renamed":                     {spec: with(func(s *cfv1.OutboundScriptSpec) { s.ScriptName = "reminder-2" })},
	}
	want := scriptHash(base)
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := scriptHash(tc.spec) == want; got != tc.equal {
				t.Errorf("same hash = %t, want %t", got, tc.equal)
			}
		})
	}
}
