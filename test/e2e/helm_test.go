package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

const (
	chartPath   = "charts/contactflow-operator"
	helmNS      = "helm-e2e"
	helmRelease = "cfo"
	// helmFullname is the resource name prefix the chart gives release cfo.
	helmFullname = "cfo-contactflow-operator"
)

// helmCmd runs bin/helm against the suite's control plane, with Helm's own directories inside
// the suite's work directory.
func helmCmd(args ...string) (string, error) {
	bin := filepath.Join(root, "bin", "helm")
	if _, err := os.Stat(bin); err != nil {
		Fail(bin + " is missing: `make helm` builds it from its Go module (make test does)")
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = root
	home := filepath.Join(workDir, "helm")
	cmd.Env = append(os.Environ(),
		"KUBECONFIG="+cp.KubeconfigPath,
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"),
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func mustHelm(args ...string) string {
	out, err := helmCmd(args...)
	ExpectWithOffset(1, err).NotTo(HaveOccurred(), "helm %s:\n%s", strings.Join(args, " "), out)
	return out
}

// getJSON reads one object with kubectl into into.
func getJSON(into any, args ...string) {
	out := mustKubectl(append([]string{"get", "-o", "json"}, args...)...)
	ExpectWithOffset(1, json.Unmarshal([]byte(out), into)).To(Succeed())
}

func chartCRDNames() []string {
	paths, err := filepath.Glob(filepath.Join(root, chartPath, "crds", "*.yaml"))
	Expect(err).NotTo(HaveOccurred())
	Expect(paths).NotTo(BeEmpty())
	var names []string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		Expect(err).NotTo(HaveOccurred())
		var crd metav1.PartialObjectMetadata
		Expect(yaml.Unmarshal(b, &crd)).To(Succeed())
		names = append(names, crd.Name)
	}
	return names
}

// The BeforeSuite has already installed the CRDs (config/crd/bases, the same files as the
// chart's crds/): helm install finds them present and leaves them alone, as it does on any
// cluster where they exist, and helm uninstall never deletes them. So the chart can be installed
// and removed here without disturbing the specs that use the CRDs in the default namespace. The
// release lives in its own namespace, which enforces the restricted Pod Security Standard.
var _ = Describe("the Helm chart installed with helm", Ordered, func() {
	BeforeAll(func() {
		_, err := kubectlIn(`apiVersion: v1
kind: Namespace
metadata:
  name: `+helmNS+`
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: latest
    pod-security.kubernetes.io/warn: restricted
    pod-security.kubernetes.io/warn-version: latest
`, "apply", "-f", "-")
		Expect(err).NotTo(HaveOccurred())
	})

	It("installs into its namespace what the chart renders", func() {
		// No pod serves the webhook here, so it only sees this namespace, where no ContactFlow is
		// made: the specs that apply ContactFlows elsewhere are not refused by it.
		out := mustHelm("install", helmRelease, chartPath, "--namespace", helmNS, "--debug",
			"--set", "serviceAccount.annotations.pod-identity\\.alibabacloud\\.com/role-name=contactflow-operator",
			"--set", "manager.syncPeriod=2m",
			"--set", "webhook.namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name="+helmNS)
		GinkgoWriter.Println(out)
		Expect(out).To(ContainSubstring("STATUS: deployed"))
		Expect(out).NotTo(ContainSubstring("would violate PodSecurity"), "the API server warned about the pod template")
		for _, crd := range chartCRDNames() {
			Expect(out).To(ContainSubstring("CRD "+crd+" is already present. Skipping."), "helm touched the existing CRD %s", crd)
		}
		GinkgoWriter.Println(mustHelm("list", "--namespace", helmNS))

		var dep appsv1.Deployment
		getJSON(&dep, "deployment", helmFullname, "-n", helmNS)
		Expect(dep.Spec.Template.Spec.Containers).To(HaveLen(1))
		c := dep.Spec.Template.Spec.Containers[0]
		Expect(c.Args).To(ContainElements("--leader-elect=true", "--sync-period=2m"))
		Expect(dep.Spec.Template.Spec.ServiceAccountName).To(Equal(helmFullname))

		var sa corev1.ServiceAccount
		getJSON(&sa, "serviceaccount", helmFullname, "-n", helmNS)
		Expect(sa.Annotations).To(HaveKeyWithValue("pod-identity.alibabacloud.com/role-name", "contactflow-operator"))

		var cr rbacv1.ClusterRole
		getJSON(&cr, "clusterrole", helmFullname+"-manager")
		var generated rbacv1.ClusterRole
		b, err := os.ReadFile(filepath.Join(root, "config", "rbac", "role.yaml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(yaml.Unmarshal(b, &generated)).To(Succeed())
		Expect(cr.Rules).To(Equal(generated.Rules), "the installed ClusterRole grants what config/rbac/role.yaml grants")

		var crb rbacv1.ClusterRoleBinding
		getJSON(&crb, "clusterrolebinding", helmFullname+"-manager")
		Expect(crb.Subjects).To(ConsistOf(rbacv1.Subject{Kind: "ServiceAccount", Name: helmFullname, Namespace: helmNS}))
		Expect(crb.RoleRef.Name).To(Equal(cr.Name))

		var role rbacv1.Role
		getJSON(&role, "role", helmFullname+"-leader-election", "-n", helmNS)
		Expect(role.Rules).To(ContainElement(HaveField("Resources", ContainElement("leases"))))
		var rb rbacv1.RoleBinding
		getJSON(&rb, "rolebinding", helmFullname+"-leader-election", "-n", helmNS)
		Expect(rb.Subjects).To(ConsistOf(rbacv1.Subject{Kind: "ServiceAccount", Name: helmFullname, Namespace: helmNS}))

		var svc corev1.Service
		getJSON(&svc, "service", helmFullname+"-metrics", "-n", helmNS)
		Expect(svc.Spec.Ports).To(HaveLen(1))
		Expect(svc.Spec.Ports[0].Name).To(Equal("metrics"))
		for k, v := range svc.Spec.Selector {
			Expect(dep.Spec.Template.Labels).To(HaveKeyWithValue(k, v))
		}

		var whSvc corev1.Service
		getJSON(&whSvc, "service", helmFullname+"-webhook", "-n", helmNS)
		var vwc admissionregistrationv1.ValidatingWebhookConfiguration
		getJSON(&vwc, "validatingwebhookconfiguration", helmFullname+"-validating")
		Expect(vwc.Webhooks).NotTo(BeEmpty())
		for _, w := range vwc.Webhooks {
			Expect(w.ClientConfig.Service).NotTo(BeNil())
			Expect(w.ClientConfig.Service.Name).To(Equal(whSvc.Name))
			Expect(w.ClientConfig.Service.Namespace).To(Equal(helmNS))
			Expect(w.NamespaceSelector.MatchLabels).To(Equal(map[string]string{"kubernetes.io/metadata.name": helmNS}))
		}
		Expect(c.Args).To(ContainElements("--enable-webhooks", "--webhook-config-name="+vwc.Name,
			"--webhook-host="+whSvc.Name+"."+helmNS+".svc"))

		for _, crd := range chartCRDNames() {
			mustKubectl("wait", "--for=condition=Established", "crd/"+crd, "--timeout=30s")
		}
	})

	It("runs a pod that the API server's PodSecurity admission accepts at level restricted", func() {
		// No kubelet or controller-manager runs here, so the Deployment never makes a pod: the
		// pod it would make is sent as a server-side dry run into the namespace, which enforces
		// restricted. A privileged variant is sent too, to show that enforcement is on.
		var dep appsv1.Deployment
		getJSON(&dep, "deployment", helmFullname, "-n", helmNS)
		pod := corev1.Pod{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
			ObjectMeta: metav1.ObjectMeta{Name: "pss-check", Namespace: helmNS, Labels: dep.Spec.Template.Labels},
			Spec:       dep.Spec.Template.Spec,
		}
		b, err := json.Marshal(pod)
		Expect(err).NotTo(HaveOccurred())
		out, err := kubectlIn(string(b), "create", "--dry-run=server", "-f", "-")
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("created (server dry run)"))
		Expect(out).NotTo(ContainSubstring("PodSecurity"))
		GinkgoWriter.Println("the chart's pod:", out)

		pod.Spec.Containers[0].SecurityContext.AllowPrivilegeEscalation = nil
		pod.Spec.Containers[0].SecurityContext.Capabilities = nil
		b, err = json.Marshal(pod)
		Expect(err).NotTo(HaveOccurred())
		out, err = kubectlIn(string(b), "create", "--dry-run=server", "-f", "-")
		Expect(err).To(HaveOccurred())
		Expect(out).To(ContainSubstring(`violates PodSecurity "restricted:latest"`))
		GinkgoWriter.Println("a weakened pod:", out)
	})

	It("has CRDs that upgrade with kubectl apply --server-side --force-conflicts, as documented", func() {
		out := mustKubectl("apply", "--server-side", "--force-conflicts", "-f", chartPath+"/crds")
		GinkgoWriter.Println(out)
		Expect(strings.Count(out, "serverside-applied")).To(Equal(len(chartCRDNames())))
	})

	It("removes its objects with helm uninstall and keeps the CRDs", func() {
		GinkgoWriter.Println(mustHelm("uninstall", helmRelease, "--namespace", helmNS, "--wait", "--timeout", "60s"))
		for _, obj := range [][]string{
			{"deployment", helmFullname, "-n", helmNS},
			{"serviceaccount", helmFullname, "-n", helmNS},
			{"service", helmFullname + "-metrics", "-n", helmNS},
			{"service", helmFullname + "-webhook", "-n", helmNS},
			{"validatingwebhookconfiguration", helmFullname + "-validating"},
			{"role", helmFullname + "-leader-election", "-n", helmNS},
			{"rolebinding", helmFullname + "-leader-election", "-n", helmNS},
			{"clusterrole", helmFullname + "-manager"},
			{"clusterrolebinding", helmFullname + "-manager"},
		} {
			out, err := kubectl(append([]string{"get"}, obj...)...)
			Expect(err).To(HaveOccurred(), "%v is still there:\n%s", obj, out)
			Expect(out).To(ContainSubstring("NotFound"))
		}
		for _, crd := range chartCRDNames() {
			mustKubectl("get", "crd", crd)
		}
	})
})
