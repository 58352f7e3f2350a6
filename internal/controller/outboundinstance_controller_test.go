package controller

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/providers"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	"github.com/contactflow-operator/contactflow-operator/internal/testutil"
)

// outboundCalls records, in order, the platform writes the outbound controllers make: the
// emulator counts calls per action but does not order them, and one spec checks an exact
// sequence.
var outboundCalls = &callLog{}

// setupOutboundControllers registers the OutboundInstance and OutboundScript reconcilers of the
// envtest suite, over the real adapter wrapped by a call recorder.
func setupOutboundControllers(mgr ctrl.Manager) error {
	provs := &Providers{
		Reader:   mgr.GetClient(),
		Flows:    providers.NewFlowClient,
		Outbound: recordingFactory(providers.NewOutboundClient, outboundCalls),
	}
	timing := Timing{SyncPeriod: testSyncPeriod, LockRetry: time.Second, ThrottleBackoff: time.Second}
	if err := (&OutboundInstanceReconciler{
		Client: mgr.GetClient(), Scheme: mgr.GetScheme(), Recorder: mgr.GetEventRecorder("contactflow-operator"),
		Providers: provs, Timing: timing,
	}).SetupWithManager(mgr); err != nil {
		return err
	}
	return (&OutboundScriptReconciler{
		Client: mgr.GetClient(), Scheme: mgr.GetScheme(), Recorder: mgr.GetEventRecorder("contactflow-operator"),
		Providers: provs, Timing: timing,
	}).SetupWithManager(mgr)
}

// callLog is an ordered list of "Action ID" entries.
type callLog struct {
	mu    sync.Mutex
	calls []string
}

func (l *callLog) add(action, id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, action+" "+id)
}

func (l *callLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = nil
}

// of returns the actions recorded for the remote object id, in order.
func (l *callLog) of(id string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, c := range l.calls {
		if action, got, _ := strings.Cut(c, " "); got == id {
			out = append(out, action)
		}
	}
	return out
}

// recordingClient is the real adapter with its writes recorded.
type recordingClient struct {
	cloud.OutboundClient
	log *callLog
}

func recordingFactory(f cloud.OutboundClientFactory, log *callLog) cloud.OutboundClientFactory {
	return func(ctx context.Context, cfg cloud.Config) (cloud.OutboundClient, error) {
		c, err := f(ctx, cfg)
		if err != nil {
			return nil, err
		}
		return &recordingClient{OutboundClient: c, log: log}, nil
	}
}

func (c *recordingClient) CreateInstance(ctx context.Context, spec cloud.OutboundInstanceSpec) (*cloud.OutboundInstance, error) {
	c.log.add("CreateInstance", spec.Name)
	return c.OutboundClient.CreateInstance(ctx, spec)
}

func (c *recordingClient) ModifyInstance(ctx context.Context, id string, spec cloud.OutboundInstanceSpec) (*cloud.OutboundInstance, error) {
	c.log.add("ModifyInstance", id)
	return c.OutboundClient.ModifyInstance(ctx, id, spec)
}

func (c *recordingClient) DeleteInstance(ctx context.Context, id string) error {
	c.log.add("DeleteInstance", id)
	return c.OutboundClient.DeleteInstance(ctx, id)
}

func (c *recordingClient) CreateScript(ctx context.Context, instanceID string, spec cloud.ScriptSpec) (*cloud.Script, error) {
	c.log.add("CreateScript", spec.Name)
	return c.OutboundClient.CreateScript(ctx, instanceID, spec)
}

func (c *recordingClient) ModifyScript(ctx context.Context, key cloud.ScriptKey, spec cloud.ScriptSpec) (*cloud.Script, error) {
	c.log.add("ModifyScript", key.ScriptID)
	return c.OutboundClient.ModifyScript(ctx, key, spec)
}

func (c *recordingClient) DeleteScript(ctx context.Context, key cloud.ScriptKey) error {
	c.log.add("DeleteScript", key.ScriptID)
	return c.OutboundClient.DeleteScript(ctx, key)
}

func (c *recordingClient) SubmitScriptReview(ctx context.Context, key cloud.ScriptKey, description string) error {
	c.log.add("SubmitScriptReview", key.ScriptID)
	return c.OutboundClient.SubmitScriptReview(ctx, key, description)
}

func (c *recordingClient) WithdrawScriptReview(ctx context.Context, key cloud.ScriptKey) (*cloud.Script, error) {
	c.log.add("WithdrawScriptReview", key.ScriptID)
	return c.OutboundClient.WithdrawScriptReview(ctx, key)
}

func (c *recordingClient) PublishScript(ctx context.Context, key cloud.ScriptKey, description string) error {
	c.log.add("PublishScript", key.ScriptID)
	return c.OutboundClient.PublishScript(ctx, key, description)
}

func (c *recordingClient) RollbackScript(ctx context.Context, key cloud.ScriptKey, toVersion string) error {
	c.log.add("RollbackScript", key.ScriptID)
	return c.OutboundClient.RollbackScript(ctx, key, toVersion)
}

// obWriteActions are the OutboundBot actions that change something on the platform.
var obWriteActions = []string{
	"CreateInstance", "ModifyInstance", "DeleteInstance",
	"CreateScript", "ModifyScript", "DeleteScript",
	"SubmitScriptReview", "WithdrawScriptReview", "PublishScript", "RollbackScript",
}

// obWrites returns the non-zero OutboundBot write counts since the last reset.
func obWrites() map[string]int64 {
	s := emu.Stats()
	out := map[string]int64{}
	for _, a := range obWriteActions {
		if n := s.Count(emulator.PlatformOutboundBot, a); n > 0 {
			out[a] = n
		}
	}
	return out
}

// obCalls renders every OutboundBot call count since the last reset, sorted, for the log.
func obCalls() string {
	calls := emu.Stats().Calls[emulator.PlatformOutboundBot]
	keys := make([]string, 0, len(calls))
	for k := range calls {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s:%d", k, calls[k]))
	}
	return "map[" + strings.Join(parts, " ") + "]"
}

// createOutboundProvider creates the Secret and an AlibabaOutboundBot ProviderConfig named
// "outboundbot" pointing at the in-process emulator.
func createOutboundProvider(ns string) {
	sec, pc := testutil.ProviderObjects(ns, "outboundbot", emuServer.URL, emulator.DemoAccessKeyID, emulator.DemoAccessKeySecret)
	pc.Spec.Platform = cfv1.PlatformAlibabaOutboundBot
	Expect(k8s.Create(ctx, sec)).To(Succeed())
	Expect(k8s.Create(ctx, pc)).To(Succeed())
}

// newInstance returns an OutboundInstance whose platform name is unique in the (shared)
// emulator account.
func newInstance(ns, name string, concurrency int32) *cfv1.OutboundInstance {
	return &cfv1.OutboundInstance{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: cfv1.OutboundInstanceSpec{
			ProviderConfigRef:         cfv1.LocalObjectReference{Name: "outboundbot"},
			InstanceName:              ns + "-" + name,
			InstanceDescription:       "payment reminders, managed in Git",
			MaxConcurrentConversation: concurrency,
			CallingNumbers:            []string{"05710000001", "05710000002"},
		},
	}
}

func getInstance(obi *cfv1.OutboundInstance) *cfv1.OutboundInstance {
	out := &cfv1.OutboundInstance{}
	ExpectWithOffset(1, k8s.Get(ctx, client.ObjectKeyFromObject(obi), out)).To(Succeed())
	return out
}

// waitInstance waits until the Ready condition of the current generation has status and reason.
func waitInstance(obi *cfv1.OutboundInstance, status metav1.ConditionStatus, reason string) *cfv1.OutboundInstance {
	var cur *cfv1.OutboundInstance
	EventuallyWithOffset(1, func(g Gomega) {
		cur = &cfv1.OutboundInstance{}
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(obi), cur)).To(Succeed())
		c := findCondition(cur.Status.Conditions, cfv1.ConditionReady)
		g.Expect(c).NotTo(BeNil())
		g.Expect(c.ObservedGeneration).To(Equal(cur.Generation))
		g.Expect(c.Status).To(Equal(status), "Ready: %s/%s", c.Reason, c.Message)
		g.Expect(c.Reason).To(Equal(reason), "Ready message: %s", c.Message)
	}, 30*time.Second, 100*time.Millisecond).Should(Succeed())
	return cur
}

func findCondition(conds []metav1.Condition, t string) *metav1.Condition {
	for i := range conds {
		if conds[i].Type == t {
			return &conds[i]
		}
	}
	return nil
}

func updateInstance(obi *cfv1.OutboundInstance, mutate func(*cfv1.OutboundInstance)) {
	EventuallyWithOffset(1, func() error {
		cur := &cfv1.OutboundInstance{}
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(obi), cur); err != nil {
			return err
		}
		mutate(cur)
		return k8s.Update(ctx, cur)
	}).Should(Succeed())
}

func deleteInstanceAndWait(obi *cfv1.OutboundInstance) {
	Expect(client.IgnoreNotFound(k8s.Delete(ctx, obi))).To(Succeed())
	EventuallyWithOffset(1, func() bool {
		return apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKeyFromObject(obi), &cfv1.OutboundInstance{}))
	}, 30*time.Second, 100*time.Millisecond).Should(BeTrue())
}

// liveInstance returns the emulator's record of the instance, nil when it has none.
func liveInstance(id string) *emulator.OutboundBotInstance {
	list, err := admin.OutboundBot().Instances(ctx)
	Expect(err).NotTo(HaveOccurred())
	for i := range list {
		if list[i].InstanceID == id {
			return &list[i]
		}
	}
	return nil
}

// concurrencyInUse is the account's MaxConcurrentConversation sum.
func concurrencyInUse() int {
	list, err := admin.OutboundBot().Instances(ctx)
	Expect(err).NotTo(HaveOccurred())
	n := 0
	for _, in := range list {
		n += in.MaxConcurrentConversation
	}
	return n
}

var _ = Describe("OutboundInstance on Alibaba OutboundBot", func() {
	var ns string
	BeforeEach(func() {
		ns = newNamespace()
		createOutboundProvider(ns)
	})

	It("creates, leaves alone, modifies once on a real change and deletes", func() {
		resetStats()
		outboundCalls.reset()
		obi := newInstance(ns, "life", 1)
		Expect(k8s.Create(ctx, obi)).To(Succeed())
		DeferCleanup(deleteInstanceAndWait, obi)
		cur := waitInstance(obi, metav1.ConditionTrue, cfv1.ReasonAvailable)
		id := cur.Status.InstanceID
		Expect(id).NotTo(BeEmpty())
		Expect(cur.Status.InstanceName).To(Equal(obi.Spec.InstanceName))
		Expect(cur.Status.InstanceDescription).To(Equal(obi.Spec.InstanceDescription))
		Expect(cur.Status.MaxConcurrentConversation).To(Equal(int32(1)))
		Expect(cur.Status.NluServiceType).To(Equal("Managed"))
		Expect(cur.Status.CreatorName).To(Equal("operator"))
		Expect(cur.Status.OwnerName).To(Equal("operator"))
		Expect(cur.Status.CreationTime).NotTo(BeNil())
		Expect(cur.Status.CallingNumbersHash).To(Equal(callingNumbersHash(obi.Spec.CallingNumbers)))
		Expect(cur.Status.ObservedGeneration).To(Equal(cur.Generation))
		Expect(cur.Annotations).NotTo(HaveKey(cfv1.AnnotationCreatePending))
		Expect(cur.Finalizers).To(ContainElement(cfv1.Finalizer))
		By("create: one CreateInstance")
		Expect(obWrites()).To(Equal(map[string]int64{"CreateInstance": 1}))
		live := liveInstance(id)
		Expect(live).NotTo(BeNil())
		Expect(live.CallingNumbers).To(Equal(obi.Spec.CallingNumbers))
		GinkgoWriter.Printf("instance create: %s\n", obCalls())

		By("three resyncs with no change: reads only, no write at all")
		resetStats()
		time.Sleep(3*testSyncPeriod + testSyncPeriod/2)
		Expect(emu.Stats().Count(emulator.PlatformOutboundBot, "DescribeInstance")).To(BeNumerically(">=", 3))
		Expect(obWrites()).To(BeEmpty())
		GinkgoWriter.Printf("instance, three resyncs: %s\n", obCalls())

		By("maxConcurrentConversation 1 → 2: exactly one ModifyInstance")
		resetStats()
		updateInstance(obi, func(o *cfv1.OutboundInstance) { o.Spec.MaxConcurrentConversation = 2 })
		cur = waitInstance(obi, metav1.ConditionTrue, cfv1.ReasonAvailable)
		Expect(cur.Status.MaxConcurrentConversation).To(Equal(int32(2)))
		Expect(liveInstance(id).MaxConcurrentConversation).To(Equal(2))
		time.Sleep(testSyncPeriod)
		Expect(obWrites()).To(Equal(map[string]int64{"ModifyInstance": 1}))
		Eventually(func() []string { return eventMessages(ns) }).Should(ContainElement(ContainSubstring("maxConcurrentConversation: 1 → 2")))
		GinkgoWriter.Printf("instance modify: %s\n", obCalls())

		By("delete: one DeleteInstance")
		resetStats()
		deleteInstanceAndWait(obi)
		Expect(obWrites()).To(Equal(map[string]int64{"DeleteInstance": 1}))
		Expect(liveInstance(id)).To(BeNil())
		Expect(outboundCalls.of(id)).To(Equal([]string{"ModifyInstance", "DeleteInstance"}))
		GinkgoWriter.Printf("instance delete: %s\n", obCalls())
	})

	It("stalls on a taken name with the platform's code, and recovers when the spec is renamed", func() {
		first := newInstance(ns, "first", 1)
		Expect(k8s.Create(ctx, first)).To(Succeed())
		DeferCleanup(deleteInstanceAndWait, first)
		waitInstance(first, metav1.ConditionTrue, cfv1.ReasonAvailable)

		resetStats()
		second := newInstance(ns, "second", 1)
		second.Spec.InstanceName = first.Spec.InstanceName
		Expect(k8s.Create(ctx, second)).To(Succeed())
		DeferCleanup(deleteInstanceAndWait, second)
		cur := waitInstance(second, metav1.ConditionFalse, cfv1.ReasonAlreadyExists)
		ready := findCondition(cur.Status.Conditions, cfv1.ConditionReady)
		Expect(ready.Message).To(ContainSubstring("InvalidInstanceName.Duplicated"))
		Expect(ready.Message).To(ContainSubstring("choose another spec.instanceName"))
		stalled := findCondition(cur.Status.Conditions, cfv1.ConditionStalled)
		Expect(stalled).NotTo(BeNil())
		Expect(stalled.Status).To(Equal(metav1.ConditionTrue))
		Expect(cur.Status.InstanceID).To(BeEmpty())
		Expect(cur.Annotations).NotTo(HaveKey(cfv1.AnnotationCreatePending), "a refused create leaves no marker")
		Expect(obWrites()).To(HaveKeyWithValue("CreateInstance", BeNumerically(">=", 1)))
		Expect(obWrites()).To(HaveLen(1))
		GinkgoWriter.Printf("duplicate name: Ready=%s reason=%s message=%q calls=%s\n", ready.Status, ready.Reason, ready.Message, obCalls())

		By("renaming in the spec recovers by itself")
		updateInstance(second, func(o *cfv1.OutboundInstance) { o.Spec.InstanceName = first.Spec.InstanceName + "-2" })
		cur = waitInstance(second, metav1.ConditionTrue, cfv1.ReasonAvailable)
		Expect(findCondition(cur.Status.Conditions, cfv1.ConditionStalled)).To(BeNil())
		Expect(liveInstance(cur.Status.InstanceID).InstanceName).To(Equal(first.Spec.InstanceName + "-2"))
		GinkgoWriter.Printf("duplicate name, after the rename: Ready=True reason=%s calls=%s\n", cfv1.ReasonAvailable, obCalls())
	})

	It("stalls over the account's concurrency limit with advice, and recovers when the spec asks for less", func() {
		limit := concurrencyInUse() + 3
		Expect(admin.OutboundBot().SetConcurrencyLimit(ctx, limit)).To(Succeed())
		DeferCleanup(func() { Expect(admin.OutboundBot().SetConcurrencyLimit(ctx, 100)).To(Succeed()) })

		resetStats()
		obi := newInstance(ns, "quota", 5)
		Expect(k8s.Create(ctx, obi)).To(Succeed())
		DeferCleanup(deleteInstanceAndWait, obi)
		cur := waitInstance(obi, metav1.ConditionFalse, cfv1.ReasonQuotaExceeded)
		ready := findCondition(cur.Status.Conditions, cfv1.ConditionReady)
		Expect(ready.Message).To(ContainSubstring("LimitExceeded.ConcurrentConversation"))
		Expect(ready.Message).To(ContainSubstring("lower spec.maxConcurrentConversation (the account limit is reached) or raise the account quota"))
		Expect(findCondition(cur.Status.Conditions, cfv1.ConditionStalled).Status).To(Equal(metav1.ConditionTrue))
		GinkgoWriter.Printf("over the limit (create): Ready=%s reason=%s message=%q calls=%s\n", ready.Status, ready.Reason, ready.Message, obCalls())

		By("asking for less recovers by itself")
		updateInstance(obi, func(o *cfv1.OutboundInstance) { o.Spec.MaxConcurrentConversation = 2 })
		cur = waitInstance(obi, metav1.ConditionTrue, cfv1.ReasonAvailable)
		Expect(cur.Status.MaxConcurrentConversation).To(Equal(int32(2)))
		GinkgoWriter.Printf("over the limit, after lowering to 2: Ready=True reason=%s calls=%s\n", cfv1.ReasonAvailable, obCalls())

		By("raising an existing instance past the limit stalls the same way, and the live value stays")
		resetStats()
		updateInstance(obi, func(o *cfv1.OutboundInstance) { o.Spec.MaxConcurrentConversation = 10 })
		cur = waitInstance(obi, metav1.ConditionFalse, cfv1.ReasonQuotaExceeded)
		ready = findCondition(cur.Status.Conditions, cfv1.ConditionReady)
		Expect(ready.Message).To(ContainSubstring("lower spec.maxConcurrentConversation"))
		Expect(cur.Status.MaxConcurrentConversation).To(Equal(int32(2)))
		GinkgoWriter.Printf("over the limit (modify): Ready=%s reason=%s message=%q calls=%s\n", ready.Status, ready.Reason, ready.Message, obCalls())
		updateInstance(obi, func(o *cfv1.OutboundInstance) { o.Spec.MaxConcurrentConversation = 3 })
		cur = waitInstance(obi, metav1.ConditionTrue, cfv1.ReasonAvailable)
		Expect(cur.Status.MaxConcurrentConversation).To(Equal(int32(3)))
		Expect(liveInstance(cur.Status.InstanceID).MaxConcurrentConversation).To(Equal(3))
	})

	It("never creates a second instance after a crash between Create and the status write", func() {
		orphan := newInstance(ns, "crash", 1)
		orphan.Spec.CallingNumbers = nil
		orphan.Spec.DeletionPolicy = cfv1.DeletionPolicyOrphan
		Expect(k8s.Create(ctx, orphan)).To(Succeed())
		id := waitInstance(orphan, metav1.ConditionTrue, cfv1.ReasonAvailable).Status.InstanceID
		deleteInstanceAndWait(orphan)
		Expect(liveInstance(id)).NotTo(BeNil())

		By("a resource whose create-pending marker survived the crash finds the instance by name")
		resetStats()
		again := newInstance(ns, "crash-again", 1)
		again.Spec.CallingNumbers = nil
		again.Spec.InstanceName = orphan.Spec.InstanceName
		again.Annotations = map[string]string{cfv1.AnnotationCreatePending: again.Spec.InstanceName}
		Expect(k8s.Create(ctx, again)).To(Succeed())
		cur := waitInstance(again, metav1.ConditionTrue, cfv1.ReasonAvailable)
		Expect(cur.Status.InstanceID).To(Equal(id))
		Eventually(func() map[string]string { return getInstance(again).Annotations }).ShouldNot(HaveKey(cfv1.AnnotationCreatePending))
		Expect(obWrites()).To(BeEmpty())
		resetStats()
		deleteInstanceAndWait(again)
		Expect(obWrites()).To(Equal(map[string]int64{"DeleteInstance": 1}))
	})
})
