//go:build bench

// Package bench measures the operator at scale: the built bin/manager and bin/emulator as
// processes, a real control plane, N ContactFlows. Run it with `make bench` (BENCH_FLAGS passes
// flags, e.g. BENCH_FLAGS="-n=1000 -latency=30ms -write-qps=20").
package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	"github.com/contactflow-operator/contactflow-operator/internal/testutil"
)

var (
	flagN          = flag.Int("n", 100, "number of ContactFlows")
	flagLatency    = flag.Duration("latency", 30*time.Millisecond, "emulator latency per call")
	flagWriteQPS   = flag.Float64("write-qps", 20, "platform quota of each write action (CreateContactFlow, StartEditContactFlow, CommitContactFlow, PublishContactFlow)")
	flagSync       = flag.Duration("sync-period", 20*time.Second, "operator resync period")
	flagResyncs    = flag.Int("resyncs", 3, "resync periods observed in steady state")
	flagWorkers    = flag.Int("concurrency", 16, "operator --max-concurrent-reconciles")
	flagOut        = flag.String("out", "", "JSON result file (default test/bench/results/ccc-N.json)")
	flagProfiles   = flag.String("profile-dir", "", "when set, the operator serves pprof and its heap profiles (at the end of the rollout and of the steady state) are saved here")
	writeActions   = []string{"CreateContactFlow", "StartEditContactFlow", "CommitContactFlow", "PublishContactFlow", "DiscardEditingContactFlow", "DeleteContactFlow"}
	readActions    = []string{"GetContactFlow", "ListContactFlows"}
	benchNamespace = "bench"
)

// Result is what one run measured; it is written as JSON and printed as a table.
type Result struct {
	Platform              string           `json:"platform"`
	Flows                 int              `json:"flows"`
	LatencyMs             int64            `json:"latencyMs"`
	WriteQuotaQPS         float64          `json:"writeQuotaQps"`
	SyncPeriod            string           `json:"syncPeriod"`
	TimeToReadySec        float64          `json:"timeToReadySec"`
	LowerBoundSec         float64          `json:"lowerBoundSec"`
	RatioToLowerBound     float64          `json:"ratioToLowerBound"`
	RolloutCalls          map[string]int64 `json:"rolloutCalls"`
	RolloutThrottled      int64            `json:"rolloutThrottled"`
	SteadyCalls           map[string]int64 `json:"steadyCalls"`
	ReadsPerFlowPerResync float64          `json:"readsPerFlowPerResync"`
	SteadyWrites          int64            `json:"steadyWrites"`
	PeakRSSMiB            float64          `json:"peakRssMiB"`
	CPUSeconds            float64          `json:"cpuSeconds"`
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func startProc(t *testing.T, dir, name string, args ...string) *exec.Cmd {
	t.Helper()
	bin := filepath.Join(testutil.RepoRoot(), "bin", name)
	logf, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s (run `make build`): %v", bin, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	})
	return cmd
}

// procUsage reads the peak resident set (VmHWM) and the CPU time of a process.
func procUsage(pid int) (rssMiB, cpuSec float64) {
	if f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if fields := strings.Fields(sc.Text()); len(fields) >= 2 && fields[0] == "VmHWM:" {
				kb, _ := strconv.ParseFloat(fields[1], 64)
				rssMiB = kb / 1024
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		// Fields after the command name in parentheses; utime and stime are the 14th and 15th.
		s := string(b)
		fields := strings.Fields(s[strings.LastIndex(s, ")")+2:])
		if len(fields) > 13 {
			ut, _ := strconv.ParseFloat(fields[11], 64)
			st, _ := strconv.ParseFloat(fields[12], 64)
			cpuSec = (ut + st) / 100 // USER_HZ
		}
	}
	return rssMiB, cpuSec
}

// fetchHeapProfile saves the operator's heap profile (served on --pprof-addr) to path.
func fetchHeapProfile(addr, path string) error {
	resp, err := http.Get("http://" + addr + "/debug/pprof/heap")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /debug/pprof/heap: %s", resp.Status)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func sum(m map[string]int64, keys []string) int64 {
	var n int64
	for _, k := range keys {
		n += m[k]
	}
	return n
}

func TestBench(t *testing.T) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Fatal("KUBEBUILDER_ASSETS is not set: run `make bench`")
	}
	n := *flagN
	dir := t.TempDir()
	cp, err := testutil.StartControlPlane(dir, filepath.Join(testutil.RepoRoot(), "config", "crd", "bases"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cp.Stop() })

	emuAddr := freeAddr(t)
	qps := strconv.FormatFloat(*flagWriteQPS, 'f', -1, 64)
	burst := int(math.Max(1, *flagWriteQPS))
	emuArgs := []string{"--listen", emuAddr, "--instance", "ccc:bench", "--latency", flagLatency.String()}
	for _, a := range writeActions[:4] {
		emuArgs = append(emuArgs, "--throttle", fmt.Sprintf("ccc:%s=%s/%d", a, qps, burst))
	}
	startProc(t, dir, "emulator", emuArgs...)
	admin := emulator.NewAdminClient("http://"+emuAddr, nil)
	ctx := context.Background()
	deadline := time.Now().Add(20 * time.Second)
	for admin.Healthz(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatal("emulator did not come up")
		}
		time.Sleep(100 * time.Millisecond)
	}

	mgrArgs := []string{"--kubeconfig", cp.KubeconfigPath, "--sync-period", flagSync.String(),
		"--max-concurrent-reconciles", strconv.Itoa(*flagWorkers), "--metrics-bind-address", "0",
		"--health-probe-bind-address", freeAddr(t), "--kube-api-qps", "200", "--kube-api-burst", "400"}
	pprofAddr := ""
	if *flagProfiles != "" {
		pprofAddr = freeAddr(t)
		mgrArgs = append(mgrArgs, "--pprof-addr", pprofAddr)
	}
	mgr := startProc(t, dir, "manager", mgrArgs...)
	saveHeap := func(name string) {
		if pprofAddr == "" {
			return
		}
		if err := fetchHeapProfile(pprofAddr, filepath.Join(*flagProfiles, fmt.Sprintf("heap-%d-%s.pb.gz", n, name))); err != nil {
			t.Logf("heap profile %s: %v", name, err)
		}
	}

	scheme := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(scheme)
	_ = cfv1.AddToScheme(scheme)
	cfg := *cp.Config
	cfg.QPS, cfg.Burst = 500, 1000
	k8s, err := client.New(&cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	if err := k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: benchNamespace}}); err != nil {
		t.Fatal(err)
	}
	sec, pc := testutil.ProviderObjects(benchNamespace, "ccc", "http://"+emuAddr, emulator.DemoAccessKeyID, emulator.DemoAccessKeySecret)
	// The operator's own budget: reads are cheap, writes keep to the platform's quota.
	pc.Spec.RateLimit = &cfv1.RateLimitSpec{QPS: "500", Burst: 100}
	for _, a := range writeActions[:4] {
		pc.Spec.RateLimit.PerAction = append(pc.Spec.RateLimit.PerAction, cfv1.ActionRateLimit{Action: a, QPS: qps, Burst: int32(burst)})
	}
	for _, o := range []client.Object{sec, pc} {
		if err := k8s.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}

	if err := admin.ResetStats(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			cf := testutil.ContactFlow(benchNamespace, fmt.Sprintf("flow-%05d", i), "ccc", "bench")
			if err := k8s.Create(ctx, cf); err != nil {
				t.Errorf("creating %s: %v", cf.Name, err)
			}
		}(i)
	}
	wg.Wait()
	t.Logf("Created %d ContactFlows in %s", n, time.Since(start).Round(time.Millisecond))

	var readyAt time.Duration
	timeout := time.Duration(float64(n)/(*flagWriteQPS)*3)*time.Second + 3*time.Minute
	for {
		list := &cfv1.ContactFlowList{}
		if err := k8s.List(ctx, list, client.InNamespace(benchNamespace)); err != nil {
			t.Fatal(err)
		}
		ready := 0
		for i := range list.Items {
			if meta.IsStatusConditionTrue(list.Items[i].Status.Conditions, cfv1.ConditionReady) {
				ready++
			}
		}
		if ready == n {
			readyAt = time.Since(start)
			break
		}
		if time.Since(start) > timeout {
			t.Fatalf("only %d of %d flows Ready after %s", ready, n, time.Since(start))
		}
		time.Sleep(250 * time.Millisecond)
	}
	rollout, err := admin.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	saveHeap("rollout")

	// Steady state: nothing changes; count what several resyncs cost. Skip the first period,
	// which still carries the rollout's last reconciles.
	time.Sleep(*flagSync)
	if err := admin.ResetStats(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Duration(*flagResyncs) * *flagSync)
	steady, err := admin.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rss, cpu := procUsage(mgr.Process.Pid)
	saveHeap("steady")

	// Lower bound: every flow needs one Create and one Publish; each action has its own bucket
	// of writeQPS (starting full), so the two proceed in parallel.
	lower := math.Max(0, float64(n-burst)) / *flagWriteQPS
	res := Result{
		Platform: "AlibabaCCC", Flows: n, LatencyMs: flagLatency.Milliseconds(), WriteQuotaQPS: *flagWriteQPS,
		SyncPeriod: flagSync.String(), TimeToReadySec: readyAt.Seconds(), LowerBoundSec: lower,
		RolloutCalls: rollout.Calls["ccc"], RolloutThrottled: sum(rollout.Throttled["ccc"], writeActions),
		SteadyCalls: steady.Calls["ccc"], SteadyWrites: sum(steady.Calls["ccc"], writeActions),
		ReadsPerFlowPerResync: float64(sum(steady.Calls["ccc"], readActions)) / float64(n) / float64(*flagResyncs),
		PeakRSSMiB:            rss, CPUSeconds: cpu,
	}
	if lower > 0 {
		res.RatioToLowerBound = res.TimeToReadySec / lower
	}
	out := *flagOut
	if out == "" {
		out = filepath.Join(testutil.RepoRoot(), "test", "bench", "results", fmt.Sprintf("ccc-%d.json", n))
	}
	_ = os.MkdirAll(filepath.Dir(out), 0o755)
	b, _ := json.MarshalIndent(res, "", "  ")
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
	fmt.Printf(`
| metric | value |
| --- | --- |
| platform, flows | %s, %d |
| emulator latency, write quota per action | %d ms, %.0f/s |
| time to all Ready | %.1f s |
| lower bound (writes needed / write quota) | %.1f s |
| ratio to the lower bound | %.2f |
| rollout calls | %v |
| throttled during rollout | %d |
| steady state over %d resyncs of %s | %v |
| read calls per flow per resync | %.4f |
| write calls in steady state | %d |
| operator peak RSS | %.1f MiB |
| operator CPU | %.1f s |

JSON: %s
`, res.Platform, n, res.LatencyMs, res.WriteQuotaQPS, res.TimeToReadySec, res.LowerBoundSec, res.RatioToLowerBound,
		res.RolloutCalls, res.RolloutThrottled, *flagResyncs, res.SyncPeriod, res.SteadyCalls, res.ReadsPerFlowPerResync,
		res.SteadyWrites, res.PeakRSSMiB, res.CPUSeconds, out)
}
