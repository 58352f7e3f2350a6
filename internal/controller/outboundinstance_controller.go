package controller

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
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
	"github.com/contactflow-operator/contactflow-operator/internal/metrics"
)

// OutboundInstanceReconciler reconciles OutboundInstance objects against the OutboundBot
// account named by their ProviderConfig.
type OutboundInstanceReconciler struct {
	client.Client
	Scheme    *runtime.Scheme
	Recorder  recorder.EventRecorder
	Providers *Providers
	Timing    Timing
	// MaxConcurrentReconciles bounds parallel reconciles (default 4).
	MaxConcurrentReconciles int
	// States, when set, tracks each instance's state for the contactflow_resources gauge.
	States *metrics.States

	// clients remembers the last client each instance used, by namespace/name: `kubectl delete
	// -f` of a directory deletes the ProviderConfig right after the instance, and the finalizer
	// must still be able to delete what the operator created.
	clients lastClients
}

// +kubebuilder:rbac:groups=contactflow.io,resources=outboundinstances,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=contactflow.io,resources=outboundinstances/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=contactflow.io,resources=outboundinstances/finalizers,verbs=update
// +kubebuilder:rbac:groups=contactflow.io,resources=providerconfigs,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile drives one OutboundInstance towards its spec. See DESIGN.md, "The reconcile
// contract": finalizer, find (status ID, adoption annotation, name), create behind a
// write-ahead marker, observe, plan, at most one ModifyInstance, status written once.
func (r *OutboundInstanceReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	log := logf.FromContext(ctx)
	obi := &cfv1.OutboundInstance{}
	if err := r.Get(ctx, req.NamespacedName, obi); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !obi.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, obi)
	}
	if !controllerutil.ContainsFinalizer(obi, cfv1.Finalizer) {
		patch := client.MergeFrom(obi.DeepCopy())
		controllerutil.AddFinalizer(obi, cfv1.Finalizer)
		if err := r.Patch(ctx, obi, patch); err != nil {
			return ctrl.Result{}, fmt.Errorf("adding finalizer: %w", err)
		}
	}

	before := obi.DeepCopy()
	st := &instanceReconcile{r: r, obi: obi}
	err := st.run(ctx)
	st.writeOutcome(err)
	if r.States != nil {
		r.States.Set(req.String(), outboundState(err, "available"))
	}
	if perr := r.patchStatus(ctx, before, obi); perr != nil {
		if apierrors.IsConflict(perr) || apierrors.IsNotFound(perr) {
			return ctrl.Result{RequeueAfter: time.Second}, nil
		}
		return ctrl.Result{}, perr
	}
	if cerr := r.clearCreatePending(ctx, obi); cerr != nil {
		return ctrl.Result{}, client.IgnoreNotFound(cerr)
	}
	if err != nil {
		log.Info("Reconcile did not converge", "class", string(cloud.ClassOf(err)), "reason", errorOutcome(err).ReadyReason, "error", sanitize(err.Error()))
	}
	return outboundResult(r.Timing, err)
}

func (r *OutboundInstanceReconciler) patchStatus(ctx context.Context, before, after *cfv1.OutboundInstance) error {
	if equalJSON(before.Status, after.Status) {
		return nil
	}
	// No optimistic lock, for the reason given in ContactFlowReconciler.patchStatus.
	return r.Status().Patch(ctx, after, client.MergeFrom(before))
}

// patchMetadata patches metadata mid-reconcile without losing the status computed so far.
func (r *OutboundInstanceReconciler) patchMetadata(ctx context.Context, obi *cfv1.OutboundInstance, patch client.Patch) error {
	status := obi.Status.DeepCopy()
	err := r.Patch(ctx, obi, patch)
	obi.Status = *status
	return err
}

// setCreatePending writes the write-ahead marker before CreateInstance; its value is the name
// sent, which is what a lookup after a lost answer searches for.
func (r *OutboundInstanceReconciler) setCreatePending(ctx context.Context, obi *cfv1.OutboundInstance, name string) error {
	if obi.Annotations[cfv1.AnnotationCreatePending] == name {
		return nil
	}
	patch := client.MergeFrom(obi.DeepCopy())
	if obi.Annotations == nil {
		obi.Annotations = map[string]string{}
	}
	obi.Annotations[cfv1.AnnotationCreatePending] = name
	if err := r.patchMetadata(ctx, obi, patch); err != nil {
		return fmt.Errorf("recording %s before the remote create: %w", cfv1.AnnotationCreatePending, err)
	}
	return nil
}

// dropCreatePending removes the marker after the platform refused the create outright: no
// instance was created, and a same-named one found later must not be taken for the operator's.
func (r *OutboundInstanceReconciler) dropCreatePending(ctx context.Context, obi *cfv1.OutboundInstance) error {
	if _, ok := obi.Annotations[cfv1.AnnotationCreatePending]; !ok {
		return nil
	}
	patch := client.MergeFrom(obi.DeepCopy())
	delete(obi.Annotations, cfv1.AnnotationCreatePending)
	return r.patchMetadata(ctx, obi, patch)
}

// clearCreatePending removes the marker once status durably holds the instance ID. It runs only
// after the status patch succeeded.
func (r *OutboundInstanceReconciler) clearCreatePending(ctx context.Context, obi *cfv1.OutboundInstance) error {
	if obi.Status.InstanceID == "" {
		return nil
	}
	return r.dropCreatePending(ctx, obi)
}

// instanceReconcile carries one reconcile of one OutboundInstance through its steps.
type instanceReconcile struct {
	r   *OutboundInstanceReconciler
	obi *cfv1.OutboundInstance

	oc   cloud.OutboundClient
	live *cloud.OutboundInstance
	plan instancePlan
}

// run performs the steps of the reconcile contract in order.
func (s *instanceReconcile) run(ctx context.Context) error {
	oc, err := s.r.Providers.OutboundClient(ctx, s.obi.Namespace, s.obi.Spec.ProviderConfigRef)
	if err != nil {
		return err
	}
	s.oc = oc
	s.r.clients.remember(s.obi, oc)
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

// find locates the remote instance: status ID, else the adoption annotation, else (after a
// create that may have happened, or when spec.adoptByName asks) by name.
func (s *instanceReconcile) find(ctx context.Context) error {
	obi := s.obi
	if id := obi.Status.InstanceID; id != "" {
		in, err := s.oc.GetInstance(ctx, id)
		switch {
		case err == nil:
			s.live = in
			return nil
		case cloud.IsNotFound(err):
			s.r.event(obi, corev1.EventTypeWarning, "RemoteDeleted", "Observe",
				"Instance %s no longer exists on the platform; creating it again", id)
			obi.Status.InstanceID = ""
			obi.Status.CallingNumbersHash = ""
		default:
			return err
		}
	}
	if id := obi.Annotations[cfv1.AnnotationAdoptID]; id != "" {
		in, err := s.oc.GetInstance(ctx, id)
		if err != nil {
			if cloud.IsNotFound(err) {
				return &specError{field: "metadata.annotations[" + cfv1.AnnotationAdoptID + "]",
					err: fmt.Errorf("instance %s does not exist in the account; fix or remove the annotation", id)}
			}
			return err
		}
		s.adopt(in)
		return nil
	}
	pending, createPending := obi.Annotations[cfv1.AnnotationCreatePending]
	if obi.Spec.AdoptByName || createPending {
		name := obi.Spec.InstanceName
		if createPending && pending != "" {
			name = pending
		}
		in, err := s.oc.FindInstanceByName(ctx, name)
		if err != nil {
			return err
		}
		if in != nil {
			s.adopt(in)
		}
	}
	return nil
}

func (s *instanceReconcile) adopt(in *cloud.OutboundInstance) {
	s.live = in
	if s.obi.Status.InstanceID != in.ID {
		s.r.event(s.obi, corev1.EventTypeNormal, "Adopted", "Adopt", "Adopted existing instance %s (%q)", in.ID, in.Name)
		// What the previous owner wrote as calling numbers is unknown.
		s.obi.Status.CallingNumbersHash = ""
	}
	s.obi.Status.InstanceID = in.ID
}

// desiredSpec is what CreateInstance and ModifyInstance send.
func (s *instanceReconcile) desiredSpec() cloud.OutboundInstanceSpec {
	sp := s.obi.Spec
	return cloud.OutboundInstanceSpec{
		Name:                      sp.InstanceName,
		Description:               sp.InstanceDescription,
		MaxConcurrentConversation: int(sp.MaxConcurrentConversation),
		CallingNumbers:            append([]string(nil), sp.CallingNumbers...),
		CallCenterInstanceID:      sp.CallCenterInstanceID,
		NluServiceType:            sp.NluServiceType,
	}
}

// create records that a create is pending, then creates the instance.
func (s *instanceReconcile) create(ctx context.Context) error {
	obi := s.obi
	if err := s.r.setCreatePending(ctx, obi, obi.Spec.InstanceName); err != nil {
		return err
	}
	created, err := s.oc.CreateInstance(ctx, s.desiredSpec())
	if err != nil {
		if cloud.ClassOf(err).Terminal() {
			if perr := s.r.dropCreatePending(ctx, obi); perr != nil {
				return perr
			}
		}
		return s.refusal(err)
	}
	obi.Status.InstanceID = created.ID
	obi.Status.CallingNumbersHash = callingNumbersHash(obi.Spec.CallingNumbers)
	s.r.event(obi, corev1.EventTypeNormal, "Created", "CreateInstance",
		"Created instance %s (%q) with maxConcurrentConversation %d", created.ID, created.Name, obi.Spec.MaxConcurrentConversation)
	// Observe what the platform made of it (defaults such as the NLU service type), not only
	// what the create answered.
	in, err := s.oc.GetInstance(ctx, created.ID)
	if err != nil {
		return err
	}
	s.live = in
	return nil
}

// refusal turns a create or modify refused for the spec's content into a stall that says what to
// change; other errors pass unchanged.
func (s *instanceReconcile) refusal(err error) error {
	switch cloud.ClassOf(err) {
	case cloud.ClassAlreadyExists:
		return &stallError{
			reason: cfv1.ReasonAlreadyExists,
			message: fmt.Sprintf("%s: an instance named %q already exists in the account and is not managed by this resource; choose another spec.instanceName, or set spec.adoptByName: true to take it over",
				platformCode(err), s.obi.Spec.InstanceName),
			err: err,
		}
	case cloud.ClassQuotaExceeded:
		return quotaStall(err)
	}
	return err
}

// converge compares the live instance with the spec and sends one ModifyInstance when they
// really differ.
func (s *instanceReconcile) converge(ctx context.Context) error {
	obi := s.obi
	s.recordObserved()
	s.plan = planInstance(desiredFields(obi), liveFields(s.live, obi.Status.CallingNumbersHash))
	if s.plan.Action == instNone {
		return nil
	}
	if _, err := s.oc.ModifyInstance(ctx, s.live.ID, s.desiredSpec()); err != nil {
		return s.refusal(err)
	}
	if h := callingNumbersHash(obi.Spec.CallingNumbers); h != "" {
		obi.Status.CallingNumbersHash = h
	}
	s.r.event(obi, corev1.EventTypeNormal, "Modified", "ModifyInstance", "Modified instance %s: %s", s.live.ID, strings.Join(s.plan.Changes, "; "))
	in, err := s.oc.GetInstance(ctx, s.live.ID)
	if err != nil {
		return err
	}
	s.live = in
	s.recordObserved()
	return nil
}

// recordObserved writes the live values into status.
func (s *instanceReconcile) recordObserved() {
	st, in := &s.obi.Status, s.live
	st.InstanceID = in.ID
	st.InstanceName = in.Name
	st.InstanceDescription = in.Description
	st.MaxConcurrentConversation = int32(in.MaxConcurrentConversation)
	st.CallCenterInstanceID = in.CallCenterInstanceID
	st.NluServiceType = in.NluServiceType
	st.CreatorName = in.CreatorName
	st.OwnerName = in.OwnerName
	st.CreationTime = nil
	if !in.CreationTime.IsZero() {
		t := metav1.NewTime(in.CreationTime.UTC().Truncate(time.Second))
		st.CreationTime = &t
	}
}

func desiredFields(obi *cfv1.OutboundInstance) instanceFields {
	sp := obi.Spec
	return instanceFields{
		Name:                      sp.InstanceName,
		Description:               sp.InstanceDescription,
		MaxConcurrentConversation: int(sp.MaxConcurrentConversation),
		CallCenterInstanceID:      sp.CallCenterInstanceID,
		NluServiceType:            sp.NluServiceType,
		CallingNumbersHash:        callingNumbersHash(sp.CallingNumbers),
	}
}

func liveFields(in *cloud.OutboundInstance, writtenNumbersHash string) instanceFields {
	return instanceFields{
		Name:                      in.Name,
		Description:               in.Description,
		MaxConcurrentConversation: in.MaxConcurrentConversation,
		CallCenterInstanceID:      in.CallCenterInstanceID,
		NluServiceType:            in.NluServiceType,
		CallingNumbersHash:        writtenNumbersHash,
	}
}

// reconcileDelete honours spec.deletionPolicy, then releases the finalizer.
func (r *OutboundInstanceReconciler) reconcileDelete(ctx context.Context, obi *cfv1.OutboundInstance) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(obi, cfv1.Finalizer) {
		return ctrl.Result{}, nil
	}
	if r.States != nil {
		defer r.States.Set(client.ObjectKeyFromObject(obi).String(), "")
	}
	id := obi.Status.InstanceID
	pending, createPending := obi.Annotations[cfv1.AnnotationCreatePending]
	if obi.Spec.DeletionPolicy != cfv1.DeletionPolicyOrphan && (id != "" || createPending) {
		before := obi.DeepCopy()
		oc, err := r.clients.resolve(ctx, r.Providers, obi, obi.Spec.ProviderConfigRef)
		if err == nil && id == "" {
			// A create may have happened without its answer reaching status: find it by the
			// name it was sent with, so that it is not leaked.
			var in *cloud.OutboundInstance
			if in, err = oc.FindInstanceByName(ctx, nonEmpty(pending, obi.Spec.InstanceName)); err == nil && in != nil {
				id = in.ID
			}
		}
		if err == nil && id != "" {
			err = oc.DeleteInstance(ctx, id)
		}
		if err != nil {
			applyOutcome(&obi.Status.Conditions, obi.Generation, outcome{
				ReadyReason:  cfv1.ReasonDeleting,
				ReadyMessage: "Deleting instance " + nonEmpty(id, obi.Spec.InstanceName) + ": " + sanitize(err.Error()) + " (set spec.deletionPolicy: Orphan to leave it)",
				Reconciling:  true,
			})
			if perr := r.patchStatus(ctx, before, obi); perr != nil && !apierrors.IsNotFound(perr) {
				return ctrl.Result{}, perr
			}
			return outboundResult(r.Timing, err)
		}
		if id != "" {
			r.event(obi, corev1.EventTypeNormal, "Deleted", "DeleteInstance", "Deleted instance %s and its scripts", id)
		}
	} else if id != "" {
		r.event(obi, corev1.EventTypeNormal, "Orphaned", "Delete", "Left instance %s on the platform (deletionPolicy Orphan)", id)
	}
	patch := client.MergeFrom(obi.DeepCopy())
	controllerutil.RemoveFinalizer(obi, cfv1.Finalizer)
	if err := r.Patch(ctx, obi, patch); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	r.clients.forget(obi)
	return ctrl.Result{}, nil
}

func (r *OutboundInstanceReconciler) event(obj runtime.Object, typ, reason, action, format string, args ...any) {
	if r.Recorder == nil {
		return
	}
	r.Recorder.Eventf(obj, nil, typ, reason, action, format, args...)
}

// SetupWithManager registers the controller, its index and its watches: a changed
// ProviderConfig wakes the instances that use it.
func (r *OutboundInstanceReconciler) SetupWithManager(mgr ctrl.Manager) error {
	r.Timing = r.Timing.withDefaults()
	if err := mgr.GetFieldIndexer().IndexField(context.Background(), &cfv1.OutboundInstance{}, providerConfigRefIndex,
		func(o client.Object) []string {
			return []string{o.(*cfv1.OutboundInstance).Spec.ProviderConfigRef.Name}
		}); err != nil {
		return err
	}
	n := r.MaxConcurrentReconciles
	if n <= 0 {
		n = 4
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&cfv1.OutboundInstance{}, builder.WithPredicates(specChanged)).
		Watches(&cfv1.ProviderConfig{}, handler.EnqueueRequestsFromMapFunc(r.instancesForProviderConfig)).
		WithOptions(controller.Options{MaxConcurrentReconciles: n, RateLimiter: r.Timing.rateLimiter()}).
		Named("outboundinstance").
		Complete(r)
}

func (r *OutboundInstanceReconciler) instancesForProviderConfig(ctx context.Context, o client.Object) []reconcile.Request {
	list := &cfv1.OutboundInstanceList{}
	if err := r.List(ctx, list, client.InNamespace(o.GetNamespace()), client.MatchingFields{providerConfigRefIndex: o.GetName()}); err != nil {
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(list.Items))
	for _, in := range list.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: in.Namespace, Name: in.Name}})
	}
	return reqs
}

// lastClients remembers, per resource, the outbound client its last reconcile resolved. It is
// used only to finish a deletion whose ProviderConfig (or Secret) is already gone.
type lastClients struct {
	m sync.Map // namespace/name → cloud.OutboundClient
}

func (l *lastClients) remember(obj client.Object, c cloud.OutboundClient) {
	l.m.Store(client.ObjectKeyFromObject(obj).String(), c)
}

func (l *lastClients) forget(obj client.Object) {
	l.m.Delete(client.ObjectKeyFromObject(obj).String())
}

// resolve returns the client for ref; when the ProviderConfig or its Secret is gone, the client
// the resource used last, if this process has one.
func (l *lastClients) resolve(ctx context.Context, p *Providers, obj client.Object, ref cfv1.LocalObjectReference) (cloud.OutboundClient, error) {
	c, err := p.OutboundClient(ctx, obj.GetNamespace(), ref)
	var pe *ProviderError
	if err == nil || !errors.As(err, &pe) ||
		(pe.Reason != cfv1.ReasonProviderConfigNotFound && pe.Reason != cfv1.ReasonCredentialsNotFound) {
		return c, err
	}
	if last, ok := l.m.Load(client.ObjectKeyFromObject(obj).String()); ok {
		logf.FromContext(ctx).Info("Used the last known client to delete: the provider is gone", "reason", pe.Reason)
		return last.(cloud.OutboundClient), nil
	}
	return nil, err
}
