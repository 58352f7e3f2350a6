package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	"github.com/contactflow-operator/contactflow-operator/internal/flow"
)

const demoSecret = emulator.DemoAccessKeySecret

var writeActions = []string{
	"CreateContactFlow", "StartEditContactFlow", "CommitContactFlow",
	"PublishContactFlow", "DiscardEditingContactFlow", "DeleteContactFlow",
}

func writes() map[string]int64 {
	s, err := admin.Stats(context.Background())
	Expect(err).NotTo(HaveOccurred())
	out := map[string]int64{}
	for _, a := range writeActions {
		if n := s.Count(emulator.PlatformCCC, a); n > 0 {
			out[a] = n
		}
	}
	return out
}

func flowID(name string) string {
	return strings.TrimSpace(mustKubectl("get", "contactflow", name, "-o", "jsonpath={.status.contactFlowId}"))
}

func hashOf(def string) string {
	d, err := flow.ParseCCC([]byte(def))
	Expect(err).NotTo(HaveOccurred())
	return d.Hash()
}

var _ = Describe("the operator and the emulator as processes", Ordered, func() {
	ctx := context.Background()

	It("publishes every flow of config/samples/ applied with kubectl", func() {
		Expect(admin.ResetStats(ctx)).To(Succeed())
		out := mustKubectl("apply", "-f", "config/samples/")
		GinkgoWriter.Println(out)
		// The samples point at the demo emulator's address; this run's emulator has its own port.
		mustKubectl("patch", "providerconfig", "ccc-demo", "--type=merge", "-p", `{"spec":{"endpoint":"http://`+emuAddr+`"}}`)
		// The outbound samples come in the same directory: point them at this run's emulator too,
		// before the manager starts, so no call ever goes to the demo's address.
		pointOutboundProviderAtEmulator()
		By("starting bin/manager")
		startManager()

		out = mustKubectl("wait", "--for=condition=Ready", "contactflows", "--all", "--timeout=90s")
		GinkgoWriter.Println(out)
		out = mustKubectl("get", "contactflows", "-o", "wide")
		GinkgoWriter.Println(out)
		Expect(out).To(ContainSubstring("welcome"))
		Expect(out).To(ContainSubstring("support-line"))

		flows, err := admin.CCC().Flows(ctx, "ccc-demo")
		Expect(err).NotTo(HaveOccurred())
		Expect(flows).To(HaveLen(2))
		for _, f := range flows {
			Expect(f.Published).To(BeTrue(), f.Name)
			Expect(f.Draft).To(BeNil(), f.Name)
		}
		Expect(writes()).To(Equal(map[string]int64{"CreateContactFlow": 2, "PublishContactFlow": 2}))
	})

	It("refuses an invalid flow at kubectl apply time, through the webhook", func() {
		bad := `apiVersion: contactflow.io/v1alpha1
kind: ContactFlow
metadata:
  name: broken
spec:
  providerConfigRef: {name: ccc-demo}
  instanceId: ccc-demo
  flowName: broken
  definition:
    activities:
    - {type: INCOMING_CALL, id: start, events: [{event: complete, next: greet}]}
    - {type: PLAY_SAY, id: greet, properties: {say: hi}, events: [{event: complete, next: nowhere}]}
`
		var out string
		Eventually(func() string {
			out, _ = kubectlIn(bad, "apply", "-f", "-")
			return out
		}, 20*time.Second, 500*time.Millisecond).Should(ContainSubstring(`The ContactFlow "broken" is invalid`))
		GinkgoWriter.Printf("kubectl apply of a flow with a dangling next:\n%s\n", out)
		// Only the webhook knows the graph: the schema alone would have accepted this manifest.
		Expect(out).To(ContainSubstring(`spec.definition.activities[1]: Invalid value: "greet": activity greet (PLAY_SAY): events[0].next: names unknown activity "nowhere"`))
		_, err := kubectl("get", "contactflow", "broken")
		Expect(err).To(HaveOccurred(), "a refused manifest must not be stored")
	})

	It("makes no write over three resyncs", func() {
		Expect(admin.ResetStats(ctx)).To(Succeed())
		time.Sleep(3*syncPeriod + syncPeriod/2)
		s, err := admin.Stats(ctx)
		Expect(err).NotTo(HaveOccurred())
		GinkgoWriter.Printf("three resyncs, two flows: %v\n", s.Calls[emulator.PlatformCCC])
		// The operator observes by Get, or by one shared list per window (batched reads): at
		// least one read per resync either way, and never more than one per flow per resync.
		reads := s.Count(emulator.PlatformCCC, "GetContactFlow") + s.Count(emulator.PlatformCCC, "ListContactFlows")
		Expect(reads).To(BeNumerically(">=", 3))
		Expect(reads).To(BeNumerically("<=", 2*4))
		Expect(writes()).To(BeEmpty())
	})

	It("puts back a flow edited out of band", func() {
		id := flowID("welcome")
		want := strings.TrimSpace(mustKubectl("get", "contactflow", "welcome", "-o", "jsonpath={.status.desiredHash}"))
		f, err := admin.CCC().Flow(ctx, "ccc-demo", id)
		Expect(err).NotTo(HaveOccurred())
		_, err = admin.CCC().SetPublished(ctx, "ccc-demo", id, strings.Replace(f.Definition, "欢迎", "out of band", 1))
		Expect(err).NotTo(HaveOccurred())
		Eventually(func() string {
			f, err := admin.CCC().Flow(ctx, "ccc-demo", id)
			Expect(err).NotTo(HaveOccurred())
			return hashOf(f.Definition)
		}, syncPeriod+10*time.Second, 200*time.Millisecond).Should(Equal(want))
	})

	It("reports a console user's draft instead of overwriting it", func() {
		id := flowID("welcome")
		_, err := admin.CCC().StartEdit(ctx, "ccc-demo", id, "alice")
		Expect(err).NotTo(HaveOccurred())
		Expect(admin.ResetStats(ctx)).To(Succeed())
		patch := `[{"op":"replace","path":"/spec/definition/activities/1/properties/say","value":"Changed in Git"}]`
		mustKubectl("patch", "contactflow", "welcome", "--type=json", "-p", patch)
		Eventually(func() string {
			return mustKubectl("get", "contactflow", "welcome", "-o", `jsonpath={.status.conditions[?(@.type=="Ready")].reason}/{.status.editor}`)
		}, 30*time.Second, 200*time.Millisecond).Should(Equal("LockedByOther/alice"))
		GinkgoWriter.Println(mustKubectl("get", "contactflow", "welcome", "-o", "wide"))
		Expect(writes()).To(BeEmpty())

		By("the console user discards the draft: the operator goes on")
		Expect(admin.CCC().DiscardDraft(ctx, "ccc-demo", id, "alice")).To(Succeed())
		mustKubectl("wait", "--for=condition=Ready", "contactflow/welcome", "--timeout=30s")
		f, err := admin.CCC().Flow(ctx, "ccc-demo", id)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.Definition).To(ContainSubstring("Changed in Git"))
	})

	It("exposes the cloud-call metrics and logs every call with its request ID", func() {
		resp, err := http.Get("http://" + metricsAddr + "/metrics")
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		Expect(err).NotTo(HaveOccurred())
		var lines []string
		for _, l := range strings.Split(string(body), "\n") {
			if strings.HasPrefix(l, "contactflow_") && !strings.Contains(l, "_bucket{") {
				lines = append(lines, l)
			}
		}
		GinkgoWriter.Printf("/metrics (contactflow_*, buckets left out):\n%s\n", strings.Join(lines, "\n"))
		text := string(body)
		Expect(text).To(ContainSubstring(`contactflow_cloud_api_calls_total{action="CreateContactFlow",code="OK",platform="AlibabaCCC"} 2`))
		Expect(text).To(ContainSubstring(`contactflow_cloud_api_calls_total{action="GetContactFlow",code="OK",platform="AlibabaCCC"}`))
		Expect(text).To(ContainSubstring(`contactflow_cloud_api_call_duration_seconds_count{action="PublishContactFlow",platform="AlibabaCCC"}`))
		Expect(text).To(ContainSubstring(`contactflow_resources{kind="ContactFlow",state="published"} 2`))

		logs, err := os.ReadFile(managerLog)
		Expect(err).NotTo(HaveOccurred())
		var called int
		for _, l := range strings.Split(string(logs), "\n") {
			if !strings.Contains(l, `"msg":"Called the platform"`) {
				continue
			}
			called++
			var entry map[string]any
			Expect(json.Unmarshal([]byte(l), &entry)).To(Succeed(), l)
			Expect(entry).To(HaveKey("requestId"), l)
			Expect(entry["requestId"]).NotTo(BeEmpty(), l)
			Expect(entry).To(HaveKey("namespace"), l)
			Expect(entry).To(HaveKey("name"), l)
		}
		Expect(called).To(BeNumerically(">", 10))
		GinkgoWriter.Printf("%d call log lines, each with requestId, namespace and name\n", called)
	})

	It("never shows the access key secret in logs, events or status", func() {
		logs, err := os.ReadFile(managerLog)
		Expect(err).NotTo(HaveOccurred())
		Expect(len(logs)).To(BeNumerically(">", 0))
		events := mustKubectl("get", "events", "-A", "-o", "json")
		var list struct {
			Items []json.RawMessage `json:"items"`
		}
		Expect(json.Unmarshal([]byte(events), &list)).To(Succeed())
		Expect(list.Items).NotTo(BeEmpty())
		providers := mustKubectl("get", "providerconfigs", "-A", "-o", "yaml")
		emuLog, err := os.ReadFile(filepath.Join(workDir, "emulator.log"))
		Expect(err).NotTo(HaveOccurred())
		// Every kind's status and conditions, whatever exists at this point of the run.
		statuses := mustKubectl("get", "contactcenter", "-A", "-o", "yaml")
		for name, text := range map[string]string{
			"manager log": string(logs), "emulator log": string(emuLog), "events": events,
			"providerconfigs": providers, "resources of every kind": statuses,
		} {
			Expect(text).NotTo(ContainSubstring(demoSecret), "the secret leaked into the %s", name)
		}
		GinkgoWriter.Printf("secret scan: manager log %d bytes, emulator log %d bytes, %d events, status of every kind: no secret found\n", len(logs), len(emuLog), len(list.Items))
	})

	It("deletes the remote flows with kubectl delete -f config/samples/", func() {
		Expect(admin.ResetStats(ctx)).To(Succeed())
		mustKubectl("delete", "-f", "config/samples/", "--wait=true", "--timeout=60s")
		Expect(writes()).To(Equal(map[string]int64{"DeleteContactFlow": 2}))
		flows, err := admin.CCC().Flows(ctx, "ccc-demo")
		Expect(err).NotTo(HaveOccurred())
		Expect(flows).To(BeEmpty())
	})
})
