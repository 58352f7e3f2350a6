package v1alpha1

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/testutil"
)

// The webhook suite: a real kube-apiserver with the generated ValidatingWebhookConfiguration
// installed, calling the webhook server of a manager in this process.

var (
	ctx     context.Context
	cancel  context.CancelFunc
	testEnv *envtest.Environment
	k8s     client.Client
)

func TestWebhooks(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Webhook Suite (envtest)")
}

var _ = BeforeSuite(func() {
	Expect(os.Getenv("KUBEBUILDER_ASSETS")).NotTo(BeEmpty(), "run `make test`")
	ctx, cancel = context.WithCancel(context.TODO())
	scheme := runtime.NewScheme()
	Expect(clientgoscheme.AddToScheme(scheme)).To(Succeed())
	Expect(cfv1.AddToScheme(scheme)).To(Succeed())
	root := testutil.RepoRoot()
	testEnv = &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(root, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		WebhookInstallOptions: envtest.WebhookInstallOptions{Paths: []string{filepath.Join(root, "config", "webhook", "manifests.yaml")}},
	}
	cfg, err := testEnv.Start()
	Expect(err).NotTo(HaveOccurred())
	k8s, err = client.New(cfg, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())

	wio := &testEnv.WebhookInstallOptions
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:  scheme,
		Metrics: metricsserver.Options{BindAddress: "0"},
		WebhookServer: webhook.NewServer(webhook.Options{
			Host: wio.LocalServingHost, Port: wio.LocalServingPort, CertDir: wio.LocalServingCertDir,
		}),
	})
	Expect(err).NotTo(HaveOccurred())
	Expect(SetupContactFlowWebhookWithManager(mgr)).To(Succeed())
	go func() {
		defer GinkgoRecover()
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
	addr := net.JoinHostPort(wio.LocalServingHost, fmt.Sprint(wio.LocalServingPort))
	Eventually(func() error {
		conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // test dial only
		if err != nil {
			return err
		}
		return conn.Close()
	}, 20*time.Second, 100*time.Millisecond).Should(Succeed())
})

var _ = AfterSuite(func() {
	cancel()
	Expect(testEnv.Stop()).To(Succeed())
})

func flowIn(ns string) *cfv1.ContactFlow {
	cf := testutil.ContactFlow(ns, "hooked", "ccc", "ccc-demo")
	return cf
}

var _ = Describe("the ContactFlow validating webhook", func() {
	var ns string
	BeforeEach(func() {
		n := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "hook-"}}
		Expect(k8s.Create(ctx, n)).To(Succeed())
		ns = n.Name
	})

	It("admits the seed flow", func() {
		Expect(k8s.Create(ctx, flowIn(ns))).To(Succeed())
	})

	It("refuses a dangling next, naming the field and the activity", func() {
		cf := flowIn(ns)
		missing := "nowhere1"
		testutil.SetNext(cf.Spec.Definition, "2d3ad2c2", 0, &missing)
		err := k8s.Create(ctx, cf)
		Expect(err).To(HaveOccurred())
		GinkgoWriter.Printf("dangling next: %v\n", err)
		Expect(err.Error()).To(ContainSubstring("admission webhook"))
		Expect(err.Error()).To(ContainSubstring("spec.definition.activities[2]"))
		Expect(err.Error()).To(ContainSubstring(`activity 2d3ad2c2 (PLAY_SAY): events[0].next: names unknown activity "nowhere1"`))
	})

	It("refuses an unknown activity type", func() {
		cf := flowIn(ns)
		cf.Spec.Definition.Activities[2].Type = "PLAY_KAZOO"
		err := k8s.Create(ctx, cf)
		Expect(err).To(HaveOccurred())
		GinkgoWriter.Printf("unknown type: %v\n", err)
		Expect(err.Error()).To(ContainSubstring("PLAY_KAZOO"))
		Expect(err.Error()).To(ContainSubstring("2d3ad2c2"))
	})

	It("refuses an update that breaks the graph and leaves the stored object as it was", func() {
		cf := flowIn(ns)
		Expect(k8s.Create(ctx, cf)).To(Succeed())
		cur := &cfv1.ContactFlow{}
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(cf), cur)).To(Succeed())
		cur.Spec.Definition.Activities = cur.Spec.Definition.Activities[1:] // drop the INCOMING_CALL start
		err := k8s.Update(ctx, cur)
		Expect(err).To(HaveOccurred())
		GinkgoWriter.Printf("no start: %v\n", err)
		Expect(strings.ToLower(err.Error())).To(ContainSubstring("incoming_call"))
		stored := &cfv1.ContactFlow{}
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(cf), stored)).To(Succeed())
		Expect(stored.Spec.Definition.Activities).To(HaveLen(3))
	})

	It("refuses a type change (CEL and webhook agree)", func() {
		cf := flowIn(ns)
		Expect(k8s.Create(ctx, cf)).To(Succeed())
		cur := &cfv1.ContactFlow{}
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(cf), cur)).To(Succeed())
		cur.Spec.Type = "SUB_FLOW"
		err := k8s.Update(ctx, cur)
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("type is immutable"))
	})
})
