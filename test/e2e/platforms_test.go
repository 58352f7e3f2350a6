package e2e

import (
	"context"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	"github.com/contactflow-operator/contactflow-operator/internal/flow"
)

// The classic CloudCallCenter and Amazon Connect samples live in their own directories under
// config/samples/, so that `kubectl apply -f config/samples/` (the samples spec, make demo)
// keeps meaning the CCC and outbound samples against an emulator that serves those. This spec
// applies them into a namespace of its own and deletes them again, so that the samples spec's
// counts (two CCC flows, CCC calls, the published-flows gauge) hold whichever runs first.

const platformsNS = "platforms-e2e"

var platformSampleDirs = []string{"config/samples/cloudcallcenter/", "config/samples/connect/"}

// platformWrites returns the non-zero write counts of one emulator platform since the last
// reset.
func platformWrites(platform string, actions ...string) map[string]int64 {
	s, err := admin.Stats(context.Background())
	Expect(err).NotTo(HaveOccurred())
	out := map[string]int64{}
	for _, a := range actions {
		if n := s.Count(platform, a); n > 0 {
			out[a] = n
		}
	}
	return out
}

var (
	classicWriteActions = []string{
		"CreateContactFlow", "BeginContactFlowVersionModification", "CommitContactFlowVersionModification",
		"PublishContactFlowVersion", "CancelContactFlowVersionModification", "FallbackContactFlowVersion", "DeleteContactFlow",
		"ModifyContactFlow",
	}
	connectWriteActions = []string{
		"CreateContactFlow", "UpdateContactFlowContent", "UpdateContactFlowMetadata", "CreateContactFlowVersion", "DeleteContactFlow",
		"UpdateContactFlowName",
	}
)

func platformCalls(tag string) {
	s, err := admin.Stats(context.Background())
	Expect(err).NotTo(HaveOccurred())
	GinkgoWriter.Printf("%s: cloudcallcenter %v; connect %v; ccc %v\n", tag,
		s.Calls[emulator.PlatformCloudCallCenter], s.Calls[emulator.PlatformConnect], s.Calls[emulator.PlatformCCC])
}

var _ = Describe("the classic CloudCallCenter and Amazon Connect samples applied with kubectl", Ordered, func() {
	ctx := context.Background()

	BeforeAll(func() {
		DeferCleanup(ensureManager("manager-platforms.log"))
		out, err := kubectl("create", "namespace", platformsNS)
		if err != nil && !strings.Contains(out, "AlreadyExists") {
			Fail("kubectl create namespace: " + out)
		}
	})

	It("publishes the classic and Connect samples", func() {
		Expect(admin.ResetStats(ctx)).To(Succeed())
		args := []string{"apply", "-n", platformsNS}
		for _, d := range platformSampleDirs {
			args = append(args, "-f", d)
		}
		GinkgoWriter.Println(mustKubectl(args...))
		// The samples name the demo emulator's address; this run's emulator has its own port.
		for _, pc := range []string{"classic-demo", "connect-demo"} {
			mustKubectl("patch", "providerconfig", pc, "-n", platformsNS, "--type=merge", "-p", `{"spec":{"endpoint":"http://`+emuAddr+`"}}`)
		}
		GinkgoWriter.Println(mustKubectl("wait", "--for=condition=Ready", "contactflows", "--all", "-n", platformsNS, "--timeout=90s"))
		GinkgoWriter.Println(mustKubectl("get", "contactflows", "-n", platformsNS, "-o", "wide"))
		platformCalls("classic and Connect samples to Ready")

		classicFlows, err := admin.CloudCallCenter().Flows(ctx, "classic-demo")
		Expect(err).NotTo(HaveOccurred())
		Expect(classicFlows).To(HaveLen(1))
		Expect(classicFlows[0].Applied()).NotTo(BeNil())
		Expect(classicFlows[0].Locked()).To(BeNil())
		Expect(classicFlows[0].Applied().Content).To(ContainSubstring("您好，欢迎致电。"))
		Expect(platformWrites(emulator.PlatformCloudCallCenter, classicWriteActions...)).To(Equal(
			map[string]int64{"CreateContactFlow": 1, "PublishContactFlowVersion": 1}))
		version := strings.TrimSpace(mustKubectl("get", "contactflow", "classic-hotline", "-n", platformsNS, "-o", "jsonpath={.status.publishedVersion}"))
		Expect(version).To(Equal(classicFlows[0].AppliedVersion))

		connectFlows, err := admin.Connect().Flows(ctx, "connect-demo")
		Expect(err).NotTo(HaveOccurred())
		Expect(connectFlows).To(HaveLen(2))
		for _, f := range connectFlows {
			Expect(f.Published).To(BeTrue(), f.Name)
			Expect(f.HasUnpublishedChanges()).To(BeFalse(), f.Name)
			if f.Type == "CAMPAIGN" {
				Expect(f.Versions).To(HaveLen(1))
				Expect(f.Versions[0].FlowContentSha256).To(Equal(flow.ContentSha256([]byte(f.PublishedContent))))
			} else {
				Expect(f.Versions).To(BeEmpty())
			}
		}
		Expect(platformWrites(emulator.PlatformConnect, connectWriteActions...)).To(Equal(
			map[string]int64{"CreateContactFlow": 2, "UpdateContactFlowContent": 2, "CreateContactFlowVersion": 1}))
		Expect(writes()).To(BeEmpty(), "the classic and Connect samples make no CCC call")
	})

	It("renames a flow in place: same ID, new name, one call", func() {
		cases := []struct{ name, platform, instance, action string }{
			{"classic-hotline", emulator.PlatformCloudCallCenter, "classic-demo", "ModifyContactFlow"},
			{"connect-welcome", emulator.PlatformConnect, "connect-demo", "UpdateContactFlowName"},
		}
		for _, c := range cases {
			Expect(admin.ResetStats(ctx)).To(Succeed())
			id := strings.TrimSpace(mustKubectl("get", "contactflow", c.name, "-n", platformsNS, "-o", "jsonpath={.status.contactFlowId}"))
			old := strings.TrimSpace(mustKubectl("get", "contactflow", c.name, "-n", platformsNS, "-o", "jsonpath={.spec.flowName}"))
			mustKubectl("patch", "contactflow", c.name, "-n", platformsNS, "--type=merge", "-p", `{"spec":{"flowName":"`+old+` (renamed)"}}`)
			Eventually(func() string {
				return remoteFlowName(c.platform, c.instance, id)
			}, 30*time.Second, 200*time.Millisecond).Should(Equal(old + " (renamed)"))
			mustKubectl("wait", "--for=condition=Ready", "contactflow/"+c.name, "-n", platformsNS, "--timeout=30s")
			Expect(strings.TrimSpace(mustKubectl("get", "contactflow", c.name, "-n", platformsNS, "-o", "jsonpath={.status.contactFlowId}"))).To(Equal(id))
			writes := platformWrites(c.platform, append(classicWriteActions, connectWriteActions...)...)
			GinkgoWriter.Printf("rename %s: flow %s %q -> %q, writes %v\n", c.name, id, old, old+" (renamed)", writes)
			Expect(writes).To(Equal(map[string]int64{c.action: 1}))
		}
	})

	It("makes no write over three resyncs", func() {
		Expect(admin.ResetStats(ctx)).To(Succeed())
		time.Sleep(3*syncPeriod + syncPeriod/2)
		platformCalls("three resyncs")
		Expect(platformWrites(emulator.PlatformCloudCallCenter, classicWriteActions...)).To(BeEmpty())
		Expect(platformWrites(emulator.PlatformConnect, connectWriteActions...)).To(BeEmpty())
	})

	It("publishes a change of the Connect CAMPAIGN flow as its next version", func() {
		Expect(admin.ResetStats(ctx)).To(Succeed())
		patch := `[{"op":"replace","path":"/spec/content/Actions/0/Parameters/Text","value":"Your payment is due on Monday."}]`
		mustKubectl("patch", "contactflow", "connect-campaign", "-n", platformsNS, "--type=json", "-p", patch)
		Eventually(func() string {
			return mustKubectl("get", "contactflow", "connect-campaign", "-n", platformsNS, "-o", "jsonpath={.status.publishedVersion}")
		}, 30*time.Second, 200*time.Millisecond).Should(Equal("2"))
		mustKubectl("wait", "--for=condition=Ready", "contactflow/connect-campaign", "-n", platformsNS, "--timeout=30s")
		platformCalls("CAMPAIGN change")
		Expect(platformWrites(emulator.PlatformConnect, connectWriteActions...)).To(Equal(
			map[string]int64{"UpdateContactFlowContent": 1, "CreateContactFlowVersion": 1}))
		GinkgoWriter.Println(mustKubectl("get", "contactflow", "connect-campaign", "-n", platformsNS, "-o", "jsonpath={.status.versions}"))
	})

	It("deletes the remote flows with kubectl delete", func() {
		Expect(admin.ResetStats(ctx)).To(Succeed())
		// The flows first: their finalizers need the ProviderConfigs to reach the platform.
		mustKubectl("delete", "contactflows", "--all", "-n", platformsNS, "--wait=true", "--timeout=60s")
		args := []string{"delete", "-n", platformsNS, "--ignore-not-found", "--wait=true", "--timeout=60s"}
		for _, d := range platformSampleDirs {
			args = append(args, "-f", d)
		}
		out, err := kubectl(args...)
		GinkgoWriter.Println(out)
		Expect(err).NotTo(HaveOccurred(), out)
		platformCalls("delete")
		Expect(platformWrites(emulator.PlatformCloudCallCenter, classicWriteActions...)).To(Equal(map[string]int64{"DeleteContactFlow": 1}))
		Expect(platformWrites(emulator.PlatformConnect, connectWriteActions...)).To(Equal(map[string]int64{"DeleteContactFlow": 2}))
		classicFlows, err := admin.CloudCallCenter().Flows(ctx, "classic-demo")
		Expect(err).NotTo(HaveOccurred())
		Expect(classicFlows).To(BeEmpty())
		connectFlows, err := admin.Connect().Flows(ctx, "connect-demo")
		Expect(err).NotTo(HaveOccurred())
		Expect(connectFlows).To(BeEmpty())
	})
})

// remoteFlowName is the name the emulator holds for a flow.
func remoteFlowName(platform, instance, id string) string {
	ctx := context.Background()
	switch platform {
	case emulator.PlatformCloudCallCenter:
		flows, err := admin.CloudCallCenter().Flows(ctx, instance)
		Expect(err).NotTo(HaveOccurred())
		for _, f := range flows {
			if f.ContactFlowID == id {
				return f.Name
			}
		}
	case emulator.PlatformConnect:
		flows, err := admin.Connect().Flows(ctx, instance)
		Expect(err).NotTo(HaveOccurred())
		for _, f := range flows {
			if f.ContactFlowID == id {
				return f.Name
			}
		}
	}
	return ""
}
