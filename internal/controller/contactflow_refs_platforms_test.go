package controller

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	"github.com/contactflow-operator/contactflow-operator/internal/testutil"
)

// connectTransfer is an Amazon Connect flow that queues the contact to the queue ${ref:q}
// and transfers it to the flow ${ref:other}.
func connectTransfer(ns, name string) *cfv1.ContactFlow {
	content := `{"Version":"2019-10-30","StartAction":"greet","Actions":[
 {"Identifier":"greet","Type":"MessageParticipant","Parameters":{"Text":"Hello from ` + name + `"},"Transitions":{"NextAction":"queue"}},
 {"Identifier":"queue","Type":"UpdateContactTargetQueue","Parameters":{"QueueId":"${ref:q}"},"Transitions":{"NextAction":"xfer","Errors":[{"NextAction":"bye","ErrorType":"NoMatchingError"}]}},
 {"Identifier":"xfer","Type":"TransferToFlow","Parameters":{"ContactFlowId":"${ref:other}"},"Transitions":{"NextAction":"bye","Errors":[{"NextAction":"bye","ErrorType":"NoMatchingError"}]}},
 {"Identifier":"bye","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`
	cf := testutil.ContentFlow(ns, name, "connect", testConnectInstance, "", rawOf(content))
	cf.Spec.FlowName = name + " " + ns
	return cf
}

var _ = Describe("ContactFlow references, numbers and renames on the other platforms", func() {
	var ns string
	BeforeEach(func() {
		ns = newNamespace()
		connectCase.provider(ns)
		classicCase.provider(ns)
	})

	It("Amazon Connect: two flows that transfer to each other by ARN, a queue by name, a number, a rename", func() {
		queue, err := admin.Connect().AddQueue(ctx, testConnectInstance, "Support "+ns)
		Expect(err).NotTo(HaveOccurred())
		number := fmt.Sprintf("+1415%07d", time.Now().UnixNano()%10000000)
		_, err = admin.Connect().AddNumber(ctx, testConnectInstance, number)
		Expect(err).NotTo(HaveOccurred())
		x, y := connectTransfer(ns, "x"), connectTransfer(ns, "y")
		for _, p := range []struct {
			cf    *cfv1.ContactFlow
			other string
		}{{x, "y"}, {y, "x"}} {
			p.cf.Spec.References = []cfv1.FlowReference{
				{Name: "other", ContactFlow: &cfv1.LocalObjectReference{Name: p.other}},
				{Name: "q", Platform: &cfv1.PlatformReference{Kind: "Queue", Name: "Support " + ns}},
			}
		}
		x.Spec.PhoneNumbers = []cfv1.PhoneNumberBinding{{Number: number}}
		resetStats()
		Expect(k8s.Create(ctx, x)).To(Succeed())
		Expect(k8s.Create(ctx, y)).To(Succeed())
		DeferCleanup(deleteAllAndWait, x, y)
		cx := waitFor(x, metav1.ConditionTrue, cfv1.ReasonPublished)
		cy := waitFor(y, metav1.ConditionTrue, cfv1.ReasonPublished)
		Expect(cx.Status.ContactFlowARN).To(HaveSuffix("/contact-flow/" + cx.Status.ContactFlowID))
		lx, ly := liveConnect(cx.Status.ContactFlowID), liveConnect(cy.Status.ContactFlowID)
		Expect(lx.PublishedContent).To(And(ContainSubstring(`"ContactFlowId":"`+cy.Status.ContactFlowARN+`"`), ContainSubstring(`"QueueId":"`+queue.Arn+`"`)))
		Expect(ly.PublishedContent).To(ContainSubstring(`"ContactFlowId":"` + cx.Status.ContactFlowARN + `"`))
		Expect(emu.Stats().ErrorCount(emulator.PlatformConnect, "UpdateContactFlowContent")).To(BeZero())
		GinkgoWriter.Printf("[AmazonConnect] two flows in a cycle, a queue, a number: %v\n", connectCase.calls())

		By("the number answers with x")
		Eventually(func() string { return connectNumberFlow(number) }, 20*time.Second, 100*time.Millisecond).Should(Equal(cx.Status.ContactFlowID))
		Eventually(func() []string { return get(x).Status.NumberList }, 20*time.Second, 100*time.Millisecond).Should(Equal([]string{number}))

		By("a rename keeps the ID and costs one UpdateContactFlowName")
		resetStats()
		update(y, func(c *cfv1.ContactFlow) { c.Spec.FlowName = "y renamed " + ns })
		Eventually(func() string { return liveConnect(cy.Status.ContactFlowID).Name }, 20*time.Second, 100*time.Millisecond).Should(Equal("y renamed " + ns))
		waitFor(y, metav1.ConditionTrue, cfv1.ReasonPublished)
		Expect(get(y).Status.ContactFlowID).To(Equal(cy.Status.ContactFlowID))
		w := map[string]int64{}
		for _, a := range append(connectCase.writeActions, "UpdateContactFlowName", "AssociatePhoneNumberContactFlow") {
			if n := emu.Stats().Count(emulator.PlatformConnect, a); n > 0 {
				w[a] = n
			}
		}
		GinkgoWriter.Printf("[AmazonConnect] rename: writes %v\n", w)
		Expect(w).To(Equal(map[string]int64{"UpdateContactFlowName": 1}))

		By("deleting x waits while it answers the number and y refers to it")
		Expect(k8s.Delete(ctx, x)).To(Succeed())
		Eventually(func(g Gomega) {
			c := condition(get(x), cfv1.ConditionReady)
			g.Expect(c).NotTo(BeNil())
			g.Expect(c.Reason).To(Equal(cfv1.ReasonInUse))
			g.Expect(c.Message).To(And(ContainSubstring("referred to by ContactFlow y"), ContainSubstring("answering number "+number)))
		}, 20*time.Second, 100*time.Millisecond).Should(Succeed())
		GinkgoWriter.Printf("[AmazonConnect] in use: %s\n", condition(get(x), cfv1.ConditionReady).Message)
		Expect(liveConnect(cx.Status.ContactFlowID).Published).To(BeTrue())
		update(x, func(c *cfv1.ContactFlow) { c.Spec.PhoneNumbers = nil })
	})

	It("classic CloudCallCenter: a skill group by name, a number, a rename in place", func() {
		sg, err := admin.CloudCallCenter().AddResource(ctx, testClassicInstance, emulator.CloudCallCenterNewResource{Kind: "SkillGroup", Name: "Sales " + ns})
		Expect(err).NotTo(HaveOccurred())
		number := fmt.Sprintf("0571%07d", time.Now().UnixNano()%10000000)
		_, err = admin.CloudCallCenter().AddPhoneNumber(ctx, testClassicInstance, number)
		Expect(err).NotTo(HaveOccurred())
		cf := testutil.ContentFlow(ns, "hotline", "classic", testClassicInstance, "", rawOf(`{"start":"a","nodes":[
 {"id":"a","type":"TransferToSkillGroup","properties":{"skillGroupId":"${ref:sales}"},"next":{"default":"h"}},
 {"id":"h","type":"Hangup","next":{}}]}`))
		cf.Spec.FlowName = "hotline " + ns
		cf.Spec.References = []cfv1.FlowReference{{Name: "sales", Platform: &cfv1.PlatformReference{Kind: "SkillGroup", Name: "Sales " + ns}}}
		cf.Spec.PhoneNumbers = []cfv1.PhoneNumberBinding{{Number: number}}
		Expect(k8s.Create(ctx, cf)).To(Succeed())
		DeferCleanup(deleteAndWait, cf)
		cur := waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished)
		id := cur.Status.ContactFlowID
		live, err := admin.CloudCallCenter().Flow(ctx, testClassicInstance, id)
		Expect(err).NotTo(HaveOccurred())
		Expect(live.Applied().Content).To(ContainSubstring(`"skillGroupId":"` + sg.ID + `"`))
		Eventually(func() string { return classicNumberFlow(number) }, 20*time.Second, 100*time.Millisecond).Should(Equal(id))

		resetStats()
		update(cf, func(c *cfv1.ContactFlow) { c.Spec.FlowName = "hotline renamed " + ns; c.Spec.PhoneNumbers = nil })
		Eventually(func() string {
			f, err := admin.CloudCallCenter().Flow(ctx, testClassicInstance, id)
			Expect(err).NotTo(HaveOccurred())
			return f.Name
		}, 20*time.Second, 100*time.Millisecond).Should(Equal("hotline renamed " + ns))
		Eventually(func() string { return classicNumberFlow(number) }, 20*time.Second, 100*time.Millisecond).Should(BeEmpty(), "removed from the spec: unbound")
		waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished)
		Expect(get(cf).Status.ContactFlowID).To(Equal(id))
		GinkgoWriter.Printf("[AlibabaCloudCallCenter] rename and unbind: %v\n", classicCase.calls())
		Expect(emu.Stats().Count(emulator.PlatformCloudCallCenter, "ModifyContactFlow")).To(BeEquivalentTo(1))
		Expect(emu.Stats().Count(emulator.PlatformCloudCallCenter, "RemoveContactFlowFromPhoneNumber")).To(BeEquivalentTo(1))
	})
})

func connectNumberFlow(number string) string {
	all, err := admin.Connect().Numbers(ctx, testConnectInstance)
	Expect(err).NotTo(HaveOccurred())
	for _, n := range all {
		if n.PhoneNumber == number {
			return n.ContactFlowID
		}
	}
	Fail("no number " + number)
	return ""
}

func classicNumberFlow(number string) string {
	all, err := admin.CloudCallCenter().PhoneNumbers(ctx, testClassicInstance)
	Expect(err).NotTo(HaveOccurred())
	for _, n := range all {
		if n.Number == number {
			return n.ContactFlowID
		}
	}
	Fail("no number " + number)
	return ""
}
