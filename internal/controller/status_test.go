package controller

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
)

func TestResultFor(t *testing.T) {
	timing := Timing{SyncPeriod: time.Minute, LockRetry: 10 * time.Second, ThrottleBackoff: 2 * time.Second}
	type want struct {
		min, max time.Duration
		err      bool
	}
	tests := map[string]struct {
		err  error
		want want
	}{
		"converged: resync, jittered up to 10%": {err: nil, want: want{min: time.Minute, max: 66 * time.Second}},
		"throttled: back off, at least the platform's hint": {
			err:  fmt.Errorf("wrapped: %w", &cloud.Error{Class: cloud.ClassThrottled, RetryAfter: 4 * time.Second}),
			want: want{min: 4 * time.Second, max: 8 * time.Second},
		},
		"locked: look again after the lock retry period": {
			err: &cloud.Error{Class: cloud.ClassLocked}, want: want{min: 10 * time.Second, max: 12 * time.Second},
		},
		"invalid: stall, only the slow resync": {
			err: &cloud.Error{Class: cloud.ClassInvalid}, want: want{min: time.Minute, max: 66 * time.Second},
		},
		"unauthorized: stall, only the slow resync": {
			err: &cloud.Error{Class: cloud.ClassUnauthorized}, want: want{min: time.Minute, max: 66 * time.Second},
		},
		"spec refused before any call: no requeue at all": {
			err: &specError{field: "spec.definition", err: errors.New("bad")}, want: want{},
		},
		"provider not ready: look again soon": {
			err: &ProviderError{Reason: cfv1.ReasonProviderConfigNotFound}, want: want{min: 10 * time.Second, max: 15 * time.Second},
		},
		"transient: returned for exponential backoff": {
			err: &cloud.Error{Class: cloud.ClassTransient}, want: want{err: true},
		},
		"unclassified: transient": {err: errors.New("connection reset"), want: want{err: true}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res, err := timing.resultFor(tc.err)
			if (err != nil) != tc.want.err {
				t.Fatalf("error = %v, want error %t", err, tc.want.err)
			}
			if res.RequeueAfter < tc.want.min || res.RequeueAfter > tc.want.max {
				t.Errorf("RequeueAfter = %s, want between %s and %s", res.RequeueAfter, tc.want.min, tc.want.max)
			}
		})
	}
}

func TestApplyOutcome(t *testing.T) {
	ignoreTime := cmpopts.IgnoreFields(metav1.Condition{}, "LastTransitionTime")
	cond := func(typ string, st metav1.ConditionStatus, reason, msg string) metav1.Condition {
		return metav1.Condition{Type: typ, Status: st, Reason: reason, Message: msg, ObservedGeneration: 3}
	}
	tests := map[string]struct {
		start []metav1.Condition
		in    outcome
		want  []metav1.Condition
	}{
		"ready: Reconciling and Stalled are removed": {
			start: []metav1.Condition{cond(cfv1.ConditionStalled, metav1.ConditionTrue, "X", "x"), cond(cfv1.ConditionReconciling, metav1.ConditionTrue, "Y", "y")},
			in:    outcome{Ready: true, ReadyReason: "Published", ReadyMessage: "ok", Synced: true, SyncReason: "UpToDate"},
			want: []metav1.Condition{
				cond(cfv1.ConditionReady, metav1.ConditionTrue, "Published", "ok"),
				cond(cfv1.ConditionSynced, metav1.ConditionTrue, "UpToDate", "ok"),
			},
		},
		"stalled: Ready and Synced False, Stalled True, no Reconciling": {
			in: outcome{ReadyReason: "InvalidDefinition", ReadyMessage: "bad", Stalled: true, Reconciling: true},
			want: []metav1.Condition{
				cond(cfv1.ConditionReady, metav1.ConditionFalse, "InvalidDefinition", "bad"),
				cond(cfv1.ConditionSynced, metav1.ConditionFalse, "InvalidDefinition", "bad"),
				cond(cfv1.ConditionStalled, metav1.ConditionTrue, "InvalidDefinition", "bad"),
			},
		},
		"progressing: Reconciling True": {
			in: outcome{ReadyReason: "LockedByOther", ReadyMessage: "alice", Reconciling: true},
			want: []metav1.Condition{
				cond(cfv1.ConditionReady, metav1.ConditionFalse, "LockedByOther", "alice"),
				cond(cfv1.ConditionSynced, metav1.ConditionFalse, "LockedByOther", "alice"),
				cond(cfv1.ConditionReconciling, metav1.ConditionTrue, "LockedByOther", "alice"),
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			conds := append([]metav1.Condition(nil), tc.start...)
			applyOutcome(&conds, 3, tc.in)
			if diff := cmp.Diff(tc.want, conds, ignoreTime, cmpopts.SortSlices(func(a, b metav1.Condition) bool { return a.Type < b.Type })); diff != "" {
				t.Errorf("conditions mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSanitize(t *testing.T) {
	got := sanitize("GET http://h/?AccessKeyId=abc&Signature=xyz%3D&Action=X  failed\n  badly")
	want := "GET http://h/?AccessKeyId=***&Signature=***&Action=X failed badly"
	if got != want {
		t.Errorf("sanitize = %q, want %q", got, want)
	}
}
