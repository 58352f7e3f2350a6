package v1alpha1

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/testutil"
)

var _ = Describe("the ContactFlow validating webhook with references and renames", func() {
	var ns string
	BeforeEach(func() {
		n := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "hook-refs-"}}
		Expect(k8s.Create(ctx, n)).To(Succeed())
		ns = n.Name
	})
	provider := func(name string, platform cfv1.Platform) {
		_, pc := testutil.ProviderObjectsFor(ns, name, platform, "http://127.0.0.1:1", "id", "secret")
		Expect(k8s.Create(ctx, pc)).To(Succeed())
	}

	It("refuses a ${ref:NAME} that spec.references does not declare, naming it", func() {
		cf := flowIn(ns)
		testutil.SetProperty(cf.Spec.Definition, "2d3ad2c2", "audioResourceId", "${ref:greeting}")
		err := k8s.Create(ctx, cf)
		Expect(err).To(HaveOccurred())
		GinkgoWriter.Printf("undeclared reference: %v\n", err)
		Expect(err.Error()).To(ContainSubstring(`spec.references`))
		Expect(err.Error()).To(ContainSubstring(`the flow uses ${ref:greeting}, but no reference is named "greeting"`))

		cf.Spec.References = []cfv1.FlowReference{{Name: "greeting", Platform: &cfv1.PlatformReference{Kind: "Prompt", Name: "welcome.wav"}}}
		Expect(k8s.Create(ctx, cf)).To(Succeed())
	})

	It("refuses a kind the platform lacks once the ProviderConfig is known, and a reference with two targets (CEL)", func() {
		provider("ccc", cfv1.PlatformAlibabaCCC)
		cf := flowIn(ns)
		cf.Spec.ProviderConfigRef.Name = "ccc"
		cf.Spec.References = []cfv1.FlowReference{{Name: "q", Platform: &cfv1.PlatformReference{Kind: "Queue", Name: "Support"}}}
		err := k8s.Create(ctx, cf)
		Expect(err).To(HaveOccurred())
		GinkgoWriter.Printf("a queue on CCC: %v\n", err)
		Expect(err.Error()).To(ContainSubstring(`spec.references[0].platform.kind`))
		Expect(err.Error()).To(ContainSubstring(`AlibabaCCC has no "Queue" objects a flow can refer to; use one of ContactFlow, SkillGroup, Prompt`))

		cf.Spec.References = []cfv1.FlowReference{{Name: "q", ContactFlow: &cfv1.LocalObjectReference{Name: "a"}, Platform: &cfv1.PlatformReference{Kind: "SkillGroup", Name: "S"}}}
		err = k8s.Create(ctx, cf)
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("set exactly one of contactFlow and platform"))
	})

	It("refuses a rename on AlibabaCCC, which cannot rename in place, and lets it through elsewhere", func() {
		provider("ccc", cfv1.PlatformAlibabaCCC)
		cf := flowIn(ns)
		cf.Spec.ProviderConfigRef.Name = "ccc"
		Expect(k8s.Create(ctx, cf)).To(Succeed())
		cur := &cfv1.ContactFlow{}
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(cf), cur)).To(Succeed())
		cur.Spec.FlowName = "another name"
		err := k8s.Update(ctx, cur)
		Expect(err).To(HaveOccurred())
		GinkgoWriter.Printf("rename on CCC: %v\n", err)
		Expect(err.Error()).To(ContainSubstring("spec.flowName"))
		Expect(err.Error()).To(ContainSubstring("cannot rename a flow in place"))

		provider("connect", cfv1.PlatformAmazonConnect)
		c := testutil.ContentFlow(ns, "renamable", "connect", "connect-demo", "", testutil.ConnectContent())
		Expect(k8s.Create(ctx, c)).To(Succeed())
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(c), c)).To(Succeed())
		c.Spec.FlowName = "renamed"
		Expect(k8s.Update(ctx, c)).To(Succeed())
	})
})
