package health_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/health"
	"github.com/contactflow-operator/contactflow-operator/internal/testutil"
)

// flowManifest is a valid ContactFlow; %d numbers it.
const flowManifest = `apiVersion: contactflow.io/v1alpha1
kind: ContactFlow
metadata:
  name: flow-%[1]d
  namespace: default
spec:
  providerConfigRef: {name: ccc-demo}
  instanceId: ccc-demo
  flowName: flow-%[1]d
  type: MAIN_FLOW
  definition:
    activities:
    - {type: INCOMING_CALL, id: start, events: [{event: complete, next: hello}]}
    - {type: PLAY_SAY, id: hello, properties: {say: Hello, audioType: tts}, events: [{event: complete, next: bye}]}
    - {type: HANGUP, id: bye, events: [{event: complete, next: null}]}
`

// readers is what the two tools that watch rollouts make of one object: kstatus (kubectl-free
// waiters, Flux, kpt, cli-utils) and the Argo CD health check.
type readers struct {
	KStatus status.Status
	Argo    string
}

// TestStatusReadersOnTheAPIServer writes the status the operator writes in each state through
// the status subresource of a real kube-apiserver (no operator runs here), reads the objects
// back, and checks what kstatus and the Argo CD health check make of them. The e2e suite does
// the same with the operator's own status (test/e2e/kstatus_test.go).
func TestStatusReadersOnTheAPIServer(t *testing.T) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS is not set: `make test` sets it (KUBEBUILDER_ASSETS=$(hack/control-plane.sh))")
	}
	cp, err := testutil.StartControlPlane(t.TempDir(), filepath.Join("..", "config", "crd", "bases"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cp.Stop() })
	// Unstructured objects only: the test depends on the CRDs and the condition contract, not on
	// the Go types of the spec.
	c, err := client.New(cp.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	type cond struct {
		typ, reason string
		ok          bool
	}
	tests := []struct {
		name string
		// conds are written with the object's generation; none means no status at all.
		conds []cond
		// observed is status.observedGeneration relative to the generation (0: equal, -1: one
		// behind, nil-like 99: left out as the controller leaves it on a first failed reconcile).
		observed int64
		// specChange bumps the generation after the status was written.
		specChange bool
		want       readers
	}{
		{
			name:  "ready (published)",
			conds: []cond{{"Ready", cfv1.ReasonPublished, true}, {"Synced", cfv1.ReasonUpToDate, true}},
			want:  readers{status.CurrentStatus, health.Healthy},
		},
		{
			name: "progressing (draft held by a console user)",
			conds: []cond{{"Ready", cfv1.ReasonLockedByOther, false}, {"Synced", cfv1.ReasonLockedByOther, false},
				{"Reconciling", cfv1.ReasonLockedByOther, true}},
			observed: 99,
			want:     readers{status.InProgressStatus, health.Progressing},
		},
		{
			name: "stalled (invalid definition)",
			conds: []cond{{"Ready", cfv1.ReasonInvalidDefinition, false}, {"Synced", cfv1.ReasonInvalidDefinition, false},
				{"Stalled", cfv1.ReasonInvalidDefinition, true}},
			want: readers{status.FailedStatus, health.Degraded},
		},
		{
			name:       "spec changed, not reconciled yet",
			conds:      []cond{{"Ready", cfv1.ReasonPublished, true}, {"Synced", cfv1.ReasonUpToDate, true}},
			specChange: true,
			want:       readers{status.InProgressStatus, health.Progressing},
		},
		{
			// kstatus has nothing to go on before the first status write (no observedGeneration,
			// no conditions) and calls the object Current; the Argo CD check waits.
			name: "just created, no status yet",
			want: readers{status.CurrentStatus, health.Progressing},
		},
	}
	var report strings.Builder
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := &unstructured.Unstructured{}
			if err := yaml.Unmarshal([]byte(fmt.Sprintf(flowManifest, i)), &u.Object); err != nil {
				t.Fatal(err)
			}
			if err := c.Create(ctx, u); err != nil {
				t.Fatal(err)
			}
			if len(tc.conds) > 0 {
				var conds []metav1.Condition
				for _, cd := range tc.conds {
					st := metav1.ConditionFalse
					if cd.ok {
						st = metav1.ConditionTrue
					}
					meta.SetStatusCondition(&conds, metav1.Condition{
						Type: cd.typ, Status: st, Reason: cd.reason, Message: cd.typ + " " + cd.reason, ObservedGeneration: u.GetGeneration(),
					})
				}
				st := map[string]any{"conditions": conds}
				if tc.observed != 99 {
					st["observedGeneration"] = u.GetGeneration() + tc.observed
				}
				raw, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&struct {
					Status map[string]any `json:"status"`
				}{st})
				if err != nil {
					t.Fatal(err)
				}
				u.Object["status"] = raw["status"]
				if err := c.Status().Update(ctx, u); err != nil {
					t.Fatal(err)
				}
			}
			if tc.specChange {
				if err := unstructured.SetNestedField(u.Object, "changed in Git", "spec", "description"); err != nil {
					t.Fatal(err)
				}
				if err := c.Update(ctx, u); err != nil {
					t.Fatal(err)
				}
			}

			if err := c.Get(ctx, client.ObjectKeyFromObject(u), u); err != nil {
				t.Fatal(err)
			}
			res, err := status.Compute(u)
			if err != nil {
				t.Fatal(err)
			}
			hs, err := health.Evaluate(u)
			if err != nil {
				t.Fatal(err)
			}
			got := readers{res.Status, hs.Status}
			fmt.Fprintf(&report, "%-42s generation %d  kstatus %-10s (%s)  argo %-11s (%s)\n",
				tc.name, u.GetGeneration(), res.Status, res.Message, hs.Status, hs.Message)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
	t.Logf("objects read back from kube-apiserver:\n%s", report.String())
}
