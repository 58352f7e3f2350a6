package controller

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
)

// outcome is how a reconcile ended, in the terms status is written from. Every controller
// computes one and hands it to applyOutcome, so that Ready, Synced, Reconciling and Stalled
// are set in exactly one place and read the same way on every kind.
type outcome struct {
	// Ready: the remote object matches the spec.
	Ready bool
	// ReadyReason and ReadyMessage explain Ready.
	ReadyReason, ReadyMessage string
	// Synced: the last reconcile did what it had to on the platform.
	Synced bool
	// SyncReason and SyncMessage explain Synced.
	SyncReason, SyncMessage string
	// Stalled: no progress is possible without a change to the spec or on the platform.
	Stalled bool
	// Reconciling: the operator is still working towards the spec.
	Reconciling bool
}

// applyOutcome writes the outcome's conditions, stamped with generation. Reconciling and Stalled
// are present only while True (the way kstatus reads them). Messages carry no timestamps so that
// an unchanged outcome writes an unchanged status.
func applyOutcome(conds *[]metav1.Condition, generation int64, o outcome) {
	set := func(t string, ok bool, reason, msg string) {
		st := metav1.ConditionFalse
		if ok {
			st = metav1.ConditionTrue
		}
		meta.SetStatusCondition(conds, metav1.Condition{
			Type: t, Status: st, Reason: reason, Message: msg, ObservedGeneration: generation,
		})
	}
	set(cfv1.ConditionReady, o.Ready, o.ReadyReason, o.ReadyMessage)
	syncReason := o.SyncReason
	if syncReason == "" {
		syncReason = o.ReadyReason
	}
	syncMsg := o.SyncMessage
	if syncMsg == "" {
		syncMsg = o.ReadyMessage
	}
	set(cfv1.ConditionSynced, o.Synced, syncReason, syncMsg)
	if o.Stalled {
		set(cfv1.ConditionStalled, true, o.ReadyReason, o.ReadyMessage)
	} else {
		meta.RemoveStatusCondition(conds, cfv1.ConditionStalled)
	}
	if o.Reconciling && !o.Stalled {
		set(cfv1.ConditionReconciling, true, o.ReadyReason, o.ReadyMessage)
	} else {
		meta.RemoveStatusCondition(conds, cfv1.ConditionReconciling)
	}
}
