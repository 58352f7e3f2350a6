// Package crash rolls out many ContactFlows while the operator, the platform and the API server
// fail: the operator is killed with SIGKILL at random moments, the emulator answers with 5xx,
// throttling and latency spikes or restarts from its state file, kube-apiserver is stopped and
// started again under the running operator, and a console user edits flows. At the end every ContactFlow has exactly one remote flow, none is
// orphaned, all are Ready, and no console edit was overwritten. Everything runs as processes:
// bin/manager, bin/emulator, etcd and kube-apiserver.
package crash

import (
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
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	"github.com/contactflow-operator/contactflow-operator/internal/testutil"
)

var (
	root      = testutil.RepoRoot()
	workDir   string
	cp        *testutil.ControlPlane
	k8s       client.Client
	emuAddr   string
	emuState  string
	emuProc   *exec.Cmd
	admin     *emulator.AdminClient
	logSerial int
)

func TestCrash(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Crash and fault tests (processes)")
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	defer l.Close()
	return l.Addr().String()
}

// startProc starts bin/NAME with its output in a numbered log file.
func startProc(name string, args ...string) *exec.Cmd {
	logSerial++
	logFile, err := os.Create(filepath.Join(workDir, fmt.Sprintf("%s-%03d.log", name, logSerial)))
	Expect(err).NotTo(HaveOccurred())
	cmd := exec.Command(filepath.Join(root, "bin", name), args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	Expect(cmd.Start()).To(Succeed(), "run `make build` first")
	return cmd
}

// kill9 kills a process the hard way and reaps it.
func kill9(cmd *exec.Cmd) {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_, _ = cmd.Process.Wait()
}

// processRuns says whether cmd's process is still running (it has not exited, nor been reaped).
func processRuns(cmd *exec.Cmd) bool {
	if cmd.ProcessState != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", cmd.Process.Pid))
	if err != nil {
		return false
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndex(s, ")")+1:])
	return len(fields) > 0 && fields[0] != "Z"
}

func startEmulator() {
	emuProc = startProc("emulator", "--listen", emuAddr, "--state", emuState,
		"--instance", "ccc:crash", "--instance", "ccc:faults", "--instance", "ccc:restarts", "--instance", "ccc:apiserver")
	Eventually(func() error { return admin.Healthz(context.Background()) }, 20*time.Second, 50*time.Millisecond).Should(Succeed())
}

func startManager() *exec.Cmd {
	return startProc("manager", "--kubeconfig", cp.KubeconfigPath, "--sync-period", "5s", "--lock-retry-period", "1s",
		"--max-concurrent-reconciles", "16", "--metrics-bind-address", "0", "--health-probe-bind-address", freeAddr(),
		"--kube-api-qps", "200", "--kube-api-burst", "400")
}

var _ = BeforeSuite(func() {
	Expect(os.Getenv("KUBEBUILDER_ASSETS")).NotTo(BeEmpty(), "run `make test`")
	workDir = GinkgoT().TempDir()
	var err error
	cp, err = testutil.StartControlPlane(workDir, filepath.Join(root, "config", "crd", "bases"))
	Expect(err).NotTo(HaveOccurred())
	scheme := runtime.NewScheme()
	Expect(clientgoscheme.AddToScheme(scheme)).To(Succeed())
	Expect(cfv1.AddToScheme(scheme)).To(Succeed())
	cfg := *cp.Config
	cfg.QPS, cfg.Burst = 500, 1000
	k8s, err = client.New(&cfg, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())

	emuAddr = freeAddr()
	emuState = filepath.Join(workDir, "emulator-state.json")
	admin = emulator.NewAdminClient("http://"+emuAddr, nil)
	startEmulator()
})

var _ = AfterSuite(func() {
	if emuProc != nil {
		kill9(emuProc)
	}
	if cp != nil {
		Expect(cp.Stop()).To(Succeed())
	}
})

// rolloutNamespace creates a namespace with a ProviderConfig whose client-side budget is qps
// calls a second, and n ContactFlows in instance.
func rolloutNamespace(ns, instance string, n int, qps string) {
	ctx := context.Background()
	Expect(k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})).To(Succeed())
	sec, pc := testutil.ProviderObjects(ns, "ccc", "http://"+emuAddr, emulator.DemoAccessKeyID, emulator.DemoAccessKeySecret)
	pc.Spec.RateLimit = &cfv1.RateLimitSpec{QPS: qps, Burst: 20}
	Expect(k8s.Create(ctx, sec)).To(Succeed())
	Expect(k8s.Create(ctx, pc)).To(Succeed())
	for i := 0; i < n; i++ {
		Expect(k8s.Create(ctx, testutil.ContactFlow(ns, fmt.Sprintf("flow-%03d", i), "ccc", instance))).To(Succeed())
	}
}

// readyCount counts the ContactFlows of ns that are Ready for their current spec. A Ready
// condition written for an older generation does not count: a flow whose spec just changed
// still shows it until the operator gets to the change.
func readyCount(ns string) int {
	list := &cfv1.ContactFlowList{}
	Expect(k8s.List(context.Background(), list, client.InNamespace(ns))).To(Succeed())
	n := 0
	for i := range list.Items {
		c := meta.FindStatusCondition(list.Items[i].Status.Conditions, cfv1.ConditionReady)
		if c != nil && c.Status == metav1.ConditionTrue && c.ObservedGeneration == list.Items[i].Generation {
			n++
		}
	}
	return n
}

// audit compares the ContactFlows of ns with the remote flows of instance.
type audit struct {
	resources, remote, duplicates, orphans, missing, mismatched int
}

func auditRollout(ns, instance string) audit {
	ctx := context.Background()
	list := &cfv1.ContactFlowList{}
	Expect(k8s.List(ctx, list, client.InNamespace(ns))).To(Succeed())
	flows, err := admin.CCC().Flows(ctx, instance)
	Expect(err).NotTo(HaveOccurred())
	a := audit{resources: len(list.Items), remote: len(flows)}
	byName := map[string]int{}
	byID := map[string]string{}
	for _, f := range flows {
		byName[f.Name]++
		byID[f.ContactFlowID] = f.Name
	}
	want := map[string]bool{}
	for _, cf := range list.Items {
		want[cf.Spec.FlowName] = true
		switch {
		case byName[cf.Spec.FlowName] == 0:
			a.missing++
		case byName[cf.Spec.FlowName] > 1:
			a.duplicates += byName[cf.Spec.FlowName] - 1
		}
		if name, ok := byID[cf.Status.ContactFlowID]; !ok || name != cf.Spec.FlowName {
			a.mismatched++
		}
	}
	for name := range byName {
		if !want[name] {
			a.orphans++
		}
	}
	return a
}

// A failed spec leaves its evidence in the test log: the ContactFlows that are not Ready and
// why, and the end of the newest operator and emulator logs. The work directory with the full
// logs is removed when the suite ends.
var _ = AfterEach(func() {
	if !CurrentSpecReport().Failed() {
		return
	}
	ctx := context.Background()
	for _, ns := range []string{"crash", "faults", "restarts", "apiserver"} {
		list := &cfv1.ContactFlowList{}
		if err := k8s.List(ctx, list, client.InNamespace(ns)); err != nil {
			continue
		}
		shown := 0
		for i := range list.Items {
			cf := &list.Items[i]
			c := meta.FindStatusCondition(cf.Status.Conditions, cfv1.ConditionReady)
			if c != nil && c.Status == metav1.ConditionTrue {
				continue
			}
			if shown++; shown > 20 {
				break
			}
			if c == nil {
				fmt.Fprintf(GinkgoWriter, "not Ready: %s/%s (no Ready condition) id=%q editor=%q\n", ns, cf.Name, cf.Status.ContactFlowID, cf.Status.Editor)
				continue
			}
			fmt.Fprintf(GinkgoWriter, "not Ready: %s/%s id=%q editor=%q %s: %s\n", ns, cf.Name, cf.Status.ContactFlowID, cf.Status.Editor, c.Reason, c.Message)
		}
	}
	for _, prefix := range []string{"manager-", "emulator-"} {
		logs, _ := filepath.Glob(filepath.Join(workDir, prefix+"*.log"))
		if len(logs) == 0 {
			continue
		}
		newest := logs[len(logs)-1] // numbered in start order
		b, _ := os.ReadFile(newest)
		lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
		if len(lines) > 80 {
			lines = lines[len(lines)-80:]
		}
		fmt.Fprintf(GinkgoWriter, "==== last %d lines of %s ====\n%s\n", len(lines), filepath.Base(newest), strings.Join(lines, "\n"))
	}
})
