package controller

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
)

// secretRefIndex indexes ProviderConfigs by the Secret they read.
const secretRefIndex = "spec.credentials.secretRef.name"

// ProviderConfigReconciler checks that a ProviderConfig's credentials can be read and says so
// in its Ready condition. It never calls a platform: whether the platform accepts the keys is
// reported on the resources that use them (reason Unauthorized).
type ProviderConfigReconciler struct {
	client.Client
	Providers *Providers
}

// +kubebuilder:rbac:groups=contactflow.io,resources=providerconfigs,verbs=get;list;watch
// +kubebuilder:rbac:groups=contactflow.io,resources=providerconfigs/status,verbs=get;update;patch

// Reconcile resolves the ProviderConfig's credentials and writes Ready.
func (r *ProviderConfigReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	pc := &cfv1.ProviderConfig{}
	if err := r.Get(ctx, req.NamespacedName, pc); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	before := pc.DeepCopy()
	cfg, _, err := r.Providers.Config(ctx, pc.Namespace, cfv1.LocalObjectReference{Name: pc.Name})
	var pe *ProviderError
	switch {
	case err == nil:
		src := "the Secret " + secretName(pc)
		if cfg.Credentials == nil {
			src = "the pod's ambient identity"
		}
		msg := fmt.Sprintf("Platform %s in region %s, credentials from %s", pc.Spec.Platform, pc.Spec.Region, src)
		applyOutcome(&pc.Status.Conditions, pc.Generation, outcome{
			Ready: true, ReadyReason: cfv1.ReasonAvailable, ReadyMessage: msg, Synced: true, SyncReason: cfv1.ReasonUpToDate,
		})
	case errors.As(err, &pe):
		applyOutcome(&pc.Status.Conditions, pc.Generation, outcome{
			ReadyReason: pe.Reason, ReadyMessage: pe.Message, Stalled: true,
		})
	default:
		return ctrl.Result{}, err
	}
	pc.Status.ObservedGeneration = pc.Generation
	if equalJSON(before.Status, pc.Status) {
		return ctrl.Result{}, nil
	}
	return ctrl.Result{}, client.IgnoreNotFound(r.Status().Patch(ctx, pc, client.MergeFrom(before)))
}

func secretName(pc *cfv1.ProviderConfig) string {
	if pc.Spec.Credentials.SecretRef == nil {
		return ""
	}
	return fmt.Sprintf("%q", pc.Spec.Credentials.SecretRef.Name)
}

// SetupWithManager registers the controller; a change to a Secret wakes the ProviderConfigs
// that read it.
func (r *ProviderConfigReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if err := mgr.GetFieldIndexer().IndexField(context.Background(), &cfv1.ProviderConfig{}, secretRefIndex,
		func(o client.Object) []string {
			if ref := o.(*cfv1.ProviderConfig).Spec.Credentials.SecretRef; ref != nil {
				return []string{ref.Name}
			}
			return nil
		}); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&cfv1.ProviderConfig{}).
		Watches(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []reconcile.Request {
			list := &cfv1.ProviderConfigList{}
			if err := r.List(ctx, list, client.InNamespace(o.GetNamespace()), client.MatchingFields{secretRefIndex: o.GetName()}); err != nil {
				return nil
			}
			reqs := make([]reconcile.Request, 0, len(list.Items))
			for _, pc := range list.Items {
				reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&pc)})
			}
			return reqs
		})).
		Named("providerconfig").
		Complete(r)
}
