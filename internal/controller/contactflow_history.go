package controller

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
)

// Platforms that keep no versions of a flow (Alibaba CCC 2020-07-01; Amazon Connect flows other
// than CAMPAIGN) get the operator's own history: every definition it publishes is kept, under
// the version number status.versions shows, in a ConfigMap beside the ContactFlow (owned by
// it, so it goes with it). spec.rollbackTo then republishes a kept definition through the
// normal edit-commit-publish path. The ConfigMap holds the newest maxVersionHistory versions.

// +kubebuilder:rbac:groups="",resources=configmaps,verbs=get;list;watch;create;update;patch

// historyName names the ConfigMap that keeps cf's published definitions.
func historyName(cf *cfv1.ContactFlow) string { return cf.Name + "-flow-history" }

// readHistory returns the kept definitions by version; none when there is no ConfigMap yet.
func (r *ContactFlowReconciler) readHistory(ctx context.Context, cf *cfv1.ContactFlow) (map[string]string, error) {
	cm := &corev1.ConfigMap{}
	err := r.Get(ctx, client.ObjectKey{Namespace: cf.Namespace, Name: historyName(cf)}, cm)
	if apierrors.IsNotFound(err) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the flow history %s: %w", historyName(cf), err)
	}
	if cm.Data == nil {
		return map[string]string{}, nil
	}
	return cm.Data, nil
}

// nextOwnVersion is the number the next operator-kept version gets: one past the highest in
// status.versions.
func nextOwnVersion(st cfv1.ContactFlowStatus) string {
	highest := 0
	for _, v := range st.Versions {
		if n, err := strconv.Atoi(v.Version); err == nil && n > highest {
			highest = n
		}
	}
	return strconv.Itoa(highest + 1)
}

// keepVersion stores definition as version in cf's history, dropping the oldest versions
// beyond maxVersionHistory.
func (r *ContactFlowReconciler) keepVersion(ctx context.Context, cf *cfv1.ContactFlow, version, definition string) error {
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: cf.Namespace, Name: historyName(cf)}}
	_, err := controllerutil.CreateOrPatch(ctx, r.Client, cm, func() error {
		if cm.Labels == nil {
			cm.Labels = map[string]string{}
		}
		cm.Labels["app.kubernetes.io/managed-by"] = "contactflow-operator"
		cm.Labels["contactflow.io/flow"] = cf.Name
		if cm.Data == nil {
			cm.Data = map[string]string{}
		}
		cm.Data[version] = definition
		var nums []int
		for k := range cm.Data {
			if n, err := strconv.Atoi(k); err == nil {
				nums = append(nums, n)
			}
		}
		sort.Ints(nums)
		for len(nums) > maxVersionHistory {
			delete(cm.Data, strconv.Itoa(nums[0]))
			nums = nums[1:]
		}
		return controllerutil.SetOwnerReference(cf, cm, r.Scheme)
	})
	if err != nil {
		return fmt.Errorf("keeping version %s in %s: %w", version, historyName(cf), err)
	}
	return nil
}
