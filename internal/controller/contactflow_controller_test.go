package controller

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	"github.com/contactflow-operator/contactflow-operator/internal/flow"
	"github.com/contactflow-operator/contactflow-operator/internal/testutil"
)

// writeActions are the CCC actions that change something on the platform.
var writeActions = []string{
	"CreateContactFlow", "StartEditContactFlow", "CommitContactFlow",
	"PublishContactFlow", "DiscardEditingContactFlow", "DeleteContactFlow",
}

// writes returns the non-zero write counts since the last reset.
func writes() map[string]int64 {
	s := emu.Stats()
	out := map[string]int64{}
	for _, a := range writeActions {
		if n := s.Count(emulator.PlatformCCC, a); n > 0 {
			out[a] = n
		}
	}
	return out
}

func resetStats() { emu.ResetStats() }

func newNamespace() string {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "cf-"}}
	Expect(k8s.Create(ctx, ns)).To(Succeed())
	return ns.Name
}

func createProvider(ns, secret string) {
	sec, pc := testutil.ProviderObjects(ns, "ccc", emuServer.URL, emulator.DemoAccessKeyID, secret)
	Expect(k8s.Create(ctx, sec)).To(Succeed())
	Expect(k8s.Create(ctx, pc)).To(Succeed())
}

func get(cf *cfv1.ContactFlow) *cfv1.ContactFlow {
	out := &cfv1.ContactFlow{}
	Expect(k8s.Get(ctx, client.ObjectKeyFromObject(cf), out)).To(Succeed())
	return out
}

func condition(cf *cfv1.ContactFlow, t string) *metav1.Condition {
	return meta.FindStatusCondition(cf.Status.Conditions, t)
}

// waitFor waits until the Ready condition of the current generation has status and reason.
func waitFor(cf *cfv1.ContactFlow, status metav1.ConditionStatus, reason string) *cfv1.ContactFlow {
	var cur *cfv1.ContactFlow
	EventuallyWithOffset(1, func(g Gomega) {
		cur = &cfv1.ContactFlow{}
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(cf), cur)).To(Succeed())
		c := condition(cur, cfv1.ConditionReady)
		g.Expect(c).NotTo(BeNil())
		g.Expect(c.ObservedGeneration).To(Equal(cur.Generation))
		g.Expect(c.Status).To(Equal(status), "Ready: %s/%s", c.Reason, c.Message)
		g.Expect(c.Reason).To(Equal(reason), "Ready message: %s", c.Message)
	}, 30*time.Second, 100*time.Millisecond).Should(Succeed())
	return cur
}

func update(cf *cfv1.ContactFlow, mutate func(*cfv1.ContactFlow)) {
	EventuallyWithOffset(1, func() error {
		cur := get(cf)
		mutate(cur)
		return k8s.Update(ctx, cur)
	}).Should(Succeed())
}

func deleteAndWait(cf *cfv1.ContactFlow) {
	Expect(client.IgnoreNotFound(k8s.Delete(ctx, cf))).To(Succeed())
	EventuallyWithOffset(1, func() bool {
		return apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKeyFromObject(cf), &cfv1.ContactFlow{}))
	}, 30*time.Second, 100*time.Millisecond).Should(BeTrue())
}

func liveFlow(id string) emulator.CCCFlow {
	f, err := admin.CCC().Flow(ctx, testInstance, id)
	Expect(err).NotTo(HaveOccurred())
	return *f
}

func liveHash(def string) string {
	d, err := flow.ParseCCC([]byte(def))
	Expect(err).NotTo(HaveOccurred())
	return d.Hash()
}

var _ = Describe("ContactFlow on Alibaba CCC 2020-07-01", func() {
	var ns string
	BeforeEach(func() {
		ns = newNamespace()
		createProvider(ns, emulator.DemoAccessKeySecret)
	})

	It("creates, leaves alone, ignores layout, publishes a real change once and deletes", func() {
		resetStats()
		cf := testutil.ContactFlow(ns, "welcome", "ccc", testInstance)
		Expect(k8s.Create(ctx, cf)).To(Succeed())
		DeferCleanup(deleteAndWait, cf)
		cur := waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished)
		id := cur.Status.ContactFlowID
		Expect(id).NotTo(BeEmpty())
		Expect(cur.Status.Published).To(BeTrue())
		Expect(cur.Status.PublishedHash).To(Equal(cur.Status.DesiredHash))
		Expect(cur.Status.DraftID).To(BeEmpty())
		Expect(cur.Status.LastPublishedTime).NotTo(BeNil())
		Expect(cur.Annotations).NotTo(HaveKey(cfv1.AnnotationCreatePending))
		By("create: one CreateContactFlow and one PublishContactFlow")
		Expect(writes()).To(Equal(map[string]int64{"CreateContactFlow": 1, "PublishContactFlow": 1}))
		live := liveFlow(id)
		Expect(live.Published).To(BeTrue())
		Expect(liveHash(live.Definition)).To(Equal(cur.Status.DesiredHash))
		GinkgoWriter.Printf("create: %v\n", emu.Stats().Calls[emulator.PlatformCCC])

		By("three resyncs with no change: reads only, no write at all")
		resetStats()
		time.Sleep(3*testSyncPeriod + testSyncPeriod/2)
		s := emu.Stats()
		Expect(s.Count(emulator.PlatformCCC, "GetContactFlow")).To(BeNumerically(">=", 3))
		Expect(writes()).To(BeEmpty())
		GinkgoWriter.Printf("three resyncs: %v\n", s.Calls[emulator.PlatformCCC])

		By("a layout-only change of the spec: no write")
		resetStats()
		update(cf, func(c *cfv1.ContactFlow) { testutil.MoveLayout(c.Spec.Definition, 40) })
		waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished)
		time.Sleep(testSyncPeriod)
		Expect(writes()).To(BeEmpty())

		By("a real change: exactly one edit, commit and publish")
		resetStats()
		update(cf, func(c *cfv1.ContactFlow) {
			testutil.SetProperty(c.Spec.Definition, "2d3ad2c2", "say", "Thanks for calling. All agents are busy.")
		})
		cur = waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished)
		Expect(writes()).To(Equal(map[string]int64{"StartEditContactFlow": 1, "CommitContactFlow": 1, "PublishContactFlow": 1}))
		live = liveFlow(id)
		Expect(live.Definition).To(ContainSubstring("All agents are busy"))
		Expect(liveHash(live.Definition)).To(Equal(cur.Status.DesiredHash))
		// The spec's layout travels with a real change (a spec that omits layout would keep the
		// console's; see flow.WithLayoutFrom).
		Expect(live.Definition).To(ContainSubstring(`"x":140`))
		GinkgoWriter.Printf("real change: %v\n", emu.Stats().Calls[emulator.PlatformCCC])

		By("delete: one DeleteContactFlow")
		resetStats()
		deleteAndWait(cf)
		Expect(writes()).To(Equal(map[string]int64{"DeleteContactFlow": 1}))
		_, err := admin.CCC().Flow(ctx, testInstance, id)
		Expect(err).To(HaveOccurred())
	})

	It("leaves the flow on the platform under deletionPolicy Orphan", func() {
		cf := testutil.ContactFlow(ns, "orphan-me", "ccc", testInstance)
		cf.Spec.DeletionPolicy = cfv1.DeletionPolicyOrphan
		Expect(k8s.Create(ctx, cf)).To(Succeed())
		DeferCleanup(deleteAndWait, cf)
		id := waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished).Status.ContactFlowID
		resetStats()
		deleteAndWait(cf)
		Expect(writes()).To(BeEmpty())
		Expect(liveFlow(id).Published).To(BeTrue())
		Expect(admin.CCC().DeleteFlow(ctx, testInstance, id)).To(Succeed())
	})

	It("puts back a flow edited out of band within one resync period", func() {
		cf := testutil.ContactFlow(ns, "drift", "ccc", testInstance)
		Expect(k8s.Create(ctx, cf)).To(Succeed())
		DeferCleanup(deleteAndWait, cf)
		cur := waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished)
		id, want := cur.Status.ContactFlowID, cur.Status.DesiredHash
		edited := strings.Replace(liveFlow(id).Definition, "欢迎来到云联络中心", "edited on the console", 1)
		_, err := admin.CCC().SetPublished(ctx, testInstance, id, edited)
		Expect(err).NotTo(HaveOccurred())
		Expect(liveHash(liveFlow(id).Definition)).NotTo(Equal(want))
		start := time.Now()
		Eventually(func() string { return liveHash(liveFlow(id).Definition) }, 2*testSyncPeriod+5*time.Second, 100*time.Millisecond).Should(Equal(want))
		GinkgoWriter.Printf("drift put back after %s (sync period %s)\n", time.Since(start).Round(100*time.Millisecond), testSyncPeriod)
		Expect(time.Since(start)).To(BeNumerically("<", testSyncPeriod+testSyncPeriod/5+2*time.Second))
		deleteAndWait(cf)
	})

	It("waits for a console user's draft under lockPolicy Wait, and takes over only under TakeOver", func() {
		cf := testutil.ContactFlow(ns, "locked", "ccc", testInstance)
		Expect(k8s.Create(ctx, cf)).To(Succeed())
		DeferCleanup(deleteAndWait, cf)
		id := waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished).Status.ContactFlowID
		before := liveFlow(id).Definition

		draftID, err := admin.CCC().StartEdit(ctx, testInstance, id, consoleUser)
		Expect(err).NotTo(HaveOccurred())
		resetStats()
		update(cf, func(c *cfv1.ContactFlow) {
			testutil.SetProperty(c.Spec.Definition, "2d3ad2c2", "say", "Operator wants this")
		})
		cur := waitFor(cf, metav1.ConditionFalse, cfv1.ReasonLockedByOther)
		Expect(cur.Status.Editor).To(Equal(consoleUser))
		Expect(cur.Status.DraftID).To(Equal(draftID))
		msg := condition(cur, cfv1.ConditionReady).Message
		Expect(msg).To(ContainSubstring(consoleUser))
		Expect(msg).To(ContainSubstring("lockPolicy: TakeOver"))
		Expect(cur.Status.PendingChanges).To(ContainSubstring("say changed"))
		GinkgoWriter.Printf("locked: %s\n", msg)
		time.Sleep(2 * time.Second)
		Expect(writes()).To(BeEmpty())
		live := liveFlow(id)
		Expect(live.Definition).To(Equal(before))
		Expect(live.Draft).NotTo(BeNil())
		Expect(live.Draft.Editor).To(Equal(consoleUser))

		By("TakeOver discards the console draft (never publishing it) and publishes the spec")
		resetStats()
		update(cf, func(c *cfv1.ContactFlow) { c.Spec.LockPolicy = cfv1.LockPolicyTakeOver })
		cur = waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished)
		Expect(writes()).To(Equal(map[string]int64{
			"DiscardEditingContactFlow": 1, "StartEditContactFlow": 1, "CommitContactFlow": 1, "PublishContactFlow": 1,
		}))
		Expect(cur.Status.Editor).To(BeEmpty())
		Expect(liveFlow(id).Definition).To(ContainSubstring("Operator wants this"))
		Eventually(func() []string { return eventReasons(ns) }).Should(ContainElement("LockTakenOver"))
		deleteAndWait(cf)
	})

	It("stalls on a dangling next, naming the activity, and leaves the live flow untouched", func() {
		cf := testutil.ContactFlow(ns, "dangling", "ccc", testInstance)
		Expect(k8s.Create(ctx, cf)).To(Succeed())
		DeferCleanup(deleteAndWait, cf)
		id := waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished).Status.ContactFlowID
		before := liveFlow(id)

		resetStats()
		missing := "nowhere1"
		update(cf, func(c *cfv1.ContactFlow) { testutil.SetNext(c.Spec.Definition, "2d3ad2c2", 0, &missing) })
		cur := waitFor(cf, metav1.ConditionFalse, cfv1.ReasonInvalidDefinition)
		msg := condition(cur, cfv1.ConditionReady).Message
		GinkgoWriter.Printf("dangling next: %s\n", msg)
		Expect(msg).To(ContainSubstring("2d3ad2c2"))
		Expect(msg).To(ContainSubstring(missing))
		Expect(condition(cur, cfv1.ConditionStalled)).NotTo(BeNil())
		Expect(cur.Status.ObservedGeneration).To(Equal(cur.Generation))
		time.Sleep(time.Second)
		Expect(writes()).To(BeEmpty(), "an invalid spec must not reach the platform")
		Expect(liveFlow(id).Definition).To(Equal(before.Definition))

		By("a fixed spec recovers by itself")
		update(cf, func(c *cfv1.ContactFlow) { c.Spec.Definition = new(testutil.SeedDefinition()) })
		waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished)
		deleteAndWait(cf)
	})

	It("never creates a second flow after a crash between Create and the status write", func() {
		// The state a crash leaves: the remote flow exists, the create-pending marker is set,
		// status has no ID.
		created, err := admin.CCC().CreateFlow(ctx, testInstance, "operator", emulator.CCCNewFlow{
			Name: "crashed", Type: "MAIN_FLOW", Definition: string(mustDefinitionJSON(testutil.SeedDefinition())),
		})
		Expect(err).NotTo(HaveOccurred())
		resetStats()
		cf := testutil.ContactFlow(ns, "crashed", "ccc", testInstance)
		cf.Annotations = map[string]string{cfv1.AnnotationCreatePending: "crashed"}
		Expect(k8s.Create(ctx, cf)).To(Succeed())
		DeferCleanup(deleteAndWait, cf)
		cur := waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished)
		Expect(cur.Status.ContactFlowID).To(Equal(created.ContactFlowID))
		// Only the marker says the creation draft is the operator's, so the platform is asked
		// (StartEdit answers the caller's own draft) before it is published.
		Expect(writes()).To(Equal(map[string]int64{"StartEditContactFlow": 1, "PublishContactFlow": 1}))
		Expect(cur.Annotations).NotTo(HaveKey(cfv1.AnnotationCreatePending))
		deleteAndWait(cf)
	})

	It("refuses to take over a same-named flow unless asked, then adopts it by name or ID", func() {
		existing, err := admin.CCC().CreateFlow(ctx, testInstance, consoleUser, emulator.CCCNewFlow{
			Name: "preexisting", Type: "MAIN_FLOW", Definition: string(mustDefinitionJSON(testutil.SeedDefinition())),
		})
		Expect(err).NotTo(HaveOccurred())
		cf := testutil.ContactFlow(ns, "preexisting", "ccc", testInstance)
		Expect(k8s.Create(ctx, cf)).To(Succeed())
		DeferCleanup(deleteAndWait, cf)
		cur := waitFor(cf, metav1.ConditionFalse, cfv1.ReasonAlreadyExists)
		Expect(condition(cur, cfv1.ConditionReady).Message).To(ContainSubstring("adoptByName"))
		Expect(condition(cur, cfv1.ConditionStalled)).NotTo(BeNil())

		update(cf, func(c *cfv1.ContactFlow) { c.Spec.AdoptByName = true; c.Spec.LockPolicy = cfv1.LockPolicyTakeOver })
		cur = waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished)
		Expect(cur.Status.ContactFlowID).To(Equal(existing.ContactFlowID))

		By("adoption by the adopt-id annotation")
		other := testutil.ContactFlow(ns, "adopt-by-id", "ccc", testInstance)
		other.Spec.FlowName = "some other name"
		other.Spec.DeletionPolicy = cfv1.DeletionPolicyOrphan
		other.Annotations = map[string]string{cfv1.AnnotationAdoptID: existing.ContactFlowID}
		// Both resources now name the same flow: Orphan keeps the second one from deleting it.
		Expect(k8s.Create(ctx, other)).To(Succeed())
		DeferCleanup(deleteAndWait, other)
		Expect(waitFor(other, metav1.ConditionTrue, cfv1.ReasonPublished).Status.ContactFlowID).To(Equal(existing.ContactFlowID))
		deleteAndWait(other)
		deleteAndWait(cf)
	})

	It("saves a draft without publishing under publishPolicy Draft", func() {
		cf := testutil.ContactFlow(ns, "drafty", "ccc", testInstance)
		Expect(k8s.Create(ctx, cf)).To(Succeed())
		DeferCleanup(deleteAndWait, cf)
		id := waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished).Status.ContactFlowID
		resetStats()
		update(cf, func(c *cfv1.ContactFlow) {
			c.Spec.PublishPolicy = cfv1.PublishPolicyDraft
			testutil.SetProperty(c.Spec.Definition, "2d3ad2c2", "say", "Draft only")
		})
		cur := waitFor(cf, metav1.ConditionTrue, cfv1.ReasonDraftSaved)
		Expect(writes()).To(Equal(map[string]int64{"StartEditContactFlow": 1, "CommitContactFlow": 1}))
		live := liveFlow(id)
		Expect(live.Definition).NotTo(ContainSubstring("Draft only"))
		Expect(live.Draft).NotTo(BeNil())
		Expect(live.Draft.Definition).To(ContainSubstring("Draft only"))
		Expect(cur.Status.DraftID).To(Equal(live.Draft.DraftID))
		Expect(cur.Status.Editor).To(BeEmpty())
		By("no further writes on resync")
		resetStats()
		time.Sleep(2 * testSyncPeriod)
		Expect(writes()).To(BeEmpty())
		deleteAndWait(cf)
	})

	It("reports refused credentials without leaking the secret", func() {
		const wrong = "definitely-not-the-secret-0123456789"
		bad := newNamespace()
		createProvider(bad, wrong)
		cf := testutil.ContactFlow(bad, "unauthorized", "ccc", testInstance)
		Expect(k8s.Create(ctx, cf)).To(Succeed())
		DeferCleanup(deleteAndWait, cf)
		cur := waitFor(cf, metav1.ConditionFalse, cfv1.ReasonUnauthorized)
		msg := condition(cur, cfv1.ConditionReady).Message
		GinkgoWriter.Printf("wrong secret: %s\n", msg)
		Expect(msg).To(ContainSubstring("SignatureDoesNotMatch"))
		Expect(fmt.Sprint(cur.Status)).NotTo(ContainSubstring(wrong))
		Expect(strings.Join(eventMessages(bad), "\n")).NotTo(ContainSubstring(wrong))
		deleteAndWait(cf)
	})

	It("waits with a condition while the ProviderConfig is missing", func() {
		cf := testutil.ContactFlow(ns, "no-provider", "missing", testInstance)
		Expect(k8s.Create(ctx, cf)).To(Succeed())
		DeferCleanup(deleteAndWait, cf)
		cur := waitFor(cf, metav1.ConditionFalse, cfv1.ReasonProviderConfigNotFound)
		Expect(condition(cur, cfv1.ConditionReady).Message).To(ContainSubstring(`"missing"`))
		deleteAndWait(cf)
	})

	It("refuses an instanceId change at admission (CEL)", func() {
		cf := testutil.ContactFlow(ns, "immutable", "ccc", testInstance)
		cf.Spec.DeletionPolicy = cfv1.DeletionPolicyOrphan
		Expect(k8s.Create(ctx, cf)).To(Succeed())
		DeferCleanup(deleteAndWait, cf)
		Eventually(func() string {
			cur := get(cf)
			cur.Spec.InstanceID = "another-instance"
			err := k8s.Update(ctx, cur)
			if err == nil {
				return "update was accepted"
			}
			return err.Error()
		}).Should(ContainSubstring("instanceId is immutable; create a new ContactFlow"))
		id := waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished).Status.ContactFlowID
		deleteAndWait(cf)
		Expect(admin.CCC().DeleteFlow(ctx, testInstance, id)).To(Succeed())
	})
})

func eventList(ns string) []corev1.Event {
	list := &corev1.EventList{}
	Expect(k8s.List(ctx, list, client.InNamespace(ns))).To(Succeed())
	return list.Items
}

func eventReasons(ns string) []string {
	var out []string
	for _, e := range eventList(ns) {
		out = append(out, e.Reason)
	}
	return out
}

func eventMessages(ns string) []string {
	var out []string
	for _, e := range eventList(ns) {
		out = append(out, e.Message)
	}
	return out
}

func mustDefinitionJSON(def cfv1.FlowDefinition) []byte {
	raw, err := json.Marshal(def)
	Expect(err).NotTo(HaveOccurred())
	return raw
}

var _ = Describe("ProviderConfig", func() {
	It("is Ready when its Secret has the keys, and says which key is missing otherwise", func() {
		ns := newNamespace()
		sec, pc := testutil.ProviderObjects(ns, "pc", emuServer.URL, emulator.DemoAccessKeyID, emulator.DemoAccessKeySecret)
		Expect(k8s.Create(ctx, pc)).To(Succeed())
		readyOf := func(g Gomega) *metav1.Condition {
			cur := &cfv1.ProviderConfig{}
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(pc), cur)).To(Succeed())
			c := meta.FindStatusCondition(cur.Status.Conditions, cfv1.ConditionReady)
			g.Expect(c).NotTo(BeNil())
			return c
		}
		Eventually(func(g Gomega) {
			c := readyOf(g)
			g.Expect(c.Reason).To(Equal(cfv1.ReasonCredentialsNotFound))
			g.Expect(c.Message).To(ContainSubstring(sec.Name))
		}, 20*time.Second, 100*time.Millisecond).Should(Succeed())

		delete(sec.StringData, "accessKeySecret")
		Expect(k8s.Create(ctx, sec)).To(Succeed())
		Eventually(func(g Gomega) {
			c := readyOf(g)
			g.Expect(c.Reason).To(Equal(cfv1.ReasonCredentialsNotFound))
			g.Expect(c.Message).To(ContainSubstring("accessKeySecret"))
		}, 20*time.Second, 100*time.Millisecond).Should(Succeed())

		sec.StringData = map[string]string{"accessKeySecret": emulator.DemoAccessKeySecret}
		Expect(k8s.Update(ctx, sec)).To(Succeed())
		Eventually(func(g Gomega) {
			c := readyOf(g)
			g.Expect(c.Status).To(Equal(metav1.ConditionTrue), c.Message)
			g.Expect(c.Reason).To(Equal(cfv1.ReasonAvailable))
			g.Expect(c.Message).NotTo(ContainSubstring(emulator.DemoAccessKeySecret))
		}, 20*time.Second, 100*time.Millisecond).Should(Succeed())
	})
})
