package v1alpha1

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/testutil"
)

var _ = Describe("the ContactFlow validating webhook with spec.content", func() {
	var ns string
	BeforeEach(func() {
		n := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "hook-content-"}}
		Expect(k8s.Create(ctx, n)).To(Succeed())
		ns = n.Name
	})
	provider := func(name string, platform cfv1.Platform) {
		_, pc := testutil.ProviderObjectsFor(ns, name, platform, "http://127.0.0.1:1", "id", "secret")
		Expect(k8s.Create(ctx, pc)).To(Succeed())
	}
	dangling := func() *cfv1.ContactFlow {
		cf := testutil.ContentFlow(ns, "dangling", "connect", "connect-demo", "", testutil.ConnectContent())
		cf.Spec.Content = testutil.EditContent(cf.Spec.Content, func(doc map[string]any) {
			testutil.Child(doc, "Actions", 0, "Transitions")["NextAction"] = "nowhere"
		})
		return cf
	}

	It("checks only the shape while the ProviderConfig does not exist, and leaves the rest to the controller", func() {
		Expect(k8s.Create(ctx, dangling())).To(Succeed())
	})

	It("checks the content with the platform's format once the ProviderConfig exists", func() {
		provider("connect", cfv1.PlatformAmazonConnect)
		err := k8s.Create(ctx, dangling())
		Expect(err).To(HaveOccurred())
		GinkgoWriter.Printf("dangling NextAction on AmazonConnect: %v\n", err)
		Expect(err.Error()).To(ContainSubstring("spec.content"))
		Expect(err.Error()).To(ContainSubstring(`names unknown action "nowhere"`))

		ok := testutil.ContentFlow(ns, "fine", "connect", "connect-demo", "CAMPAIGN", testutil.ConnectContent())
		Expect(k8s.Create(ctx, ok)).To(Succeed())

		wrongType := testutil.ContentFlow(ns, "wrong-type", "connect", "connect-demo", "MAIN_FLOW", testutil.ConnectContent())
		err = k8s.Create(ctx, wrongType)
		Expect(err).To(HaveOccurred())
		GinkgoWriter.Printf("a CCC type on AmazonConnect: %v\n", err)
		Expect(err.Error()).To(ContainSubstring("spec.type"))
		Expect(err.Error()).To(ContainSubstring(`"MAIN_FLOW" is not a flow type of AmazonConnect`))
	})

	It("checks classic content and refuses the field the platform does not use", func() {
		provider("classic", cfv1.PlatformAlibabaCloudCallCenter)
		cf := testutil.ContentFlow(ns, "classic-ok", "classic", "classic-demo", "", testutil.ClassicContent())
		Expect(k8s.Create(ctx, cf)).To(Succeed())

		broken := testutil.ContentFlow(ns, "classic-broken", "classic", "classic-demo", "", testutil.EditContent(testutil.ClassicContent(), func(doc map[string]any) {
			doc["start"] = "nowhere"
		}))
		err := k8s.Create(ctx, broken)
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring(`start: names unknown node "nowhere"`))

		withDef := testutil.ContactFlow(ns, "classic-def", "classic", "classic-demo")
		err = k8s.Create(ctx, withDef)
		Expect(err).To(HaveOccurred())
		GinkgoWriter.Printf("spec.definition on AlibabaCloudCallCenter: %v\n", err)
		Expect(err.Error()).To(ContainSubstring("spec.definition is for AlibabaCCC flows"))
	})

	It("refuses spec.content on AlibabaCCC, and both fields at once (CEL)", func() {
		provider("ccc", cfv1.PlatformAlibabaCCC)
		cf := testutil.ContentFlow(ns, "ccc-content", "ccc", "ccc-demo", "", testutil.ConnectContent())
		err := k8s.Create(ctx, cf)
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("activity graph in spec.definition"))

		both := testutil.ContactFlow(ns, "both", "ccc", "ccc-demo")
		both.Spec.Content = testutil.ConnectContent()
		err = k8s.Create(ctx, both)
		Expect(err).To(HaveOccurred())
		GinkgoWriter.Printf("both fields: %v\n", err)
		Expect(err.Error()).To(ContainSubstring("set exactly one of spec.definition"))

		neither := testutil.ContactFlow(ns, "neither", "ccc", "ccc-demo")
		neither.Spec.Definition = nil
		err = k8s.Create(ctx, neither)
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("set exactly one of spec.definition"))
	})
})
