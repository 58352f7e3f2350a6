package controller

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/metrics"
)

// instanceRefIndex indexes OutboundScripts by the OutboundInstance they belong to.
const instanceRefIndex = "spec.instanceRef.name"

// publishHistoryLen is how many publish-history entries status keeps.
const publishHistoryLen = 10

// OutboundScriptReconciler reconciles OutboundScript objects: it writes the spec into the
// script's working copy and takes it through the platform's review to a published version, as
// far as spec.reviewPolicy says.
type OutboundScriptReconciler struct {
	client.Client
	Scheme    *runtime.Scheme
	Recorder  recorder.EventRecorder
	Providers *Providers
	Timing    Timing
	// MaxConcurrentReconciles bounds parallel reconciles (default 4).
	MaxConcurrentReconciles int
	// States, when set, tracks each script's state for the contactflow_resources gauge.
	States *metrics.States

	// clients remembers the last client each script used (see OutboundInstanceReconciler).
	clients lastClients
}

// +kubebuilder:rbac:groups=contactflow.io,resources=outboundscripts,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=contactflow.io,resources=outboundscripts/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=contactflow.io,resources=outboundscripts/finalizers,verbs=update
// +kubebuilder:rbac:groups=contactflow.io,resources=outboundinstances,verbs=get;list;watch
// +kubebuilder:rbac:groups=contactflow.io,resources=providerconfigs,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile drives one OutboundScript towards its spec: find or create the script in its
// instance, observe it, plan one action (planScript), apply it and write status once.
func (r *OutboundScriptReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	log := logf.FromContext(ctx)
	obs := &cfv1.OutboundScript{}
	if err := r.Get(ctx, req.NamespacedName, obs); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !obs.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, obs)
	}
	if !controllerutil.ContainsFinalizer(obs, cfv1.Finalizer) {
		patch := client.MergeFrom(obs.DeepCopy())
		controllerutil.AddFinalizer(obs, cfv1.Finalizer)
		if err := r.Patch(ctx, obs, patch); err != nil {
			return ctrl.Result{}, fmt.Errorf("adding finalizer: %w", err)
		}
	}

	before := obs.DeepCopy()
	st := &scriptReconcile{r: r, obs: obs}
	err := st.run(ctx)
	st.writeOutcome(err)
	if r.States != nil {
		r.States.Set(req.String(), st.state(err))
	}
	if perr := r.patchStatus(ctx, before, obs); perr != nil {
		if apierrors.IsConflict(perr) || apierrors.IsNotFound(perr) {
			return ctrl.Result{RequeueAfter: time.Second}, nil
		}
		return ctrl.Result{}, perr
	}
	if obs.Status.ScriptID != "" {
		if cerr := r.dropCreatePending(ctx, obs); cerr != nil {
			return ctrl.Result{}, client.IgnoreNotFound(cerr)
		}
	}
	if err != nil {
		log.Info("Reconcile did not converge", "class", string(cloud.ClassOf(err)), "reason", errorOutcome(err).ReadyReason, "error", sanitize(err.Error()))
		return outboundResult(r.Timing, err)
	}
	return st.result()
}

func (r *OutboundScriptReconciler) patchStatus(ctx context.Context, before, after *cfv1.OutboundScript) error {
	if equalJSON(before.Status, after.Status) {
		return nil
	}
	// No optimistic lock, for the reason given in ContactFlowReconciler.patchStatus.
	return r.Status().Patch(ctx, after, client.MergeFrom(before))
}

// patchMetadata patches metadata mid-reconcile without losing the status computed so far.
func (r *OutboundScriptReconciler) patchMetadata(ctx context.Context, obs *cfv1.OutboundScript, patch client.Patch) error {
	status := obs.Status.DeepCopy()
	err := r.Patch(ctx, obs, patch)
	obs.Status = *status
	return err
}

// setCreatePending writes the write-ahead marker (the name sent) before CreateScript.
func (r *OutboundScriptReconciler) setCreatePending(ctx context.Context, obs *cfv1.OutboundScript, name string) error {
	if obs.Annotations[cfv1.AnnotationCreatePending] == name {
		return nil
	}
	patch := client.MergeFrom(obs.DeepCopy())
	if obs.Annotations == nil {
		obs.Annotations = map[string]string{}
	}
	obs.Annotations[cfv1.AnnotationCreatePending] = name
	if err := r.patchMetadata(ctx, obs, patch); err != nil {
		return fmt.Errorf("recording %s before the remote create: %w", cfv1.AnnotationCreatePending, err)
	}
	return nil
}

// dropCreatePending removes the marker: after status holds the script ID, or after the
// platform refused the create outright.
func (r *OutboundScriptReconciler) dropCreatePending(ctx context.Context, obs *cfv1.OutboundScript) error {
	if _, ok := obs.Annotations[cfv1.AnnotationCreatePending]; !ok {
		return nil
	}
	patch := client.MergeFrom(obs.DeepCopy())
	delete(obs.Annotations, cfv1.AnnotationCreatePending)
	return r.patchMetadata(ctx, obs, patch)
}

// scriptReconcile carries one reconcile of one OutboundScript through its steps.
type scriptReconcile struct {
	r   *OutboundScriptReconciler
	obs *cfv1.OutboundScript

	oc       cloud.OutboundClient
	instance string
	specHash string
	live     *cloud.Script
	// plan is what this reconcile did; after is what the script needs next, planned from the
	// state the platform reported after the writes. The outcome is written from after.
	plan  scriptPlan
	after scriptPlan
}

func (s *scriptReconcile) key() cloud.ScriptKey {
	return cloud.ScriptKey{InstanceID: s.instance, ScriptID: s.live.ID}
}

// run performs the steps in order.
func (s *scriptReconcile) run(ctx context.Context) error {
	obi, err := s.instanceOf(ctx)
	if err != nil {
		return err
	}
	oc, err := s.r.Providers.OutboundClient(ctx, s.obs.Namespace, obi.Spec.ProviderConfigRef)
	if err != nil {
		return err
	}
	s.oc, s.instance = oc, obi.Status.InstanceID
	s.r.clients.remember(s.obs, oc)
	s.specHash = scriptHash(s.obs.Spec)
	if err := s.find(ctx); err != nil {
		return err
	}
	if s.live == nil {
		if err := s.create(ctx); err != nil {
			return err
		}
	}
	return s.converge(ctx)
}

// instanceOf returns the OutboundInstance the script names once it has an instance ID.
func (s *scriptReconcile) instanceOf(ctx context.Context) (*cfv1.OutboundInstance, error) {
	ref := s.obs.Spec.InstanceRef.Name
	obi := &cfv1.OutboundInstance{}
	if err := s.r.Get(ctx, types.NamespacedName{Namespace: s.obs.Namespace, Name: ref}, obi); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, &waitError{reason: cfv1.ReasonInstanceNotReady,
				message: fmt.Sprintf("OutboundInstance %q not found in namespace %q; create it or fix spec.instanceRef.name", ref, s.obs.Namespace)}
		}
		return nil, fmt.Errorf("reading OutboundInstance %q: %w", ref, err)
	}
	switch {
	case !obi.DeletionTimestamp.IsZero():
		return nil, &waitError{reason: cfv1.ReasonInstanceNotReady,
			message: fmt.Sprintf("OutboundInstance %q is being deleted", ref)}
	case obi.Status.InstanceID == "":
		msg := fmt.Sprintf("OutboundInstance %q has no instance ID yet", ref)
		if c := meta.FindStatusCondition(obi.Status.Conditions, cfv1.ConditionReady); c != nil && c.Message != "" {
			msg += fmt.Sprintf(" (%s: %s)", c.Reason, c.Message)
		}
		return nil, &waitError{reason: cfv1.ReasonInstanceNotReady, message: msg}
	}
	return obi, nil
}

// find locates the remote script: status ID, else the adoption annotation, else (after a create
// that may have happened, or when spec.adoptByName asks) by name in the instance.
func (s *scriptReconcile) find(ctx context.Context) error {
	obs := s.obs
	st := &obs.Status
	if st.InstanceID != "" && st.InstanceID != s.instance {
		// The instance was replaced (deleted and created again); the script went with the old
		// one.
		s.r.event(obs, corev1.EventTypeWarning, "InstanceReplaced", "Observe",
			"Instance %s was replaced by %s; creating the script in the new instance", st.InstanceID, s.instance)
		s.forget()
	}
	if id := st.ScriptID; id != "" {
		sc, err := s.oc.GetScript(ctx, cloud.ScriptKey{InstanceID: s.instance, ScriptID: id})
		switch {
		case err == nil:
			s.live = sc
			return nil
		case !cloud.IsNotFound(err):
			return err
		}
		// Tell a deleted script from a deleted instance: a script is never recreated in an
		// instance that is gone; the OutboundInstance controller recreates the instance first.
		if _, ierr := s.oc.GetInstance(ctx, s.instance); ierr != nil {
			if cloud.IsNotFound(ierr) {
				return &waitError{reason: cfv1.ReasonInstanceNotReady,
					message: fmt.Sprintf("Instance %s no longer exists on the platform; waiting for OutboundInstance %q to create it again", s.instance, obs.Spec.InstanceRef.Name)}
			}
			return ierr
		}
		s.r.event(obs, corev1.EventTypeWarning, "RemoteDeleted", "Observe",
			"Script %s no longer exists on the platform; creating it again", id)
		s.forget()
	}
	if id := obs.Annotations[cfv1.AnnotationAdoptID]; id != "" {
		sc, err := s.oc.GetScript(ctx, cloud.ScriptKey{InstanceID: s.instance, ScriptID: id})
		if err != nil {
			if cloud.IsNotFound(err) {
				return &specError{field: "metadata.annotations[" + cfv1.AnnotationAdoptID + "]",
					err: fmt.Errorf("script %s does not exist in instance %s; fix or remove the annotation", id, s.instance)}
			}
			return err
		}
		s.adopt(sc)
		return nil
	}
	pending, createPending := obs.Annotations[cfv1.AnnotationCreatePending]
	if obs.Spec.AdoptByName || createPending {
		name := obs.Spec.ScriptName
		if createPending && pending != "" {
			name = pending
		}
		sc, err := s.oc.FindScriptByName(ctx, s.instance, name)
		if err != nil {
			return err
		}
		if sc != nil {
			s.adopt(sc)
		}
	}
	return nil
}

// forget drops what status says about a script that is gone.
func (s *scriptReconcile) forget() {
	st := &s.obs.Status
	st.ScriptID, st.Status, st.IsDrafted, st.DebugStatus, st.AppliedVersion, st.RejectReason = "", "", false, "", "", ""
	st.ContentHash, st.SubmittedHash, st.PublishedHash = "", "", ""
	st.PublishHistory = nil
}

func (s *scriptReconcile) adopt(sc *cloud.Script) {
	s.live = sc
	if s.obs.Status.ScriptID != sc.ID {
		s.r.event(s.obs, corev1.EventTypeNormal, "Adopted", "Adopt", "Adopted existing script %s (%q)", sc.ID, sc.Name)
		// Its content is unknown: the spec is written once, then reviewed as any change.
		s.forget()
	}
	s.obs.Status.ScriptID = sc.ID
	s.obs.Status.InstanceID = s.instance
}

// desiredSpec is what CreateScript and ModifyScript send.
func (s *scriptReconcile) desiredSpec() cloud.ScriptSpec {
	sp := s.obs.Spec
	return cloud.ScriptSpec{
		Name:                sp.ScriptName,
		Industry:            sp.Industry,
		Scene:               sp.Scene,
		Description:         sp.ScriptDescription,
		ChatbotID:           sp.ChatbotID,
		Content:             append([]string(nil), sp.Content...),
		Waveforms:           append([]string(nil), sp.Waveforms...),
		TTSConfig:           sp.Speech.TTSConfig,
		ASRConfig:           sp.Speech.ASRConfig,
		NLSConfig:           sp.Speech.NLSConfig,
		EmotionEnabled:      sp.EmotionEnabled,
		NewBargeInEnabled:   sp.NewBargeInEnabled,
		MiniPlaybackEnabled: sp.MiniPlaybackEnabled,
		LongWaitEnabled:     sp.LongWaitEnabled,
	}
}

// create records that a create is pending, then creates the script (drafted, unpublished).
func (s *scriptReconcile) create(ctx context.Context) error {
	obs := s.obs
	if err := s.r.setCreatePending(ctx, obs, obs.Spec.ScriptName); err != nil {
		return err
	}
	sc, err := s.oc.CreateScript(ctx, s.instance, s.desiredSpec())
	if err != nil {
		if cloud.ClassOf(err).Terminal() {
			if perr := s.r.dropCreatePending(ctx, obs); perr != nil {
				return perr
			}
		}
		if cloud.ClassOf(err) == cloud.ClassAlreadyExists {
			return &stallError{
				reason: cfv1.ReasonAlreadyExists,
				message: fmt.Sprintf("%s: a script named %q already exists in instance %s and is not managed by this resource; choose another spec.scriptName, or set spec.adoptByName: true to take it over",
					platformCode(err), obs.Spec.ScriptName, s.instance),
				err: err,
			}
		}
		return err
	}
	s.live = sc
	obs.Status.ScriptID, obs.Status.InstanceID = sc.ID, s.instance
	// CreateScript takes no NLS configuration: the working copy holds the spec without it, and
	// a spec that has one is different from what was written (a ModifyScript follows).
	written := obs.Spec.DeepCopy()
	written.Speech.NLSConfig = ""
	obs.Status.ContentHash = scriptHash(*written)
	s.r.event(obs, corev1.EventTypeNormal, "Created", "CreateScript", "Created script %s (%q) in instance %s", sc.ID, sc.Name, s.instance)
	return nil
}

// planInput is what planScript decides from, for the live script at hand.
func (s *scriptReconcile) planInput() scriptPlanInput {
	sp, st, live := s.obs.Spec, s.obs.Status, s.live
	drift := live.Name != sp.ScriptName || live.Industry != sp.Industry || live.Scene != sp.Scene ||
		(sp.ScriptDescription != "" && live.Description != sp.ScriptDescription)
	return scriptPlanInput{
		SpecHash:          s.specHash,
		ContentHash:       st.ContentHash,
		SubmittedHash:     st.SubmittedHash,
		PublishedHash:     st.PublishedHash,
		Status:            live.Status,
		IsDrafted:         live.IsDrafted,
		AppliedVersion:    live.AppliedVersion,
		RejectReason:      live.RejectReason,
		LiveDrift:         drift,
		ReviewPolicy:      sp.ReviewPolicy,
		RollbackToVersion: sp.RollbackToVersion,
	}
}

// converge plans from the live script, performs the plan's writes in order, observes the script
// again when something was written, and plans once more to know what comes next.
func (s *scriptReconcile) converge(ctx context.Context) error {
	obs := s.obs
	st := &obs.Status
	previousReject := st.RejectReason
	s.plan = planScript(s.planInput())
	s.recordObserved()
	if s.plan.Action == scriptRejected && previousReject != s.live.RejectReason {
		s.r.event(obs, corev1.EventTypeWarning, cfv1.ReasonReviewRejected, "Review",
			"The review of script %s was rejected: %s", s.live.ID, s.live.RejectReason)
	}

	history := len(st.PublishHistory) == 0 && s.live.AppliedVersion != ""
	for _, step := range s.plan.Steps {
		if err := s.apply(ctx, step); err != nil {
			return err
		}
		if step == stepPublish || step == stepRollback {
			history = true
		}
	}
	if len(s.plan.Steps) > 0 {
		sc, err := s.oc.GetScript(ctx, s.key())
		if err != nil {
			return err
		}
		s.live = sc
		s.recordObserved()
	}
	if history {
		page, err := s.oc.ListScriptPublishHistory(ctx, s.key(), 1, publishHistoryLen)
		if err != nil {
			return err
		}
		st.PublishHistory = publishEntries(page.Records)
	}
	s.after = s.plan
	if len(s.plan.Steps) > 0 {
		s.after = planScript(s.planInput())
	}
	return nil
}

// apply performs one platform write and records it in status and an Event.
func (s *scriptReconcile) apply(ctx context.Context, step scriptStep) error {
	obs, key := s.obs, s.key()
	st := &obs.Status
	h := short(s.specHash)
	switch step {
	case stepWithdraw:
		if _, err := s.oc.WithdrawScriptReview(ctx, key); err != nil {
			return reviewRace(step, err)
		}
		s.r.event(obs, corev1.EventTypeNormal, "ReviewWithdrawn", string(step),
			"Withdrew the review of script %s: the spec changed while it was in review", key.ScriptID)
	case stepModify:
		if _, err := s.oc.ModifyScript(ctx, key, s.desiredSpec()); err != nil {
			return err
		}
		st.ContentHash = s.specHash
		s.r.event(obs, corev1.EventTypeNormal, "Modified", string(step), "Wrote spec %s into the working copy of script %s", h, key.ScriptID)
	case stepSubmit:
		desc := fmt.Sprintf("contactflow-operator: OutboundScript %s/%s, spec %s", obs.Namespace, obs.Name, h)
		if err := s.oc.SubmitScriptReview(ctx, key, desc); err != nil {
			return reviewRace(step, err)
		}
		st.SubmittedHash = st.ContentHash
		s.r.event(obs, corev1.EventTypeNormal, "Submitted", string(step), "Submitted spec %s of script %s for review", h, key.ScriptID)
	case stepPublish:
		desc := fmt.Sprintf("contactflow-operator: spec %s", h)
		if err := s.oc.PublishScript(ctx, key, desc); err != nil {
			return reviewRace(step, err)
		}
		st.PublishedHash = st.ContentHash
		s.r.event(obs, corev1.EventTypeNormal, "Published", string(step), "Published spec %s of script %s", h, key.ScriptID)
	case stepRollback:
		v := obs.Spec.RollbackToVersion
		if err := s.oc.RollbackScript(ctx, key, v); err != nil {
			if cloud.ClassOf(err) == cloud.ClassInvalid {
				return &stallError{reason: cfv1.ReasonRejectedByPlatform,
					message: fmt.Sprintf("%s: %s; fix spec.rollbackToVersion (a version the script published) or clear it", platformCode(err), platformMessage(err)),
					err:     err}
			}
			return err
		}
		// The working copy now holds version v, whose content the operator does not know:
		// clearing spec.rollbackToVersion writes, reviews and publishes the spec again.
		st.ContentHash, st.SubmittedHash, st.PublishedHash = "", "", ""
		s.r.event(obs, corev1.EventTypeNormal, "RolledBack", string(step), "Rolled script %s back to version %s", key.ScriptID, v)
	}
	return nil
}

// reviewRace turns a review step the platform refused for the script's status into a wait: the
// reviewers (or a person on the console) moved the review between observe and write, which a
// fresh look resolves; it is no reason to stall until the spec changes.
func reviewRace(step scriptStep, err error) error {
	if cloud.ClassOf(err) != cloud.ClassInvalid {
		return err
	}
	return &waitError{reason: cfv1.ReasonConcurrentEdit,
		message: fmt.Sprintf("%s was refused (%s: %s): the review changed meanwhile; looking again", step, platformCode(err), platformMessage(err))}
}

// recordObserved writes what the platform reported into status.
func (s *scriptReconcile) recordObserved() {
	st, live := &s.obs.Status, s.live
	st.ScriptID, st.InstanceID = live.ID, s.instance
	st.Status = live.Status
	st.IsDrafted = live.IsDrafted
	st.DebugStatus = live.DebugStatus
	st.AppliedVersion = live.AppliedVersion
	st.RejectReason = live.RejectReason
	if live.AppliedVersion != "" && !live.IsDrafted && st.ContentHash != "" && st.PublishedHash != st.ContentHash &&
		live.Status == cloud.ScriptStatusPublished && s.obs.Spec.RollbackToVersion == "" {
		// Nothing drafted: the applied version is the working copy the operator wrote (published
		// by a person under reviewPolicy Submit, or by the operator just before a lost status
		// write).
		st.PublishedHash = st.ContentHash
	}
}

func publishEntries(records []cloud.ScriptPublishRecord) []cfv1.ScriptPublishEntry {
	out := make([]cfv1.ScriptPublishEntry, 0, min(len(records), publishHistoryLen))
	for _, r := range records {
		if len(out) == publishHistoryLen {
			break
		}
		e := cfv1.ScriptPublishEntry{Version: r.Version, Description: r.Description}
		if !r.PublishTime.IsZero() {
			t := metav1.NewTime(r.PublishTime.UTC().Truncate(time.Second))
			e.PublishTime = &t
		}
		out = append(out, e)
	}
	return out
}

// result is the requeue of a reconcile that met no error: a rejected review and a converged
// script come back on the resync; waiting for the reviewers after the lock-retry period. A next
// step (a review that was approved at once) comes back at once when the platform moved; when
// it asks for the very action just taken, the platform did not move as expected, and that costs
// one write per lock-retry period, not a loop.
func (s *scriptReconcile) result() (ctrl.Result, error) {
	t := s.r.Timing.withDefaults()
	switch {
	case s.after.Action == scriptNone || s.after.Action == scriptRejected:
		return t.resync(), nil
	case s.after.Action == scriptWait || s.after.Action == s.plan.Action:
		return ctrl.Result{RequeueAfter: jitter(t.LockRetry, 0.2)}, nil
	}
	return ctrl.Result{RequeueAfter: time.Millisecond}, nil
}

// reconcileDelete honours spec.deletionPolicy, then releases the finalizer.
func (r *OutboundScriptReconciler) reconcileDelete(ctx context.Context, obs *cfv1.OutboundScript) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(obs, cfv1.Finalizer) {
		return ctrl.Result{}, nil
	}
	if r.States != nil {
		defer r.States.Set(client.ObjectKeyFromObject(obs).String(), "")
	}
	id, instance := obs.Status.ScriptID, obs.Status.InstanceID
	if obs.Spec.DeletionPolicy != cfv1.DeletionPolicyOrphan && id != "" {
		before := obs.DeepCopy()
		obi := &cfv1.OutboundInstance{}
		err := r.Get(ctx, types.NamespacedName{Namespace: obs.Namespace, Name: obs.Spec.InstanceRef.Name}, obi)
		switch {
		case apierrors.IsNotFound(err):
			// Without its OutboundInstance there is no account to call; the script went with
			// the instance unless that was orphaned.
			r.event(obs, corev1.EventTypeNormal, "Released", "Delete",
				"OutboundInstance %q is gone; script %s went with instance %s (or stays with it, if it was orphaned)", obs.Spec.InstanceRef.Name, id, instance)
			err = nil
		case err == nil && !obi.DeletionTimestamp.IsZero() && obi.Spec.DeletionPolicy != cfv1.DeletionPolicyOrphan && obi.Status.InstanceID == instance:
			// Deleting the instance deletes its scripts.
			r.event(obs, corev1.EventTypeNormal, "Released", "Delete",
				"Script %s goes with instance %s, which is being deleted", id, instance)
		case err == nil:
			var oc cloud.OutboundClient
			if oc, err = r.clients.resolve(ctx, r.Providers, obs, obi.Spec.ProviderConfigRef); err == nil {
				if err = oc.DeleteScript(ctx, cloud.ScriptKey{InstanceID: instance, ScriptID: id}); err == nil {
					r.event(obs, corev1.EventTypeNormal, "Deleted", "DeleteScript", "Deleted script %s", id)
				}
			}
		}
		if err != nil {
			applyOutcome(&obs.Status.Conditions, obs.Generation, outcome{
				ReadyReason:  cfv1.ReasonDeleting,
				ReadyMessage: "Deleting script " + id + ": " + sanitize(err.Error()) + " (set spec.deletionPolicy: Orphan to leave it)",
				Reconciling:  true,
			})
			if perr := r.patchStatus(ctx, before, obs); perr != nil && !apierrors.IsNotFound(perr) {
				return ctrl.Result{}, perr
			}
			return outboundResult(r.Timing, err)
		}
	} else if id != "" {
		r.event(obs, corev1.EventTypeNormal, "Orphaned", "Delete", "Left script %s on the platform (deletionPolicy Orphan)", id)
	}
	patch := client.MergeFrom(obs.DeepCopy())
	controllerutil.RemoveFinalizer(obs, cfv1.Finalizer)
	if err := r.Patch(ctx, obs, patch); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	r.clients.forget(obs)
	return ctrl.Result{}, nil
}

func (r *OutboundScriptReconciler) event(obj runtime.Object, typ, reason, action, format string, args ...any) {
	if r.Recorder == nil {
		return
	}
	r.Recorder.Eventf(obj, nil, typ, reason, action, format, args...)
}

// instanceIDChanged passes the OutboundInstance events a script waits for: the instance
// appears, gets (or loses) its platform ID, starts being deleted or is gone. Its other status
// writes do not wake the scripts.
var instanceIDChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		o, okO := e.ObjectOld.(*cfv1.OutboundInstance)
		n, okN := e.ObjectNew.(*cfv1.OutboundInstance)
		if !okO || !okN {
			return true
		}
		return o.Status.InstanceID != n.Status.InstanceID || o.DeletionTimestamp.IsZero() != n.DeletionTimestamp.IsZero()
	},
}

// SetupWithManager registers the controller, its index and its watches: an OutboundInstance
// that gets its ID wakes the scripts that wait for it.
func (r *OutboundScriptReconciler) SetupWithManager(mgr ctrl.Manager) error {
	r.Timing = r.Timing.withDefaults()
	if err := mgr.GetFieldIndexer().IndexField(context.Background(), &cfv1.OutboundScript{}, instanceRefIndex,
		func(o client.Object) []string {
			return []string{o.(*cfv1.OutboundScript).Spec.InstanceRef.Name}
		}); err != nil {
		return err
	}
	n := r.MaxConcurrentReconciles
	if n <= 0 {
		n = 4
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&cfv1.OutboundScript{}, builder.WithPredicates(specChanged)).
		Watches(&cfv1.OutboundInstance{}, handler.EnqueueRequestsFromMapFunc(r.scriptsForInstance), builder.WithPredicates(instanceIDChanged)).
		WithOptions(controller.Options{MaxConcurrentReconciles: n, RateLimiter: r.Timing.rateLimiter()}).
		Named("outboundscript").
		Complete(r)
}

func (r *OutboundScriptReconciler) scriptsForInstance(ctx context.Context, o client.Object) []reconcile.Request {
	list := &cfv1.OutboundScriptList{}
	if err := r.List(ctx, list, client.InNamespace(o.GetNamespace()), client.MatchingFields{instanceRefIndex: o.GetName()}); err != nil {
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(list.Items))
	for _, sc := range list.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: sc.Namespace, Name: sc.Name}})
	}
	return reqs
}
