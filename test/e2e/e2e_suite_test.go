// Package e2e runs the built operator and emulator binaries as processes against a real
// control plane (etcd + kube-apiserver built from source), and drives them the way a user does:
// kubectl apply of config/samples/, kubectl wait, kubectl delete.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	"github.com/contactflow-operator/contactflow-operator/internal/testutil"
)

const syncPeriod = 3 * time.Second

var (
	root       = testutil.RepoRoot()
	workDir    string
	cp         *testutil.ControlPlane
	emuAddr    string
	admin      *emulator.AdminClient
	managerLog string
	// metricsAddr is where bin/manager serves /metrics.
	metricsAddr string
	procs       []*exec.Cmd
)

func TestE2E(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "e2e (bin/manager + bin/emulator as processes)")
}

// start runs a binary in the background with its output in a log file.
func start(logName, bin string, args ...string) *exec.Cmd {
	path := filepath.Join(root, "bin", bin)
	_, err := os.Stat(path)
	Expect(err).NotTo(HaveOccurred(), "%s is missing: `make build` builds it (make test does)", path)
	logFile, err := os.Create(filepath.Join(workDir, logName))
	Expect(err).NotTo(HaveOccurred())
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	Expect(cmd.Start()).To(Succeed())
	procs = append(procs, cmd)
	return cmd
}

// sampleSeeds are the objects the samples refer to by name, as hack/demo.sh seeds them.
var sampleSeeds = []string{
	"ccc:ccc-demo:SkillGroup=Billing", "ccc:ccc-demo:SkillGroup=Technical support", "ccc:ccc-demo:SkillGroup=Sales",
	"cloudcallcenter:classic-demo:SkillGroup=Sales", "cloudcallcenter:classic-demo:SkillGroup=Support",
	"ccc:ccc-second:SkillGroup=Sales", "ccc:ccc-third:SkillGroup=Sales",
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	defer l.Close()
	return l.Addr().String()
}

// kubectl runs the kubectl built beside the control plane and returns its output.
func kubectl(args ...string) (string, error) {
	return kubectlIn("", args...)
}

func kubectlIn(stdin string, args ...string) (string, error) {
	cmd := exec.Command(testutil.Kubectl(), args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+cp.KubeconfigPath)
	cmd.Dir = root
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func mustKubectl(args ...string) string {
	out, err := kubectl(args...)
	ExpectWithOffset(1, err).NotTo(HaveOccurred(), "kubectl %s:\n%s", strings.Join(args, " "), out)
	return out
}

var _ = BeforeSuite(func() {
	Expect(os.Getenv("KUBEBUILDER_ASSETS")).NotTo(BeEmpty(), "run `make test`: it builds the control plane and sets KUBEBUILDER_ASSETS")
	workDir = GinkgoT().TempDir()
	var err error
	cp, err = testutil.StartControlPlane(workDir)
	Expect(err).NotTo(HaveOccurred())

	emuAddr = freeAddr()
	args := []string{"--listen", emuAddr, "--instance", "ccc:ccc-demo",
		"--instance", "cloudcallcenter:classic-demo", "--instance", "connect:connect-demo", // platforms_test.go
		"--instance", "ccc:ccc-second", "--instance", "ccc:ccc-third", // references_test.go: other environments
		"--state", filepath.Join(workDir, "emulator-state.json")}
	for _, s := range sampleSeeds {
		args = append(args, "--seed", s)
	}
	start("emulator.log", "emulator", args...)
	admin = emulator.NewAdminClient("http://"+emuAddr, nil)
	Eventually(func() error { return admin.Healthz(context.Background()) }, 20*time.Second, 100*time.Millisecond).Should(Succeed())

	By("installing the CRDs with kubectl")
	mustKubectl("apply", "--server-side", "-f", "config/crd/bases")
	mustKubectl("wait", "--for=condition=Established", "crd/contactflows.contactflow.io", "crd/providerconfigs.contactflow.io", "--timeout=30s")
})

// webhookConfigName is the ValidatingWebhookConfiguration the suite registers for the
// operator's webhook, served on loopback; the operator generates its certificate and injects
// the CA, as it does in a cluster without cert-manager.
const webhookConfigName = "contactflow-e2e-validating"

// registerWebhook points the API server at the webhook port of the manager about to start.
func registerWebhook(port string) {
	manifest := `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: ` + webhookConfigName + `
webhooks:
- name: vcontactflow-v1alpha1.contactflow.io
  admissionReviewVersions: ["v1"]
  sideEffects: None
  failurePolicy: Fail
  clientConfig:
    url: https://127.0.0.1:` + port + `/validate-contactflow-io-v1alpha1-contactflow
  rules:
  - apiGroups: ["contactflow.io"]
    apiVersions: ["v1alpha1"]
    operations: ["CREATE", "UPDATE"]
    resources: ["contactflows"]
`
	out, err := kubectlIn(manifest, "apply", "-f", "-")
	Expect(err).NotTo(HaveOccurred(), out)
}

// startManager starts bin/manager against the control plane, as a user would run it, with the
// validating webhook served on loopback.
func startManager() {
	managerLog = filepath.Join(workDir, "manager.log")
	metricsAddr = freeAddr()
	_, webhookPort, err := net.SplitHostPort(freeAddr())
	Expect(err).NotTo(HaveOccurred())
	registerWebhook(webhookPort)
	start("manager.log", "manager", "--kubeconfig", cp.KubeconfigPath, "--zap-log-level", "debug",
		"--enable-webhooks", "--webhook-port", webhookPort, "--webhook-host", "127.0.0.1",
		"--webhook-cert-dir", filepath.Join(workDir, "webhook-certs"), "--webhook-config-name", webhookConfigName,
		"--metrics-bind-address", metricsAddr, "--health-probe-bind-address", freeAddr(),
		"--sync-period", syncPeriod.String(), "--lock-retry-period", "1s", "--zap-encoder", "json")
}

var _ = AfterSuite(func() {
	for i := len(procs) - 1; i >= 0; i-- {
		p := procs[i]
		_ = p.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = p.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-p.Process.Pid, syscall.SIGKILL)
		}
	}
	if cp != nil {
		Expect(cp.Stop()).To(Succeed())
	}
	if CurrentSpecReport().Failed() || os.Getenv("E2E_SHOW_LOGS") != "" {
		for _, name := range []string{"manager.log", "emulator.log"} {
			b, _ := os.ReadFile(filepath.Join(workDir, name))
			fmt.Fprintf(GinkgoWriter, "==== %s ====\n%s\n", name, b)
		}
	}
})
