package controller

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	"github.com/contactflow-operator/contactflow-operator/internal/flow"
	"github.com/contactflow-operator/contactflow-operator/internal/testutil"
)

// The same scenarios on every flow platform: Alibaba CCC 2020-07-01, the classic CloudCallCenter
// 2017-07-05 and Amazon Connect (an ordinary flow and a CAMPAIGN flow, whose publishes are
// versioned). Each step prints the platform's call counts (reads included) to GinkgoWriter.

const (
	testClassicInstance = "classic-envtest"
	testConnectInstance = "connect-envtest"
)

// emuHooks stands between the operator and the emulator (suite_test.go wraps the emulator's
// handler with it), so that a spec can act at an exact point of the conversation: change the
// flow between two of the operator's calls, or answer for a platform rule the emulator does not
// model.
var emuHooks = &hookHandler{}

// httpHook sees every request to the emulator; it answers and returns true, or returns false
// and leaves the request (its body intact) to the emulator.
type httpHook func(w http.ResponseWriter, r *http.Request) bool

type hookHandler struct {
	mu    sync.Mutex
	next  int
	hooks map[int]httpHook
}

func (h *hookHandler) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		ids := make([]int, 0, len(h.hooks))
		for id := range h.hooks {
			ids = append(ids, id)
		}
		sort.Ints(ids)
		hooks := make([]httpHook, 0, len(ids))
		for _, id := range ids {
			hooks = append(hooks, h.hooks[id])
		}
		h.mu.Unlock()
		for _, hook := range hooks {
			if hook(w, r) {
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// add installs a hook until the returned function removes it.
func (h *hookHandler) add(hook httpHook) (remove func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.hooks == nil {
		h.hooks = map[int]httpHook{}
	}
	h.next++
	id := h.next
	h.hooks[id] = hook
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.hooks, id)
	}
}

// peekBody reads a request's body and puts it back for the emulator (whose SigV4 check hashes
// it).
func peekBody(r *http.Request) []byte {
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

// platformCase is one platform in the shared scenario table.
type platformCase struct {
	name         string
	short        string
	platform     cfv1.Platform
	emuPlatform  string
	instance     string
	writeActions []string
	// readAction is the read every resync makes.
	readAction string
	newFlow    func(ns, name string) *cfv1.ContactFlow
	// change makes a real change: the greeting becomes text.
	change func(cf *cfv1.ContactFlow, text string)
	// layoutOnly changes the spec without changing the flow's behaviour.
	layoutOnly func(cf *cfv1.ContactFlow)
	// consoleLayout changes only the layout on the platform, as a console user moving boxes
	// would; nil when the scenario has none.
	consoleLayout func(id string)
	// keptLayout is what the live flow shows after consoleLayout and a real change: the layout
	// survived.
	keptLayout func(id string) string
	// published is the live published flow ("" before the first publish).
	published func(id string) string
	// draft is the live draft and who holds it ("" when there is none).
	draft func(id string) (content, holder string)
	// foreignDraft opens (or saves) a draft as console user alice.
	foreignDraft func(id string)
	// editor is status.editor while alice's draft is open.
	editor string
	// expected writes
	wantCreate, wantChange, wantDraftOnly, wantTakeOver, wantRollback, wantDelete map[string]int64
	// rollback: "versions" (the platform rolls back), "republish" (the operator
	// publishes the version's content again) or "none" (the flow has no versions).
	rollback string
	campaign bool
}

func (p platformCase) writes() map[string]int64 {
	s := emu.Stats()
	out := map[string]int64{}
	for _, a := range p.writeActions {
		if n := s.Count(p.emuPlatform, a); n > 0 {
			out[a] = n
		}
	}
	return out
}

// calls is every call of the platform since the last reset, reads included, for the log.
func (p platformCase) calls() map[string]int64 { return emu.Stats().Calls[p.emuPlatform] }

func (p platformCase) log(step string) {
	GinkgoWriter.Printf("[%s] %s: writes %v; all calls %v\n", p.name, step, p.writes(), p.calls())
}

func (p platformCase) provider(ns string) {
	sec, pc := testutil.ProviderObjectsFor(ns, p.short, p.platform, emuServer.URL, emulator.DemoAccessKeyID, emulator.DemoAccessKeySecret)
	// The emulator has no quota: lift the operator's default budget (Amazon Connect: 1/s) so the
	// scenarios measure calls, not waiting. The limiter itself has its own tests.
	pc.Spec.RateLimit = &cfv1.RateLimitSpec{QPS: "100", Burst: 50}
	Expect(k8s.Create(ctx, sec)).To(Succeed())
	Expect(k8s.Create(ctx, pc)).To(Succeed())
}

func contentEdit(cf *cfv1.ContactFlow, edit func(doc map[string]any)) {
	cf.Spec.Content = testutil.EditContent(cf.Spec.Content, edit)
}

var (
	cccCase = platformCase{
		name: "AlibabaCCC", short: "ccc", platform: cfv1.PlatformAlibabaCCC, emuPlatform: emulator.PlatformCCC, instance: testInstance,
		writeActions: writeActions, readAction: "GetContactFlow",
		newFlow: func(ns, name string) *cfv1.ContactFlow {
			return testutil.ContactFlow(ns, name, "ccc", testInstance)
		},
		change: func(cf *cfv1.ContactFlow, text string) {
			testutil.SetProperty(cf.Spec.Definition, "2d3ad2c2", "say", text)
		},
		layoutOnly: func(cf *cfv1.ContactFlow) { testutil.MoveLayout(cf.Spec.Definition, 40) },
		published: func(id string) string {
			if f := liveFlow(id); f.Published {
				return f.Definition
			}
			return ""
		},
		draft: func(id string) (string, string) {
			if f := liveFlow(id); f.Draft != nil {
				return f.Draft.Definition, f.Draft.Editor
			}
			return "", ""
		},
		foreignDraft: func(id string) {
			_, err := admin.CCC().StartEdit(ctx, testInstance, id, consoleUser)
			Expect(err).NotTo(HaveOccurred())
		},
		editor:        consoleUser,
		wantCreate:    map[string]int64{"CreateContactFlow": 1, "PublishContactFlow": 1},
		wantChange:    map[string]int64{"StartEditContactFlow": 1, "CommitContactFlow": 1, "PublishContactFlow": 1},
		wantDraftOnly: map[string]int64{"StartEditContactFlow": 1, "CommitContactFlow": 1},
		wantTakeOver:  map[string]int64{"DiscardEditingContactFlow": 1, "StartEditContactFlow": 1, "CommitContactFlow": 1, "PublishContactFlow": 1},
		wantRollback:  map[string]int64{"StartEditContactFlow": 1, "CommitContactFlow": 1, "PublishContactFlow": 1},
		wantDelete:    map[string]int64{"DeleteContactFlow": 1},
		// CCC keeps no versions: the operator publishes the definition it kept again.
		rollback: "republish",
	}

	classicCase = platformCase{
		name: "AlibabaCloudCallCenter", short: "classic", platform: cfv1.PlatformAlibabaCloudCallCenter,
		emuPlatform: emulator.PlatformCloudCallCenter, instance: testClassicInstance,
		writeActions: []string{
			"CreateContactFlow", "BeginContactFlowVersionModification", "CommitContactFlowVersionModification",
			"ModifyContactFlowVersion", "PublishContactFlowVersion", "CancelContactFlowVersionModification",
			"FallbackContactFlowVersion", "DeleteContactFlow", "AssignContactFlowToPhoneNumber",
		},
		readAction: "GetContactFlow",
		newFlow: func(ns, name string) *cfv1.ContactFlow {
			return testutil.ContentFlow(ns, name, "classic", testClassicInstance, "MAIN_FLOW", testutil.ClassicContent())
		},
		change: func(cf *cfv1.ContactFlow, text string) {
			contentEdit(cf, func(doc map[string]any) { testutil.Child(doc, "nodes", 0, "properties")["text"] = text })
		},
		layoutOnly: func(cf *cfv1.ContactFlow) {
			contentEdit(cf, func(doc map[string]any) { testutil.ReverseList(doc, "nodes") })
		},
		consoleLayout: func(id string) {
			f, err := admin.CloudCallCenter().Flow(ctx, testClassicInstance, id)
			Expect(err).NotTo(HaveOccurred())
			_, err = admin.CloudCallCenter().SetPublished(ctx, testClassicInstance, id, consoleUser, classicCanvas, f.Applied().Content)
			Expect(err).NotTo(HaveOccurred())
		},
		keptLayout: func(id string) string {
			f, err := admin.CloudCallCenter().Flow(ctx, testClassicInstance, id)
			Expect(err).NotTo(HaveOccurred())
			return f.Applied().Canvas
		},
		published: func(id string) string {
			f, err := admin.CloudCallCenter().Flow(ctx, testClassicInstance, id)
			Expect(err).NotTo(HaveOccurred())
			if v := f.Applied(); v != nil {
				return v.Content
			}
			return ""
		},
		draft: func(id string) (string, string) {
			f, err := admin.CloudCallCenter().Flow(ctx, testClassicInstance, id)
			Expect(err).NotTo(HaveOccurred())
			if v := f.Locked(); v != nil {
				return v.Content, v.LockedBy
			}
			return "", ""
		},
		foreignDraft: func(id string) {
			_, err := admin.CloudCallCenter().BeginModification(ctx, testClassicInstance, id, consoleUser)
			Expect(err).NotTo(HaveOccurred())
		},
		editor:        consoleUser,
		wantCreate:    map[string]int64{"CreateContactFlow": 1, "PublishContactFlowVersion": 1},
		wantChange:    map[string]int64{"BeginContactFlowVersionModification": 1, "CommitContactFlowVersionModification": 1, "PublishContactFlowVersion": 1},
		wantDraftOnly: map[string]int64{"BeginContactFlowVersionModification": 1, "CommitContactFlowVersionModification": 1},
		wantTakeOver: map[string]int64{"CancelContactFlowVersionModification": 1, "BeginContactFlowVersionModification": 1,
			"CommitContactFlowVersionModification": 1, "PublishContactFlowVersion": 1},
		wantRollback: map[string]int64{"FallbackContactFlowVersion": 1},
		wantDelete:   map[string]int64{"DeleteContactFlow": 1},
		rollback:     "versions",
	}

	connectCase = platformCase{
		name: "AmazonConnect", short: "connect", platform: cfv1.PlatformAmazonConnect,
		emuPlatform: emulator.PlatformConnect, instance: testConnectInstance,
		writeActions: []string{"CreateContactFlow", "UpdateContactFlowContent", "UpdateContactFlowMetadata", "CreateContactFlowVersion", "DeleteContactFlow"},
		readAction:   "DescribeContactFlow",
		newFlow: func(ns, name string) *cfv1.ContactFlow {
			return testutil.ContentFlow(ns, name, "connect", testConnectInstance, "", testutil.ConnectContent())
		},
		change: func(cf *cfv1.ContactFlow, text string) {
			contentEdit(cf, func(doc map[string]any) { testutil.Child(doc, "Actions", 0, "Parameters")["Text"] = text })
		},
		layoutOnly: func(cf *cfv1.ContactFlow) {
			contentEdit(cf, func(doc map[string]any) { testutil.ReverseList(doc, "Actions") })
		},
		consoleLayout: func(id string) {
			f := liveConnect(id)
			moved := testutil.EditContent(rawOf(f.PublishedContent), func(doc map[string]any) { doc["Metadata"] = connectMetadata })
			_, err := admin.Connect().PublishContent(ctx, testConnectInstance, id, string(moved.Raw))
			Expect(err).NotTo(HaveOccurred())
		},
		keptLayout: func(id string) string { return liveConnect(id).PublishedContent },
		published:  func(id string) string { return liveConnect(id).PublishedContent },
		draft: func(id string) (string, string) {
			if f := liveConnect(id); f.HasUnpublishedChanges() {
				return f.SavedContent, ""
			}
			return "", ""
		},
		foreignDraft: func(id string) {
			saved := testutil.EditContent(rawOf(liveConnect(id).PublishedContent), func(doc map[string]any) {
				testutil.Child(doc, "Actions", 0, "Parameters")["Text"] = "Saved on the console, not published"
			})
			_, err := admin.Connect().SaveContent(ctx, testConnectInstance, id, string(saved.Raw))
			Expect(err).NotTo(HaveOccurred())
		},
		editor:        unknownEditor,
		wantCreate:    map[string]int64{"CreateContactFlow": 1, "UpdateContactFlowContent": 1},
		wantChange:    map[string]int64{"UpdateContactFlowContent": 1},
		wantDraftOnly: map[string]int64{"UpdateContactFlowContent": 1},
		wantTakeOver:  map[string]int64{"UpdateContactFlowContent": 1},
		wantRollback:  map[string]int64{"UpdateContactFlowContent": 1},
		wantDelete:    map[string]int64{"DeleteContactFlow": 1},
		// Only CAMPAIGN flows have platform versions: the operator publishes the definition it
		// kept again.
		rollback: "republish",
	}

	campaignCase = func() platformCase {
		c := connectCase
		c.name, c.short, c.campaign, c.rollback = "AmazonConnect CAMPAIGN", "campaign", true, "republish"
		c.newFlow = func(ns, name string) *cfv1.ContactFlow {
			return testutil.ContentFlow(ns, name, "campaign", testConnectInstance, "CAMPAIGN", testutil.ConnectContent())
		}
		c.wantCreate = map[string]int64{"CreateContactFlow": 1, "UpdateContactFlowContent": 1, "CreateContactFlowVersion": 1}
		c.wantChange = map[string]int64{"UpdateContactFlowContent": 1, "CreateContactFlowVersion": 1}
		c.wantTakeOver = map[string]int64{"UpdateContactFlowContent": 1, "CreateContactFlowVersion": 1}
		c.wantRollback = map[string]int64{"UpdateContactFlowContent": 1, "CreateContactFlowVersion": 1}
		return c
	}()

	platformCases = []platformCase{cccCase, classicCase, connectCase, campaignCase}
)

const classicCanvas = `{"welcome":{"x":120,"y":80},"menu":{"x":320,"y":80}}`

var connectMetadata = map[string]any{"entryPointPosition": map[string]any{"x": 17, "y": 23}}

func rawOf(s string) *runtime.RawExtension { return &runtime.RawExtension{Raw: []byte(s)} }

func liveConnect(id string) emulator.ConnectFlow {
	f, err := admin.Connect().Flow(ctx, testConnectInstance, id)
	Expect(err).NotTo(HaveOccurred())
	return *f
}

// hashIn is the canonical hash of a live flow of the case's platform.
func (p platformCase) hashIn(def string) string {
	f, err := flow.FormatFor(string(p.platform))
	Expect(err).NotTo(HaveOccurred())
	d, err := f.Parse([]byte(def))
	Expect(err).NotTo(HaveOccurred())
	return d.Hash()
}

func readyMessage(cf *cfv1.ContactFlow) string {
	if c := meta.FindStatusCondition(cf.Status.Conditions, cfv1.ConditionReady); c != nil {
		return c.Message
	}
	return ""
}

var _ = Describe("ContactFlow on every flow platform", func() {
	for _, p := range platformCases {
		Context(p.name, func() {
			var ns string
			BeforeEach(func() {
				ns = newNamespace()
				p.provider(ns)
			})

			It("creates, leaves alone, ignores layout, publishes a real change once and deletes", func() {
				resetStats()
				cf := p.newFlow(ns, "life-"+p.short)
				Expect(k8s.Create(ctx, cf)).To(Succeed())
				DeferCleanup(deleteAndWait, cf)
				cur := waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished)
				id := cur.Status.ContactFlowID
				Expect(id).NotTo(BeEmpty())
				Expect(cur.Status.PublishedHash).To(Equal(cur.Status.DesiredHash))
				Expect(p.hashIn(p.published(id))).To(Equal(cur.Status.DesiredHash))
				Expect(cur.Status.Versions).NotTo(BeEmpty())
				Expect(cur.Status.Versions[0].Hash).To(Equal(cur.Status.DesiredHash))
				p.log("create")
				Expect(p.writes()).To(Equal(p.wantCreate))
				if p.campaign {
					Expect(cur.Status.PublishedVersion).To(Equal("1"))
				}

				By("three resyncs: reads only")
				resetStats()
				time.Sleep(3*testSyncPeriod + testSyncPeriod/2)
				p.log("three resyncs")
				Expect(emu.Stats().Count(p.emuPlatform, p.readAction)).To(BeNumerically(">=", 3))
				Expect(p.writes()).To(BeEmpty())

				By("a layout-only change, in the spec and on the console: no write")
				resetStats()
				update(cf, func(c *cfv1.ContactFlow) { p.layoutOnly(c) })
				waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished)
				if p.consoleLayout != nil {
					p.consoleLayout(id)
				}
				time.Sleep(testSyncPeriod + testSyncPeriod/2)
				p.log("layout-only change")
				Expect(p.writes()).To(BeEmpty())

				By("a real change: one write path")
				resetStats()
				update(cf, func(c *cfv1.ContactFlow) { p.change(c, "All agents are busy.") })
				cur = waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished)
				p.log("real change")
				Expect(p.writes()).To(Equal(p.wantChange))
				live := p.published(id)
				Expect(live).To(ContainSubstring("All agents are busy."))
				Expect(p.hashIn(live)).To(Equal(cur.Status.DesiredHash))
				Expect(cur.Status.Versions[0].Hash).To(Equal(cur.Status.DesiredHash))
				if p.keptLayout != nil {
					// The spec has no layout: the console's survives the write.
					switch p.platform {
					case cfv1.PlatformAlibabaCloudCallCenter:
						Expect(p.keptLayout(id)).To(Equal(classicCanvas))
					default:
						Expect(p.keptLayout(id)).To(ContainSubstring(`"entryPointPosition":{"x":17,"y":23}`))
					}
				}
				if p.campaign {
					f := liveConnect(id)
					newest := f.Versions[len(f.Versions)-1]
					GinkgoWriter.Printf("[%s] versions after the change: %d, newest %d sha256 %s\n", p.name, len(f.Versions), newest.Version, newest.FlowContentSha256)
					Expect(newest.FlowContentSha256).To(Equal(f.PublishedContentSha256))
					Expect(newest.FlowContentSha256).To(Equal(flow.ContentSha256([]byte(f.PublishedContent))))
					Expect(p.hashIn(newest.Content)).To(Equal(cur.Status.DesiredHash))
					Expect(cur.Status.PublishedVersion).To(Equal(fmt.Sprint(newest.Version)))
				}
				GinkgoWriter.Printf("[%s] status.publishedVersion %q, versions %d\n", p.name, cur.Status.PublishedVersion, len(cur.Status.Versions))

				By("delete: one DeleteContactFlow")
				resetStats()
				deleteAndWait(cf)
				p.log("delete")
				Expect(p.writes()).To(Equal(p.wantDelete))
			})

			It("saves a draft without publishing under publishPolicy Draft", func() {
				cf := p.newFlow(ns, "draft-"+p.short)
				Expect(k8s.Create(ctx, cf)).To(Succeed())
				DeferCleanup(deleteAndWait, cf)
				id := waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished).Status.ContactFlowID
				before := p.published(id)
				resetStats()
				update(cf, func(c *cfv1.ContactFlow) {
					c.Spec.PublishPolicy = cfv1.PublishPolicyDraft
					p.change(c, "Draft only")
				})
				cur := waitFor(cf, metav1.ConditionTrue, cfv1.ReasonDraftSaved)
				p.log("draft-only change")
				Expect(p.writes()).To(Equal(p.wantDraftOnly))
				Expect(p.published(id)).To(Equal(before))
				draft, _ := p.draft(id)
				Expect(draft).To(ContainSubstring("Draft only"))
				Expect(cur.Status.Editor).To(BeEmpty())
				Expect(cur.Status.DraftID).NotTo(BeEmpty())
				By("no further writes on resync")
				resetStats()
				time.Sleep(2 * testSyncPeriod)
				p.log("draft-only, two resyncs")
				Expect(p.writes()).To(BeEmpty())
				deleteAndWait(cf)
			})

			It("reports a console user's draft under lockPolicy Wait and replaces it only under TakeOver", func() {
				cf := p.newFlow(ns, "lock-"+p.short)
				Expect(k8s.Create(ctx, cf)).To(Succeed())
				DeferCleanup(deleteAndWait, cf)
				id := waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished).Status.ContactFlowID
				before := p.published(id)
				p.foreignDraft(id)
				foreign, holder := p.draft(id)
				Expect(foreign).NotTo(BeEmpty())

				resetStats()
				update(cf, func(c *cfv1.ContactFlow) { p.change(c, "Operator wants this") })
				cur := waitFor(cf, metav1.ConditionFalse, cfv1.ReasonLockedByOther)
				msg := readyMessage(cur)
				GinkgoWriter.Printf("[%s] lockPolicy Wait: editor %q, message: %s\n", p.name, cur.Status.Editor, msg)
				Expect(cur.Status.Editor).To(Equal(p.editor))
				Expect(msg).To(ContainSubstring("lockPolicy: TakeOver"))
				if p.editor != unknownEditor {
					Expect(msg).To(ContainSubstring(p.editor))
				}
				time.Sleep(2 * time.Second)
				p.log("foreign draft, Wait")
				Expect(p.writes()).To(BeEmpty(), "nothing is committed over someone else's draft")
				Expect(p.published(id)).To(Equal(before))
				still, stillHolder := p.draft(id)
				Expect(still).To(Equal(foreign))
				Expect(stillHolder).To(Equal(holder))

				By("TakeOver replaces the console draft (never publishing it) and publishes the spec")
				resetStats()
				update(cf, func(c *cfv1.ContactFlow) { c.Spec.LockPolicy = cfv1.LockPolicyTakeOver })
				cur = waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished)
				p.log("foreign draft, TakeOver")
				Expect(p.writes()).To(Equal(p.wantTakeOver))
				Expect(cur.Status.Editor).To(BeEmpty())
				Expect(p.published(id)).To(ContainSubstring("Operator wants this"))
				Expect(p.published(id)).NotTo(ContainSubstring("Saved on the console"))
				Eventually(func() []string { return eventReasons(ns) }).Should(ContainElement("LockTakenOver"))
				deleteAndWait(cf)
			})

			if p.editor != unknownEditor {
				// The edit-pending marker is written before the operator opens a draft, so that an
				// operator interrupted in between finds its draft again. A console user's draft
				// must never pass for that one: the platform, which names the holder, is asked.
				It("never takes a console user's draft for its own after an interrupted edit", func() {
					cf := p.newFlow(ns, "marker-"+p.short)
					Expect(k8s.Create(ctx, cf)).To(Succeed())
					DeferCleanup(deleteAndWait, cf)
					id := waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished).Status.ContactFlowID
					original := get(cf).Spec.DeepCopy()
					before := p.published(id)
					p.foreignDraft(id)
					foreign, holder := p.draft(id)
					Expect(holder).To(Equal(consoleUser))
					draftWrites := func() map[string]int64 {
						out := map[string]int64{}
						for a, n := range p.writes() {
							if !strings.HasPrefix(a, "StartEdit") && !strings.HasPrefix(a, "Begin") {
								out[a] = n
							}
						}
						return out
					}
					markerGone := func() bool {
						_, ok := get(cf).Annotations[AnnotationEditPending]
						return !ok
					}

					By("a marker left by an interrupted edit, and a real change: alice's draft is waited for")
					resetStats()
					update(cf, func(c *cfv1.ContactFlow) {
						metav1.SetMetaDataAnnotation(&c.ObjectMeta, AnnotationEditPending, "interrupted")
						p.change(c, "Operator wants this")
					})
					cur := waitFor(cf, metav1.ConditionFalse, cfv1.ReasonLockedByOther)
					Expect(cur.Status.Editor).To(Equal(consoleUser), "status names the draft's holder: %s", readyMessage(cur))
					Eventually(markerGone, 10*time.Second, 100*time.Millisecond).Should(BeTrue(), "the marker outlived the platform's answer that the draft is someone else's")
					p.log("marker and a console draft, real change")
					Expect(draftWrites()).To(BeEmpty(), "nothing is committed, published or discarded")
					Expect(p.published(id)).To(Equal(before))
					still, stillHolder := p.draft(id)
					Expect(still).To(Equal(foreign))
					Expect(stillHolder).To(Equal(consoleUser))

					By("the marker again, and the spec back to what is published: the draft is reported, not discarded")
					resetStats()
					update(cf, func(c *cfv1.ContactFlow) {
						metav1.SetMetaDataAnnotation(&c.ObjectMeta, AnnotationEditPending, "interrupted")
						c.Spec = *original.DeepCopy()
					})
					cur = waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished)
					Expect(cur.Status.Editor).To(Equal(consoleUser))
					Eventually(markerGone, 10*time.Second, 100*time.Millisecond).Should(BeTrue())
					p.log("marker and a console draft, spec equal to the published flow")
					Expect(draftWrites()).To(BeEmpty(), "alice's draft was discarded or published")
					still, stillHolder = p.draft(id)
					Expect(still).To(Equal(foreign))
					Expect(stillHolder).To(Equal(consoleUser))
					GinkgoWriter.Printf("[%s] interrupted edit: alice's draft kept; status.editor %q\n", p.name, cur.Status.Editor)
				})
			}

			It("rolls back to an earlier version with spec.rollbackTo, where the platform can", func() {
				cf := p.newFlow(ns, "rollback-"+p.short)
				Expect(k8s.Create(ctx, cf)).To(Succeed())
				DeferCleanup(deleteAndWait, cf)
				first := waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished)
				id, firstHash := first.Status.ContactFlowID, first.Status.DesiredHash
				update(cf, func(c *cfv1.ContactFlow) { p.change(c, "Second version") })
				second := waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished)
				Expect(second.Status.DesiredHash).NotTo(Equal(firstHash))
				GinkgoWriter.Printf("[%s] versions before the rollback: publishedVersion %q, %+v\n", p.name, second.Status.PublishedVersion, versionNames(second))

				target := "1"
				if p.rollback == "versions" {
					Expect(len(second.Status.Versions)).To(BeNumerically(">=", 2))
					Expect(second.Status.Versions[0].Version).To(Equal(second.Status.PublishedVersion))
					target = second.Status.Versions[1].Version
					Expect(second.Status.Versions[1].Hash).To(Equal(firstHash))
				}
				resetStats()
				update(cf, func(c *cfv1.ContactFlow) { c.Spec.RollbackTo = target })
				switch p.rollback {
				case "none":
					cur := waitFor(cf, metav1.ConditionFalse, cfv1.ReasonVersionNotFound)
					GinkgoWriter.Printf("[%s] rollback: %s\n", p.name, readyMessage(cur))
					p.log("rollback (no versions)")
					Expect(p.writes()).To(BeEmpty())
				default:
					cur := waitFor(cf, metav1.ConditionTrue, cfv1.ReasonRolledBack)
					p.log("rollback")
					GinkgoWriter.Printf("[%s] rollback: %s; publishedVersion %q, versions %v\n", p.name, readyMessage(cur), cur.Status.PublishedVersion, versionNames(cur))
					Expect(p.writes()).To(Equal(p.wantRollback))
					Expect(p.hashIn(p.published(id))).To(Equal(firstHash))
					Expect(cur.Status.PublishedHash).To(Equal(firstHash))
					Eventually(func() []string { return eventReasons(ns) }).Should(ContainElement("RolledBack"))
					if p.rollback == "versions" {
						Expect(cur.Status.PublishedVersion).To(Equal(target))
					} else {
						Expect(cur.Status.PublishedVersion).To(Equal("3"))
						Expect(cur.Status.Versions[0].Description).To(ContainSubstring("rollback to version 1"))
					}
					By("no further writes while rolled back")
					resetStats()
					time.Sleep(2 * testSyncPeriod)
					p.log("rolled back, two resyncs")
					Expect(p.writes()).To(BeEmpty())

					By("a version the flow does not have")
					update(cf, func(c *cfv1.ContactFlow) { c.Spec.RollbackTo = "99" })
					cur = waitFor(cf, metav1.ConditionFalse, cfv1.ReasonVersionNotFound)
					GinkgoWriter.Printf("[%s] unknown version: %s\n", p.name, readyMessage(cur))
				}

				By("clearing spec.rollbackTo publishes the spec again")
				resetStats()
				update(cf, func(c *cfv1.ContactFlow) { c.Spec.RollbackTo = "" })
				cur := waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished)
				p.log("rollback cleared")
				Expect(p.hashIn(p.published(id))).To(Equal(cur.Status.DesiredHash))
				deleteAndWait(cf)
			})
		})
	}
})

func versionNames(cf *cfv1.ContactFlow) []string {
	var out []string
	for _, v := range cf.Status.Versions {
		out = append(out, v.Version+"="+short(v.Hash))
	}
	return out
}

// readyReasons records every Ready reason a ContactFlow goes through, from a watch, so that a
// state that lasts one reconcile is seen.
func readyReasons(cf *cfv1.ContactFlow) (stop func() []string) {
	wc, err := client.NewWithWatch(cfg, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())
	w, err := wc.Watch(ctx, &cfv1.ContactFlowList{}, client.InNamespace(cf.Namespace))
	Expect(err).NotTo(HaveOccurred())
	var mu sync.Mutex
	var seen []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range w.ResultChan() {
			obj, ok := ev.Object.(*cfv1.ContactFlow)
			if !ok || obj.Name != cf.Name {
				continue
			}
			if c := meta.FindStatusCondition(obj.Status.Conditions, cfv1.ConditionReady); c != nil {
				mu.Lock()
				if len(seen) == 0 || seen[len(seen)-1] != c.Reason {
					seen = append(seen, c.Reason)
				}
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		w.Stop()
		<-done
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

var _ = Describe("ContactFlow on Amazon Connect", func() {
	var ns string
	BeforeEach(func() {
		ns = newNamespace()
		connectCase.provider(ns)
		campaignCase.provider(ns)
	})

	It("adopts a flow by name with one search, not a walk through the instance's pages", func() {
		cf := connectCase.newFlow(ns, "adopt-by-name")
		cf.Spec.FlowName = "adopt by name " + ns
		cf.Spec.AdoptByName = true
		existing, err := admin.Connect().CreateFlow(ctx, testConnectInstance, emulator.ConnectNewFlow{
			Name: cf.Spec.FlowName, Type: "CONTACT_FLOW", Content: string(cf.Spec.Content.Raw),
		})
		Expect(err).NotTo(HaveOccurred())
		// Count the searches that name the flow: the lookup asks for it by exact name.
		var mu sync.Mutex
		byName := 0
		remove := emuHooks.add(func(_ http.ResponseWriter, r *http.Request) bool {
			if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/search-contact-flows") {
				return false
			}
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			if strings.Contains(string(body), `"ComparisonType":"EXACT"`) && strings.Contains(string(body), cf.Spec.FlowName) {
				mu.Lock()
				byName++
				mu.Unlock()
			}
			return false
		})
		DeferCleanup(remove)
		resetStats()
		Expect(k8s.Create(ctx, cf)).To(Succeed())
		DeferCleanup(deleteAndWait, cf)
		cur := waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished)
		connectCase.log("adopt by name")
		Expect(cur.Status.ContactFlowID).To(Equal(existing.ContactFlowID))
		Expect(connectCase.writes()).To(BeEmpty(), "the flow already runs the spec's content")
		mu.Lock()
		defer mu.Unlock()
		GinkgoWriter.Printf("[AmazonConnect] adopt by name: searches by name %d, all calls %v\n", byName, connectCase.calls())
		Expect(byName).To(Equal(1), "one SearchContactFlows by exact name, however many pages the instance has")
	})

	It("puts the platform's problems with refused content into the Ready condition", func() {
		// The platform also checks what neither the operator nor the emulator models (the action
		// types it knows, their parameters). This hook stands in for that check: it refuses, as
		// Amazon Connect does, a publish of content with an action type it does not know, with
		// InvalidContactFlowException and its problems list.
		remove := emuHooks.add(func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/contact-flows/"+testConnectInstance+"/") ||
				!strings.HasSuffix(r.URL.Path, "/content") || strings.Contains(r.URL.Path, "$SAVED") {
				return false
			}
			if !bytes.Contains(peekBody(r), []byte("PlayAKazoo")) {
				return false
			}
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Amzn-ErrorType", "InvalidContactFlowException")
			w.Header().Set("X-Amzn-RequestId", "hooked-invalid-content")
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]any{
				"message": "The flow is not valid.",
				"problems": []map[string]string{
					{"message": `Action "greet": Type PlayAKazoo is not a flow action type.`},
					{"message": `Action "greet": Parameters.Kazoo is not a parameter of any action.`},
				},
			})
			return true
		})
		DeferCleanup(remove)

		cf := connectCase.newFlow(ns, "refused")
		Expect(k8s.Create(ctx, cf)).To(Succeed())
		DeferCleanup(deleteAndWait, cf)
		id := waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished).Status.ContactFlowID
		before := liveConnect(id).PublishedContent
		resetStats()
		update(cf, func(c *cfv1.ContactFlow) {
			contentEdit(c, func(doc map[string]any) {
				a := testutil.Child(doc, "Actions", 0)
				a["Type"] = "PlayAKazoo"
				testutil.Child(a, "Parameters")["Kazoo"] = "loud"
			})
		})
		cur := waitFor(cf, metav1.ConditionFalse, cfv1.ReasonRejectedByPlatform)
		msg := readyMessage(cur)
		GinkgoWriter.Printf("[AmazonConnect] refused content: %s\n", msg)
		connectCase.log("refused content")
		Expect(msg).To(ContainSubstring("InvalidContactFlowException"))
		Expect(msg).To(ContainSubstring(`Type PlayAKazoo is not a flow action type.`))
		Expect(msg).To(ContainSubstring(`Parameters.Kazoo is not a parameter of any action.`))
		Expect(condition(cur, cfv1.ConditionStalled)).NotTo(BeNil())
		Expect(liveConnect(id).PublishedContent).To(Equal(before))
		deleteAndWait(cf)
	})

	It("never versions content it did not diff when the content changes before CreateContactFlowVersion", func() {
		cf := campaignCase.newFlow(ns, "raced")
		Expect(k8s.Create(ctx, cf)).To(Succeed())
		DeferCleanup(deleteAndWait, cf)
		id := waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished).Status.ContactFlowID
		Expect(liveConnect(id).Versions).To(HaveLen(1))

		// Someone publishes through the console between the operator's content update and its
		// CreateContactFlowVersion (once): the FlowContentSha256 the operator sends is then
		// stale.
		interloper := testutil.EditContent(rawOf(liveConnect(id).PublishedContent), func(doc map[string]any) {
			testutil.Child(doc, "Actions", 0, "Parameters")["Text"] = "Published on the console in between"
		})
		var once sync.Once
		var fired atomic.Bool
		remove := emuHooks.add(func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method == http.MethodPut && r.URL.Path == "/contact-flows/"+testConnectInstance+"/"+id+"/version" {
				once.Do(func() {
					if err := emu.Connect().UpdateContent(testConnectInstance, id, string(interloper.Raw), ""); err == nil {
						fired.Store(true)
					}
				})
			}
			return false
		})
		DeferCleanup(remove)
		stop := readyReasons(cf)

		resetStats()
		update(cf, func(c *cfv1.ContactFlow) { campaignCase.change(c, "Version two, from Git") })
		cur := waitFor(cf, metav1.ConditionTrue, cfv1.ReasonPublished)
		Eventually(func() string { return liveConnect(id).PublishedContent }).Should(ContainSubstring("Version two, from Git"))
		reasons := stop()
		campaignCase.log("stale sha256, recovered")
		s := emu.Stats()
		GinkgoWriter.Printf("[AmazonConnect CAMPAIGN] Ready reasons seen: %v; CreateContactFlowVersion errors: %d\n", reasons, s.ErrorCount(emulator.PlatformConnect, "CreateContactFlowVersion"))
		Expect(fired.Load()).To(BeTrue())
		Expect(reasons).To(ContainElement(cfv1.ReasonConcurrentEdit))
		Expect(reasons).NotTo(ContainElement(cfv1.ReasonRejectedByPlatform))
		Expect(eventReasons(ns)).To(ContainElement("ConcurrentEdit"))
		Expect(campaignCase.writes()).To(Equal(map[string]int64{"UpdateContactFlowContent": 2, "CreateContactFlowVersion": 2}))
		Expect(s.ErrorCount(emulator.PlatformConnect, "CreateContactFlowVersion")).To(Equal(int64(1)))

		f := liveConnect(id)
		Expect(f.Versions).To(HaveLen(2), "one version from the create, one from the recovered publish; none of the interloper's content")
		v2 := f.Versions[1]
		Expect(v2.Content).To(ContainSubstring("Version two, from Git"))
		Expect(v2.Content).NotTo(ContainSubstring("in between"))
		Expect(v2.FlowContentSha256).To(Equal(flow.ContentSha256([]byte(f.PublishedContent))))
		Expect(campaignCase.hashIn(v2.Content)).To(Equal(cur.Status.DesiredHash))
		Expect(cur.Status.PublishedVersion).To(Equal("2"))
		deleteAndWait(cf)
	})
})
