package controller

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
)

func newScript(ns, name, instance string) *cfv1.OutboundScript {
	return &cfv1.OutboundScript{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: cfv1.OutboundScriptSpec{
			InstanceRef:       cfv1.LocalObjectReference{Name: instance},
			ScriptName:        name,
			Industry:          "finance",
			Scene:             "payment reminder",
			ScriptDescription: "reminds customers of a due bill",
			Content:           []string{"Hello, this is your bank.", "Your bill of this month is due on Friday."},
			Speech: cfv1.ScriptSpeech{
				TTSConfig: `{"voice":"xiaoyun","volume":50,"speechRate":0}`,
				NLSConfig: `{"asrModel":"finance"}`,
			},
			NewBargeInEnabled: true,
		},
	}
}

func getScript(obs *cfv1.OutboundScript) *cfv1.OutboundScript {
	out := &cfv1.OutboundScript{}
	ExpectWithOffset(1, k8s.Get(ctx, client.ObjectKeyFromObject(obs), out)).To(Succeed())
	return out
}

// waitScript waits until the Ready condition of the current generation has status and reason.
func waitScript(obs *cfv1.OutboundScript, status metav1.ConditionStatus, reason string) *cfv1.OutboundScript {
	var cur *cfv1.OutboundScript
	EventuallyWithOffset(1, func(g Gomega) {
		cur = &cfv1.OutboundScript{}
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(obs), cur)).To(Succeed())
		c := findCondition(cur.Status.Conditions, cfv1.ConditionReady)
		g.Expect(c).NotTo(BeNil())
		g.Expect(c.ObservedGeneration).To(Equal(cur.Generation))
		g.Expect(c.Status).To(Equal(status), "Ready: %s/%s", c.Reason, c.Message)
		g.Expect(c.Reason).To(Equal(reason), "Ready message: %s", c.Message)
	}, 30*time.Second, 100*time.Millisecond).Should(Succeed())
	return cur
}

func updateScript(obs *cfv1.OutboundScript, mutate func(*cfv1.OutboundScript)) {
	EventuallyWithOffset(1, func() error {
		cur := &cfv1.OutboundScript{}
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(obs), cur); err != nil {
			return err
		}
		mutate(cur)
		return k8s.Update(ctx, cur)
	}).Should(Succeed())
}

func deleteScriptAndWait(obs *cfv1.OutboundScript) {
	Expect(client.IgnoreNotFound(k8s.Delete(ctx, obs))).To(Succeed())
	EventuallyWithOffset(1, func() bool {
		return apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKeyFromObject(obs), &cfv1.OutboundScript{}))
	}, 30*time.Second, 100*time.Millisecond).Should(BeTrue())
}

func liveScript(instanceID, scriptID string) *emulator.OutboundBotScript {
	sc, err := admin.OutboundBot().Script(ctx, instanceID, scriptID)
	Expect(err).NotTo(HaveOccurred())
	return sc
}

func condition2(conds []metav1.Condition, t string) metav1.ConditionStatus {
	if c := findCondition(conds, t); c != nil {
		return c.Status
	}
	return "absent"
}

var _ = Describe("OutboundScript on Alibaba OutboundBot", func() {
	var ns string
	BeforeEach(func() {
		ns = newNamespace()
		createOutboundProvider(ns)
	})

	It("waits for its instance, goes through review, stays rejected until the spec changes, publishes, rolls back and deletes", func() {
		obs := newScript(ns, "reminder", "bot")
		Expect(k8s.Create(ctx, obs)).To(Succeed())
		DeferCleanup(deleteScriptAndWait, obs)
		By("no OutboundInstance yet: waits with a condition")
		cur := waitScript(obs, metav1.ConditionFalse, cfv1.ReasonInstanceNotReady)
		Expect(findCondition(cur.Status.Conditions, cfv1.ConditionReady).Message).To(ContainSubstring(`OutboundInstance "bot" not found`))
		Expect(condition2(cur.Status.Conditions, cfv1.ConditionReconciling)).To(Equal(metav1.ConditionTrue))

		resetStats()
		outboundCalls.reset()
		obi := newInstance(ns, "bot", 1)
		Expect(k8s.Create(ctx, obi)).To(Succeed())
		DeferCleanup(deleteInstanceAndWait, obi)
		instanceID := waitInstance(obi, metav1.ConditionTrue, cfv1.ReasonAvailable).Status.InstanceID

		By("create: written, then submitted for review (Ready False, Reconciling, InReview)")
		cur = waitScript(obs, metav1.ConditionFalse, cfv1.ReasonInReview)
		id := cur.Status.ScriptID
		Expect(id).NotTo(BeEmpty())
		Expect(cur.Status.InstanceID).To(Equal(instanceID))
		Expect(cur.Status.Status).To(Equal(cloud.ScriptStatusInReview))
		Expect(cur.Status.ContentHash).To(Equal(scriptHash(obs.Spec)))
		Expect(cur.Status.SubmittedHash).To(Equal(cur.Status.ContentHash))
		Expect(condition2(cur.Status.Conditions, cfv1.ConditionReconciling)).To(Equal(metav1.ConditionTrue))
		Expect(cur.Annotations).NotTo(HaveKey(cfv1.AnnotationCreatePending))
		// CreateScript takes no NLS configuration: a ModifyScript writes it before the submit.
		Expect(outboundCalls.of(obs.Spec.ScriptName)).To(Equal([]string{"CreateScript"}))
		Expect(outboundCalls.of(id)).To(Equal([]string{"ModifyScript", "SubmitScriptReview"}))
		Expect(obWrites()).To(Equal(map[string]int64{"CreateInstance": 1, "CreateScript": 1, "ModifyScript": 1, "SubmitScriptReview": 1}))
		Expect(liveScript(instanceID, id).NlsConfig).To(Equal(obs.Spec.Speech.NLSConfig))
		GinkgoWriter.Printf("script create → submit: %s (order for the script: CreateScript, %v)\n", obCalls(), outboundCalls.of(id))

		By("the spec changes while in review: exactly WithdrawScriptReview, ModifyScript, SubmitScriptReview, in that order")
		resetStats()
		outboundCalls.reset()
		updateScript(obs, func(o *cfv1.OutboundScript) { o.Spec.Content[1] = "Your bill is due on Friday; press 1 to pay now." })
		cur = waitScript(obs, metav1.ConditionFalse, cfv1.ReasonInReview)
		Expect(cur.Status.ContentHash).To(Equal(scriptHash(getScript(obs).Spec)))
		Expect(cur.Status.SubmittedHash).To(Equal(cur.Status.ContentHash))
		Expect(outboundCalls.of(id)).To(Equal([]string{"WithdrawScriptReview", "ModifyScript", "SubmitScriptReview"}))
		Expect(obWrites()).To(Equal(map[string]int64{"WithdrawScriptReview": 1, "ModifyScript": 1, "SubmitScriptReview": 1}))
		Expect(liveScript(instanceID, id).ScriptContent).To(ContainElement(ContainSubstring("press 1 to pay now")))
		GinkgoWriter.Printf("change during review: sequence %v, counts %s\n", outboundCalls.of(id), obCalls())

		By("the reviewers reject it: status.rejectReason, an Event, and no resubmission")
		const reason = "The script names a competitor's product"
		_, err := admin.OutboundBot().RejectReview(ctx, instanceID, id, reason)
		Expect(err).NotTo(HaveOccurred())
		cur = waitScript(obs, metav1.ConditionFalse, cfv1.ReasonReviewRejected)
		Expect(cur.Status.RejectReason).To(Equal(reason))
		ready := findCondition(cur.Status.Conditions, cfv1.ConditionReady)
		Expect(ready.Message).To(ContainSubstring(reason))
		Expect(condition2(cur.Status.Conditions, cfv1.ConditionStalled)).To(Equal(metav1.ConditionTrue))
		Eventually(func() []string { return eventMessages(ns) }).Should(ContainElement(ContainSubstring(reason)))
		Expect(eventReasons(ns)).To(ContainElement(cfv1.ReasonReviewRejected))
		resetStats()
		outboundCalls.reset()
		time.Sleep(3*testSyncPeriod + testSyncPeriod/2)
		Expect(obWrites()).To(BeEmpty())
		Expect(emu.Stats().Count(emulator.PlatformOutboundBot, "DescribeScript")).To(BeNumerically(">=", 3))
		GinkgoWriter.Printf("rejected: status.rejectReason=%q Ready=%s/%s; three resyncs: %s\n", cur.Status.RejectReason, ready.Status, ready.Reason, obCalls())

		By("a spec fix resubmits")
		resetStats()
		updateScript(obs, func(o *cfv1.OutboundScript) { o.Spec.Content[1] = "Your bill is due on Friday." })
		cur = waitScript(obs, metav1.ConditionFalse, cfv1.ReasonInReview)
		Expect(cur.Status.RejectReason).To(BeEmpty())
		Expect(obWrites()).To(Equal(map[string]int64{"ModifyScript": 1, "SubmitScriptReview": 1}))
		GinkgoWriter.Printf("spec fix → resubmitted: %s\n", obCalls())

		By("the reviewers approve it: published as version 1")
		resetStats()
		_, err = admin.OutboundBot().ApproveReview(ctx, instanceID, id)
		Expect(err).NotTo(HaveOccurred())
		cur = waitScript(obs, metav1.ConditionTrue, cfv1.ReasonPublished)
		Expect(cur.Status.AppliedVersion).To(Equal("1"))
		Expect(cur.Status.Status).To(Equal(cloud.ScriptStatusPublished))
		Expect(cur.Status.IsDrafted).To(BeFalse())
		Expect(cur.Status.PublishedHash).To(Equal(scriptHash(getScript(obs).Spec)))
		Expect(cur.Status.PublishHistory).To(HaveLen(1))
		Expect(cur.Status.PublishHistory[0].Version).To(Equal("1"))
		Expect(cur.Status.PublishHistory[0].PublishTime).NotTo(BeNil())
		Expect(obWrites()).To(Equal(map[string]int64{"PublishScript": 1}))
		Expect(emu.Stats().Count(emulator.PlatformOutboundBot, "ListScriptPublishHistories")).To(Equal(int64(1)))
		GinkgoWriter.Printf("approved → published: appliedVersion=%s history=%v %s\n", cur.Status.AppliedVersion, cur.Status.PublishHistory[0].Version, obCalls())

		By("a second version")
		updateScript(obs, func(o *cfv1.OutboundScript) { o.Spec.Content = append(o.Spec.Content, "Thank you.") })
		waitScript(obs, metav1.ConditionFalse, cfv1.ReasonInReview)
		_, err = admin.OutboundBot().ApproveReview(ctx, instanceID, id)
		Expect(err).NotTo(HaveOccurred())
		cur = waitScript(obs, metav1.ConditionTrue, cfv1.ReasonPublished)
		Expect(cur.Status.AppliedVersion).To(Equal("2"))
		Expect(cur.Status.PublishHistory).To(HaveLen(2))

		By("three resyncs of a published script: one DescribeScript each, no write, no history read")
		resetStats()
		time.Sleep(3*testSyncPeriod + testSyncPeriod/2)
		s := emu.Stats()
		Expect(obWrites()).To(BeEmpty())
		Expect(s.Count(emulator.PlatformOutboundBot, "DescribeScript")).To(BeNumerically("~", 3, 1))
		Expect(s.Count(emulator.PlatformOutboundBot, "ListScriptPublishHistories")).To(BeZero())
		GinkgoWriter.Printf("published, three resyncs: %s\n", obCalls())

		By("rollback to version 1: one RollbackScript")
		resetStats()
		updateScript(obs, func(o *cfv1.OutboundScript) { o.Spec.RollbackToVersion = "1" })
		cur = waitScript(obs, metav1.ConditionTrue, cfv1.ReasonRolledBack)
		Expect(cur.Status.AppliedVersion).To(Equal("1"))
		Expect(cur.Status.PublishHistory[0].Version).To(Equal("1"))
		Expect(cur.Status.PublishHistory[0].Description).To(Equal("Rollback to version 1"))
		Expect(liveScript(instanceID, id).ScriptContent).NotTo(ContainElement("Thank you."))
		time.Sleep(testSyncPeriod)
		Expect(obWrites()).To(Equal(map[string]int64{"RollbackScript": 1}))
		GinkgoWriter.Printf("rollback to 1: appliedVersion=%s history[0]=%q %s\n", cur.Status.AppliedVersion, cur.Status.PublishHistory[0].Description, obCalls())

		By("delete: one DeleteScript")
		resetStats()
		deleteScriptAndWait(obs)
		Expect(obWrites()).To(Equal(map[string]int64{"DeleteScript": 1}))
		scripts, err := admin.OutboundBot().Scripts(ctx, instanceID)
		Expect(err).NotTo(HaveOccurred())
		Expect(scripts).To(BeEmpty())
		GinkgoWriter.Printf("script delete: %s\n", obCalls())
	})

	It("only saves the working copy under reviewPolicy None", func() {
		obi := newInstance(ns, "drafts", 1)
		Expect(k8s.Create(ctx, obi)).To(Succeed())
		DeferCleanup(deleteInstanceAndWait, obi)
		instanceID := waitInstance(obi, metav1.ConditionTrue, cfv1.ReasonAvailable).Status.InstanceID
		resetStats()
		obs := newScript(ns, "draft-only", "drafts")
		obs.Spec.Speech.NLSConfig = ""
		obs.Spec.ReviewPolicy = cfv1.ReviewPolicyNone
		Expect(k8s.Create(ctx, obs)).To(Succeed())
		DeferCleanup(deleteScriptAndWait, obs)
		cur := waitScript(obs, metav1.ConditionTrue, cfv1.ReasonDraftSaved)
		Expect(cur.Status.Status).To(Equal(cloud.ScriptStatusDrafted))
		Expect(liveScript(instanceID, cur.Status.ScriptID).ScriptContent).To(Equal(obs.Spec.Content))
		time.Sleep(testSyncPeriod)
		Expect(obWrites()).To(Equal(map[string]int64{"CreateScript": 1}))
	})
})
