package health_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/contactflow-operator/contactflow-operator/health"
)

// pending are kinds of config/crd/bases whose controllers do not write status yet; they get a
// health check (and leave this list) together with their controller.
var pending = map[string]bool{}

// testFile is health_test.yaml, in the format of Argo CD's resource_customizations tests.
type testFile struct {
	Tests []struct {
		HealthStatus health.Status `json:"healthStatus"`
		InputPath    string        `json:"inputPath"`
	} `json:"tests"`
}

// TestHealthScripts runs every case of every <group>/<Kind>/health_test.yaml through its
// health.lua in the Argo CD-like sandbox, and requires each kind to cover Healthy, Progressing
// and Degraded.
func TestHealthScripts(t *testing.T) {
	kinds := health.Kinds()
	if len(kinds) == 0 {
		t.Fatal("no health.lua found")
	}
	for _, gk := range kinds {
		t.Run(gk.Kind, func(t *testing.T) {
			dir := filepath.Join(gk.Group, gk.Kind)
			var tf testFile
			readYAML(t, filepath.Join(dir, "health_test.yaml"), &tf)
			seen := map[string]bool{}
			for _, tc := range tf.Tests {
				t.Run(strings.TrimSuffix(filepath.Base(tc.InputPath), ".yaml"), func(t *testing.T) {
					obj := &unstructured.Unstructured{}
					readYAML(t, filepath.Join(dir, tc.InputPath), &obj.Object)
					if got := obj.GroupVersionKind().GroupKind(); got != gk {
						t.Fatalf("%s is a %s, not a %s", tc.InputPath, got, gk)
					}
					got, err := health.Evaluate(obj)
					if err != nil {
						t.Fatal(err)
					}
					if d := cmp.Diff(tc.HealthStatus, got); d != "" {
						t.Errorf("%s (-want +got):\n%s", tc.InputPath, d)
					}
					t.Logf("%s: %s: %s", tc.InputPath, got.Status, got.Message)
				})
				seen[tc.HealthStatus.Status] = true
			}
			for _, s := range []string{health.Healthy, health.Progressing, health.Degraded} {
				if !seen[s] {
					t.Errorf("health_test.yaml of %s has no %s case", gk, s)
				}
			}
		})
	}
}

// TestOneContractOneScript: every kind writes the same conditions, so every kind has the same
// script; a fix made to one is made to all. (A kind that ever needs its own logic leaves this
// test.)
func TestOneContractOneScript(t *testing.T) {
	var first string
	for _, gk := range health.Kinds() {
		s, err := health.Script(gk)
		if err != nil {
			t.Fatal(err)
		}
		if first == "" {
			first = s
			continue
		}
		if s != first {
			t.Errorf("%s/%s/health.lua differs from %s/%s/health.lua", gk.Group, gk.Kind, health.Kinds()[0].Group, health.Kinds()[0].Kind)
		}
	}
}

// TestEveryKindHasAHealthCheck: each kind among the CRDs that controller-gen writes has a health
// check, or is listed in pending.
func TestEveryKindHasAHealthCheck(t *testing.T) {
	have := map[schema.GroupKind]bool{}
	for _, gk := range health.Kinds() {
		have[gk] = true
	}
	paths, _ := filepath.Glob(filepath.Join("..", "config", "crd", "bases", "*.yaml"))
	if len(paths) == 0 {
		t.Fatal("no CRD in config/crd/bases")
	}
	for _, p := range paths {
		var crd struct {
			Spec struct {
				Group string `json:"group"`
				Names struct {
					Kind string `json:"kind"`
				} `json:"names"`
			} `json:"spec"`
		}
		readYAML(t, p, &crd)
		gk := schema.GroupKind{Group: crd.Spec.Group, Kind: crd.Spec.Names.Kind}
		switch {
		case have[gk] && pending[gk.Kind]:
			t.Errorf("%s has a health check now: remove it from pending", gk.Kind)
		case !have[gk] && !pending[gk.Kind]:
			t.Errorf("%s (from %s) has no health check: add %s/%s/ (see health/README.md)", gk, filepath.Base(p), gk.Group, gk.Kind)
		}
	}
}

// TestArgoCDConfigMap: hack/argocd-health-cm.sh prints an argocd-cm data patch with one
// resource.customizations.health.<group>_<Kind> key per script, holding the script verbatim.
func TestArgoCDConfigMap(t *testing.T) {
	cmd := exec.Command("bash", filepath.Join("..", "hack", "argocd-health-cm.sh"))
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("hack/argocd-health-cm.sh: %v\n%s", err, stderr.String())
	}
	var cm struct {
		Data map[string]string `json:"data"`
	}
	if err := yaml.Unmarshal(out.Bytes(), &cm); err != nil {
		t.Fatalf("the patch is not YAML: %v\n%s", err, out.String())
	}
	var got, want []string
	for k := range cm.Data {
		got = append(got, k)
	}
	for _, gk := range health.Kinds() {
		key := "resource.customizations.health." + gk.Group + "_" + gk.Kind
		want = append(want, key)
		s, _ := health.Script(gk)
		if cm.Data[key] != s {
			t.Errorf("%s does not hold %s/%s/health.lua verbatim", key, gk.Group, gk.Kind)
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("argocd-cm keys (-want +got):\n%s", d)
	}
}

// TestRunSandbox: scripts run without the string and os libraries (as in Argo CD), a status
// Argo CD does not know turns into Unknown, and a script that never ends is cut off.
func TestRunSandbox(t *testing.T) {
	obj := map[string]any{"metadata": map[string]any{"name": "x"}}
	tests := map[string]struct {
		script  string
		want    health.Status
		wantErr string
	}{
		"string library absent": {script: `return {status = string.upper("healthy")}`, wantErr: "index a non-table object(nil) with key 'upper'"},
		"os library absent":     {script: `return {status = os.getenv("HOME")}`, wantErr: "index a non-table object(nil) with key 'getenv'"},
		"invalid status":        {script: `return {status = "Fine"}`, want: health.Status{Status: health.Unknown, Message: `the health script returned an invalid status "Fine"`}},
		"not a table":           {script: `return "Healthy"`, wantErr: "not a table"},
		"endless loop":          {script: `while true do end`, wantErr: "context deadline exceeded"},
		"reads obj":             {script: `return {status = "Healthy", message = obj.metadata.name}`, want: health.Status{Status: health.Healthy, Message: "x"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := health.Run(tc.script, obj)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func readYAML(t *testing.T, path string, into any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
