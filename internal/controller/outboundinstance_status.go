package controller

import (
	"errors"
	"fmt"
	"strings"

	ctrl "sigs.k8s.io/controller-runtime"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
)

// This file holds what the two outbound-bot controllers share: their typed errors, the one
// function that turns an error into conditions, and the one that turns it into a requeue.

// stallError is a platform refusal that no retry of the same spec can fix (a taken name, an
// exhausted quota). Message says what to change and names the platform's code; Unwrap gives the
// classified cloud error, so that resultFor stalls it until the spec changes (or the slow
// resync finds the platform changed).
type stallError struct {
	reason  string
	message string
	err     error
}

func (e *stallError) Error() string { return e.message }
func (e *stallError) Unwrap() error { return e.err }

// waitError is a dependency that is not there yet (the OutboundInstance a script names, a
// reference of a flow that does not resolve, a number another flow answers, dependents of a flow
// being deleted). It is no failure of the platform nor a spec the operator refuses: the
// condition carries reason and message, and the resource looks again after the lock-retry
// period and whenever a watch says what it waits for changed.
type waitError struct {
	reason  string
	message string
}

func (e *waitError) Error() string { return e.message }

// platformCode returns the platform's error code of err, or its class when it has none.
func platformCode(err error) string {
	if ce := cloud.AsError(err); ce != nil && ce.Code != "" {
		return ce.Code
	}
	return string(cloud.ClassOf(err))
}

// platformMessage returns the platform's own message of err, sanitised and without its final
// period, so that advice can follow it.
func platformMessage(err error) string {
	msg := err.Error()
	if ce := cloud.AsError(err); ce != nil && ce.Message != "" {
		msg = ce.Message
	}
	return strings.TrimRight(sanitize(msg), ". ")
}

// quotaStall turns a concurrency refusal into a stall that says what to change.
func quotaStall(err error) error {
	return &stallError{
		reason: cfv1.ReasonQuotaExceeded,
		message: fmt.Sprintf("%s: %s; lower spec.maxConcurrentConversation (the account limit is reached) or raise the account quota",
			platformCode(err), platformMessage(err)),
		err: err,
	}
}

// errorOutcome turns how a reconcile failed into conditions: Stalled when only a change of the
// spec (or on the platform) helps, Reconciling otherwise. Ready and Synced are False.
func errorOutcome(err error) outcome {
	o := outcome{ReadyReason: outcomeReason(err), ReadyMessage: sanitize(err.Error())}
	var se *stallError
	var we *waitError
	var spe *specError
	var pe *ProviderError
	switch {
	case errors.As(err, &se):
		o.ReadyReason, o.ReadyMessage = se.reason, sanitize(se.message)
		o.Stalled = true
	case errors.As(err, &we):
		o.ReadyReason, o.ReadyMessage = we.reason, we.message
		o.Reconciling = true
	case errors.As(err, &spe):
		o.ReadyMessage = spe.Error() + "; nothing was changed on the platform"
		o.Stalled = true
	case errors.As(err, &pe):
		o.ReadyMessage = pe.Message
		o.Reconciling = true
	case cloud.ClassOf(err).Terminal():
		o.Stalled = true
	default:
		o.Reconciling = true
	}
	return o
}

// outboundResult is resultFor with the outbound controllers' own errors: a missing dependency
// looks again after the lock-retry period; everything else is classified by resultFor.
func outboundResult(t Timing, err error) (ctrl.Result, error) {
	t = t.withDefaults()
	var we *waitError
	if errors.As(err, &we) {
		return ctrl.Result{RequeueAfter: jitter(t.LockRetry, 0.2)}, nil
	}
	return t.resultFor(err)
}

// outboundState names the state of an outbound resource for the resources gauge.
func outboundState(err error, ready string) string {
	var we *waitError
	switch {
	case err == nil:
		return ready
	case errors.As(err, &we):
		return "waiting"
	case errors.Is(err, errSpecInvalid) || cloud.ClassOf(err).Terminal():
		return "stalled"
	}
	return "progressing"
}

// writeOutcome turns how the reconcile of an instance ended into status conditions.
func (s *instanceReconcile) writeOutcome(err error) {
	obi := s.obi
	st := &obi.Status
	if err != nil {
		o := errorOutcome(err)
		if o.Stalled {
			st.ObservedGeneration = obi.Generation
		}
		applyOutcome(&st.Conditions, obi.Generation, o)
		return
	}
	msg := fmt.Sprintf("Instance %s (%q) matches the spec: maxConcurrentConversation %d", st.InstanceID, st.InstanceName, st.MaxConcurrentConversation)
	o := outcome{
		Ready: true, ReadyReason: cfv1.ReasonAvailable, ReadyMessage: msg,
		Synced: true, SyncReason: cfv1.ReasonUpToDate, SyncMessage: msg,
	}
	st.ObservedGeneration = obi.Generation
	applyOutcome(&st.Conditions, obi.Generation, o)
}
