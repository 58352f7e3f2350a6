package e2e

import (
	"context"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
)

// The outbound samples, in the order they are applied: the account first.
var (
	outboundProviderSample = "config/samples/contactflow_v1alpha1_outboundprovider.yaml"
	outboundInstanceSample = "config/samples/contactflow_v1alpha1_outboundinstance.yaml"
	outboundScriptSample   = "config/samples/contactflow_v1alpha1_outboundscript.yaml"
)

// outboundProviderConfig is the ProviderConfig of the outbound samples.
const outboundProviderConfig = "outboundbot-demo"

var outboundWriteActions = []string{
	"CreateInstance", "ModifyInstance", "DeleteInstance",
	"CreateScript", "ModifyScript", "DeleteScript",
	"SubmitScriptReview", "WithdrawScriptReview", "PublishScript", "RollbackScript",
}

// outboundWrites returns the non-zero OutboundBot write counts since the last reset.
func outboundWrites() map[string]int64 {
	s, err := admin.Stats(context.Background())
	Expect(err).NotTo(HaveOccurred())
	out := map[string]int64{}
	for _, a := range outboundWriteActions {
		if n := s.Count(emulator.PlatformOutboundBot, a); n > 0 {
			out[a] = n
		}
	}
	return out
}

// pointOutboundProviderAtEmulator re-points the outbound samples' ProviderConfig, when it
// exists, from the demo address the sample names to this run's emulator.
func pointOutboundProviderAtEmulator() {
	if cp == nil {
		return
	}
	endpoint, err := kubectl("get", "providerconfig", outboundProviderConfig, "-o", "jsonpath={.spec.endpoint}")
	if err != nil || strings.TrimSpace(endpoint) == "http://"+emuAddr {
		return
	}
	mustKubectl("patch", "providerconfig", outboundProviderConfig, "--type=merge", "-p", `{"spec":{"endpoint":"http://`+emuAddr+`"}}`)
}

// The samples spec (e2e_test.go) applies all of config/samples/, the outbound samples too, and
// re-points only the CCC ProviderConfig. Re-point the outbound one as soon as any spec ends, so
// that the operator does not keep calling the demo address and the suite's final
// `kubectl delete -f config/samples/` deletes remote objects of this run's emulator.
var _ = AfterEach(pointOutboundProviderAtEmulator)

var _ = Describe("the outbound samples applied with kubectl", Ordered, func() {
	ctx := context.Background()

	BeforeAll(func() {
		DeferCleanup(ensureManager("manager-outbound.log"))
		// Start from nothing even when the samples spec stopped before its own
		// `kubectl delete -f config/samples/`: a script submitted before auto-approval was on
		// would wait for a reviewer forever.
		pointOutboundProviderAtEmulator()
		mustKubectl("delete", "-f", outboundScriptSample, "-f", outboundInstanceSample, "-f", outboundProviderSample,
			"--ignore-not-found", "--wait=true", "--timeout=60s")
		// No reviewer in this run: the emulator approves every submitted review at once.
		Expect(admin.OutboundBot().SetAutoApprove(ctx, true)).To(Succeed())
		DeferCleanup(func() { Expect(admin.OutboundBot().SetAutoApprove(ctx, false)).To(Succeed()) })
	})

	It("brings the OutboundInstance and the OutboundScript to Ready, the script published", func() {
		Expect(admin.ResetStats(ctx)).To(Succeed())
		GinkgoWriter.Println(mustKubectl("apply", "-f", outboundProviderSample))
		pointOutboundProviderAtEmulator()
		GinkgoWriter.Println(mustKubectl("apply", "-f", outboundInstanceSample, "-f", outboundScriptSample))

		out := mustKubectl("wait", "--for=condition=Ready", "outboundinstance/payment-reminders", "outboundscript/payment-reminder", "--timeout=90s")
		GinkgoWriter.Println(out)
		GinkgoWriter.Println(mustKubectl("get", "outboundinstances,outboundscripts", "-o", "wide"))

		instanceID := strings.TrimSpace(mustKubectl("get", "outboundinstance", "payment-reminders", "-o", "jsonpath={.status.instanceId}"))
		Expect(instanceID).NotTo(BeEmpty())
		instances, err := admin.OutboundBot().Instances(ctx)
		Expect(err).NotTo(HaveOccurred())
		var found *emulator.OutboundBotInstance
		for i := range instances {
			if instances[i].InstanceID == instanceID {
				found = &instances[i]
			}
		}
		Expect(found).NotTo(BeNil())
		Expect(found.InstanceName).To(Equal("payment-reminders"))
		Expect(found.MaxConcurrentConversation).To(Equal(2))
		Expect(found.CallingNumbers).To(Equal([]string{"05710000001", "05710000002"}))

		scripts, err := admin.OutboundBot().Scripts(ctx, instanceID)
		Expect(err).NotTo(HaveOccurred())
		Expect(scripts).To(HaveLen(1))
		Expect(scripts[0].ScriptName).To(Equal("payment-reminder"))
		Expect(scripts[0].Status).To(Equal("PUBLISHED"))
		Expect(scripts[0].AppliedVersion).To(Equal("1"))
		Expect(scripts[0].ScriptContent).To(HaveLen(3))
		Expect(mustKubectl("get", "outboundscript", "payment-reminder", "-o",
			`jsonpath={.status.appliedVersion}/{.status.conditions[?(@.type=="Ready")].reason}`)).To(Equal("1/Published"))

		Expect(outboundWrites()).To(Equal(map[string]int64{
			"CreateInstance": 1, "CreateScript": 1, "SubmitScriptReview": 1, "PublishScript": 1,
		}))
		Expect(writes()).To(BeEmpty(), "the outbound samples make no CCC call")
		s, err := admin.Stats(ctx)
		Expect(err).NotTo(HaveOccurred())
		GinkgoWriter.Printf("outbound samples to Ready: %v\n", s.Calls[emulator.PlatformOutboundBot])
	})

	It("makes no outbound write over three resyncs", func() {
		Expect(admin.ResetStats(ctx)).To(Succeed())
		time.Sleep(3*syncPeriod + syncPeriod/2)
		s, err := admin.Stats(ctx)
		Expect(err).NotTo(HaveOccurred())
		GinkgoWriter.Printf("outbound samples, three resyncs: %v\n", s.Calls[emulator.PlatformOutboundBot])
		Expect(s.Count(emulator.PlatformOutboundBot, "DescribeScript")).To(BeNumerically(">=", 3))
		Expect(outboundWrites()).To(BeEmpty())
	})

	It("deletes the remote script and instance with kubectl delete", func() {
		instanceID := strings.TrimSpace(mustKubectl("get", "outboundinstance", "payment-reminders", "-o", "jsonpath={.status.instanceId}"))
		Expect(admin.ResetStats(ctx)).To(Succeed())
		mustKubectl("delete", "-f", outboundScriptSample, "--wait=true", "--timeout=60s")
		mustKubectl("delete", "-f", outboundInstanceSample, "-f", outboundProviderSample, "--wait=true", "--timeout=60s")
		Expect(outboundWrites()).To(Equal(map[string]int64{"DeleteScript": 1, "DeleteInstance": 1}))
		instances, err := admin.OutboundBot().Instances(ctx)
		Expect(err).NotTo(HaveOccurred())
		for _, in := range instances {
			Expect(in.InstanceID).NotTo(Equal(instanceID))
		}
		s, err := admin.Stats(ctx)
		Expect(err).NotTo(HaveOccurred())
		GinkgoWriter.Printf("outbound samples deleted: %v\n", s.Calls[emulator.PlatformOutboundBot])
	})
})
