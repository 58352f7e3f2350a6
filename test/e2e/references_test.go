package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	"github.com/contactflow-operator/contactflow-operator/internal/flowspec"
)

// The namespaces of the references sample: two environments of the same flows, and a third
// that the first's export is applied to.
const (
	refsFirstNS  = "references-first"
	refsSecondNS = "second-environment" // as config/samples/references/second-environment says
	refsThirdNS  = "references-third"
)

// cccProvider is a ProviderConfig (and its Secret) named ccc-demo for this run's emulator.
func cccProvider(ns string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Secret
metadata: {name: ccc-demo-credentials, namespace: %[1]s}
stringData: {accessKeyId: %[2]s, accessKeySecret: %[3]s}
---
apiVersion: contactflow.io/v1alpha1
kind: ProviderConfig
metadata: {name: ccc-demo, namespace: %[1]s}
spec:
  platform: AlibabaCCC
  region: cn-shanghai
  endpoint: http://%[4]s
  credentials: {source: Secret, secretRef: {name: ccc-demo-credentials}}
`, ns, emulator.DemoAccessKeyID, emulator.DemoAccessKeySecret, emuAddr)
}

// liveByName returns the instance's flows by name.
func liveByName(instance string) map[string]emulator.CCCFlow {
	flows, err := admin.CCC().Flows(context.Background(), instance)
	Expect(err).NotTo(HaveOccurred())
	out := map[string]emulator.CCCFlow{}
	for _, f := range flows {
		out[f.Name] = f
	}
	return out
}

// skillGroupID is the ID of the instance's skill group of that name.
func skillGroupID(instance, name string) string {
	all, err := admin.CCC().Resources(context.Background(), instance)
	Expect(err).NotTo(HaveOccurred())
	for _, r := range all {
		if r.Kind == "SkillGroup" && r.Name == name {
			return r.ID
		}
	}
	Fail("no skill group " + name + " in " + instance)
	return ""
}

// expectResolved checks that each sample flow of the instance is published and transfers to the
// live IDs of that instance's flows and skill group.
func expectResolved(instance string) map[string]string {
	live := liveByName(instance)
	ids := map[string]string{}
	for _, n := range []string{"main-menu", "sales", "after-hours"} {
		f, ok := live[n]
		Expect(ok).To(BeTrue(), "flow %s in %s", n, instance)
		Expect(f.Published).To(BeTrue(), n)
		ids[n] = f.ContactFlowID
	}
	def := func(n string) string { return live[n].Definition }
	Expect(def("main-menu")).To(And(ContainSubstring(`"contactFlowId":"`+ids["sales"]+`"`), ContainSubstring(`"contactFlowId":"`+ids["after-hours"]+`"`)))
	Expect(def("sales")).To(And(ContainSubstring(`"contactFlowId":"`+ids["after-hours"]+`"`), ContainSubstring(`"skillGroupId":"`+skillGroupID(instance, "Sales")+`"`)))
	Expect(def("after-hours")).To(ContainSubstring(`"contactFlowId":"` + ids["main-menu"] + `"`))
	return ids
}

// exportFlows runs kubectl-contactflow export against this run's emulator.
func exportFlows(instance, asInstance, ns string) string {
	cmd := exec.Command(filepath.Join(root, "bin", "kubectl-contactflow"), "export", "--platform", "AlibabaCCC",
		"--region", "cn-shanghai", "--endpoint", "http://"+emuAddr, "--instance", instance,
		"--as-instance", asInstance, "--namespace", ns, "--provider-config", "ccc-demo")
	cmd.Env = append(os.Environ(), "ALIBABA_CLOUD_ACCESS_KEY_ID="+emulator.DemoAccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET="+emulator.DemoAccessKeySecret)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	Expect(cmd.Run()).To(Succeed(), "export: %s", errOut.String())
	Expect(errOut.String()).NotTo(ContainSubstring(emulator.DemoAccessKeySecret))
	GinkgoWriter.Print(errOut.String())
	return out.String()
}

// exportedHashes parses an export and returns each flow's canonical hash with its references
// unresolved: the same in every environment when the flows are the same.
func exportedHashes(manifests string) map[string]string {
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(manifests), 4096)
	out := map[string]string{}
	for {
		var cf cfv1.ContactFlow
		if err := dec.Decode(&cf); err != nil {
			break
		}
		if cf.Kind != "ContactFlow" {
			continue
		}
		def, _, err := flowspec.Desired(cf.Spec, string(cfv1.PlatformAlibabaCCC))
		Expect(err).NotTo(HaveOccurred(), cf.Name)
		Expect(flowspec.CheckReferences(cf.Spec, string(cfv1.PlatformAlibabaCCC))).To(Succeed(), cf.Name)
		out[cf.Name] = def.Hash()
	}
	return out
}

var _ = Describe("flows that refer to each other (config/samples/references)", Ordered, func() {
	ctx := context.Background()

	BeforeAll(func() {
		DeferCleanup(ensureManager("manager-references.log"))
		for _, ns := range []string{refsFirstNS, refsThirdNS} {
			out, err := kubectl("create", "namespace", ns)
			if err != nil && !strings.Contains(out, "AlreadyExists") {
				Fail("kubectl create namespace: " + out)
			}
			_, err = kubectlIn(cccProvider(ns), "apply", "-f", "-")
			Expect(err).NotTo(HaveOccurred())
		}
		DeferCleanup(func() {
			for _, ns := range []string{refsFirstNS, refsSecondNS, refsThirdNS} {
				mustKubectl("delete", "contactflows", "--all", "-n", ns, "--wait=true", "--timeout=60s")
			}
			Expect(liveByName("ccc-second")).To(BeEmpty())
			Expect(liveByName("ccc-third")).To(BeEmpty())
			// A reconcile requeued while a flow waited for its dependents may still run once on
			// the last cached copy (a delete of a flow already gone, which is success): let it
			// pass, so that the next spec counts only its own calls.
			settleCalls()
		})
	})

	It("converges three flows in a cycle plus a skill group reference, applied at once", func() {
		Expect(admin.ResetStats(ctx)).To(Succeed())
		GinkgoWriter.Println(mustKubectl("apply", "-k", "config/samples/references/flows/", "-n", refsFirstNS))
		GinkgoWriter.Println(mustKubectl("wait", "--for=condition=Ready", "contactflows", "--all", "-n", refsFirstNS, "--timeout=90s"))
		GinkgoWriter.Println(mustKubectl("get", "contactflows", "-n", refsFirstNS, "-o", "wide"))
		ids := expectResolved("ccc-demo")
		GinkgoWriter.Println(mustKubectl("get", "contactflow", "sales", "-n", refsFirstNS, "-o", "jsonpath={range .status.references[*]}{.name}{\" -> \"}{.target}{\" = \"}{.value}{\"\\n\"}{end}"))

		By("the call sequence: every flow created unpublished before anything that transfers to it is published")
		calls, err := admin.Calls(ctx)
		Expect(err).NotTo(HaveOccurred())
		created, published := map[string]int64{}, map[string]int64{}
		var seqText []string
		for _, c := range calls {
			if c.Platform != emulator.PlatformCCC || c.Failed {
				continue
			}
			who := c.Target
			for n, id := range ids {
				if c.Target == id {
					who = n
				}
			}
			switch c.Action {
			case "CreateContactFlow":
				created[who] = c.Seq
			case "PublishContactFlow":
				if published[who] == 0 {
					published[who] = c.Seq
				}
			default:
				continue
			}
			seqText = append(seqText, fmt.Sprintf("#%d %s %s", c.Seq, c.Action, who))
		}
		GinkgoWriter.Printf("call sequence: %s\n", strings.Join(seqText, ", "))
		refersTo := map[string][]string{"main-menu": {"sales", "after-hours"}, "sales": {"after-hours"}, "after-hours": {"main-menu"}}
		for flow, targets := range refersTo {
			Expect(created[flow]).To(BeNumerically(">", 0), flow)
			for _, t := range append(targets, flow) {
				Expect(created[t]).To(BeNumerically("<", published[flow]), "%s was published before %s was created", flow, t)
			}
		}
		s, err := admin.Stats(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(s.ErrorCount(emulator.PlatformCCC, "PublishContactFlow")).To(BeZero())
	})

	It("applies the same flows to another environment with only the instance changed", func() {
		rendered := mustKubectl("kustomize", "config/samples/references/second-environment/")
		rendered = strings.ReplaceAll(rendered, "127.0.0.1:18080", emuAddr)
		_, err := kubectlIn(rendered, "apply", "-f", "-")
		Expect(err).NotTo(HaveOccurred())
		GinkgoWriter.Println(mustKubectl("wait", "--for=condition=Ready", "contactflows", "--all", "-n", refsSecondNS, "--timeout=90s"))
		first, second := expectResolved("ccc-demo"), expectResolved("ccc-second")
		for n := range first {
			Expect(second[n]).NotTo(Equal(first[n]), "another environment has other IDs")
		}
		GinkgoWriter.Printf("IDs in ccc-demo: %v\nIDs in ccc-second: %v\n", first, second)
	})

	It("keeps a flow others refer to, naming them in its condition", func() {
		id := strings.TrimSpace(mustKubectl("get", "contactflow", "after-hours", "-n", refsFirstNS, "-o", "jsonpath={.status.contactFlowId}"))
		mustKubectl("delete", "contactflow", "after-hours", "-n", refsFirstNS, "--wait=false")
		var msg string
		Eventually(func() string {
			msg = strings.TrimSpace(mustKubectl("get", "contactflow", "after-hours", "-n", refsFirstNS, "-o", `jsonpath={.status.conditions[?(@.type=="Ready")].reason}: {.status.conditions[?(@.type=="Ready")].message}`))
			return msg
		}, 30*time.Second, 200*time.Millisecond).Should(HavePrefix("InUse: "))
		GinkgoWriter.Printf("after-hours being deleted: %s\n", msg)
		Expect(msg).To(ContainSubstring("referred to by ContactFlow main-menu, sales"))
		Expect(liveByName("ccc-demo")["after-hours"].ContactFlowID).To(Equal(id))
		Expect(liveByName("ccc-demo")["after-hours"].Published).To(BeTrue())
	})

	It("exports an instance's flows with references extracted; applied to an empty instance they converge to the same flows", func() {
		exported := exportFlows("ccc-second", "ccc-third", refsThirdNS)
		GinkgoWriter.Printf("export of ccc-second:\n%s\n", exported)
		Expect(exported).To(ContainSubstring("${ref:"))
		Expect(exported).NotTo(ContainSubstring(skillGroupID("ccc-second", "Sales")), "no ID of the source environment is left")
		for _, id := range expectResolved("ccc-second") {
			Expect(exported).NotTo(ContainSubstring(id))
		}
		Expect(liveByName("ccc-third")).To(BeEmpty())
		_, err := kubectlIn(exported, "apply", "-f", "-")
		Expect(err).NotTo(HaveOccurred())
		GinkgoWriter.Println(mustKubectl("wait", "--for=condition=Ready", "contactflows", "--all", "-n", refsThirdNS, "--timeout=90s"))
		expectResolved("ccc-third")
		again := exportFlows("ccc-third", "ccc-third", refsThirdNS)
		a, b := exportedHashes(exported), exportedHashes(again)
		names := make([]string, 0, len(a))
		for n := range a {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			GinkgoWriter.Printf("%-12s ccc-second %s  ccc-third %s\n", n, a[n][:12], b[n][:12])
		}
		Expect(a).To(HaveLen(3))
		Expect(b).To(Equal(a))
	})
})

// settleCalls waits until the emulator has seen no CCC write for two seconds.
func settleCalls() {
	last, quiet := int64(-1), 0
	Eventually(func() bool {
		var n int64
		for _, c := range writes() {
			n += c
		}
		if n == last {
			quiet++
		} else {
			last, quiet = n, 0
		}
		return quiet >= 4
	}, 30*time.Second, 500*time.Millisecond).Should(BeTrue())
}
