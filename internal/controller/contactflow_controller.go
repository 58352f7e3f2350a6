// Package controller holds one thin reconciler per kind. A reconciler loads its object,
// resolves the provider, observes the remote object, plans with internal/flow and the pure
// planners here, applies the plan through the internal/cloud interfaces and writes status once.
// No SDK type is seen here.
package controller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/flow"
	"github.com/contactflow-operator/contactflow-operator/internal/flowspec"
	"github.com/contactflow-operator/contactflow-operator/internal/metrics"
)

// AnnotationEditPending is written before the operator opens a draft and removed once the draft
// is published or committed, so that a draft the operator opened just before a crash is
// recognised as its own (by content) instead of being reported as someone else's.
const AnnotationEditPending = "contactflow.io/edit-pending"

// providerConfigRefIndex indexes ContactFlows by the ProviderConfig they use.
const providerConfigRefIndex = "spec.providerConfigRef.name"

// ContactFlowReconciler reconciles ContactFlow objects against the platform named by their
// ProviderConfig.
type ContactFlowReconciler struct {
	client.Client
	Scheme    *runtime.Scheme
	Recorder  recorder.EventRecorder
	Providers *Providers
	Timing    Timing
	// MaxConcurrentReconciles bounds parallel reconciles (default 4).
	MaxConcurrentReconciles int
	// States, when set, tracks each flow's state for the contactflow_resources gauge.
	States *metrics.States

	// resources caches the platform objects references name, per instance and kind.
	resources resourceCache
}

// +kubebuilder:rbac:groups=contactflow.io,resources=contactflows,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=contactflow.io,resources=contactflows/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=contactflow.io,resources=contactflows/finalizers,verbs=update
// +kubebuilder:rbac:groups=contactflow.io,resources=providerconfigs,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile drives one ContactFlow towards its spec. See DESIGN.md, "The reconcile contract".
func (r *ContactFlowReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	log := logf.FromContext(ctx)
	cf := &cfv1.ContactFlow{}
	if err := r.Get(ctx, req.NamespacedName, cf); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}

	if !cf.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, cf)
	}
	if !controllerutil.ContainsFinalizer(cf, cfv1.Finalizer) {
		patch := client.MergeFrom(cf.DeepCopy())
		controllerutil.AddFinalizer(cf, cfv1.Finalizer)
		if err := r.Patch(ctx, cf, patch); err != nil {
			return ctrl.Result{}, fmt.Errorf("adding finalizer: %w", err)
		}
	}

	before := cf.DeepCopy()
	st := &flowReconcile{r: r, cf: cf}
	err := st.run(ctx)
	st.writeOutcome(err)
	if r.States != nil {
		r.States.Set(req.String(), flowState(cf, err))
	}

	if perr := r.patchStatus(ctx, before, cf); perr != nil {
		if apierrors.IsConflict(perr) || apierrors.IsNotFound(perr) {
			return ctrl.Result{Requeue: true}, nil
		}
		return ctrl.Result{}, perr
	}
	if err == nil || st.lockedOut(err) {
		if cerr := r.clearMarkers(ctx, cf); cerr != nil {
			return ctrl.Result{}, client.IgnoreNotFound(cerr)
		}
	}
	if err != nil {
		log.Info("Reconcile did not converge", "class", string(cloud.ClassOf(err)), "reason", outcomeReason(err), "error", err.Error())
	}
	return r.Timing.resultFor(err)
}

func (r *ContactFlowReconciler) patchStatus(ctx context.Context, before, after *cfv1.ContactFlow) error {
	if equalStatus(before.Status, after.Status) {
		return nil
	}
	// No optimistic lock: this controller is the only writer of status, reconciles of one object
	// never overlap, and the write-ahead markers it patched into metadata in between would make
	// the lock fail on its own writes.
	return r.Status().Patch(ctx, after, client.MergeFrom(before))
}

func equalStatus(a, b cfv1.ContactFlowStatus) bool { return equalJSON(a, b) }

// equalJSON compares two status values as the API server would store them.
func equalJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// flowReconcile carries one reconcile of one ContactFlow through its steps.
type flowReconcile struct {
	r  *ContactFlowReconciler
	cf *cfv1.ContactFlow

	fc cloud.FlowClient
	// format is the platform's flow format: every parse, hash, diff and layout carry-over goes
	// through it, so that the steps below are the same on every platform.
	format  flow.Format
	desired flow.Definition
	// flowType is spec.type, or the platform's default.
	flowType string
	// publisher is set on platforms that publish content in one write (Amazon Connect);
	// versioner on platforms that keep versions and roll back (classic CloudCallCenter).
	publisher cloud.ContentPublisher
	versioner cloud.FlowVersioner
	// reader observes flows: fc (which may serve them from a batched list).
	reader cloud.FlowClient
	live   *cloud.Flow
	// result of the plan, for the outcome
	plan       flowPlan
	pending    string
	created    bool
	published  bool
	committed  bool
	lockHolder string
	// rolledBack is the version spec.rollbackTo names, once it runs.
	rolledBack string
	// rollbackDesc, while a kept version is being published again, is what the history says
	// of that publish.
	rollbackDesc string
	// nameNote says why the platform's name of the flow differs from spec.flowName, when it
	// does and cannot be changed.
	nameNote string
	// draftOwner is what the platform answered when asked whose an open draft is (see
	// askDraftOwner): draft ID -> the operator's own.
	draftOwner map[string]bool
}

// run performs the steps of the reconcile contract in order; each returns an error that
// resultFor and writeOutcome classify.
func (s *flowReconcile) run(ctx context.Context) error {
	fc, err := s.r.Providers.FlowClient(ctx, s.cf.Namespace, s.cf.Spec.ProviderConfigRef)
	if err != nil {
		return err
	}
	s.fc = fc
	if err := s.validate(); err != nil {
		return err
	}
	// Optional capabilities belong to the adapter under any decorator (cloud.Underlying).
	base := cloud.Underlying(fc)
	s.publisher, _ = base.(cloud.ContentPublisher)
	s.versioner, _ = base.(cloud.FlowVersioner)
	// A one-step platform's list does not show content saved but not published (Amazon
	// Connect's $SAVED): cloud.BatchedFlows serves such a flow from a list only at a revision a
	// direct read saw without a draft, and getFlow reads it directly unless it is in sync.
	s.reader = fc
	if err := s.find(ctx); err != nil {
		return err
	}
	if s.cf.Spec.RollbackTo != "" {
		if s.needsDirectLook() {
			if err := s.observeDirectly(ctx); err != nil {
				return err
			}
		}
		return s.rollback(ctx)
	}
	missing, err := s.resolve(ctx)
	if err != nil {
		return err
	}
	if s.live == nil {
		// Created unpublished even while references are missing, so that its own ID exists
		// for the flows that refer to it: flows that refer to each other in a cycle converge.
		if err := s.create(ctx); err != nil {
			return err
		}
		if len(missing) > 0 {
			if missing, err = s.resolve(ctx); err != nil {
				return err
			}
		}
	}
	if len(missing) > 0 {
		s.cf.Status.ContactFlowARN = s.live.ARN
		return s.unresolvedError(missing)
	}
	if err := s.rename(ctx); err != nil {
		return err
	}
	if err := s.converge(ctx); err != nil {
		if cloud.ClassOf(err) == cloud.ClassInvalid && len(s.cf.Spec.References) > 0 {
			s.r.resources.forget(s.cf.Namespace+"/"+s.cf.Spec.ProviderConfigRef.Name, s.cf.Spec.InstanceID)
		}
		return err
	}
	return s.bindNumbers(ctx)
}

// resolve resolves spec.references and makes the desired flow the spec's with their values put
// in: what is diffed, hashed and published. It returns the names that do not resolve yet.
func (s *flowReconcile) resolve(ctx context.Context) ([]string, error) {
	if len(s.cf.Spec.References) == 0 {
		s.cf.Status.References = nil
		return nil, nil
	}
	values, missing, err := s.resolveReferences(ctx)
	if err != nil {
		return nil, err
	}
	def, _, err := flowspec.Resolved(s.cf.Spec, s.fc.Platform(), values)
	var fe *flowspec.Error
	switch {
	case errors.As(err, &fe):
		return nil, &specError{field: fe.Field, err: fmt.Errorf("with its references resolved: %w", fe.Err)}
	case err != nil:
		return nil, err
	}
	s.desired = def
	s.cf.Status.DesiredHash = def.Hash()
	return missing, nil
}

// validate parses and checks the spec's flow with the platform's format before anything is
// sent anywhere. The conversion is flowspec.Desired, shared with the admission webhook (and, for
// spec.definition, with kubectl-contactflow), so that all of them refuse exactly the same specs.
func (s *flowReconcile) validate() error {
	platform := s.fc.Platform()
	def, format, err := flowspec.Desired(s.cf.Spec, platform)
	var fe *flowspec.Error
	switch {
	case errors.As(err, &fe):
		return &specError{field: fe.Field, err: fe.Err}
	case err != nil:
		return &ProviderError{Reason: cfv1.ReasonPlatformNotSupported,
			Message: fmt.Sprintf("ProviderConfig %q is for platform %s, which has no contact flows: %v", s.cf.Spec.ProviderConfigRef.Name, platform, err)}
	}
	t, err := flowspec.FlowType(s.cf.Spec, platform)
	if errors.As(err, &fe) {
		return &specError{field: fe.Field, err: fe.Err}
	}
	if err := validateReferences(s.cf.Spec, platform); err != nil {
		return err
	}
	s.format, s.desired, s.flowType = format, def, t
	s.cf.Status.DesiredHash = def.Hash()
	return nil
}

// specError is a spec the operator refuses; it never reaches the platform.
type specError struct {
	field string
	err   error
	// reason overrides the condition reason the field implies.
	reason string
}

func (e *specError) Error() string { return e.field + ": " + e.err.Error() }
func (e *specError) Unwrap() error { return errSpecInvalid }

// find locates the remote flow: status ID, else the adoption annotation, else (after a create
// that may have happened, or when spec.adoptByName asks) by name.
func (s *flowReconcile) find(ctx context.Context) error {
	cf := s.cf
	instance := cf.Spec.InstanceID
	if id := cf.Status.ContactFlowID; id != "" {
		key := cloud.FlowKey{InstanceID: instance, FlowID: id}
		cloud.RememberRevision(s.reader, key, cf.Status.ObservedRevision)
		f, err := s.getFlow(ctx, key)
		if err == nil {
			f, err = s.confirm(ctx, key, f)
		}
		switch {
		case err == nil:
			s.live = f
			return nil
		case isFlowNotFound(err):
			// Deleted out of band: recreate, and say so.
			s.r.event(cf, corev1.EventTypeWarning, "RemoteDeleted", "Observe",
				"Flow %s no longer exists on the platform; creating it again", id)
			cf.Status.ContactFlowID = ""
			cf.Status.Published = false
			cf.Status.DraftID = ""
		default:
			return err
		}
	}
	if id := cf.Annotations[cfv1.AnnotationAdoptID]; id != "" {
		f, err := s.getFlow(ctx, cloud.FlowKey{InstanceID: instance, FlowID: id})
		if err != nil {
			if isFlowNotFound(err) {
				return &specError{field: "metadata.annotations[" + cfv1.AnnotationAdoptID + "]",
					err: fmt.Errorf("flow %s does not exist in instance %s; fix or remove the annotation", id, instance)}
			}
			return err
		}
		s.adopt(f)
		return nil
	}
	if cf.Spec.AdoptByName || cf.Annotations[cfv1.AnnotationCreatePending] != "" {
		f, err := s.lookupByName(ctx)
		if err != nil {
			return err
		}
		if f != nil {
			s.adopt(f)
		}
	}
	return nil
}

func (s *flowReconcile) adopt(f *cloud.Flow) {
	s.live = f
	if s.cf.Status.ContactFlowID != f.ID {
		s.r.event(s.cf, corev1.EventTypeNormal, "Adopted", "Adopt", "Adopted existing flow %s (%q)", f.ID, f.Name)
	}
	s.cf.Status.ContactFlowID = f.ID
	s.cf.Status.InstanceID = f.InstanceID
}

// lookupByName finds the flow named spec.flowName: with one search where the platform finds
// flows by name (cloud.FlowFinder), else by paging through the instance's flows.
func (s *flowReconcile) lookupByName(ctx context.Context) (*cloud.Flow, error) {
	if ff, ok := cloud.Underlying(s.fc).(cloud.FlowFinder); ok {
		id, err := ff.FindFlowID(ctx, s.cf.Spec.InstanceID, s.cf.Spec.FlowName)
		if err != nil || id == "" {
			return nil, err
		}
		return s.getFlow(ctx, cloud.FlowKey{InstanceID: s.cf.Spec.InstanceID, FlowID: id})
	}
	const pageSize = 100
	for page := 1; ; page++ {
		p, err := s.fc.ListFlows(ctx, s.cf.Spec.InstanceID, page, pageSize)
		if err != nil {
			return nil, err
		}
		for i := range p.Flows {
			if p.Flows[i].Name == s.cf.Spec.FlowName {
				return s.getFlow(ctx, cloud.FlowKey{InstanceID: s.cf.Spec.InstanceID, FlowID: p.Flows[i].ID})
			}
		}
		if len(p.Flows) == 0 || page*pageSize >= p.TotalCount {
			return nil, nil
		}
	}
}

// create records that a create is pending, then creates the flow unpublished.
func (s *flowReconcile) create(ctx context.Context) error {
	cf := s.cf
	if err := s.r.setAnnotation(ctx, cf, cfv1.AnnotationCreatePending, cf.Spec.FlowName); err != nil {
		return err
	}
	id, err := s.fc.CreateFlow(ctx, cloud.CreateFlowInput{
		InstanceID:  cf.Spec.InstanceID,
		Name:        cf.Spec.FlowName,
		Type:        s.flowType,
		Description: cf.Spec.Description,
		Definition:  string(s.desired.JSON()),
	})
	if err != nil {
		if c := cloud.ClassOf(err); c.Terminal() {
			// The platform refused the create outright, so none happened: drop the marker, or a
			// same-named flow adopted later would be taken for the operator's own.
			patch := client.MergeFrom(cf.DeepCopy())
			delete(cf.Annotations, cfv1.AnnotationCreatePending)
			if perr := s.r.patchMetadata(ctx, cf, patch); perr != nil {
				return perr
			}
		}
		if cloud.ClassOf(err) == cloud.ClassAlreadyExists {
			return &specError{field: "spec.flowName", err: fmt.Errorf(
				"a flow named %q already exists in instance %s and is not managed by this resource; set spec.adoptByName: true to take it over, or choose another name", cf.Spec.FlowName, cf.Spec.InstanceID)}
		}
		return err
	}
	s.created = true
	cf.Status.ContactFlowID = id
	cf.Status.InstanceID = cf.Spec.InstanceID
	s.r.event(cf, corev1.EventTypeNormal, "Created", "CreateContactFlow", "Created flow %s (%q) in instance %s", id, cf.Spec.FlowName, cf.Spec.InstanceID)
	f, err := s.getFlow(ctx, cloud.FlowKey{InstanceID: cf.Spec.InstanceID, FlowID: id})
	if err != nil {
		return err
	}
	s.live = f
	if f.Draft != nil {
		// The creation draft is the operator's by construction; its hash tells it apart later on
		// a platform that does not say who holds a draft.
		cf.Status.DraftID = f.Draft.ID
		cf.Status.DraftHash = s.hashOf(f.Draft.Definition, true)
		cf.Status.Editor = ""
	}
	cf.Status.ContactFlowARN = f.ARN
	return nil
}

// converge compares the live flow with the spec and takes the one action the plan says.
func (s *flowReconcile) converge(ctx context.Context) error {
	cf, live := s.cf, s.live
	key := cloud.FlowKey{InstanceID: cf.Spec.InstanceID, FlowID: live.ID}
	if live.Type != "" && live.Type != s.flowType {
		return &specError{field: flowspec.TypeField, err: fmt.Errorf(
			"the flow %s on the platform is of type %s, not %s; a flow's type cannot change: set spec.type: %s, or create a new ContactFlow", live.ID, live.Type, s.flowType, live.Type)}
	}
	if err := s.askDraftOwner(ctx, key); err != nil {
		return err
	}
	in, liveDef := s.planInput()
	s.plan = planFlow(in)
	if s.plan.Action != actNone && s.needsDirectLook() {
		if err := s.observeDirectly(ctx); err != nil {
			return err
		}
		live = s.live
		if err := s.askDraftOwner(ctx, key); err != nil {
			return err
		}
		in, liveDef = s.planInput()
		s.plan = planFlow(in)
	}
	s.recordObserved(in)
	if !s.plan.InSync {
		if d := s.format.Diff(s.desired, liveDef); !d.Empty() {
			s.pending = d.String()
		} else {
			s.pending = "not published yet"
		}
	}
	if err := s.refreshVersions(ctx, key); err != nil {
		return err
	}

	switch s.plan.Action {
	case actNone:
		return nil
	case actWaitLocked:
		s.lockHolder = live.Draft.Editor
		return &cloud.Error{Class: cloud.ClassLocked, Platform: s.fc.Platform(), Action: "Plan",
			Message: fmt.Sprintf("draft %s is open", live.Draft.ID), LockedBy: cf.Status.Editor, LockedSince: live.Draft.UpdatedTime}
	case actPublishContent:
		if s.plan.TakeOver {
			// The publish writes the flow's single saved content: the other change is gone with
			// it, never published.
			s.r.event(cf, corev1.EventTypeWarning, "LockTakenOver", "PublishContent",
				"Replaced the unpublished change saved outside the operator (lockPolicy TakeOver); it was not published")
			cf.Status.Editor, cf.Status.EditingSince, cf.Status.DraftID, cf.Status.DraftHash = "", "", "", ""
		}
		return s.publishContent(ctx, key, s.format.WithLayoutFrom(s.desired, s.layoutSource()).JSON())
	case actDiscardOwnDraft:
		if err := s.fc.DiscardDraft(ctx, key, live.Draft.ID); err != nil {
			return err
		}
		s.r.event(cf, corev1.EventTypeNormal, "DraftDiscarded", "DiscardEditingContactFlow", "Discarded the operator's stale draft %s", live.Draft.ID)
		cf.Status.DraftID, cf.Status.DraftHash = "", ""
		return nil
	case actPublishDraft:
		return s.publish(ctx, key, live.Draft.ID)
	}

	// actEditCommit or actEditCommitPublish.
	if s.plan.TakeOver {
		if s.publisher != nil {
			// The commit below replaces the flow's single saved content: that discards it.
			s.r.event(cf, corev1.EventTypeWarning, "LockTakenOver", "CommitDraft",
				"Replaced the unpublished change saved outside the operator (lockPolicy TakeOver); it was not published")
		} else {
			if err := s.fc.DiscardDraft(ctx, key, live.Draft.ID); err != nil {
				return err
			}
			s.r.event(cf, corev1.EventTypeWarning, "LockTakenOver", "DiscardDraft",
				"Discarded draft %s held by %s (lockPolicy TakeOver); it was not published", live.Draft.ID, live.Draft.Editor)
		}
		cf.Status.Editor, cf.Status.EditingSince, cf.Status.DraftID, cf.Status.DraftHash = "", "", "", ""
	}
	draftID, err := s.openDraft(ctx, key, in.PublishedHash, in.DraftHash, s.plan.TakeOver)
	if err != nil {
		return err
	}
	body := s.format.WithLayoutFrom(s.desired, s.layoutSource()).JSON()
	if err := s.fc.CommitDraft(ctx, key, draftID, string(body), s.commitDescription()); err != nil {
		return err
	}
	s.committed = true
	cf.Status.DraftID, cf.Status.DraftHash = draftID, s.desired.Hash()
	s.r.event(cf, corev1.EventTypeNormal, "Committed", "CommitContactFlow", "Committed definition %s into draft %s: %s", short(s.desired.Hash()), draftID, s.pending)
	if s.plan.Action == actEditCommit {
		return nil
	}
	return s.publish(ctx, key, draftID)
}

// openDraft opens (or reuses) the operator's draft and checks, before anything is written, that
// the flow still has the published content that was diffed: a console edit made in between is
// never clobbered. While the operator holds the draft, nobody else can open one.
//
// On a platform whose only draft is the flow's saved content (Amazon Connect) nothing locks it,
// so the check also covers that content: a change saved since the observe (other than the one
// lockPolicy TakeOver replaces) is never overwritten.
func (s *flowReconcile) openDraft(ctx context.Context, key cloud.FlowKey, diffedPublished, diffedDraft string, takeOver bool) (string, error) {
	cf := s.cf
	if err := s.r.setAnnotation(ctx, cf, AnnotationEditPending, short(diffedPublished)); err != nil {
		return "", err
	}
	draftID, err := s.fc.StartEdit(ctx, key)
	if err != nil {
		return "", err
	}
	now, err := s.getFlow(ctx, key)
	if err != nil {
		return "", err
	}
	savedChanged := false
	if s.publisher != nil && !takeOver {
		got := ""
		if now.Draft != nil {
			got = s.hashOf(now.Draft.Definition, true)
		}
		savedChanged = got != diffedDraft
	}
	if got := s.hashOf(now.PublishedDefinition, now.Published); got != diffedPublished || savedChanged {
		// Someone published (or saved) in between; give the draft back and start over from a
		// fresh look.
		if s.publisher == nil {
			_ = s.fc.DiscardDraft(ctx, key, draftID)
		}
		s.r.event(cf, corev1.EventTypeWarning, "ConcurrentEdit", "StartEdit",
			"Flow %s was changed by someone else while the operator was diffing it; observing it again", key.FlowID)
		return "", &cloud.Error{Class: cloud.ClassTransient, Platform: s.fc.Platform(), Action: "StartEdit",
			Code: cloud.CodeConcurrentEdit, Message: "the flow changed between observe and write; retrying"}
	}
	if now.Draft != nil && now.Draft.ID != draftID {
		return "", &cloud.Error{Class: cloud.ClassLocked, Platform: s.fc.Platform(), Action: "StartEditContactFlow",
			Message: fmt.Sprintf("draft %s is open", now.Draft.ID), LockedBy: now.Draft.Editor, LockedSince: now.Draft.UpdatedTime}
	}
	return draftID, nil
}

func (s *flowReconcile) publish(ctx context.Context, key cloud.FlowKey, draftID string) error {
	if err := s.fc.Publish(ctx, key, draftID); err != nil {
		return err
	}
	return s.markPublished(ctx, key, "", "PublishContactFlow")
}

// publishContent publishes body in one write on a one-step platform (Amazon Connect). The
// platform versions it, for the flow types it versions, under the checksum of exactly body:
// what was diffed. A version refused because the content changed in between is a concurrent
// edit: the reconcile ends, and the next one observes and diffs again.
func (s *flowReconcile) publishContent(ctx context.Context, key cloud.FlowKey, body []byte) error {
	cf := s.cf
	version, err := s.publisher.PublishContent(ctx, key, s.liveType(), string(body),
		"contactflow-operator: definition "+short(s.desired.Hash()))
	if err != nil {
		if ce := cloud.AsError(err); ce != nil && ce.Code == cloud.CodeConcurrentEdit {
			s.r.event(cf, corev1.EventTypeWarning, "ConcurrentEdit", "CreateContactFlowVersion",
				"Flow %s was changed by someone else before its version was created; no version of content the operator did not diff was made; observing it again", key.FlowID)
		}
		return err
	}
	s.learnRevision(ctx, key)
	return s.markPublished(ctx, key, version, "PublishContent")
}

// learnRevision reads the flow once after the operator's own publish where lists serve flows by
// revision, so that status records the revision the write produced and the next resync (or a
// restarted operator) is served from a list. A read that fails, or that shows a change saved
// since, leaves the revision unknown: the next resync then reads the flow directly.
func (s *flowReconcile) learnRevision(ctx context.Context, key cloud.FlowKey) {
	if !cloud.BatchesByRevision(s.reader) {
		return
	}
	s.cf.Status.ObservedRevision = ""
	if f, err := cloud.GetFlowDirect(ctx, s.reader, key); err == nil && f.Draft == nil {
		s.cf.Status.ObservedRevision = f.Revision
	}
}

// markPublished records a publish of the desired flow in status and in an Event.
func (s *flowReconcile) markPublished(ctx context.Context, key cloud.FlowKey, version, action string) error {
	cf := s.cf
	s.published = true
	now := metav1.NewTime(time.Now().UTC().Truncate(time.Second))
	cf.Status.Published = true
	cf.Status.PublishedHash = s.desired.Hash()
	cf.Status.DraftID, cf.Status.DraftHash = "", ""
	cf.Status.LastPublishedTime = &now
	msg := s.pending
	if s.created || !s.live.Published {
		msg = "first version"
	}
	if s.rollbackDesc != "" {
		msg = s.rollbackDesc
	}
	what := fmt.Sprintf("definition %s", short(s.desired.Hash()))
	if version != "" {
		what = fmt.Sprintf("definition %s as version %s", short(s.desired.Hash()), version)
	}
	s.r.event(cf, corev1.EventTypeNormal, "Published", action, "Published flow %s with %s: %s", key.FlowID, what, msg)
	s.pending = ""
	return s.recordPublished(ctx, key, version, s.desired.Hash(), msg, now)
}

// clearMarkers removes the write-ahead annotations once status durably records what they
// protected: the remote ID for create-pending, the settled draft for edit-pending. It runs only
// after the status patch succeeded.
func (r *ContactFlowReconciler) clearMarkers(ctx context.Context, cf *cfv1.ContactFlow) error {
	_, a := cf.Annotations[cfv1.AnnotationCreatePending]
	_, b := cf.Annotations[AnnotationEditPending]
	if (!a || cf.Status.ContactFlowID == "") && !b {
		return nil
	}
	patch := client.MergeFrom(cf.DeepCopy())
	if cf.Status.ContactFlowID != "" {
		delete(cf.Annotations, cfv1.AnnotationCreatePending)
	}
	delete(cf.Annotations, AnnotationEditPending)
	return r.patchMetadata(ctx, cf, patch)
}

// patchMetadata patches metadata mid-reconcile without losing the status computed so far: the
// API server's answer carries the stored status, which would otherwise replace it in memory.
func (r *ContactFlowReconciler) patchMetadata(ctx context.Context, cf *cfv1.ContactFlow, patch client.Patch) error {
	status := cf.Status.DeepCopy()
	err := r.Patch(ctx, cf, patch)
	cf.Status = *status
	return err
}

// planInput computes the hashes the planner decides from, and the live definition for the diff.
func (s *flowReconcile) planInput() (flowPlanInput, flow.Definition) {
	cf, live := s.cf, s.live
	liveDef := s.parseOrNil(live.PublishedDefinition)
	in := flowPlanInput{
		DesiredHash:    s.desired.Hash(),
		Published:      live.Published,
		PublishedHash:  s.hashOf(live.PublishedDefinition, live.Published),
		PublishPolicy:  defaultPublish(cf.Spec.PublishPolicy),
		LockPolicy:     defaultLock(cf.Spec.LockPolicy),
		OneStepPublish: s.publisher != nil,
	}
	if !live.Published {
		liveDef = nil
	}
	if d := live.Draft; d != nil {
		in.HasDraft = true
		in.DraftHash = s.hashOf(d.Definition, true)
		_, editPending := cf.Annotations[AnnotationEditPending]
		_, createPending := cf.Annotations[cfv1.AnnotationCreatePending]
		own, asked := s.draftOwner[d.ID]
		switch {
		case s.created:
			in.OwnDraft = true
		case asked:
			in.OwnDraft = own
		case d.ID == cf.Status.DraftID && cf.Status.Editor == "" && d.Editor != "":
			in.OwnDraft = true
		case d.ID == cf.Status.DraftID && cf.Status.Editor == "" && in.DraftHash == cf.Status.DraftHash:
			// A platform that does not say who holds a draft (Amazon Connect's $SAVED) has one
			// draft ID for everybody: the draft is the operator's only while it holds what the
			// operator saved.
			in.OwnDraft = true
		case (editPending || createPending) && (in.DraftHash == in.DesiredHash || in.DraftHash == in.PublishedHash):
			// Opened by the operator just before it was interrupted.
			in.OwnDraft = true
		case createPending && !live.Published:
			// The creation draft of a flow the operator created and never published; it may hold
			// less than the spec when references were missing at the create.
			in.OwnDraft = true
		}
	}
	return in, liveDef
}

// lockedOut says that the reconcile ended because someone else holds the flow's draft, on a
// platform that locks drafts to their holder. A flow has one draft at a time there, so the
// operator holds none: the edit-pending marker protects nothing any more, and left in place it
// could later make that other draft look like the operator's. (Where nothing locks a draft,
// Amazon Connect, "locked" is the operator's own judgement of saved content, and the marker
// stays.)
func (s *flowReconcile) lockedOut(err error) bool {
	return cloud.ClassOf(err) == cloud.ClassLocked && s.fc != nil && s.publisher == nil
}

// askDraftOwner settles whose an open draft is when only a write-ahead marker (edit-pending or
// create-pending) would make it the operator's. A marker says the operator may have opened a
// draft and been interrupted before status recorded it; it cannot tell that draft from one a
// console user opened meanwhile, and taking a user's draft for the operator's own would publish
// or discard it. Where the platform names a draft's holder, it is asked instead: StartEdit
// answers the caller's own open draft with that draft, and refuses anyone else's as locked.
// It costs one call, only after an interrupted write. Where the platform names no holder
// (Amazon Connect's saved content), the marker and the content's hash decide, as before.
func (s *flowReconcile) askDraftOwner(ctx context.Context, key cloud.FlowKey) error {
	cf, d := s.cf, s.live.Draft
	if d == nil || d.Editor == "" || s.created {
		return nil
	}
	if _, done := s.draftOwner[d.ID]; done {
		return nil
	}
	if d.ID == cf.Status.DraftID && cf.Status.Editor == "" {
		return nil // status recorded it as the operator's when it was opened
	}
	_, editPending := cf.Annotations[AnnotationEditPending]
	_, createPending := cf.Annotations[cfv1.AnnotationCreatePending]
	if !editPending && !createPending {
		return nil // no claim: someone else's
	}
	id, err := s.fc.StartEdit(ctx, key)
	if s.draftOwner == nil {
		s.draftOwner = map[string]bool{}
	}
	switch {
	case cloud.ClassOf(err) == cloud.ClassLocked:
		s.draftOwner[d.ID] = false
		return nil
	case err != nil:
		return err
	case id == d.ID:
		s.draftOwner[d.ID] = true
		return nil
	default:
		// The observed draft is gone and the operator now holds a new one (its marker is still
		// set): observe again on the next reconcile.
		return &cloud.Error{Class: cloud.ClassTransient, Platform: s.fc.Platform(), Action: "StartEdit",
			Code: cloud.CodeConcurrentEdit, Message: fmt.Sprintf("draft %s closed while the operator looked at it; observing the flow again", d.ID)}
	}
}

// recordObserved writes what was observed into status, before any action changes it.
func (s *flowReconcile) recordObserved(in flowPlanInput) {
	st, live := &s.cf.Status, s.live
	st.ContactFlowID = live.ID
	st.ContactFlowARN = live.ARN
	st.InstanceID = s.cf.Spec.InstanceID
	st.Published = live.Published
	st.PublishedHash = in.PublishedHash
	if live.PublishedVersion != "" {
		st.PublishedVersion = live.PublishedVersion
	}
	st.NumberList = append([]string(nil), live.NumberList...)
	st.ObservedRevision = ""
	if live.Draft == nil {
		st.ObservedRevision = live.Revision
	}
	st.Editor, st.EditingSince, st.DraftID, st.DraftHash = "", "", "", ""
	if d := live.Draft; d != nil {
		st.DraftID = d.ID
		st.DraftHash = in.DraftHash
		if !in.OwnDraft {
			st.Editor = d.Editor
			if st.Editor == "" {
				st.Editor = unknownEditor
			}
			st.EditingSince = d.UpdatedTime
		}
	}
}

// writeOutcome turns how the reconcile ended into status conditions.
func (s *flowReconcile) writeOutcome(err error) {
	cf := s.cf
	st := &cf.Status
	o := outcome{}
	if err == nil {
		st.PendingChanges = s.pending
		if s.plan.InSync || s.published || s.committed {
			st.PendingChanges = ""
		}
		o.Ready, o.Synced = true, true
		switch {
		case s.rolledBack != "":
			st.PendingChanges = ""
			o.ReadyReason = cfv1.ReasonRolledBack
			o.ReadyMessage = fmt.Sprintf("Flow %s runs version %s (spec.rollbackTo); clear spec.rollbackTo to publish the spec's flow %s again", st.ContactFlowID, s.rolledBack, short(st.DesiredHash))
		case defaultPublish(cf.Spec.PublishPolicy) == cfv1.PublishPolicyDraft && st.DraftID != "" && st.Editor == "":
			o.ReadyReason = cfv1.ReasonDraftSaved
			o.ReadyMessage = fmt.Sprintf("Draft %s of flow %s holds definition %s; publish it on the console (publishPolicy Draft)", st.DraftID, st.ContactFlowID, short(st.DesiredHash))
		default:
			o.ReadyReason = cfv1.ReasonPublished
			o.ReadyMessage = fmt.Sprintf("Flow %s is published with definition %s", st.ContactFlowID, short(st.DesiredHash))
		}
		if s.nameNote != "" {
			o.ReadyMessage += "; " + s.nameNote
		}
		o.SyncReason = cfv1.ReasonUpToDate
		o.SyncMessage = o.ReadyMessage
		if st.Editor != "" {
			o.SyncMessage += fmt.Sprintf("; %s has draft %s open on the console", st.Editor, st.DraftID)
		}
		st.ObservedGeneration = cf.Generation
		applyOutcome(&st.Conditions, cf.Generation, o)
		return
	}

	st.PendingChanges = s.pending
	reason := outcomeReason(err)
	msg := sanitize(err.Error())
	var pe *ProviderError
	var se *specError
	var we *waitError
	switch {
	case errors.As(err, &se):
		o.Stalled = true
		msg = se.Error() + "; the live flow was not changed"
	case errors.As(err, &pe):
		msg = pe.Message
		o.Reconciling = true
	case errors.As(err, &we):
		msg = we.message
		o.Reconciling = true
	case cloud.ClassOf(err) == cloud.ClassLocked:
		ce := cloud.AsError(err)
		msg = fmt.Sprintf("Flow %s has a draft held by %s", st.ContactFlowID, ce.LockedBy)
		if ce.LockedBy == "" || ce.LockedBy == unknownEditor {
			msg = fmt.Sprintf("Flow %s has an unpublished change saved outside the operator (%s; the platform does not say by whom)", st.ContactFlowID, nonEmpty(st.DraftID, "draft"))
		}
		if ce.LockedSince != "" {
			msg += " (last changed " + ce.LockedSince + ")"
		}
		msg += fmt.Sprintf("; waiting for it to be published or discarded (set spec.lockPolicy: TakeOver to discard it). Pending: %s", nonEmpty(s.pending, "changes"))
		o.Reconciling = true
	case cloud.ClassOf(err).Terminal():
		o.Stalled = true
	default:
		o.Reconciling = true
	}
	// The published flow may still be what an earlier generation asked for; Ready says whether
	// the live flow matches the current spec.
	o.Ready = false
	o.ReadyReason, o.ReadyMessage = reason, msg
	o.Synced = false
	if o.Stalled {
		st.ObservedGeneration = cf.Generation
	}
	applyOutcome(&st.Conditions, cf.Generation, o)
}

// outcomeReason maps an error onto a condition reason.
func outcomeReason(err error) string {
	var pe *ProviderError
	var se *specError
	switch {
	case errors.As(err, &se):
		if se.reason != "" {
			return se.reason
		}
		if se.field == flowspec.Field || se.field == flowspec.ContentField {
			return cfv1.ReasonInvalidDefinition
		}
		if se.field == "spec.flowName" {
			return cfv1.ReasonAlreadyExists
		}
		return cfv1.ReasonInvalidSpec
	case errors.As(err, &pe):
		return pe.Reason
	}
	if we, ok := isWait(err); ok {
		return we.reason
	}
	if ce := cloud.AsError(err); ce != nil && ce.Code == cloud.CodeConcurrentEdit {
		return cfv1.ReasonConcurrentEdit
	}
	switch cloud.ClassOf(err) {
	case cloud.ClassLocked:
		return cfv1.ReasonLockedByOther
	case cloud.ClassThrottled:
		return cfv1.ReasonThrottled
	case cloud.ClassInvalid:
		return cfv1.ReasonRejectedByPlatform
	case cloud.ClassAlreadyExists:
		return cfv1.ReasonAlreadyExists
	case cloud.ClassQuotaExceeded:
		return cfv1.ReasonQuotaExceeded
	case cloud.ClassUnauthorized:
		return cfv1.ReasonUnauthorized
	case cloud.ClassNotFound:
		return cfv1.ReasonRemoteNotFound
	}
	return cfv1.ReasonCloudError
}

// flowState names the state a flow is in after a reconcile, for the resources gauge.
func flowState(cf *cfv1.ContactFlow, err error) string {
	switch {
	case err == nil && cf.Status.Editor != "":
		return "locked"
	case err == nil && cf.Status.DraftID != "":
		return "draft"
	case err == nil:
		return "published"
	case cloud.ClassOf(err) == cloud.ClassLocked:
		return "locked"
	case errors.Is(err, errSpecInvalid) || cloud.ClassOf(err).Terminal():
		return "stalled"
	case cf.Status.PendingChanges != "":
		return "drift"
	}
	return "progressing"
}

// reconcileDelete honours spec.deletionPolicy, then releases the finalizer.
func (r *ContactFlowReconciler) reconcileDelete(ctx context.Context, cf *cfv1.ContactFlow) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(cf, cfv1.Finalizer) {
		return ctrl.Result{}, nil
	}
	if r.States != nil {
		defer r.States.Set(client.ObjectKeyFromObject(cf).String(), "")
	}
	id := cf.Status.ContactFlowID
	if cf.Spec.DeletionPolicy != cfv1.DeletionPolicyOrphan && id != "" {
		before := cf.DeepCopy()
		fc, err := r.Providers.FlowClient(ctx, cf.Namespace, cf.Spec.ProviderConfigRef)
		if err == nil {
			var flows, numbers []string
			flows, numbers, err = r.dependents(ctx, cf, fc)
			if err == nil && len(flows)+len(numbers) > 0 {
				err = inUseError(cf, flows, numbers)
			}
		}
		if err == nil {
			err = fc.DeleteFlow(ctx, cloud.FlowKey{InstanceID: cf.Spec.InstanceID, FlowID: id})
		}
		if err != nil {
			msg := "Deleting flow " + id + ": " + sanitize(err.Error()) + " (set spec.deletionPolicy: Orphan to leave it)"
			reason := cfv1.ReasonDeleting
			if we, ok := isWait(err); ok {
				msg, reason = we.message, we.reason
			}
			applyOutcome(&cf.Status.Conditions, cf.Generation, outcome{
				ReadyReason: reason, ReadyMessage: msg,
				Reconciling: true,
			})
			if perr := r.patchStatus(ctx, before, cf); perr != nil && !apierrors.IsNotFound(perr) {
				return ctrl.Result{}, perr
			}
			return r.Timing.resultFor(err)
		}
		r.event(cf, corev1.EventTypeNormal, "Deleted", "DeleteContactFlow", "Deleted flow %s", id)
	} else if id != "" {
		r.event(cf, corev1.EventTypeNormal, "Orphaned", "Delete", "Left flow %s on the platform (deletionPolicy Orphan)", id)
	}
	patch := client.MergeFrom(cf.DeepCopy())
	controllerutil.RemoveFinalizer(cf, cfv1.Finalizer)
	return ctrl.Result{}, client.IgnoreNotFound(r.Patch(ctx, cf, patch))
}

// setAnnotation writes a write-ahead marker before a remote write.
func (r *ContactFlowReconciler) setAnnotation(ctx context.Context, cf *cfv1.ContactFlow, key, value string) error {
	if cf.Annotations[key] == value {
		return nil
	}
	patch := client.MergeFrom(cf.DeepCopy())
	if cf.Annotations == nil {
		cf.Annotations = map[string]string{}
	}
	cf.Annotations[key] = value
	if err := r.patchMetadata(ctx, cf, patch); err != nil {
		return fmt.Errorf("recording %s before the remote write: %w", key, err)
	}
	return nil
}

func (r *ContactFlowReconciler) event(obj runtime.Object, typ, reason, action, format string, args ...any) {
	if r.Recorder == nil {
		return
	}
	r.Recorder.Eventf(obj, nil, typ, reason, action, format, args...)
}

// SetupWithManager registers the controller, its index and its watches.
func (r *ContactFlowReconciler) SetupWithManager(mgr ctrl.Manager) error {
	r.Timing = r.Timing.withDefaults()
	if err := mgr.GetFieldIndexer().IndexField(context.Background(), &cfv1.ContactFlow{}, providerConfigRefIndex,
		func(o client.Object) []string {
			return []string{o.(*cfv1.ContactFlow).Spec.ProviderConfigRef.Name}
		}); err != nil {
		return err
	}
	if err := mgr.GetFieldIndexer().IndexField(context.Background(), &cfv1.ContactFlow{}, referencedFlowIndex,
		func(o client.Object) []string { return referencedFlows(o.(*cfv1.ContactFlow)) }); err != nil {
		return err
	}
	n := r.MaxConcurrentReconciles
	if n <= 0 {
		n = 4
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&cfv1.ContactFlow{}, builder.WithPredicates(specChanged)).
		Watches(&cfv1.ProviderConfig{}, handler.EnqueueRequestsFromMapFunc(r.flowsForProviderConfig)).
		Watches(&cfv1.ContactFlow{}, handler.EnqueueRequestsFromMapFunc(r.relatedFlows), builder.WithPredicates(referenceRelevant)).
		WithOptions(controller.Options{MaxConcurrentReconciles: n, RateLimiter: r.Timing.rateLimiter()}).
		Named("contactflow").
		Complete(r)
}

func (r *ContactFlowReconciler) flowsForProviderConfig(ctx context.Context, o client.Object) []reconcile.Request {
	list := &cfv1.ContactFlowList{}
	if err := r.List(ctx, list, client.InNamespace(o.GetNamespace()), client.MatchingFields{providerConfigRefIndex: o.GetName()}); err != nil {
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(list.Items))
	for _, cf := range list.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: cf.Namespace, Name: cf.Name}})
	}
	return reqs
}

func isFlowNotFound(err error) bool {
	ce := cloud.AsError(err)
	// An unknown instance is not an unknown flow: never recreate on it.
	return ce != nil && ce.Class == cloud.ClassNotFound && ce.Code != "NotExists.InstanceId"
}

// getFlow observes one flow through the reader run chose.
func (s *flowReconcile) getFlow(ctx context.Context, key cloud.FlowKey) (*cloud.Flow, error) {
	if s.reader == nil {
		return s.fc.GetFlow(ctx, key)
	}
	return s.reader.GetFlow(ctx, key)
}

// needsDirectLook reports whether the live flow came from a list on a one-step platform: nothing
// locks such a flow against a write planned from a list up to a window old, and the list does not
// show a change saved since (Amazon Connect's $SAVED), so a write is planned only from a direct
// read (observeDirectly).
func (s *flowReconcile) needsDirectLook() bool {
	return s.live != nil && s.live.Listed && s.publisher != nil
}

// observeDirectly replaces the live flow with a direct read.
func (s *flowReconcile) observeDirectly(ctx context.Context) error {
	f, err := cloud.GetFlowDirect(ctx, s.reader, cloud.FlowKey{InstanceID: s.cf.Spec.InstanceID, FlowID: s.live.ID})
	if err != nil {
		return err
	}
	s.live = f
	return nil
}

// confirm reads the flow again from the adapter itself when an observation served by a
// decorator (a batched list) contradicts what status says was last published: the operator may
// have changed the running version through a capability the decorator does not see (a
// rollback), and a stale answer must not pass for the truth. Without a decorator, or when they
// agree, it costs nothing.
func (s *flowReconcile) confirm(ctx context.Context, key cloud.FlowKey, f *cloud.Flow) (*cloud.Flow, error) {
	reader := s.reader
	if reader == nil {
		reader = s.fc
	}
	base := cloud.Underlying(reader)
	st := s.cf.Status
	if base == reader || !f.Listed || !f.Published || st.PublishedHash == "" || s.hashOf(f.PublishedDefinition, true) == st.PublishedHash {
		return f, nil
	}
	return cloud.GetFlowDirect(ctx, reader, key)
}

// unknownEditor is status.editor for a draft whose holder the platform does not name.
const unknownEditor = "(unknown)"

// hashOf is the canonical hash of a live flow in the platform's format; "" when absent.
func (s *flowReconcile) hashOf(def string, present bool) string {
	if !present || def == "" {
		return ""
	}
	d, err := s.format.Parse([]byte(def))
	if err != nil {
		// Unparsable live content never equals a valid spec.
		return "unparsable"
	}
	return d.Hash()
}

func (s *flowReconcile) parseOrNil(def string) flow.Definition {
	if def == "" {
		return nil
	}
	d, err := s.format.Parse([]byte(def))
	if err != nil {
		return nil
	}
	return d
}

// layoutSource is the live flow whose layout a write keeps: the published one, else the draft.
func (s *flowReconcile) layoutSource() flow.Definition {
	if d := s.parseOrNil(s.live.PublishedDefinition); d != nil {
		return d
	}
	if s.live.Draft != nil {
		return s.parseOrNil(s.live.Draft.Definition)
	}
	return nil
}

// liveType is the flow's type as the platform reports it, else the spec's.
func (s *flowReconcile) liveType() string {
	if s.live != nil && s.live.Type != "" {
		return s.live.Type
	}
	return s.flowType
}

// commitDescription is the description a commit carries. Where the description is the flow's
// metadata rather than the commit's (Amazon Connect), it is sent only when it differs, so that a
// commit costs no metadata write.
func (s *flowReconcile) commitDescription() string {
	if s.publisher != nil && s.live != nil && s.live.Description == s.cf.Spec.Description {
		return ""
	}
	return s.cf.Spec.Description
}

func defaultPublish(p cfv1.PublishPolicy) cfv1.PublishPolicy {
	if p == "" {
		return cfv1.PublishPolicyPublish
	}
	return p
}

func defaultLock(p cfv1.LockPolicy) cfv1.LockPolicy {
	if p == "" {
		return cfv1.LockPolicyWait
	}
	return p
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
