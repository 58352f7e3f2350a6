//go:build bench

// Package bench measures the operator at scale: the built bin/manager and bin/emulator as
// processes, a real control plane, N ContactFlows. Run it with `make bench` (BENCH_FLAGS passes
// flags, e.g. BENCH_FLAGS="-n=1000 -latency=30ms -write-qps=20", or
// BENCH_FLAGS="-platform=connect -n=200" for Amazon Connect under its 2/s, burst 5 per API).
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
	"sort"
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
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
	"github.com/contactflow-operator/contactflow-operator/internal/testutil"
)

var (
	flagPlatform   = flag.String("platform", "ccc", "platform measured: ccc (Alibaba CCC) or connect (Amazon Connect)")
	flagN          = flag.Int("n", 100, "number of ContactFlows")
	flagLatency    = flag.Duration("latency", 30*time.Millisecond, "emulator latency per call")
	flagWriteQPS   = flag.Float64("write-qps", 0, "platform quota of each quota'd action: on ccc the writes (CreateContactFlow, StartEditContactFlow, CommitContactFlow, PublishContactFlow), default 20; on connect every API, default 2")
	flagBurst      = flag.Int("burst", 0, "burst of each quota'd action (default: the QPS on ccc, 5 on connect)")
	flagRolloutQPS = flag.Float64("rollout-qps", 0, "lift the platform quota and the operator's budget to this QPS (and burst) during the rollout only, to reach a large steady state sooner (the time to Ready is then not compared with the lower bound); the steady state then runs at the default budget and the platform quota")
	flagSync       = flag.Duration("sync-period", 20*time.Second, "operator resync period")
	flagResyncs    = flag.Int("resyncs", 3, "resync periods observed in steady state")
	flagSkip       = flag.Duration("skip", 0, "wait after all are Ready before the steady state is measured (default one sync period)")
	flagRestart    = flag.Duration("restart-window", 0, "after the steady state, restart the operator and count the calls of this long after it starts (0: no restart)")
	flagWorkers    = flag.Int("concurrency", 16, "operator --max-concurrent-reconciles")
	flagOut        = flag.String("out", "", "JSON result file (default test/bench/results/PLATFORM-N.json)")
	flagProfiles   = flag.String("profile-dir", "", "when set, the operator serves pprof and its heap profiles (at the end of the rollout and of the steady state) are saved here (needs a manager with --pprof-addr)")
	benchNamespace = "bench"
)

// platformProfile is what differs between the platforms measured.
type platformProfile struct {
	// key is the emulator's platform key (stats, --instance, --throttle).
	key      string
	platform cfv1.Platform
	// quotaActions get the emulator quota and the same client-side budget; writeActions and
	// readActions are counted apart.
	quotaActions, writeActions, readActions []string
	// neededActions are the writes every new flow needs once each: each has its own bucket,
	// so the lower bound is set by one of them.
	neededActions []string
	qps           float64
	burst         int
	flow          func(name string) *cfv1.ContactFlow
}

func profile(name string) (platformProfile, error) {
	switch name {
	case "ccc":
		p := platformProfile{key: "ccc", platform: cfv1.PlatformAlibabaCCC, qps: 20,
			writeActions: []string{"CreateContactFlow", "StartEditContactFlow", "CommitContactFlow", "PublishContactFlow", "DiscardEditingContactFlow", "DeleteContactFlow"},
			readActions:  []string{"GetContactFlow", "ListContactFlows"},
			flow:         func(n string) *cfv1.ContactFlow { return testutil.ContactFlow(benchNamespace, n, "bench", "bench") },
		}
		p.quotaActions = p.writeActions[:4]
		p.neededActions = []string{"CreateContactFlow", "PublishContactFlow"}
		return p, nil
	case "connect":
		p := platformProfile{key: "connect", platform: cfv1.PlatformAmazonConnect, qps: 2, burst: 5,
			writeActions: []string{"CreateContactFlow", "UpdateContactFlowContent", "UpdateContactFlowMetadata", "CreateContactFlowVersion", "DeleteContactFlow", "TagResource", "UntagResource"},
			readActions:  []string{"DescribeContactFlow", "SearchContactFlows", "ListContactFlows", "ListContactFlowVersions"},
			flow: func(n string) *cfv1.ContactFlow {
				return testutil.ContentFlow(benchNamespace, n, "bench", "bench", "", testutil.ConnectContent())
			},
		}
		// Amazon Connect's quota is per API, account and Region: every API has one.
		p.quotaActions = append(append([]string{}, p.writeActions...), p.readActions...)
		p.neededActions = []string{"CreateContactFlow", "UpdateContactFlowContent"}
		return p, nil
	}
	return platformProfile{}, fmt.Errorf("-platform %q: must be ccc or connect", name)
}

// faultsFor sets the emulator quota of every quota'd action to qps/burst.
func faultsFor(p platformProfile, qps float64, burst int) emulator.FaultConfig {
	fc := emulator.FaultConfig{Quotas: map[string]core.Quota{}}
	for _, a := range p.quotaActions {
		fc.Quotas[p.key+":"+a] = core.Quota{QPS: qps, Burst: burst}
	}
	return fc
}

// Result is what one run measured; it is written as JSON and printed as a table.
type Result struct {
	Platform      string  `json:"platform"`
	Flows         int     `json:"flows"`
	LatencyMs     int64   `json:"latencyMs"`
	WriteQuotaQPS float64 `json:"writeQuotaQps"`
	QuotaBurst    int     `json:"quotaBurst"`
	// QuotaActions are the actions the quota applies to (each its own bucket).
	QuotaActions []string `json:"quotaActions"`
	// RolloutQuotaQPS is the lifted quota of the rollout (-rollout-qps), 0 when the rollout
	// ran under the quota.
	RolloutQuotaQPS       float64          `json:"rolloutQuotaQps,omitempty"`
	SyncPeriod            string           `json:"syncPeriod"`
	ObserveWindow         string           `json:"observeWindow"`
	TimeToReadySec        float64          `json:"timeToReadySec"`
	LowerBoundSec         float64          `json:"lowerBoundSec"`
	RatioToLowerBound     float64          `json:"ratioToLowerBound"`
	RolloutCalls          map[string]int64 `json:"rolloutCalls"`
	RolloutThrottled      int64            `json:"rolloutThrottled"`
	SteadySeconds         float64          `json:"steadySeconds"`
	SteadyCalls           map[string]int64 `json:"steadyCalls"`
	ReadsPerFlowPerResync float64          `json:"readsPerFlowPerResync"`
	SteadyWrites          int64            `json:"steadyWrites"`
	SteadyThrottled       int64            `json:"steadyThrottled"`
	// IdleQuotaShare is, per quota'd API called in steady state, its calls per second divided
	// by its quota: the share of the account's quota the idle operator uses.
	IdleQuotaShare    map[string]float64 `json:"idleQuotaShare"`
	MaxIdleQuotaShare float64            `json:"maxIdleQuotaShare"`
	// RestartCalls are the calls of the first RestartWindow after the operator restarted.
	RestartWindow string           `json:"restartWindow,omitempty"`
	RestartCalls  map[string]int64 `json:"restartCalls,omitempty"`
	PeakRSSMiB    float64          `json:"peakRssMiB"`
	CPUSeconds    float64          `json:"cpuSeconds"`
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// stoppers stop the processes startProc started, once each.
var stoppers sync.Map

func startProc(t *testing.T, dir, name string, args ...string) *exec.Cmd {
	t.Helper()
	bin := filepath.Join(testutil.RepoRoot(), "bin", name)
	logf, err := os.OpenFile(filepath.Join(dir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s (run `make build`): %v", bin, err)
	}
	stop := sync.OnceFunc(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	})
	stoppers.Store(cmd, stop)
	t.Cleanup(stop)
	return cmd
}

// stopProc stops a process startProc started (SIGINT, then SIGKILL after 10 s).
func stopProc(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if stop, ok := stoppers.Load(cmd); ok {
		stop.(func())()
	}
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
	prof, err := profile(*flagPlatform)
	if err != nil {
		t.Fatal(err)
	}
	n := *flagN
	qpsF, burst := prof.qps, prof.burst
	if *flagWriteQPS > 0 {
		qpsF = *flagWriteQPS
	}
	if *flagBurst > 0 {
		burst = *flagBurst
	}
	if burst == 0 {
		burst = int(math.Max(1, qpsF))
	}
	skip := *flagSkip
	if skip <= 0 {
		skip = *flagSync
	}
	dir := t.TempDir()
	cp, err := testutil.StartControlPlane(dir, filepath.Join(testutil.RepoRoot(), "config", "crd", "bases"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cp.Stop() })

	emuAddr := freeAddr(t)
	startProc(t, dir, "emulator", "--listen", emuAddr, "--instance", prof.key+":bench", "--latency", flagLatency.String())
	admin := emulator.NewAdminClient("http://"+emuAddr, nil)
	ctx := context.Background()
	deadline := time.Now().Add(20 * time.Second)
	for admin.Healthz(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatal("emulator did not come up")
		}
		time.Sleep(100 * time.Millisecond)
	}
	rolloutQPS, rolloutBurst := qpsF, burst
	if *flagRolloutQPS > 0 {
		rolloutQPS, rolloutBurst = *flagRolloutQPS, int(math.Max(float64(burst), *flagRolloutQPS))
	}
	if err := admin.SetFaults(ctx, faultsFor(prof, rolloutQPS, rolloutBurst)); err != nil {
		t.Fatal(err)
	}

	managerArgs := []string{"--kubeconfig", cp.KubeconfigPath, "--sync-period", flagSync.String(),
		"--max-concurrent-reconciles", strconv.Itoa(*flagWorkers), "--metrics-bind-address", "0",
		"--health-probe-bind-address", freeAddr(t), "--kube-api-qps", "200", "--kube-api-burst", "400"}
	pprofAddr := ""
	if *flagProfiles != "" {
		pprofAddr = freeAddr(t)
		managerArgs = append(managerArgs, "--pprof-addr", pprofAddr)
	}
	mgr := startProc(t, dir, "manager", managerArgs...)
	saveHeap := func(name string) {
		if pprofAddr == "" {
			return
		}
		if err := fetchHeapProfile(pprofAddr, filepath.Join(*flagProfiles, fmt.Sprintf("heap-%s-%d-%s.pb.gz", prof.key, n, name))); err != nil {
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
	sec, pc := testutil.ProviderObjectsFor(benchNamespace, "bench", prof.platform, "http://"+emuAddr, emulator.DemoAccessKeyID, emulator.DemoAccessKeySecret)
	// The operator's own budget keeps to the platform's quota per action; overall it is not
	// the bottleneck. With a lifted rollout quota the budget is lifted too (it is client-side
	// only: the steady state costs the same calls whatever the budget).
	budgetQPS := strconv.FormatFloat(rolloutQPS, 'f', -1, 64)
	pc.Spec.RateLimit = &cfv1.RateLimitSpec{QPS: "500", Burst: 100}
	for _, a := range prof.quotaActions {
		pc.Spec.RateLimit.PerAction = append(pc.Spec.RateLimit.PerAction, cfv1.ActionRateLimit{Action: a, QPS: budgetQPS, Burst: int32(rolloutBurst)})
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
			cf := prof.flow(fmt.Sprintf("flow-%05d", i))
			if err := k8s.Create(ctx, cf); err != nil {
				t.Errorf("creating %s: %v", cf.Name, err)
			}
		}(i)
	}
	wg.Wait()
	t.Logf("Created %d ContactFlows in %s", n, time.Since(start).Round(time.Millisecond))

	var readyAt time.Duration
	timeout := time.Duration(float64(n)/rolloutQPS*5)*time.Second + 3*time.Minute
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
	t.Logf("All %d Ready after %s: %v", n, readyAt.Round(time.Millisecond), rollout.Calls[prof.key])
	saveHeap("rollout")
	if *flagRolloutQPS > 0 {
		// Back to the default settings for the steady state: the operator's default budget
		// (no rateLimit in the ProviderConfig, which builds a new client: a restart of the
		// client, served by the revisions status recorded) and the platform's quota.
		cur := &cfv1.ProviderConfig{}
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(pc), cur); err != nil {
			t.Fatal(err)
		}
		cur.Spec.RateLimit = nil
		if err := k8s.Update(ctx, cur); err != nil {
			t.Fatal(err)
		}
		if err := admin.SetFaults(ctx, faultsFor(prof, qpsF, burst)); err != nil {
			t.Fatal(err)
		}
	}

	// Steady state: nothing changes; count what several resyncs cost. Skip the first period,
	// which still carries the rollout's last reconciles.
	time.Sleep(skip)
	if err := admin.ResetStats(ctx); err != nil {
		t.Fatal(err)
	}
	steadyStart := time.Now()
	time.Sleep(time.Duration(*flagResyncs) * *flagSync)
	steady, err := admin.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	steadySec := time.Since(steadyStart).Seconds()
	rss, cpu := procUsage(mgr.Process.Pid)
	saveHeap("steady")

	// Lower bound: every flow needs each of the needed writes once; each action has its own
	// bucket (starting full), so they proceed in parallel.
	lower := math.Max(0, float64(n-burst)) / qpsF
	steadyCalls := steady.Calls[prof.key]
	res := Result{
		Platform: string(prof.platform), Flows: n, LatencyMs: flagLatency.Milliseconds(), WriteQuotaQPS: qpsF,
		QuotaBurst: burst, QuotaActions: prof.quotaActions, SyncPeriod: flagSync.String(),
		ObserveWindow:  (*flagSync / 2).String(),
		TimeToReadySec: readyAt.Seconds(), LowerBoundSec: lower,
		RolloutCalls: rollout.Calls[prof.key], RolloutThrottled: sum(rollout.Throttled[prof.key], prof.quotaActions),
		SteadySeconds: steadySec, SteadyCalls: steadyCalls, SteadyWrites: sum(steadyCalls, prof.writeActions),
		SteadyThrottled:       sum(steady.Throttled[prof.key], prof.quotaActions),
		ReadsPerFlowPerResync: float64(sum(steadyCalls, prof.readActions)) / float64(n) / float64(*flagResyncs),
		IdleQuotaShare:        map[string]float64{},
		PeakRSSMiB:            rss, CPUSeconds: cpu,
	}
	for _, a := range prof.quotaActions {
		if c := steadyCalls[a]; c > 0 {
			share := float64(c) / steadySec / qpsF
			res.IdleQuotaShare[a] = share
			res.MaxIdleQuotaShare = math.Max(res.MaxIdleQuotaShare, share)
		}
	}
	if *flagRolloutQPS > 0 {
		res.RolloutQuotaQPS = *flagRolloutQPS
	} else if lower > 0 {
		res.RatioToLowerBound = res.TimeToReadySec / lower
	}

	if *flagRestart > 0 {
		// A restarted operator knows nothing but what status recorded: count what it costs to
		// observe every flow again.
		stopProc(t, mgr)
		if err := admin.ResetStats(ctx); err != nil {
			t.Fatal(err)
		}
		startProc(t, dir, "manager", managerArgs...)
		time.Sleep(*flagRestart)
		after, err := admin.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		res.RestartWindow, res.RestartCalls = flagRestart.String(), after.Calls[prof.key]
	}

	out := *flagOut
	if out == "" {
		out = filepath.Join(testutil.RepoRoot(), "test", "bench", "results", fmt.Sprintf("%s-%d.json", prof.key, n))
	}
	_ = os.MkdirAll(filepath.Dir(out), 0o755)
	b, _ := json.MarshalIndent(res, "", "  ")
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
	ratio := fmt.Sprintf("%.2f", res.RatioToLowerBound)
	if res.RolloutQuotaQPS > 0 {
		ratio = fmt.Sprintf("n/a (rollout quota lifted to %.0f/s)", res.RolloutQuotaQPS)
	}
	fmt.Printf(`
| metric | value |
| --- | --- |
| platform, flows | %s, %d |
| emulator latency, quota per action | %d ms, %.0f/s burst %d on %v |
| time to all Ready | %.1f s |
| lower bound (writes needed / quota) | %.1f s |
| ratio to the lower bound | %s |
| rollout calls | %v |
| throttled during rollout | %d |
| steady state over %d resyncs of %s (%.0f s) | %v |
| read calls per flow per resync | %.4f |
| write calls in steady state | %d |
| throttled in steady state | %d |
| share of the quota used while idle, per API | %s |
| %s |
| operator peak RSS | %.1f MiB |
| operator CPU | %.1f s |

JSON: %s
`, res.Platform, n, res.LatencyMs, res.WriteQuotaQPS, res.QuotaBurst, prof.quotaActions, res.TimeToReadySec, res.LowerBoundSec, ratio,
		res.RolloutCalls, res.RolloutThrottled, *flagResyncs, res.SyncPeriod, res.SteadySeconds, res.SteadyCalls, res.ReadsPerFlowPerResync,
		res.SteadyWrites, res.SteadyThrottled, shares(res.IdleQuotaShare), restartRow(res),
		res.PeakRSSMiB, res.CPUSeconds, out)
}

// shares formats the per-API idle shares as percentages.
func shares(m map[string]float64) string {
	if len(m) == 0 {
		return "0% (no calls)"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %.2f%%", k, 100*m[k]))
	}
	return strings.Join(parts, ", ")
}

func restartRow(res Result) string {
	if res.RestartWindow == "" {
		return "calls after an operator restart | not measured (-restart-window)"
	}
	return fmt.Sprintf("calls in the first %s after an operator restart | %v", res.RestartWindow, res.RestartCalls)
}
