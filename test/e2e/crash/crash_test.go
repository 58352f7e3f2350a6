package crash

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

const flows = 200

var _ = Describe("a rollout of 200 flows under failures", Ordered, func() {
	ctx := context.Background()

	It("survives kill -9 of the operator at random moments: one remote flow per ContactFlow, none orphaned", func() {
		// A budget of 30 calls a second makes the rollout last long enough to be interrupted
		// many times.
		rolloutNamespace("crash", "crash", flows, "30")
		restarts := 0
		deadline := time.Now().Add(4 * time.Minute)
		for readyCount("crash") < flows && time.Now().Before(deadline) {
			mgr := startManager()
			if restarts < 25 {
				time.Sleep(time.Duration(200+rand.IntN(1300)) * time.Millisecond)
				kill9(mgr)
				restarts++
				continue
			}
			// Enough crashes: let the last one finish the rollout.
			Eventually(func() int { return readyCount("crash") }, 3*time.Minute, time.Second).Should(Equal(flows))
			kill9(mgr)
		}
		a := auditRollout("crash", "crash")
		GinkgoWriter.Printf("kill -9: restarts %d, flows %d, remote flows %d, duplicates %d, orphans %d, missing %d, status IDs not matching %d, Ready %d\n",
			restarts, a.resources, a.remote, a.duplicates, a.orphans, a.missing, a.mismatched, readyCount("crash"))
		Expect(restarts).To(BeNumerically(">=", 10))
		Expect(readyCount("crash")).To(Equal(flows))
		Expect(a).To(Equal(audit{resources: flows, remote: flows}))
	})

	It("converges through 20% 5xx, throttling and latency spikes, and a console user's edits are not clobbered", func() {
		Expect(admin.SetFaults(ctx, emulator.FaultConfig{
			ErrorRate:     0.2,
			LatencyJitter: core.Duration(150 * time.Millisecond),
			Quotas:        map[string]core.Quota{"ccc:*": {QPS: 60, Burst: 20}},
		})).To(Succeed())
		Expect(admin.ResetStats(ctx)).To(Succeed())
		rolloutNamespace("faults", "faults", flows, "300")
		mgr := startManager()
		defer kill9(mgr)

		// A console user opens drafts on five flows while the rollout runs, then the spec of
		// those flows changes: the operator must wait, not commit over the drafts.
		var edited []string
		Eventually(func() int {
			edited = edited[:0]
			list := &cfv1.ContactFlowList{}
			Expect(k8s.List(ctx, list, client.InNamespace("faults"))).To(Succeed())
			for _, cf := range list.Items {
				if cf.Status.Published && len(edited) < 5 {
					edited = append(edited, cf.Name)
				}
			}
			return len(edited)
		}, 2*time.Minute, 200*time.Millisecond).Should(Equal(5))
		// Faults off for the console user's own calls (the admin API has none anyway).
		for _, name := range edited {
			cf := &cfv1.ContactFlow{}
			Expect(k8s.Get(ctx, client.ObjectKey{Namespace: "faults", Name: name}, cf)).To(Succeed())
			_, err := admin.CCC().StartEdit(ctx, "faults", cf.Status.ContactFlowID, "alice")
			Expect(err).NotTo(HaveOccurred())
			// The operator writes the object too (status, markers): retry on a conflict.
			Expect(retry.RetryOnConflict(retry.DefaultRetry, func() error {
				if err := k8s.Get(ctx, client.ObjectKey{Namespace: "faults", Name: name}, cf); err != nil {
					return err
				}
				cf.Spec.Description = "changed while alice edits"
				cf.Spec.Definition.Description = "changed while alice edits"
				return k8s.Update(ctx, cf)
			})).To(Succeed())
		}

		Eventually(func() int { return readyCount("faults") }, 4*time.Minute, time.Second).Should(Equal(flows - len(edited)))
		stats, err := admin.Stats(ctx)
		Expect(err).NotTo(HaveOccurred())
		var errs, throttled int64
		for _, n := range stats.Errors["ccc"] {
			errs += n
		}
		for _, n := range stats.Throttled["ccc"] {
			throttled += n
		}
		a := auditRollout("faults", "faults")
		GinkgoWriter.Printf("faults: calls %d, answered with an error %d (throttled %d), flows %d, remote %d, duplicates %d, orphans %d, missing %d\n",
			stats.Total, errs, throttled, a.resources, a.remote, a.duplicates, a.orphans, a.missing)
		Expect(errs).To(BeNumerically(">", 0))
		Expect(a).To(Equal(audit{resources: flows, remote: flows}))

		for _, name := range edited {
			cf := &cfv1.ContactFlow{}
			Expect(k8s.Get(ctx, client.ObjectKey{Namespace: "faults", Name: name}, cf)).To(Succeed())
			Eventually(func() string {
				Expect(k8s.Get(ctx, client.ObjectKey{Namespace: "faults", Name: name}, cf)).To(Succeed())
				if c := meta.FindStatusCondition(cf.Status.Conditions, cfv1.ConditionReady); c != nil {
					return cf.Status.Editor + " | " + c.Reason + ": " + c.Message
				}
				return cf.Status.Editor
			}, 90*time.Second, 200*time.Millisecond).Should(HavePrefix("alice | "))
			live, err := admin.CCC().Flow(ctx, "faults", cf.Status.ContactFlowID)
			Expect(err).NotTo(HaveOccurred())
			Expect(live.Draft).NotTo(BeNil())
			Expect(live.Draft.Editor).To(Equal("alice"), "the console user's draft of %s was taken", name)
			Expect(live.Definition).NotTo(ContainSubstring("changed while alice edits"), "%s was published over the console draft", name)
		}
		GinkgoWriter.Printf("console edits: %d flows held by alice, reported (editor alice, LockedByOther), none overwritten\n", len(edited))
		Expect(admin.SetFaults(ctx, emulator.FaultConfig{})).To(Succeed())
	})

	It("converges when the emulator restarts from its state file mid-rollout", func() {
		rolloutNamespace("restarts", "restarts", flows, "40")
		mgr := startManager()
		defer kill9(mgr)
		Eventually(func() int { return readyCount("restarts") }, time.Minute, 100*time.Millisecond).Should(BeNumerically(">=", 20))

		By("restarting the emulator from its state file")
		Eventually(func() int { return readyCount("restarts") }, 2*time.Minute, 200*time.Millisecond).Should(BeNumerically(">=", 60))
		before, err := admin.CCC().Flows(ctx, "restarts")
		Expect(err).NotTo(HaveOccurred())
		kill9(emuProc)
		time.Sleep(time.Second)
		startEmulator()
		after, err := admin.CCC().Flows(ctx, "restarts")
		Expect(err).NotTo(HaveOccurred())
		Expect(len(after)).To(BeNumerically(">=", len(before)), "flows lost across the emulator restart")

		Eventually(func() int { return readyCount("restarts") }, 4*time.Minute, time.Second).Should(Equal(flows))
		a := auditRollout("restarts", "restarts")
		GinkgoWriter.Printf("restarts: emulator restarted from its state file; flows %d, remote %d (before the emulator restart %d, after %d), duplicates %d, orphans %d\n",
			a.resources, a.remote, len(before), len(after), a.duplicates, a.orphans)
		Expect(a).To(Equal(audit{resources: flows, remote: flows}))
	})

	It("converges when kube-apiserver restarts mid-rollout while the operator keeps running", func() {
		// A budget of 30 calls a second keeps the rollout going for half a minute or more, so
		// both restarts land in the middle of it.
		rolloutNamespace("apiserver", "apiserver", flows, "30")
		mgr := startManager()
		defer kill9(mgr)

		// The first stop is polite (SIGTERM, SIGKILL only if the open watches keep it up past
		// the grace); the second is a crash (SIGKILL). Each time the API server stays down for
		// a few seconds, so that the operator's writes and watches fail, and then comes back
		// on the same etcd, port and certificates.
		type restart struct {
			afterReady int
			grace      time.Duration
		}
		var report []string
		restarts, killed := 0, 0
		for _, r := range []restart{{afterReady: 30, grace: 5 * time.Second}, {afterReady: 110, grace: 0}} {
			Eventually(func() int { return readyCount("apiserver") }, 2*time.Minute, 100*time.Millisecond).Should(BeNumerically(">=", r.afterReady))
			readyBefore := readyCount("apiserver")
			Expect(readyBefore).To(BeNumerically("<", flows), "the rollout finished before kube-apiserver could be restarted")
			how := "SIGTERM"
			if r.grace == 0 {
				how = "SIGKILL"
			}
			By(fmt.Sprintf("stopping kube-apiserver with %s at %d of %d Ready, and starting it again", how, readyBefore, flows))
			res, err := cp.RestartAPIServer(ctx, r.grace, 3*time.Second)
			Expect(err).NotTo(HaveOccurred())
			restarts++
			if res.Killed {
				killed++
			}
			Expect(processRuns(mgr)).To(BeTrue(), "the operator exited while kube-apiserver was down")
			report = append(report, fmt.Sprintf("%s at %d Ready, down %s", how, readyBefore, res.Down.Round(100*time.Millisecond)))
		}

		Eventually(func() int { return readyCount("apiserver") }, 4*time.Minute, time.Second).Should(Equal(flows))
		Expect(processRuns(mgr)).To(BeTrue(), "the operator did not run throughout")
		a := auditRollout("apiserver", "apiserver")
		GinkgoWriter.Printf("kube-apiserver restarts: restarts %d (ended by SIGKILL %d; %s), operator restarts 0, flows %d, remote flows %d, duplicates %d, orphans %d, missing %d, status IDs not matching %d, Ready %d\n",
			restarts, killed, strings.Join(report, "; "), a.resources, a.remote, a.duplicates, a.orphans, a.missing, a.mismatched, readyCount("apiserver"))
		Expect(a).To(Equal(audit{resources: flows, remote: flows}))
	})
})
