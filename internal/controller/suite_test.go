package controller

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/providers"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/classic"
	"github.com/contactflow-operator/contactflow-operator/internal/testutil"
)

// The envtest suite: a real kube-apiserver and etcd (built from source by hack/control-plane.sh
// and named by KUBEBUILDER_ASSETS), the emulator in-process over HTTP, and the real adapter and
// SDK between them.

const (
	testSyncPeriod = 2 * time.Second
	testInstance   = "ccc-envtest"
	// consoleUser is the emulator user that acts as a person on the console.
	consoleUser = "alice"
)

var (
	ctx       context.Context
	cancel    context.CancelFunc
	testEnv   *envtest.Environment
	cfg       *rest.Config
	k8s       client.Client
	emu       *emulator.Emulator
	emuServer *httptest.Server
	admin     *emulator.AdminClient
	scheme    = runtime.NewScheme()
)

func TestControllers(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Controller Suite (envtest)")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	ctx, cancel = context.WithCancel(context.TODO())

	Expect(os.Getenv("KUBEBUILDER_ASSETS")).NotTo(BeEmpty(),
		"KUBEBUILDER_ASSETS must name the control plane built by hack/control-plane.sh; run `make test`")
	Expect(clientgoscheme.AddToScheme(scheme)).To(Succeed())
	Expect(cfv1.AddToScheme(scheme)).To(Succeed())

	testEnv = &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(testutil.RepoRoot(), "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	var err error
	cfg, err = testEnv.Start()
	Expect(err).NotTo(HaveOccurred())
	k8s, err = client.New(cfg, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())

	emu, err = emulator.New(emulator.Config{
		AccessKeys: []emulator.AccessKey{{ID: emulator.DemoAccessKeyID, Secret: emulator.DemoAccessKeySecret, User: "operator"}},
		Instances: []emulator.Instance{{Platform: emulator.PlatformCCC, ID: testInstance},
			// The classic CloudCallCenter and Amazon Connect (contactflow_platforms_test.go).
			{Platform: emulator.PlatformCloudCallCenter, ID: testClassicInstance}, {Platform: emulator.PlatformConnect, ID: testConnectInstance}},
	})
	Expect(err).NotTo(HaveOccurred())
	// The classic test content (testutil.ClassicContent) transfers to these skill groups by ID:
	// the instance has them, as an administrator would have set them up.
	for _, sg := range []string{"sg-sales", "sg-support"} {
		_, _, err := emu.CloudCallCenter().AddResource(testClassicInstance, classic.NewResource{Kind: classic.KindSkillGroup, Name: sg, ID: sg})
		Expect(err).NotTo(HaveOccurred())
	}
	emuServer = httptest.NewServer(emuHooks.wrap(emu.Handler()))
	admin = emulator.NewAdminClient(emuServer.URL, nil)

	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:  scheme,
		Metrics: metricsserver.Options{BindAddress: "0"},
	})
	Expect(err).NotTo(HaveOccurred())
	Expect((&ContactFlowReconciler{
		Client:    mgr.GetClient(),
		Scheme:    mgr.GetScheme(),
		Recorder:  mgr.GetEventRecorder("contactflow-operator"),
		Providers: &Providers{Reader: mgr.GetClient(), Flows: providers.NewFlowClient},
		Timing:    Timing{SyncPeriod: testSyncPeriod, LockRetry: time.Second, ThrottleBackoff: time.Second},
	}).SetupWithManager(mgr)).To(Succeed())

	Expect((&ProviderConfigReconciler{
		Client:    mgr.GetClient(),
		Providers: &Providers{Reader: mgr.GetClient(), Flows: providers.NewFlowClient},
	}).SetupWithManager(mgr)).To(Succeed())
	// OutboundInstance and OutboundScript (outboundinstance_controller_test.go).
	Expect(setupOutboundControllers(mgr)).To(Succeed())

	go func() {
		defer GinkgoRecover()
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
})

var _ = AfterSuite(func() {
	if cancel != nil {
		cancel()
	}
	if emuServer != nil {
		emuServer.Close()
	}
	if testEnv != nil {
		Expect(testEnv.Stop()).To(Succeed())
	}
})
