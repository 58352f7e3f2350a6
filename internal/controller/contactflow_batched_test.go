package controller

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/providers"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	"github.com/contactflow-operator/contactflow-operator/internal/testutil"
)

// TestConnectBatchedObservation reconciles Amazon Connect flows with batched observation on,
// against the emulator through the SDK and a real kube-apiserver of its own (what is under test
// is what the reconciler reads and writes on the platform). It checks that a
// rollout reads each flow once, that steady state and a restarted operator cost one search, and
// that a change saved on the console after the list was taken is not overwritten by a spec
// change reconciled within the same list window.
func TestConnectBatchedObservation(t *testing.T) {
	const ns, instance, window = "batched", "connect-batched", 500 * time.Millisecond
	emu, err := emulator.New(emulator.Config{
		AccessKeys: []emulator.AccessKey{{ID: emulator.DemoAccessKeyID, Secret: emulator.DemoAccessKeySecret, User: "operator"}},
		Instances:  []emulator.Instance{{Platform: emulator.PlatformConnect, ID: instance}},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(func() { srv.Close(); emu.Close() })
	console := emulator.NewAdminClient(srv.URL, srv.Client()).Connect()

	sch := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(sch)
	_ = cfv1.AddToScheme(sch)
	// A control plane of its own: the suite's manager (TestControllers) would reconcile these
	// flows too, and this test must see exactly the calls of the reconcilers it drives.
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Fatal("KUBEBUILDER_ASSETS must name the control plane built by hack/control-plane.sh; run `make test`")
	}
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(testutil.RepoRoot(), "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	restCfg, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	kube, err := client.New(restCfg, client.Options{Scheme: sch})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sec, pc := testutil.ProviderObjectsFor(ns, "connect", cfv1.PlatformAmazonConnect, srv.URL, emulator.DemoAccessKeyID, emulator.DemoAccessKeySecret)
	pc.Spec.RateLimit = &cfv1.RateLimitSpec{QPS: "1000", Burst: 1000}
	names := []string{"a", "b", "c"}
	objs := []client.Object{&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, sec, pc}
	for _, n := range names {
		objs = append(objs, testutil.ContentFlow(ns, n, "connect", instance, "", testutil.ConnectContent()))
	}
	for _, o := range objs {
		if err := kube.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	newReconciler := func() *ContactFlowReconciler {
		return &ContactFlowReconciler{Client: kube, Scheme: sch,
			Providers: &Providers{Reader: kube, Flows: providers.NewFlowClient, ObserveWindow: window},
			Timing:    Timing{SyncPeriod: time.Minute, LockRetry: time.Second, ThrottleBackoff: time.Second}.withDefaults()}
	}
	reconcile := func(r *ContactFlowReconciler, name string) *cfv1.ContactFlow {
		t.Helper()
		if _, err := r.Reconcile(ctx, ctrl.Request{NamespacedName: types.NamespacedName{Namespace: ns, Name: name}}); err != nil {
			t.Fatalf("reconcile %s: %v", name, err)
		}
		cf := &cfv1.ContactFlow{}
		if err := kube.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, cf); err != nil {
			t.Fatal(err)
		}
		return cf
	}
	calls := func() map[string]int64 {
		out := map[string]int64{}
		for a, n := range emu.Stats().Calls["connect"] {
			out[a] = n
		}
		emu.ResetStats()
		return out
	}
	ready := func(cf *cfv1.ContactFlow) bool {
		return apimeta.IsStatusConditionTrue(cf.Status.Conditions, cfv1.ConditionReady)
	}

	r := newReconciler()
	for _, n := range names {
		if cf := reconcile(r, n); !ready(cf) || cf.Status.ObservedRevision == "" {
			t.Fatalf("rollout of %s: ready %v, observedRevision %q, conditions %+v", n, ready(cf), cf.Status.ObservedRevision, cf.Status.Conditions)
		}
	}
	if got := calls(); got["CreateContactFlow"] != 3 || got["UpdateContactFlowContent"] != 3 || got["DescribeContactFlow"] != 3 {
		t.Errorf("rollout calls %v, want one create, one publish and one describe per flow", got)
	}

	time.Sleep(window + 100*time.Millisecond)
	for _, n := range names {
		if cf := reconcile(r, n); !ready(cf) {
			t.Fatalf("resync of %s not Ready: %+v", n, cf.Status.Conditions)
		}
	}
	if got := calls(); got["SearchContactFlows"] != 1 || len(got) != 1 {
		t.Errorf("steady-state resync calls %v, want one search", got)
	}

	// Within the list's window, a console user saves a change into $SAVED of flow a, and then
	// the spec of a changes: the list still shows a without the saved change.
	cf := &cfv1.ContactFlow{}
	_ = kube.Get(ctx, types.NamespacedName{Namespace: ns, Name: "a"}, cf)
	saved := testutil.EditContent(testutil.ConnectContent(), func(doc map[string]any) {
		testutil.Child(doc, "Actions", 0, "Parameters")["Text"] = "Saved on the console"
	})
	if _, err := console.SaveContent(ctx, instance, cf.Status.ContactFlowID, string(saved.Raw)); err != nil {
		t.Fatal(err)
	}
	cf.Spec.Content = testutil.EditContent(testutil.ConnectContent(), func(doc map[string]any) {
		testutil.Child(doc, "Actions", 0, "Parameters")["Text"] = "Changed in Git"
	})
	if err := kube.Update(ctx, cf); err != nil {
		t.Fatal(err)
	}
	_, _ = r.Reconcile(ctx, ctrl.Request{NamespacedName: types.NamespacedName{Namespace: ns, Name: "a"}})
	_ = kube.Get(ctx, types.NamespacedName{Namespace: ns, Name: "a"}, cf)
	got := calls()
	live, err := console.Flow(ctx, instance, cf.Status.ContactFlowID)
	if err != nil {
		t.Fatal(err)
	}
	if got["UpdateContactFlowContent"] != 0 || live.SavedContent != string(saved.Raw) {
		t.Errorf("the console's saved change was overwritten: calls %v, saved content %s", got, live.SavedContent)
	}
	if cf.Status.Editor != unknownEditor || ready(cf) || cf.Status.ObservedRevision != "" {
		t.Errorf("status after the console save: editor %q ready %v observedRevision %q", cf.Status.Editor, ready(cf), cf.Status.ObservedRevision)
	}

	// A restarted operator knows only status: flows b and c come from one search.
	restarted := newReconciler()
	for _, n := range names[1:] {
		if cf := reconcile(restarted, n); !ready(cf) {
			t.Fatalf("after restart %s not Ready", n)
		}
	}
	if got := calls(); got["SearchContactFlows"] != 1 || len(got) != 1 {
		t.Errorf("after a restart calls %v, want one search", got)
	}
}
