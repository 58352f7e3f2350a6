// Command manager runs the contactflow-operator controllers.
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/providers"
	"github.com/contactflow-operator/contactflow-operator/internal/controller"
	"github.com/contactflow-operator/contactflow-operator/internal/metrics"
	"github.com/contactflow-operator/contactflow-operator/internal/webhook/certs"
	webhookv1alpha1 "github.com/contactflow-operator/contactflow-operator/internal/webhook/v1alpha1"
)

var scheme = runtime.NewScheme()

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(cfv1.AddToScheme(scheme))
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func main() {
	var (
		metricsAddr, probeAddr string
		leaderElect            bool
		timing                 = controller.DefaultTiming
		concurrency            int
		enableWebhooks         bool
		webhookPort            int
		webhookCertDir         string
		webhookConfigName      string
		webhookHosts           string
		pprofAddr              string
		memoryLimitRatio       float64
	)
	flag.StringVar(&metricsAddr, "metrics-bind-address", ":8080", "Address the Prometheus metrics endpoint binds to; 0 disables it.")
	flag.StringVar(&probeAddr, "health-probe-bind-address", ":8081", "Address the health and readiness probes bind to.")
	flag.StringVar(&pprofAddr, "pprof-addr", "", "Address to serve Go's /debug/pprof profiles on (for memory and CPU profiling); empty disables it.")
	flag.Float64Var(&memoryLimitRatio, "memory-limit-ratio", 0.9, "Set Go's soft memory limit to this share of the container's memory limit (from the cgroup); 0 disables it, and a GOMEMLIMIT environment variable wins.")
	flag.BoolVar(&leaderElect, "leader-elect", false, "Elect a leader so that only one replica reconciles at a time.")
	flag.DurationVar(&timing.SyncPeriod, "sync-period", timing.SyncPeriod, "How often a converged resource is observed again for drift (jittered by up to 10%).")
	flag.DurationVar(&timing.LockRetry, "lock-retry-period", timing.LockRetry, "How often a resource waiting for someone else's draft looks again.")
	flag.DurationVar(&timing.MaxRetryDelay, "max-retry-delay", timing.MaxRetryDelay, "Cap on the backoff of a resource whose reconciles keep failing with transient errors (5xx, timeouts).")
	flag.DurationVar(&timing.ThrottleBackoff, "throttle-backoff", timing.ThrottleBackoff, "Base wait after the platform throttled a call (jittered up to 2x).")
	flag.IntVar(&concurrency, "max-concurrent-reconciles", 4, "Parallel reconciles per kind.")
	kubeQPS := flag.Float64("kube-api-qps", 50, "Sustained requests per second to the Kubernetes API server.")
	kubeBurst := flag.Int("kube-api-burst", 100, "Burst of requests to the Kubernetes API server.")
	observeWindow := flag.Duration("observe-window", -1, "How long one paged list of an instance's flows serves every flow observation (batched reads); 0 reads each flow directly; default half of --sync-period.")
	flag.BoolVar(&enableWebhooks, "enable-webhooks", false, "Serve the validating admission webhook.")
	flag.IntVar(&webhookPort, "webhook-port", 9443, "Port of the webhook server.")
	flag.StringVar(&webhookCertDir, "webhook-cert-dir", filepath.Join(os.TempDir(), "k8s-webhook-server", "serving-certs"),
		"Directory with tls.crt and tls.key (cert-manager mounts them here); when empty, a self-signed certificate is generated.")
	flag.StringVar(&webhookConfigName, "webhook-config-name", "", "ValidatingWebhookConfiguration whose caBundle receives a generated CA; empty skips the injection.")
	flag.StringVar(&webhookHosts, "webhook-host", "", "Comma-separated DNS names or IPs the API server calls the webhook at (for a generated certificate).")
	opts := zap.Options{Development: false}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts)))
	setupLog := ctrl.Log.WithName("setup")

	if limit, err := setMemoryLimit(memoryLimitRatio, "/sys/fs/cgroup"); err != nil {
		setupLog.Error(err, "Invalid flag")
		os.Exit(1)
	} else if limit > 0 {
		setupLog.Info("Set Go's soft memory limit from the container's memory limit", "bytes", limit, "ratio", memoryLimitRatio)
	}

	disableHTTP2 := func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} }
	restCfg := ctrl.GetConfigOrDie()
	restCfg.QPS, restCfg.Burst = float32(*kubeQPS), *kubeBurst
	mgr, err := ctrl.NewManager(restCfg, ctrl.Options{
		Scheme:                 scheme,
		Cache:                  cacheOptions(),
		Client:                 client.Options{Cache: uncached()},
		Metrics:                metricsserver.Options{BindAddress: metricsAddr, TLSOpts: []func(*tls.Config){disableHTTP2}},
		WebhookServer:          webhook.NewServer(webhook.Options{Port: webhookPort, CertDir: webhookCertDir, TLSOpts: []func(*tls.Config){disableHTTP2}}),
		HealthProbeBindAddress: probeAddr,
		PprofBindAddress:       pprofAddr,
		LeaderElection:         leaderElect,
		LeaderElectionID:       "contactflow-operator.contactflow.io",
	})
	if err != nil {
		setupLog.Error(err, "Unable to create the manager")
		os.Exit(1)
	}

	if *observeWindow < 0 {
		*observeWindow = timing.SyncPeriod / 2
	}
	provs := &controller.Providers{
		Reader: mgr.GetClient(), Flows: providers.NewFlowClient, Outbound: providers.NewOutboundClient,
		Observer: metrics.Observer{}, ObserveWindow: *observeWindow,
	}
	if err := (&controller.ContactFlowReconciler{
		Client:                  mgr.GetClient(),
		Scheme:                  mgr.GetScheme(),
		Recorder:                mgr.GetEventRecorder("contactflow-operator"),
		Providers:               provs,
		Timing:                  timing,
		MaxConcurrentReconciles: concurrency,
		States:                  metrics.NewStates("ContactFlow"),
	}).SetupWithManager(mgr); err != nil {
		setupLog.Error(err, "Unable to set up the controller", "controller", "ContactFlow")
		os.Exit(1)
	}

	if err := (&controller.OutboundInstanceReconciler{
		Client:                  mgr.GetClient(),
		Scheme:                  mgr.GetScheme(),
		Recorder:                mgr.GetEventRecorder("contactflow-operator"),
		Providers:               provs,
		Timing:                  timing,
		MaxConcurrentReconciles: concurrency,
		States:                  metrics.NewStates("OutboundInstance"),
	}).SetupWithManager(mgr); err != nil {
		setupLog.Error(err, "Unable to set up the controller", "controller", "OutboundInstance")
		os.Exit(1)
	}
	if err := (&controller.OutboundScriptReconciler{
		Client:                  mgr.GetClient(),
		Scheme:                  mgr.GetScheme(),
		Recorder:                mgr.GetEventRecorder("contactflow-operator"),
		Providers:               provs,
		Timing:                  timing,
		MaxConcurrentReconciles: concurrency,
		States:                  metrics.NewStates("OutboundScript"),
	}).SetupWithManager(mgr); err != nil {
		setupLog.Error(err, "Unable to set up the controller", "controller", "OutboundScript")
		os.Exit(1)
	}

	if err := (&controller.ProviderConfigReconciler{Client: mgr.GetClient(), Providers: provs}).SetupWithManager(mgr); err != nil {
		setupLog.Error(err, "Unable to set up the controller", "controller", "ProviderConfig")
		os.Exit(1)
	}

	if enableWebhooks {
		direct, err := client.New(mgr.GetConfig(), client.Options{Scheme: scheme})
		if err == nil {
			var generated bool
			generated, err = certs.Ensure(context.Background(), direct, certs.Options{
				Dir: webhookCertDir, Hosts: splitList(webhookHosts), WebhookConfiguration: webhookConfigName,
			})
			if generated {
				setupLog.Info("Generated a self-signed webhook certificate", "dir", webhookCertDir, "hosts", webhookHosts)
			}
		}
		if err != nil {
			setupLog.Error(err, "Unable to provide the webhook certificate")
			os.Exit(1)
		}
		if err := webhookv1alpha1.SetupContactFlowWebhookWithManager(mgr); err != nil {
			setupLog.Error(err, "Unable to set up the webhook", "webhook", "ContactFlow")
			os.Exit(1)
		}
	}

	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		setupLog.Error(err, "Unable to set up the health check")
		os.Exit(1)
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		setupLog.Error(err, "Unable to set up the ready check")
		os.Exit(1)
	}
	setupLog.Info("Starting the manager", "syncPeriod", timing.SyncPeriod.String(), "startedAt", time.Now().UTC().Format(time.RFC3339))
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		setupLog.Error(err, "The manager stopped with an error")
		os.Exit(1)
	}
}
