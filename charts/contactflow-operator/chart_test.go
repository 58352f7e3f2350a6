// Package chart_test checks the Helm chart with the helm binary that `make helm` builds into
// bin/ from its Go module: lint, render with default and non-default values, and compare what
// it renders with the generated manifests in config/ (CRDs, RBAC) and with the Kubernetes
// "restricted" Pod Security Standard (the pod-security-admission library's own evaluator).
// Nothing here needs a cluster or the network.
package chart_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	psapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"
)

const (
	release   = "cfo-test"
	namespace = "contactflow-system"
)

var (
	chartDir   = mustAbs(".")
	repoRoot   = mustAbs(filepath.Join("..", ".."))
	customVals = filepath.Join(chartDir, "ci", "custom-values.yaml")
)

func mustAbs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		panic(err)
	}
	return a
}

// helm runs bin/helm with its cache, config and data directories in a temporary directory, so
// that a test run neither reads nor writes the user's Helm set-up, and with no cluster: what it
// does here (lint, template, package) needs none.
func helm(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return helmWith(t, filepath.Join(t.TempDir(), "no-kubeconfig"), args...)
}

// helmWith runs bin/helm against the cluster of kubeconfig.
func helmWith(t *testing.T, kubeconfig string, args ...string) (string, error) {
	t.Helper()
	bin := filepath.Join(repoRoot, "bin", "helm")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s is missing: `make helm` builds it from its Go module (make test does)", bin)
	}
	home := t.TempDir()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(),
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"),
		"KUBECONFIG="+kubeconfig,
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// rendered is the output of helm template, one object per document.
type rendered []*unstructured.Unstructured

func render(t *testing.T, extra ...string) rendered {
	t.Helper()
	args := append([]string{"template", release, chartDir, "--namespace", namespace}, extra...)
	out, err := helm(t, args...)
	if err != nil {
		t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	objs, err := splitYAML([]byte(out))
	if err != nil {
		t.Fatalf("parsing the rendered chart: %v", err)
	}
	return objs
}

func splitYAML(b []byte) (rendered, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(b)))
	var objs rendered
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, err
		}
		m := map[string]any{}
		if err := yaml.Unmarshal(doc, &m); err != nil {
			return nil, err
		}
		if len(m) == 0 {
			continue
		}
		objs = append(objs, &unstructured.Unstructured{Object: m})
	}
}

func (r rendered) kinds() []string {
	var ks []string
	for _, o := range r {
		ks = append(ks, o.GetKind())
	}
	sort.Strings(ks)
	return ks
}

func (r rendered) all(kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range r {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

// one converts the only object of kind into into, and fails unless there is exactly one.
func (r rendered) one(t *testing.T, kind string, into any) {
	t.Helper()
	objs := r.all(kind)
	if len(objs) != 1 {
		t.Fatalf("want exactly one %s, rendered %d", kind, len(objs))
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(objs[0].Object, into); err != nil {
		t.Fatalf("converting the %s: %v", kind, err)
	}
}

var clusterScoped = map[string]bool{"ClusterRole": true, "ClusterRoleBinding": true, "ValidatingWebhookConfiguration": true}

// variants are the value sets every rendering test runs with.
var variants = map[string][]string{
	"default values":                      nil,
	"ci/custom-values.yaml":               {"-f", customVals},
	"no leader election, rbac or webhook": {"--set", "leaderElection.enabled=false,rbac.create=false,serviceAccount.create=false,serviceAccount.name=existing,webhook.enabled=false"},
	"metrics off, integer log lvl":        {"--set", "metrics.enabled=false,manager.log.level=3"},
}

func TestHelmLint(t *testing.T) {
	for name, args := range map[string][]string{"default values": nil, "ci/custom-values.yaml": {"-f", customVals}} {
		t.Run(name, func(t *testing.T) {
			out, err := helm(t, append([]string{"lint", "--strict", chartDir}, args...)...)
			t.Logf("helm lint --strict (%s):\n%s", name, out)
			if err != nil || !strings.Contains(out, "0 chart(s) failed") {
				t.Fatalf("helm lint failed: %v", err)
			}
		})
	}
}

func TestRenderDefaults(t *testing.T) {
	objs := render(t)
	want := []string{"ClusterRole", "ClusterRoleBinding", "Deployment", "Role", "RoleBinding", "Service", "Service", "ServiceAccount", "ValidatingWebhookConfiguration"}
	if d := cmp.Diff(want, objs.kinds()); d != "" {
		t.Errorf("rendered kinds (-want +got):\n%s", d)
	}
	for _, o := range objs {
		if !clusterScoped[o.GetKind()] && o.GetNamespace() != namespace {
			t.Errorf("%s %s is in namespace %q, want the release namespace %q", o.GetKind(), o.GetName(), o.GetNamespace(), namespace)
		}
	}

	var dep appsv1.Deployment
	objs.one(t, "Deployment", &dep)
	if got := ptr.Deref(dep.Spec.Replicas, 0); got != 1 {
		t.Errorf("replicas = %d, want 1", got)
	}
	c := manager(t, &dep)
	appVersion := chartYAML(t)["appVersion"]
	if want := "contactflow-operator:" + appVersion; c.Image != want {
		t.Errorf("image = %q, want %q (the tag defaults to appVersion)", c.Image, want)
	}
	wantArgs := []string{
		"--leader-elect=true",
		"--metrics-bind-address=:8080",
		"--health-probe-bind-address=:8081",
		"--sync-period=10m",
		"--lock-retry-period=30s",
		"--throttle-backoff=5s",
		"--max-concurrent-reconciles=4",
		"--memory-limit-ratio=0.9",
		"--zap-log-level=info",
		"--zap-encoder=json",
		"--enable-webhooks",
		"--webhook-port=9443",
		"--webhook-cert-dir=/tmp/k8s-webhook-server/serving-certs",
		"--webhook-config-name=" + release + "-contactflow-operator-validating",
		"--webhook-host=" + release + "-contactflow-operator-webhook." + namespace + ".svc",
	}
	if d := cmp.Diff(wantArgs, c.Args); d != "" {
		t.Errorf("manager args (-want +got):\n%s", d)
	}
	if c.LivenessProbe == nil || c.LivenessProbe.HTTPGet.Path != "/healthz" || c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" {
		t.Errorf("probes: want /healthz and /readyz on the health port, got %+v / %+v", c.LivenessProbe, c.ReadinessProbe)
	}
	checkWiring(t, objs, &dep)
}

func TestRenderCustomValues(t *testing.T) {
	objs := render(t, "-f", customVals)
	var dep appsv1.Deployment
	objs.one(t, "Deployment", &dep)
	if dep.Name != "cfo" {
		t.Errorf("fullnameOverride: Deployment is %q, want cfo", dep.Name)
	}
	if got := ptr.Deref(dep.Spec.Replicas, 0); got != 2 {
		t.Errorf("replicas = %d, want 2", got)
	}
	c := manager(t, &dep)
	if c.Image != "platform/contactflow-operator:v0.1.0-rc.1" || c.ImagePullPolicy != corev1.PullAlways {
		t.Errorf("image = %q %q", c.Image, c.ImagePullPolicy)
	}
	for _, a := range []string{
		"--leader-elect=true", "--metrics-bind-address=:9090", "--health-probe-bind-address=:9091",
		"--sync-period=5m", "--lock-retry-period=15s", "--throttle-backoff=2s",
		"--max-concurrent-reconciles=8", "--zap-log-level=debug", "--zap-encoder=console",
		"--zap-stacktrace-level=panic",
	} {
		if !slices.Contains(c.Args, a) {
			t.Errorf("manager args lack %s: %v", a, c.Args)
		}
	}
	if got := c.Resources.Limits.Memory().String(); got != "512Mi" {
		t.Errorf("memory limit = %s, want 512Mi", got)
	}
	ps := dep.Spec.Template.Spec
	if ps.NodeSelector["kubernetes.io/os"] != "linux" || len(ps.Tolerations) != 1 || ps.Affinity == nil || ps.Affinity.PodAntiAffinity == nil {
		t.Errorf("nodeSelector/tolerations/affinity not rendered: %v / %v / %v", ps.NodeSelector, ps.Tolerations, ps.Affinity)
	}
	if len(ps.ImagePullSecrets) != 1 || ps.PriorityClassName != "system-cluster-critical" {
		t.Errorf("imagePullSecrets / priorityClassName not rendered: %v / %q", ps.ImagePullSecrets, ps.PriorityClassName)
	}
	if dep.Spec.Template.Labels["pod-identity.alibabacloud.com/injection"] != "on" {
		t.Errorf("podLabels not rendered: %v", dep.Spec.Template.Labels)
	}

	var sa corev1.ServiceAccount
	objs.one(t, "ServiceAccount", &sa)
	wantAnn := map[string]string{
		"pod-identity.alibabacloud.com/role-name": "contactflow-operator",
		"eks.amazonaws.com/role-arn":              "arn:aws:iam::123456789012:role/contactflow-operator",
	}
	if sa.Name != "contactflow-manager" || !cmp.Equal(wantAnn, sa.Annotations) {
		t.Errorf("ServiceAccount %q annotations %v, want contactflow-manager with %v", sa.Name, sa.Annotations, wantAnn)
	}

	if slices.ContainsFunc(c.Args, func(a string) bool { return strings.HasPrefix(a, "--webhook-config-name") }) ||
		!slices.Contains(c.Args, "--webhook-port=9444") {
		t.Errorf("with webhook.certSecretName the manager must not generate a certificate: %v", c.Args)
	}
	if v := ps.Volumes; len(v) != 1 || v[0].Secret == nil || v[0].Secret.SecretName != "contactflow-operator-webhook-tls" {
		t.Errorf("webhook.certSecretName is not mounted: %+v", v)
	}
	var vwc admissionregistrationv1.ValidatingWebhookConfiguration
	objs.one(t, "ValidatingWebhookConfiguration", &vwc)
	if vwc.Annotations["cert-manager.io/inject-ca-from"] == "" || len(vwc.Webhooks) == 0 {
		t.Fatalf("ValidatingWebhookConfiguration %+v", vwc)
	}
	for _, w := range vwc.Webhooks {
		if ptr.Deref(w.FailurePolicy, "") != admissionregistrationv1.Ignore || ptr.Deref(w.TimeoutSeconds, 0) != 5 || w.NamespaceSelector == nil {
			t.Errorf("webhook %s: failurePolicy %v, timeout %v, namespaceSelector %v", w.Name, w.FailurePolicy, w.TimeoutSeconds, w.NamespaceSelector)
		}
	}

	sms := objs.all("ServiceMonitor")
	if len(sms) != 1 {
		t.Fatalf("want one ServiceMonitor, got %d", len(sms))
	}
	eps, _, _ := unstructured.NestedSlice(sms[0].Object, "spec", "endpoints")
	if len(eps) != 1 || eps[0].(map[string]any)["port"] != "metrics" || eps[0].(map[string]any)["interval"] != "15s" {
		t.Errorf("ServiceMonitor endpoints = %v", eps)
	}
	if sms[0].GetLabels()["release"] != "prometheus" {
		t.Errorf("ServiceMonitor labels = %v", sms[0].GetLabels())
	}
	checkWiring(t, objs, &dep)
}

func TestRenderOptionalParts(t *testing.T) {
	objs := render(t, variants["no leader election, rbac or webhook"]...)
	if d := cmp.Diff([]string{"Deployment", "Service"}, objs.kinds()); d != "" {
		t.Errorf("rbac.create=false, serviceAccount.create=false, webhook.enabled=false (-want +got):\n%s", d)
	}
	var dep appsv1.Deployment
	objs.one(t, "Deployment", &dep)
	if !slices.Contains(manager(t, &dep).Args, "--leader-elect=false") || dep.Spec.Template.Spec.ServiceAccountName != "existing" {
		t.Errorf("leader election off / existing ServiceAccount not rendered")
	}
	for _, a := range manager(t, &dep).Args {
		if strings.HasPrefix(a, "--webhook") || a == "--enable-webhooks" {
			t.Errorf("webhook.enabled=false still passes %s", a)
		}
	}
	if len(dep.Spec.Template.Spec.Volumes) != 0 {
		t.Errorf("webhook.enabled=false still mounts %v", dep.Spec.Template.Spec.Volumes)
	}

	objs = render(t, variants["metrics off, integer log lvl"]...)
	for _, svc := range objs.all("Service") {
		if strings.HasSuffix(svc.GetName(), "-metrics") {
			t.Errorf("metrics.enabled=false still renders the metrics Service")
		}
	}
	objs.one(t, "Deployment", &dep)
	c := manager(t, &dep)
	for _, a := range []string{"--metrics-bind-address=0", "--zap-log-level=3"} {
		if !slices.Contains(c.Args, a) {
			t.Errorf("args lack %s: %v", a, c.Args)
		}
	}
}

// checkWiring checks that the objects point at each other: the bindings at the ServiceAccount
// the pod runs as, the Service at the pod's labels and a port the container opens.
func checkWiring(t *testing.T, objs rendered, dep *appsv1.Deployment) {
	t.Helper()
	saName := dep.Spec.Template.Spec.ServiceAccountName
	if sas := objs.all("ServiceAccount"); len(sas) == 1 && sas[0].GetName() != saName {
		t.Errorf("pod runs as %q, the chart creates ServiceAccount %q", saName, sas[0].GetName())
	}
	var crb rbacv1.ClusterRoleBinding
	objs.one(t, "ClusterRoleBinding", &crb)
	var cr rbacv1.ClusterRole
	objs.one(t, "ClusterRole", &cr)
	if crb.RoleRef.Name != cr.Name || len(crb.Subjects) != 1 || crb.Subjects[0].Name != saName || crb.Subjects[0].Namespace != namespace {
		t.Errorf("ClusterRoleBinding %+v does not bind ClusterRole %s to %s/%s", crb, cr.Name, namespace, saName)
	}
	var rb rbacv1.RoleBinding
	objs.one(t, "RoleBinding", &rb)
	var role rbacv1.Role
	objs.one(t, "Role", &role)
	if rb.RoleRef.Name != role.Name || len(rb.Subjects) != 1 || rb.Subjects[0].Name != saName {
		t.Errorf("RoleBinding %+v does not bind Role %s to %s", rb, role.Name, saName)
	}
	for k, v := range dep.Spec.Selector.MatchLabels {
		if dep.Spec.Template.Labels[k] != v {
			t.Errorf("Deployment selector %s=%s does not match its pod labels", k, v)
		}
	}
	c := manager(t, dep)
	for _, o := range objs.all("Service") {
		var svc corev1.Service
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &svc); err != nil {
			t.Fatal(err)
		}
		for k, v := range svc.Spec.Selector {
			if dep.Spec.Template.Labels[k] != v {
				t.Errorf("Service %s selector %s=%s does not match the pod labels %v", svc.Name, k, v, dep.Spec.Template.Labels)
			}
		}
		for _, p := range svc.Spec.Ports {
			if !slices.ContainsFunc(c.Ports, func(cp corev1.ContainerPort) bool { return cp.Name == p.TargetPort.String() }) {
				t.Errorf("Service %s targets port %q, the container has %v", svc.Name, p.TargetPort.String(), c.Ports)
			}
		}
	}
}

func manager(t *testing.T, dep *appsv1.Deployment) *corev1.Container {
	t.Helper()
	for i := range dep.Spec.Template.Spec.Containers {
		if c := &dep.Spec.Template.Spec.Containers[i]; c.Name == "manager" {
			return c
		}
	}
	t.Fatalf("the Deployment has no manager container")
	return nil
}

func chartYAML(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{}
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, v := range m {
		out[k] = fmt.Sprint(v)
	}
	return out
}

// TestRenderedFlagsExistInManager renders every value set and checks each flag the chart
// passes against the flags the manager binary really has (its -help), so that a renamed flag
// breaks this test instead of a rollout.
func TestRenderedFlagsExistInManager(t *testing.T) {
	known := managerFlags(t)
	for name, args := range variants {
		t.Run(name, func(t *testing.T) {
			var dep appsv1.Deployment
			render(t, args...).one(t, "Deployment", &dep)
			for _, a := range manager(t, &dep).Args {
				flag := strings.TrimLeft(strings.SplitN(a, "=", 2)[0], "-")
				if !known[flag] {
					t.Errorf("the chart passes %s, bin/manager has no flag %q", a, flag)
				}
			}
		})
	}
}

func managerFlags(t *testing.T) map[string]bool {
	t.Helper()
	bin := filepath.Join(repoRoot, "bin", "manager")
	if _, err := os.Stat(bin); err != nil {
		bin = filepath.Join(t.TempDir(), "manager")
		build := exec.Command("go", "build", "-o", bin, "./cmd/manager")
		build.Dir = repoRoot
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("building the manager: %v\n%s", err, out)
		}
	}
	out, _ := exec.Command(bin, "-help").CombinedOutput()
	known := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s+-([a-z0-9-]+)`).FindAllStringSubmatch(string(out), -1) {
		known[m[1]] = true
	}
	if !known["leader-elect"] || !known["sync-period"] {
		t.Fatalf("could not read the manager's flags from -help:\n%s", out)
	}
	return known
}

// TestCRDsMatchConfig: crds/ holds exactly the CRDs controller-gen writes into
// config/crd/bases, byte for byte (`make manifests` copies them).
func TestCRDsMatchConfig(t *testing.T) {
	src := yamlFiles(t, filepath.Join(repoRoot, "config", "crd", "bases"))
	dst := yamlFiles(t, filepath.Join(chartDir, "crds"))
	if len(src) == 0 {
		t.Fatal("config/crd/bases has no CRD")
	}
	if d := cmp.Diff(keys(src), keys(dst)); d != "" {
		t.Fatalf("crds/ and config/crd/bases hold different files (-config +chart); run `make manifests`:\n%s", d)
	}
	for name, b := range src {
		if !bytes.Equal(b, dst[name]) {
			t.Errorf("crds/%s differs from config/crd/bases/%s; run `make manifests`", name, name)
		}
	}
}

func yamlFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p)] = b
	}
	return out
}

func keys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// TestRBACMatchesConfig: the chart grants exactly what config/rbac grants: the ClusterRole the
// rules controller-gen generates from the +kubebuilder:rbac markers, the leader-election Role
// the hand-written rules.
func TestRBACMatchesConfig(t *testing.T) {
	objs := render(t)
	for _, tc := range []struct {
		kind, config, copy string
	}{
		{"ClusterRole", "role.yaml", "manager-role.yaml"},
		{"Role", "leader_election_role.yaml", "leader-election-role.yaml"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			want := rulesOf(t, filepath.Join(repoRoot, "config", "rbac", tc.config))
			var got []rbacv1.PolicyRule
			if tc.kind == "ClusterRole" {
				var cr rbacv1.ClusterRole
				objs.one(t, tc.kind, &cr)
				got = cr.Rules
			} else {
				var r rbacv1.Role
				objs.one(t, tc.kind, &r)
				got = r.Rules
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("the chart's %s rules differ from config/rbac/%s (-config +chart); run `make manifests`:\n%s", tc.kind, tc.config, d)
			}
			src, _ := os.ReadFile(filepath.Join(repoRoot, "config", "rbac", tc.config))
			cp, _ := os.ReadFile(filepath.Join(chartDir, "files", "rbac", tc.copy))
			if !bytes.Equal(src, cp) {
				t.Errorf("files/rbac/%s is not a copy of config/rbac/%s; run `make manifests`", tc.copy, tc.config)
			}
		})
	}
}

func rulesOf(t *testing.T, path string) []rbacv1.PolicyRule {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Rules []rbacv1.PolicyRule `json:"rules"`
	}
	if err := yaml.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Rules) == 0 {
		t.Fatalf("%s has no rules", path)
	}
	return r.Rules
}

// TestRBACLeastPrivilege: no rule of any value set uses a wildcard, and none grants the verbs
// that let a subject raise its own rights.
func TestRBACLeastPrivilege(t *testing.T) {
	for name, args := range variants {
		t.Run(name, func(t *testing.T) {
			for _, o := range render(t, args...) {
				if o.GetKind() != "ClusterRole" && o.GetKind() != "Role" {
					continue
				}
				var r rbacv1.ClusterRole // Role has the same rules field
				if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &r); err != nil {
					t.Fatal(err)
				}
				for i, rule := range r.Rules {
					for field, vals := range map[string][]string{
						"apiGroups": rule.APIGroups, "resources": rule.Resources, "verbs": rule.Verbs,
						"resourceNames": rule.ResourceNames, "nonResourceURLs": rule.NonResourceURLs,
					} {
						for _, v := range vals {
							if strings.Contains(v, "*") {
								t.Errorf("%s %s rule %d: wildcard %q in %s", o.GetKind(), o.GetName(), i, v, field)
							}
						}
					}
					for _, v := range rule.Verbs {
						if v == "escalate" || v == "bind" || v == "impersonate" {
							t.Errorf("%s %s rule %d grants %q", o.GetKind(), o.GetName(), i, v)
						}
					}
					if len(rule.NonResourceURLs) > 0 {
						t.Errorf("%s %s rule %d grants non-resource URLs %v", o.GetKind(), o.GetName(), i, rule.NonResourceURLs)
					}
				}
			}
		})
	}
}

// TestRestrictedPodSecurity evaluates the rendered pod with the evaluator kube-apiserver's
// PodSecurity admission uses, at level restricted and the latest policy version, and fails on
// any violation. The hardened fields are then taken away one at a time to show that the
// evaluator really sees them.
func TestRestrictedPodSecurity(t *testing.T) {
	eval, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	restricted := psapi.LevelVersion{Level: psapi.LevelRestricted, Version: psapi.LatestVersion()}
	check := func(tmpl *corev1.PodTemplateSpec) policy.AggregateCheckResult {
		return policy.AggregateCheckResults(eval.EvaluatePod(restricted, &tmpl.ObjectMeta, &tmpl.Spec))
	}

	for name, args := range variants {
		t.Run(name, func(t *testing.T) {
			var dep appsv1.Deployment
			render(t, args...).one(t, "Deployment", &dep)
			res := check(&dep.Spec.Template)
			if !res.Allowed {
				t.Fatalf("the operator pod violates the restricted Pod Security Standard: %s", res.ForbiddenDetail())
			}
			t.Logf("restricted (latest): allowed, %d checks", len(eval.EvaluatePod(restricted, &dep.Spec.Template.ObjectMeta, &dep.Spec.Template.Spec)))
			c := manager(t, &dep)
			if sc := c.SecurityContext; sc == nil || !ptr.Deref(sc.ReadOnlyRootFilesystem, false) {
				t.Errorf("the manager container's root filesystem is not read-only")
			}
		})
	}

	t.Run("each hardening removed is caught", func(t *testing.T) {
		var dep appsv1.Deployment
		render(t).one(t, "Deployment", &dep)
		for what, weaken := range map[string]func(*corev1.PodSpec){
			"allowPrivilegeEscalation": func(s *corev1.PodSpec) { s.Containers[0].SecurityContext.AllowPrivilegeEscalation = nil },
			"capabilities drop ALL":    func(s *corev1.PodSpec) { s.Containers[0].SecurityContext.Capabilities = nil },
			"runAsNonRoot": func(s *corev1.PodSpec) {
				s.SecurityContext.RunAsNonRoot, s.Containers[0].SecurityContext.RunAsNonRoot = nil, nil
			},
			"seccompProfile": func(s *corev1.PodSpec) {
				s.SecurityContext.SeccompProfile, s.Containers[0].SecurityContext.SeccompProfile = nil, nil
			},
		} {
			tmpl := dep.Spec.Template.DeepCopy()
			weaken(&tmpl.Spec)
			res := check(tmpl)
			if res.Allowed {
				t.Errorf("without %s the pod still passes: the check is not looking", what)
				continue
			}
			t.Logf("without %s: %s", what, res.ForbiddenDetail())
		}
	})
}

// TestValuesSchema: values.schema.json and the template's own checks reject bad values with a
// message that names the value.
func TestValuesSchema(t *testing.T) {
	tests := map[string]struct {
		set, want string
	}{
		"unknown top-level key":     {"imageTag=v1", "additional properties 'imageTag' not allowed"},
		"misspelt nested key":       {"manager.syncperiod=1m", "additional properties 'syncperiod' not allowed"},
		"pull policy":               {"image.pullPolicy=Sometimes", "/image/pullPolicy"},
		"duration":                  {"manager.syncPeriod=ten", "/manager/syncPeriod"},
		"log format":                {"manager.log.format=xml", "/manager/log/format"},
		"log level":                 {"manager.log.level=verbose", "/manager/log/level"},
		"concurrency":               {"manager.maxConcurrentReconciles=0", "/manager/maxConcurrentReconciles"},
		"memory limit ratio":        {"manager.memoryLimitRatio=2", "/manager/memoryLimitRatio"},
		"port":                      {"metrics.port=70000", "/metrics/port"},
		"extra arg without dashes":  {"manager.extraArgs={leader-elect}", "/manager/extraArgs/0"},
		"replicas need leader":      {"replicaCount=2,leaderElection.enabled=false", "replicaCount > 1 needs leaderElection.enabled=true"},
		"monitor needs metrics":     {"metrics.enabled=false,metrics.serviceMonitor.enabled=true", "needs metrics.enabled=true"},
		"existing SA must be named": {"serviceAccount.create=false", "needs serviceAccount.name"},
		"replicas and self-signed":  {"replicaCount=2", "needs webhook.certSecretName"},
		"failure policy":            {"webhook.failurePolicy=Sometimes", "/webhook/failurePolicy"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			out, err := helm(t, "template", release, chartDir, "--set", tc.set)
			if err == nil {
				t.Fatalf("--set %s rendered without an error", tc.set)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("--set %s: error does not mention %q:\n%s", tc.set, tc.want, out)
			}
		})
	}
}

// TestPackage: the packaged chart carries the CRDs, the RBAC sources and the schema, and not the
// Go tests or their fixtures.
func TestPackage(t *testing.T) {
	dir := t.TempDir()
	out, err := helm(t, "package", chartDir, "--destination", dir)
	if err != nil {
		t.Fatalf("helm package: %v\n%s", err, out)
	}
	tgz, _ := filepath.Glob(filepath.Join(dir, "*.tgz"))
	if len(tgz) != 1 {
		t.Fatalf("helm package wrote %v", tgz)
	}
	list, err := exec.Command("tar", "-tzf", tgz[0]).CombinedOutput()
	if err != nil {
		t.Fatalf("tar: %v\n%s", err, list)
	}
	files := strings.Fields(string(list))
	for _, want := range []string{"contactflow-operator/values.schema.json", "contactflow-operator/files/rbac/manager-role.yaml", "contactflow-operator/crds/contactflow.io_contactflows.yaml"} {
		if !slices.Contains(files, want) {
			t.Errorf("the package lacks %s", want)
		}
	}
	for _, f := range files {
		if strings.HasSuffix(f, ".go") || strings.Contains(f, "/testdata/") {
			t.Errorf("the package carries %s", f)
		}
	}
}

// TestWebhookMatchesConfig: the chart registers exactly the webhooks controller-gen generates
// into config/webhook/manifests.yaml (names, paths, rules), at its own Service, and the manager
// injects its CA into the configuration the chart creates.
func TestWebhookMatchesConfig(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(repoRoot, "config", "webhook", "manifests.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cp, _ := os.ReadFile(filepath.Join(chartDir, "files", "webhook", "manifests.yaml"))
	if !bytes.Equal(src, cp) {
		t.Errorf("files/webhook/manifests.yaml is not a copy of config/webhook/manifests.yaml; run `make manifests`")
	}
	docs, err := splitYAML(src)
	if err != nil {
		t.Fatal(err)
	}
	var want admissionregistrationv1.ValidatingWebhookConfiguration
	for _, d := range docs {
		if d.GetKind() != "ValidatingWebhookConfiguration" {
			t.Errorf("config/webhook/manifests.yaml has a %s, which the chart does not render", d.GetKind())
			continue
		}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(d.Object, &want); err != nil {
			t.Fatal(err)
		}
	}
	if len(want.Webhooks) == 0 {
		t.Fatal("config/webhook/manifests.yaml has no webhook")
	}

	objs := render(t)
	var got admissionregistrationv1.ValidatingWebhookConfiguration
	objs.one(t, "ValidatingWebhookConfiguration", &got)
	if len(got.Webhooks) != len(want.Webhooks) {
		t.Fatalf("the chart registers %d webhooks, config/webhook %d", len(got.Webhooks), len(want.Webhooks))
	}
	var dep appsv1.Deployment
	objs.one(t, "Deployment", &dep)
	c := manager(t, &dep)
	svcName := ""
	for i, w := range got.Webhooks {
		g := want.Webhooks[i]
		if w.Name != g.Name || !cmp.Equal(w.Rules, g.Rules) || ptr.Deref(w.SideEffects, "") != ptr.Deref(g.SideEffects, "") ||
			!cmp.Equal(w.AdmissionReviewVersions, g.AdmissionReviewVersions) || ptr.Deref(w.FailurePolicy, "") != ptr.Deref(g.FailurePolicy, "") {
			t.Errorf("webhook %d differs from config/webhook:\n%s", i, cmp.Diff(g, w))
		}
		s := w.ClientConfig.Service
		if s == nil || ptr.Deref(s.Path, "") != ptr.Deref(g.ClientConfig.Service.Path, "") || s.Namespace != namespace {
			t.Errorf("webhook %s calls %+v", w.Name, s)
			continue
		}
		svcName = s.Name
	}
	if !slices.Contains(c.Args, "--webhook-config-name="+got.Name) {
		t.Errorf("the manager injects its CA into another configuration than %s: %v", got.Name, c.Args)
	}
	if !slices.Contains(c.Args, "--webhook-host="+svcName+"."+namespace+".svc") {
		t.Errorf("the certificate is not made for the Service %s the API server calls: %v", svcName, c.Args)
	}
	found := false
	for _, o := range objs.all("Service") {
		if o.GetName() == svcName {
			found = true
			ports, _, _ := unstructured.NestedSlice(o.Object, "spec", "ports")
			if len(ports) != 1 || ports[0].(map[string]any)["targetPort"] != "webhook-server" {
				t.Errorf("webhook Service ports %v", ports)
			}
		}
	}
	if !found {
		t.Errorf("no Service %s for the webhook", svcName)
	}
	if v := dep.Spec.Template.Spec.Volumes; len(v) != 1 || v[0].EmptyDir == nil {
		t.Errorf("the self-signed certificate needs a writable emptyDir: %+v", v)
	}
}
