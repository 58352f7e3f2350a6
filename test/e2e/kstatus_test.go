package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	"github.com/contactflow-operator/contactflow-operator/health"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
)

// ensureManager makes sure a bin/manager reconciles the suite's control plane and returns what
// stops it again. The samples spec (e2e_test.go) starts the suite's manager and keeps it until
// AfterSuite; Ginkgo shuffles top-level containers, so when that spec has not run yet a manager
// of the caller's own runs while the caller needs it and is stopped before anything else runs:
// two managers never reconcile side by side.
func ensureManager(logName string) (stop func()) {
	if managerLog != "" {
		return func() {}
	}
	logFile, err := os.Create(filepath.Join(workDir, logName))
	Expect(err).NotTo(HaveOccurred())
	cmd := exec.Command(filepath.Join(root, "bin", "manager"), "--kubeconfig", cp.KubeconfigPath,
		"--metrics-bind-address", freeAddr(), "--health-probe-bind-address", freeAddr(),
		"--sync-period", syncPeriod.String(), "--lock-retry-period", "1s", "--zap-encoder", "json")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	Expect(cmd.Start()).To(Succeed(), "bin/manager: `make build` builds it (make test does)")
	return func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		_ = logFile.Close()
	}
}

// kstatusNS keeps this spec's objects away from the samples in the default namespace.
const kstatusNS = "kstatus-e2e"

const kstatusFlowPrefix = "kstatus-"

// contactFlowYAML is a ContactFlow in kstatusNS, flow name = name, whose PLAY_SAY says say;
// specExtra lines are added to its spec, annotations to its metadata.
func contactFlowYAML(name, say string, specExtra []string, annotations ...string) string {
	ann := ""
	if len(annotations) > 0 {
		ann = "\n  annotations:\n    " + strings.Join(annotations, "\n    ")
	}
	extra := ""
	if len(specExtra) > 0 {
		extra = "\n  " + strings.Join(specExtra, "\n  ")
	}
	return fmt.Sprintf(`apiVersion: contactflow.io/v1alpha1
kind: ContactFlow
metadata:
  name: %[1]s
  namespace: %[2]s%[4]s
spec:
  providerConfigRef: {name: ccc-demo}
  instanceId: ccc-demo
  flowName: %[1]s
  type: MAIN_FLOW%[5]s
  definition:
    activities:
    - {type: INCOMING_CALL, id: start, events: [{event: complete, next: hello}]}
    - type: PLAY_SAY
      id: hello
      properties: {say: %[3]q, audioType: tts}
      events: [{event: complete, next: bye}]
    - {type: HANGUP, id: bye, events: [{event: complete, next: null}]}
`, name, kstatusNS, say, ann, extra)
}

// apply applies manifests with kubectl apply -f -.
func apply(manifests string) {
	out, err := kubectlIn(manifests, "apply", "-f", "-")
	ExpectWithOffset(1, err).NotTo(HaveOccurred(), "kubectl apply:\n%s", out)
}

// readBack is an object as the API server returns it, and what kstatus and the Argo CD health
// check make of it.
type readBack struct {
	obj     *unstructured.Unstructured
	kstatus *status.Result
	argo    health.Status
}

func readStatus(kind, name string) readBack {
	out := mustKubectl("get", kind, name, "-n", kstatusNS, "-o", "json")
	u := &unstructured.Unstructured{}
	Expect(u.UnmarshalJSON([]byte(out))).To(Succeed())
	res, err := status.Compute(u)
	Expect(err).NotTo(HaveOccurred())
	hs, err := health.Evaluate(u)
	Expect(err).NotTo(HaveOccurred())
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	var summary []string
	for _, c := range conds {
		m := c.(map[string]any)
		summary = append(summary, fmt.Sprintf("%s=%s/%s(gen %v)", m["type"], m["status"], m["reason"], m["observedGeneration"]))
	}
	og, found, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
	observed := "absent"
	if found {
		observed = fmt.Sprint(og)
	}
	GinkgoWriter.Printf("%s/%s generation %d, status.observedGeneration %s, conditions %s\n  kstatus: %s (%s)\n  argo:    %s (%s)\n",
		kind, name, u.GetGeneration(), observed, strings.Join(summary, " "), res.Status, res.Message, hs.Status, hs.Message)
	return readBack{obj: u, kstatus: res, argo: hs}
}

func conditionOf(kind, name, ctype string) func() string {
	return func() string {
		out, err := kubectl("get", kind, name, "-n", kstatusNS, "-o",
			fmt.Sprintf(`jsonpath={.status.conditions[?(@.type=="%s")].status}/{.status.conditions[?(@.type=="%s")].reason}`, ctype, ctype))
		if err != nil {
			return "error: " + out
		}
		return out
	}
}

var _ = Describe("kstatus and Argo CD read the operator's status", Ordered, func() {
	ctx := context.Background()
	var flowIDs = map[string]string{}
	var stopManager func()

	BeforeAll(func() {
		stopManager = ensureManager("manager-kstatus.log")
		mustKubectl("create", "namespace", kstatusNS)
		apply(cccProvider(kstatusNS))
		Eventually(conditionOf("providerconfig", "ccc-demo", "Ready"), 30*time.Second, 200*time.Millisecond).Should(Equal("True/Available"))
	})

	// The operator deletes the flows before its manager (if started here) stops; what the platform
	// still holds afterwards is checked (and removed), so that the samples spec finds the
	// emulator's instance as it expects it.
	AfterAll(func() {
		if stopManager != nil {
			defer stopManager()
		}
		for _, id := range flowIDs {
			_ = admin.CCC().DiscardDraft(ctx, "ccc-demo", id, "alice")
		}
		// The flows first: their finalizers need the ProviderConfig and its Secret to reach the
		// platform. The platform is swept whatever happened, so that the other specs find it clean.
		outFlows, errFlows := kubectl("delete", "contactflows", "--all", "-n", kstatusNS, "--wait=true", "--timeout=60s")
		GinkgoWriter.Println(outFlows)
		outRest, errRest := kubectl("delete", "providerconfigs,secrets", "--all", "-n", kstatusNS, "--wait=true", "--timeout=30s")
		GinkgoWriter.Println(outRest)
		flows, err := admin.CCC().Flows(ctx, "ccc-demo")
		Expect(err).NotTo(HaveOccurred())
		var left []string
		for _, f := range flows {
			if strings.HasPrefix(f.Name, kstatusFlowPrefix) {
				left = append(left, f.Name)
				_ = admin.CCC().DeleteFlow(ctx, "ccc-demo", f.ContactFlowID)
			}
		}
		Expect(errFlows).NotTo(HaveOccurred(), outFlows)
		Expect(errRest).NotTo(HaveOccurred(), outRest)
		Expect(left).To(BeEmpty(), "the operator left these flows on the platform")
	})

	It("reads a published flow as Current / Healthy", func() {
		apply(contactFlowYAML("kstatus-ready", "Ready", nil))
		mustKubectl("wait", "--for=condition=Ready", "contactflow/kstatus-ready", "-n", kstatusNS, "--timeout=60s")
		rb := readStatus("contactflow", "kstatus-ready")
		Expect(rb.kstatus.Status).To(Equal(status.CurrentStatus))
		Expect(rb.argo.Status).To(Equal(health.Healthy))
		Expect(rb.argo.Message).To(HavePrefix("Flow "))
		flowIDs["kstatus-ready"], _, _ = unstructured.NestedString(rb.obj.Object, "status", "contactFlowId")

		pc := readStatus("providerconfig", "ccc-demo")
		Expect(pc.kstatus.Status).To(Equal(status.CurrentStatus))
		Expect(pc.argo.Status).To(Equal(health.Healthy))
	})

	// The brief of this spec was a dangling next; since the validating webhook, kubectl apply
	// refuses such a definition whenever the suite's manager serves it, so the definition never
	// reaches the controller. A flow name already taken on the platform is the stall that gets
	// past admission: only the platform knows it.
	It("reads a stalled flow (name taken on the platform) as Failed / Degraded, and the fix as Current", func() {
		ready, err := admin.CCC().Flow(ctx, "ccc-demo", flowIDs["kstatus-ready"])
		Expect(err).NotTo(HaveOccurred())
		f, err := admin.CCC().CreateFlow(ctx, "ccc-demo", "", emulator.CCCNewFlow{
			Name: "kstatus-stalled", Type: "MAIN_FLOW", Definition: ready.Definition, Published: true,
		})
		Expect(err).NotTo(HaveOccurred())
		flowIDs["kstatus-stalled"] = f.ContactFlowID

		apply(contactFlowYAML("kstatus-stalled", "Taken", nil))
		Eventually(conditionOf("contactflow", "kstatus-stalled", "Stalled"), 30*time.Second, 200*time.Millisecond).Should(Equal("True/AlreadyExists"))
		rb := readStatus("contactflow", "kstatus-stalled")
		Expect(rb.kstatus.Status).To(Equal(status.FailedStatus))
		Expect(rb.argo.Status).To(Equal(health.Degraded))
		Expect(rb.argo.Message).To(ContainSubstring("adoptByName"))

		By("adopting the flow instead")
		apply(contactFlowYAML("kstatus-stalled", "Taken", []string{"adoptByName: true"}))
		mustKubectl("wait", "--for=condition=Ready", "contactflow/kstatus-stalled", "-n", kstatusNS, "--timeout=60s")
		rb = readStatus("contactflow", "kstatus-stalled")
		Expect(rb.kstatus.Status).To(Equal(status.CurrentStatus))
		Expect(rb.argo.Status).To(Equal(health.Healthy))
	})

	It("reads a change held up by a console user's draft as InProgress / Progressing, then Current", func() {
		apply(contactFlowYAML("kstatus-progressing", "Before", nil))
		mustKubectl("wait", "--for=condition=Ready", "contactflow/kstatus-progressing", "-n", kstatusNS, "--timeout=60s")
		id := strings.TrimSpace(mustKubectl("get", "contactflow", "kstatus-progressing", "-n", kstatusNS, "-o", "jsonpath={.status.contactFlowId}"))
		flowIDs["kstatus-progressing"] = id
		_, err := admin.CCC().StartEdit(ctx, "ccc-demo", id, "alice")
		Expect(err).NotTo(HaveOccurred())

		apply(contactFlowYAML("kstatus-progressing", "After", nil))
		Eventually(conditionOf("contactflow", "kstatus-progressing", "Reconciling"), 30*time.Second, 200*time.Millisecond).Should(Equal("True/LockedByOther"))
		rb := readStatus("contactflow", "kstatus-progressing")
		Expect(rb.kstatus.Status).To(Equal(status.InProgressStatus))
		Expect(rb.argo.Status).To(Equal(health.Progressing))
		Expect(rb.argo.Message).To(ContainSubstring("held by alice"))

		By("the console user discards the draft")
		Expect(admin.CCC().DiscardDraft(ctx, "ccc-demo", id, "alice")).To(Succeed())
		mustKubectl("wait", "--for=condition=Ready", "contactflow/kstatus-progressing", "-n", kstatusNS, "--timeout=60s")
		rb = readStatus("contactflow", "kstatus-progressing")
		Expect(rb.kstatus.Status).To(Equal(status.CurrentStatus))
		Expect(rb.argo.Status).To(Equal(health.Healthy))
	})

	It("reads Reconciling=True alone as InProgress / Progressing (adopting a flow a console user is editing)", func() {
		// A flow made on the console and never published, its first draft held by alice. The
		// ContactFlow adopts it; on its first reconcile status.observedGeneration is still
		// unset, so kstatus has only the Reconciling condition to go on.
		ready, err := admin.CCC().Flow(ctx, "ccc-demo", flowIDs["kstatus-ready"])
		Expect(err).NotTo(HaveOccurred())
		f, err := admin.CCC().CreateFlow(ctx, "ccc-demo", "alice", emulator.CCCNewFlow{
			Name: "kstatus-adopted", Type: "MAIN_FLOW", Definition: ready.Definition,
		})
		Expect(err).NotTo(HaveOccurred())
		flowIDs["kstatus-adopted"] = f.ContactFlowID

		apply(contactFlowYAML("kstatus-adopted", "Adopted", nil, "contactflow.io/adopt-id: "+f.ContactFlowID))
		Eventually(conditionOf("contactflow", "kstatus-adopted", "Reconciling"), 30*time.Second, 200*time.Millisecond).Should(Equal("True/LockedByOther"))
		rb := readStatus("contactflow", "kstatus-adopted")
		_, found, _ := unstructured.NestedInt64(rb.obj.Object, "status", "observedGeneration")
		Expect(found).To(BeFalse(), "status.observedGeneration is set: kstatus would not need the condition")
		Expect(rb.kstatus.Status).To(Equal(status.InProgressStatus))
		Expect(rb.kstatus.Message).To(ContainSubstring("held by alice"), "kstatus read the Reconciling condition")
		Expect(rb.argo.Status).To(Equal(health.Progressing))

		By("the console user discards the draft: the operator publishes")
		Expect(admin.CCC().DiscardDraft(ctx, "ccc-demo", f.ContactFlowID, "alice")).To(Succeed())
		mustKubectl("wait", "--for=condition=Ready", "contactflow/kstatus-adopted", "-n", kstatusNS, "--timeout=60s")
		rb = readStatus("contactflow", "kstatus-adopted")
		Expect(rb.kstatus.Status).To(Equal(status.CurrentStatus))
		Expect(rb.argo.Status).To(Equal(health.Healthy))
	})
})
