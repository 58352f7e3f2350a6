package chart_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/contactflow-operator/contactflow-operator/internal/testutil"
)

// TestCRDUpgradePath follows the chart's README on a fresh kube-apiserver where Helm, not
// kubectl, created the CRDs: helm upgrade leaves changed CRDs as they were, a plain
// `kubectl apply --server-side` is refused (Helm owns the fields), the documented
// `--force-conflicts` applies them, and helm uninstall keeps them.
func TestCRDUpgradePath(t *testing.T) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS is not set: `make test` sets it (KUBEBUILDER_ASSETS=$(hack/control-plane.sh))")
	}
	dir := t.TempDir()
	cp, err := testutil.StartControlPlane(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cp.Stop() })
	kubectl := func(args ...string) (string, error) {
		cmd := exec.Command(testutil.Kubectl(), args...)
		cmd.Env = append(os.Environ(), "KUBECONFIG="+cp.KubeconfigPath)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	const crd = "contactflows.contactflow.io"
	description := func() string {
		out, err := kubectl("get", "crd", crd, "-o", "jsonpath={.spec.versions[0].schema.openAPIV3Schema.description}")
		if err != nil {
			t.Fatalf("kubectl get crd: %v\n%s", err, out)
		}
		return out
	}

	mustHelm := func(args ...string) {
		t.Helper()
		if out, err := helmWith(t, cp.KubeconfigPath, args...); err != nil {
			t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	mustHelm("install", "cfo", chartDir, "--namespace", "cfo", "--create-namespace", "--set", "webhook.enabled=false")
	if out, err := kubectl("wait", "--for=condition=Established", "crd/"+crd, "--timeout=30s"); err != nil {
		t.Fatalf("helm install did not create the CRDs: %v\n%s", err, out)
	}
	before := description()

	// The next chart version: the same chart with a changed CRD.
	next := filepath.Join(dir, "next")
	copyDir(t, chartDir, next)
	crdFile := filepath.Join(next, "crds", "contactflow.io_contactflows.yaml")
	changeDescription(t, crdFile, "Changed in the next chart version.")

	mustHelm("upgrade", "cfo", next, "--namespace", "cfo", "--set", "webhook.enabled=false")
	if got := description(); got != before {
		t.Fatalf("helm upgrade changed the CRD; the README says it does not")
	}

	out, err := kubectl("apply", "--server-side", "-f", filepath.Join(next, "crds"))
	if err == nil || !strings.Contains(out, `conflict with "helm"`) {
		t.Fatalf("a plain server-side apply of Helm-created CRDs: err %v\n%s\nthe README says it conflicts and needs --force-conflicts", err, out)
	}
	out, err = kubectl("apply", "--server-side", "--force-conflicts", "-f", filepath.Join(next, "crds"))
	if err != nil {
		t.Fatalf("the documented upgrade failed: %v\n%s", err, out)
	}
	t.Logf("kubectl apply --server-side --force-conflicts -f crds/:\n%s", out)
	if got := description(); got != "Changed in the next chart version." {
		t.Fatalf("after the documented upgrade the CRD still says %q", got)
	}

	mustHelm("uninstall", "cfo", "--namespace", "cfo")
	if out, err := kubectl("get", "crd", crd); err != nil {
		t.Fatalf("helm uninstall removed the CRD: %v\n%s", err, out)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		if strings.HasSuffix(p, ".go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func changeDescription(t *testing.T, path, desc string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var crd map[string]any
	if err := yaml.Unmarshal(b, &crd); err != nil {
		t.Fatal(err)
	}
	v := crd["spec"].(map[string]any)["versions"].([]any)[0].(map[string]any)
	v["schema"].(map[string]any)["openAPIV3Schema"].(map[string]any)["description"] = desc
	out, err := yaml.Marshal(crd)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}
