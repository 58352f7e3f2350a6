package controller

import (
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	"github.com/contactflow-operator/contactflow-operator/internal/testutil"
)

// transferFlow is a CCC flow that plays a prompt and transfers to what ref names
// (contactFlowId), and, when skillRef is set, to a skill group first.
func transferFlow(ns, name, ref, skillRef string) *cfv1.ContactFlow {
	cf := testutil.ContactFlow(ns, name, "ccc", testInstance)
	cf.Spec.FlowName = "refs " + ns + " " + name
	acts := []cfv1.FlowActivity{
		{Type: "INCOMING_CALL", ID: "start", Events: []cfv1.FlowEvent{{Event: "complete", Next: ptrTo("xfer")}}},
		{Type: "TRANSFER_TO_FLOW", ID: "xfer", Properties: &runtime.RawExtension{Raw: []byte(`{"contactFlowId":"${ref:` + ref + `}"}`)},
			Events: []cfv1.FlowEvent{{Event: "complete", Next: ptrTo("bye")}}},
		{Type: "HANGUP", ID: "bye", Events: []cfv1.FlowEvent{{Event: "complete"}}},
	}
	if skillRef != "" {
		acts[0].Events[0].Next = ptrTo("agents")
		acts = append(acts, cfv1.FlowActivity{Type: "TRANSFER_TO_SKILL_GROUP", ID: "agents",
			Properties: &runtime.RawExtension{Raw: []byte(`{"skillGroupId":"${ref:` + skillRef + `}"}`)},
			Events:     []cfv1.FlowEvent{{Event: "complete", Next: ptrTo("xfer")}}})
	}
	cf.Spec.Definition = &cfv1.FlowDefinition{Activities: acts}
	return cf
}

// uniqueFlow is the seed flow with a flow name no other test of the shared instance uses.
func uniqueFlow(ns, name string) *cfv1.ContactFlow {
	cf := testutil.ContactFlow(ns, name, "ccc", testInstance)
	cf.Spec.FlowName = name + " " + ns
	return cf
}

func ptrTo(s string) *string { return &s }

func withFlowRef(cf *cfv1.ContactFlow, name, target string) *cfv1.ContactFlow {
	cf.Spec.References = append(cf.Spec.References, cfv1.FlowReference{Name: name, ContactFlow: &cfv1.LocalObjectReference{Name: target}})
	return cf
}

func withPlatformRef(cf *cfv1.ContactFlow, name, kind, objName string) *cfv1.ContactFlow {
	cf.Spec.References = append(cf.Spec.References, cfv1.FlowReference{Name: name, Platform: &cfv1.PlatformReference{Kind: cfv1.ReferenceKind(kind), Name: objName}})
	return cf
}

// seq returns the position of the first logged call of action on target, -1 when none.
func seq(log []emulator.CallRecord, action, target string) int64 {
	for _, c := range log {
		if c.Action == action && c.Target == target && !c.Failed {
			return c.Seq
		}
	}
	return -1
}

var _ = Describe("ContactFlow references, numbers and safe deletion on Alibaba CCC", func() {
	var ns string
	BeforeEach(func() {
		ns = newNamespace()
		createProvider(ns, emulator.DemoAccessKeySecret)
	})

	It("converges three flows that transfer to each other in a cycle, with a skill group reference", func() {
		sg := addSkillGroup("Support " + ns)
		a := withPlatformRef(withFlowRef(transferFlow(ns, "a", "next", "support"), "next", "b"), "support", "SkillGroup", "Support "+ns)
		b := withFlowRef(transferFlow(ns, "b", "next", ""), "next", "c")
		c := withFlowRef(transferFlow(ns, "c", "next", ""), "next", "a")
		resetStats()
		for _, cf := range []*cfv1.ContactFlow{a, b, c} {
			Expect(k8s.Create(ctx, cf)).To(Succeed())
		}
		// Flows that refer to each other go together: one deleted alone waits for the others.
		DeferCleanup(deleteAllAndWait, a, b, c)
		ids := map[string]string{}
		for _, cf := range []*cfv1.ContactFlow{a, b, c} {
			cur := waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished)
			ids[cf.Name] = cur.Status.ContactFlowID
		}
		next := map[string]string{"a": "b", "b": "c", "c": "a"}
		for name, target := range next {
			live := liveFlow(ids[name])
			Expect(live.Published).To(BeTrue())
			Expect(live.Definition).To(ContainSubstring(`"contactFlowId":"`+ids[target]+`"`), "flow %s must transfer to %s", name, target)
			cur := get(&cfv1.ContactFlow{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}})
			Expect(cur.Status.References).To(ContainElement(cfv1.ResolvedReference{Name: "next", Target: "ContactFlow/" + target, Value: ids[target]}))
		}
		Expect(liveFlow(ids["a"]).Definition).To(ContainSubstring(`"skillGroupId":"` + sg + `"`))

		By("every flow was created unpublished before anything that transfers to it was published")
		log := emu.Calls()
		var order []string
		for _, call := range log {
			if call.Platform == emulator.PlatformCCC && (call.Action == "CreateContactFlow" || call.Action == "PublishContactFlow") && !call.Failed {
				who := call.Target
				for n, id := range ids {
					if id == call.Target || "refs "+ns+" "+n == call.Target {
						who = n
					}
				}
				order = append(order, fmt.Sprintf("%d %s(%s)", call.Seq, call.Action, who))
			}
		}
		GinkgoWriter.Printf("call sequence: %s\n", strings.Join(order, ", "))
		for name, target := range next {
			created := seq(log, "CreateContactFlow", "refs "+ns+" "+target)
			published := seq(log, "PublishContactFlow", ids[name])
			Expect(created).To(BeNumerically(">", 0))
			Expect(published).To(BeNumerically(">", created), "%s was published before %s existed", name, target)
			Expect(seq(log, "CreateContactFlow", "refs "+ns+" "+name)).To(BeNumerically("<", published))
		}
		Expect(writes()["CreateContactFlow"]).To(BeEquivalentTo(3))
		Expect(emu.Stats().ErrorCount(emulator.PlatformCCC, "PublishContactFlow")).To(BeZero(), "no publish may be refused for a missing reference")
	})

	It("waits with a condition naming a missing reference, and publishes once it appears", func() {
		group := "Later " + ns
		cf := withPlatformRef(withFlowRef(transferFlow(ns, "waits", "self", "later"), "self", "waits"), "later", "SkillGroup", group)
		Expect(k8s.Create(ctx, cf)).To(Succeed())
		DeferCleanup(deleteAndWait, cf)
		cur := waitFor(cf, metav1.ConditionFalse, cfv1.ReasonReferencesUnresolved)
		msg := condition(cur, cfv1.ConditionReady).Message
		GinkgoWriter.Printf("unresolved: %s\n", msg)
		Expect(msg).To(ContainSubstring(`later (SkillGroup/` + group + `): no SkillGroup named "` + group + `"`))
		Expect(cur.Status.ContactFlowID).NotTo(BeEmpty(), "the flow exists unpublished so that others can refer to it")
		Expect(liveFlow(cur.Status.ContactFlowID).Published).To(BeFalse())
		sg := addSkillGroup(group)
		cur = waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished)
		Expect(liveFlow(cur.Status.ContactFlowID).Definition).To(ContainSubstring(`"skillGroupId":"` + sg + `"`))
	})

	It("publishes a dependent again when the flow it refers to gets a new ID", func() {
		target := uniqueFlow(ns, "target")
		dep := withFlowRef(transferFlow(ns, "dependent", "t", ""), "t", "target")
		for _, cf := range []*cfv1.ContactFlow{target, dep} {
			Expect(k8s.Create(ctx, cf)).To(Succeed())
			DeferCleanup(deleteAndWait, cf)
		}
		oldID := waitFor(target, metav1.ConditionTrue, cfv1.ReasonPublished).Status.ContactFlowID
		depID := waitFor(dep, metav1.ConditionTrue, cfv1.ReasonPublished).Status.ContactFlowID
		Expect(liveFlow(depID).Definition).To(ContainSubstring(oldID))
		Expect(admin.CCC().DeleteFlow(ctx, testInstance, oldID)).To(Succeed())
		var newID string
		Eventually(func() string {
			newID = get(target).Status.ContactFlowID
			return newID
		}, 20*time.Second, 100*time.Millisecond).ShouldNot(Or(BeEmpty(), Equal(oldID)))
		Eventually(func() string { return liveFlow(depID).Definition }, 20*time.Second, 100*time.Millisecond).Should(ContainSubstring(newID))
		waitFor(dep, metav1.ConditionTrue, cfv1.ReasonPublished)
	})

	It("keeps a flow that others refer to until they are gone, naming them", func() {
		target := uniqueFlow(ns, "needed")
		dep := withFlowRef(transferFlow(ns, "needs", "t", ""), "t", "needed")
		for _, cf := range []*cfv1.ContactFlow{target, dep} {
			Expect(k8s.Create(ctx, cf)).To(Succeed())
			DeferCleanup(deleteAndWait, cf)
		}
		id := waitFor(target, metav1.ConditionTrue, cfv1.ReasonPublished).Status.ContactFlowID
		waitFor(dep, metav1.ConditionTrue, cfv1.ReasonPublished)
		Expect(k8s.Delete(ctx, target)).To(Succeed())
		var msg string
		Eventually(func(g Gomega) {
			c := condition(get(target), cfv1.ConditionReady)
			g.Expect(c).NotTo(BeNil())
			g.Expect(c.Reason).To(Equal(cfv1.ReasonInUse))
			msg = c.Message
		}, 20*time.Second, 100*time.Millisecond).Should(Succeed())
		GinkgoWriter.Printf("in use: %s\n", msg)
		Expect(msg).To(ContainSubstring("referred to by ContactFlow needs"))
		Expect(liveFlow(id).Published).To(BeTrue(), "the referenced flow stays live")
		deleteAndWait(dep)
		deleteAndWait(target)
		_, err := admin.CCC().Flow(ctx, testInstance, id)
		Expect(err).To(HaveOccurred(), "deleted once nothing refers to it")
	})

	It("binds numbers, reports one bound elsewhere, takes it over when told, and keeps a bound flow", func() {
		n1 := fmt.Sprintf("0571%07d", time.Now().UnixNano()%10000000)
		addNumber(n1)
		e := uniqueFlow(ns, "entry")
		e.Spec.PhoneNumbers = []cfv1.PhoneNumberBinding{{Number: n1}}
		f := uniqueFlow(ns, "other")
		f.Spec.PhoneNumbers = []cfv1.PhoneNumberBinding{{Number: n1}}
		Expect(k8s.Create(ctx, e)).To(Succeed())
		DeferCleanup(deleteAndWait, e)
		eID := waitFor(e, metav1.ConditionTrue, cfv1.ReasonPublished).Status.ContactFlowID
		Expect(numberFlow(n1)).To(Equal(eID))
		Expect(get(e).Status.NumberList).To(Equal([]string{n1}))

		By("another flow asking for the same number without takeOver: reported, not stolen")
		Expect(k8s.Create(ctx, f)).To(Succeed())
		DeferCleanup(deleteAndWait, f)
		cur := waitFor(f, metav1.ConditionFalse, cfv1.ReasonNumberInUse)
		GinkgoWriter.Printf("number in use: %s\n", condition(cur, cfv1.ConditionReady).Message)
		Expect(condition(cur, cfv1.ConditionReady).Message).To(ContainSubstring(n1 + " is answered by flow"))
		Expect(numberFlow(n1)).To(Equal(eID))

		By("takeOver moves it; the flow that lost it reports that, and does not take it back")
		update(f, func(c *cfv1.ContactFlow) { c.Spec.PhoneNumbers[0].TakeOver = true })
		fID := waitFor(f, metav1.ConditionTrue, cfv1.ReasonPublished).Status.ContactFlowID
		Expect(numberFlow(n1)).To(Equal(fID))
		waitFor(e, metav1.ConditionFalse, cfv1.ReasonNumberInUse)
		Expect(numberFlow(n1)).To(Equal(fID))
		update(e, func(c *cfv1.ContactFlow) { c.Spec.PhoneNumbers = nil })
		waitFor(e, metav1.ConditionTrue, cfv1.ReasonPublished)
		Expect(numberFlow(n1)).To(Equal(fID))

		By("deleting a flow that answers a number waits, naming it")
		Expect(k8s.Delete(ctx, f)).To(Succeed())
		Eventually(func(g Gomega) {
			c := condition(get(f), cfv1.ConditionReady)
			g.Expect(c).NotTo(BeNil())
			g.Expect(c.Reason).To(Equal(cfv1.ReasonInUse))
			g.Expect(c.Message).To(ContainSubstring("answering number " + n1))
		}, 20*time.Second, 100*time.Millisecond).Should(Succeed())
		Expect(liveFlow(fID).Published).To(BeTrue())
		By("removing the number from the spec releases it and lets the deletion finish")
		update(f, func(c *cfv1.ContactFlow) { c.Spec.PhoneNumbers = nil })
		deleteAndWait(f)
		Expect(numberFlow(n1)).To(BeEmpty())
	})

	It("reports a name CCC cannot change in place, and still manages the flow", func() {
		cf := uniqueFlow(ns, "named")
		Expect(k8s.Create(ctx, cf)).To(Succeed())
		DeferCleanup(deleteAndWait, cf)
		cur := waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished)
		name := cur.Spec.FlowName
		update(cf, func(c *cfv1.ContactFlow) {
			c.Spec.FlowName = name + " renamed"
			testutil.SetProperty(c.Spec.Definition, "2d3ad2c2", "say", "still managed")
		})
		Eventually(func(g Gomega) {
			c := condition(get(cf), cfv1.ConditionReady)
			g.Expect(c.ObservedGeneration).To(Equal(get(cf).Generation))
			g.Expect(c.Status).To(Equal(metav1.ConditionTrue))
			g.Expect(c.Message).To(ContainSubstring("AlibabaCCC cannot rename a flow in place"))
		}, 30*time.Second, 100*time.Millisecond).Should(Succeed())
		live := liveFlow(cur.Status.ContactFlowID)
		Expect(live.Name).To(Equal(name))
		Expect(live.Definition).To(ContainSubstring("still managed"))
	})
})

// addSkillGroup adds a skill group to the test instance, as a console user would, and returns
// its ID.
func addSkillGroup(name string) string {
	r, err := admin.CCC().AddResource(ctx, testInstance, emulator.CCCNewResource{Kind: "SkillGroup", Name: name})
	Expect(err).NotTo(HaveOccurred())
	return r.ID
}

// addNumber adds a phone number to the test instance.
func addNumber(number string) {
	_, err := admin.CCC().AddPhoneNumber(ctx, testInstance, number)
	Expect(err).NotTo(HaveOccurred())
}

// numberFlow is the flow the number is bound to on the emulator, "" when none.
func numberFlow(number string) string {
	all, err := admin.CCC().PhoneNumbers(ctx, testInstance)
	Expect(err).NotTo(HaveOccurred())
	for _, n := range all {
		if n.Number == number {
			return n.ContactFlowID
		}
	}
	Fail("no number " + number)
	return ""
}

// deleteAllAndWait deletes the flows at once and waits until all are gone.
func deleteAllAndWait(flows ...*cfv1.ContactFlow) {
	for _, cf := range flows {
		Expect(client.IgnoreNotFound(k8s.Delete(ctx, cf))).To(Succeed())
	}
	for _, cf := range flows {
		EventuallyWithOffset(1, func() bool {
			return apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKeyFromObject(cf), &cfv1.ContactFlow{}))
		}, 30*time.Second, 100*time.Millisecond).Should(BeTrue(), "%s was not deleted", cf.Name)
	}
}
