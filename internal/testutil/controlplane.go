package testutil

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// ControlPlane is a local etcd + kube-apiserver started as processes from the binaries in
// KUBEBUILDER_ASSETS (built by hack/control-plane.sh), with a kubeconfig file for kubectl and
// the operator binary.
type ControlPlane struct {
	Env            *envtest.Environment
	Config         *rest.Config
	KubeconfigPath string

	dir string
	// apiArgs is kube-apiserver's command line, read from the process envtest started, so that
	// RestartAPIServer can start it again exactly (same etcd, port, certificates and flags).
	apiArgs []string
	// apiCmd is the kube-apiserver this ControlPlane started itself after a restart; nil while
	// envtest's own process runs.
	apiCmd *exec.Cmd
	// apiPid is the running kube-apiserver's pid (envtest's or apiCmd's).
	apiPid    int
	apiExited chan error
	restarts  int
}

// StartControlPlane starts the control plane, installs the CRDs found in crdDirs (none when
// empty) and writes an admin kubeconfig into dir.
func StartControlPlane(dir string, crdDirs ...string) (*ControlPlane, error) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		return nil, fmt.Errorf("KUBEBUILDER_ASSETS is not set; it names the directory hack/control-plane.sh prints")
	}
	env := &envtest.Environment{CRDDirectoryPaths: crdDirs, ErrorIfCRDPathMissing: len(crdDirs) > 0}
	cfg, err := env.Start()
	if err != nil {
		return nil, fmt.Errorf("starting etcd and kube-apiserver: %w", err)
	}
	c := &ControlPlane{Env: env, Config: cfg, dir: dir}
	user, err := env.AddUser(envtest.User{Name: "contactflow-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		_ = c.Stop()
		return nil, fmt.Errorf("adding the admin user: %w", err)
	}
	kc, err := user.KubeConfig()
	if err != nil {
		_ = c.Stop()
		return nil, fmt.Errorf("rendering the kubeconfig: %w", err)
	}
	path := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(path, kc, 0o600); err != nil {
		_ = c.Stop()
		return nil, err
	}
	c.KubeconfigPath = path
	return c, nil
}

// stopGrace is how long Stop and RestartAPIServer let kube-apiserver shut down after SIGTERM
// before SIGKILL: with watches open it drains them for longer than a test wants to wait.
const stopGrace = 5 * time.Second

// Stop stops kube-apiserver and etcd and removes their data. kube-apiserver gets SIGTERM and,
// after a short grace, SIGKILL, so that open watches (an operator still running) cannot make
// the stop time out.
func (c *ControlPlane) Stop() error {
	var errs []error
	if pid, err := c.apiServerPid(); err == nil {
		if _, err := c.stopAPIServer(pid, stopGrace); err != nil {
			errs = append(errs, err)
		}
	}
	// envtest's own kube-apiserver has exited by now, so its Stop only removes the
	// certificates and stops etcd.
	if err := c.Env.Stop(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// APIServerRestart reports one restart of kube-apiserver.
type APIServerRestart struct {
	// Killed is true when kube-apiserver did not exit within the grace after SIGTERM and was
	// killed with SIGKILL.
	Killed bool
	// Down is how long the API server did not answer: from the signal until /readyz was OK.
	Down time.Duration
}

// RestartAPIServer stops kube-apiserver (SIGTERM, then SIGKILL after grace; a grace of zero
// sends SIGKILL at once), waits downtime, and starts it again with the very same command line:
// the same etcd (so every object and resourceVersion survives), port and certificates, so
// clients (an operator process, the test's own client) reconnect with the credentials they have.
// It returns when /readyz answers OK.
func (c *ControlPlane) RestartAPIServer(ctx context.Context, grace, downtime time.Duration) (APIServerRestart, error) {
	pid, err := c.apiServerPid()
	if err != nil {
		return APIServerRestart{}, err
	}
	if c.apiArgs == nil {
		args, err := cmdline(pid)
		if err != nil {
			return APIServerRestart{}, fmt.Errorf("reading kube-apiserver's command line: %w", err)
		}
		c.apiArgs = args
	}
	start := time.Now()
	killed, err := c.stopAPIServer(pid, grace)
	if err != nil {
		return APIServerRestart{}, err
	}
	select {
	case <-time.After(downtime):
	case <-ctx.Done():
		return APIServerRestart{}, ctx.Err()
	}
	c.restarts++
	logf, err := os.Create(filepath.Join(c.dir, fmt.Sprintf("kube-apiserver-%02d.log", c.restarts)))
	if err != nil {
		return APIServerRestart{}, err
	}
	cmd := exec.Command(c.apiArgs[0], c.apiArgs[1:]...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return APIServerRestart{}, fmt.Errorf("starting kube-apiserver again: %w", err)
	}
	c.apiCmd, c.apiPid = cmd, cmd.Process.Pid
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); logf.Close() }()
	c.apiExited = exited
	if err := c.waitReady(ctx, 60*time.Second); err != nil {
		return APIServerRestart{}, err
	}
	return APIServerRestart{Killed: killed, Down: time.Since(start)}, nil
}

// waitReady polls kube-apiserver's /readyz with the admin credentials until it answers OK.
func (c *ControlPlane) waitReady(ctx context.Context, timeout time.Duration) error {
	hc, err := rest.HTTPClientFor(c.Config)
	if err != nil {
		return err
	}
	hc.Timeout = 2 * time.Second
	url := strings.TrimSuffix(c.Config.Host, "/") + "/readyz"
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		if !c.apiServerRunning() {
			return fmt.Errorf("kube-apiserver exited while starting again (log %s)", filepath.Join(c.dir, fmt.Sprintf("kube-apiserver-%02d.log", c.restarts)))
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		select {
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return fmt.Errorf("kube-apiserver not ready %s after starting again: %s", timeout, last)
}

// apiServerPid finds the running kube-apiserver: the one RestartAPIServer started, else the
// child of this process that envtest started.
func (c *ControlPlane) apiServerPid() (int, error) {
	if c.apiPid != 0 && c.apiServerRunning() {
		return c.apiPid, nil
	}
	if c.apiCmd != nil {
		return 0, errors.New("kube-apiserver is not running")
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, fmt.Errorf("looking for kube-apiserver: %w", err)
	}
	// Several control planes may run in one process: this one's kube-apiserver serves the port
	// of its rest.Config.
	u, err := url.Parse(c.Config.Host)
	if err != nil || u.Port() == "" {
		return 0, fmt.Errorf("kube-apiserver address %q has no port", c.Config.Host)
	}
	portFlag := "--secure-port=" + u.Port()
	self := os.Getpid()
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		comm, ppid, state, err := procStat(pid)
		if err != nil || ppid != self || comm != "kube-apiserver" || state == "Z" {
			continue
		}
		if args, err := cmdline(pid); err == nil && slices.Contains(args, portFlag) {
			c.apiPid = pid
			return pid, nil
		}
	}
	return 0, fmt.Errorf("no kube-apiserver with %s started by this process was found", portFlag)
}

// apiServerRunning says whether the kube-apiserver at apiPid still runs (a zombie does not).
func (c *ControlPlane) apiServerRunning() bool {
	if c.apiPid == 0 {
		return false
	}
	if c.apiExited != nil {
		select {
		case err := <-c.apiExited:
			// Keep the news for whoever waits next.
			c.apiExited <- err
			return false
		default:
			return true
		}
	}
	return processAlive(c.apiPid)
}

// stopAPIServer signals kube-apiserver (SIGTERM, or SIGKILL when grace is zero) and waits until
// it has exited; a process still running after grace gets SIGKILL. It reports whether SIGKILL
// was needed.
func (c *ControlPlane) stopAPIServer(pid int, grace time.Duration) (killed bool, err error) {
	sig := syscall.SIGTERM
	if grace <= 0 {
		sig, killed = syscall.SIGKILL, true
	}
	if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return false, fmt.Errorf("signalling kube-apiserver (pid %d): %w", pid, err)
	}
	if !killed && !c.waitExit(grace) {
		killed = true
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			return true, fmt.Errorf("killing kube-apiserver (pid %d): %w", pid, err)
		}
	}
	if killed && !c.waitExit(10*time.Second) {
		return killed, fmt.Errorf("kube-apiserver (pid %d) still runs 10s after SIGKILL", pid)
	}
	c.apiPid = 0
	return killed, nil
}

// waitExit waits up to d for the kube-apiserver at apiPid to exit.
func (c *ControlPlane) waitExit(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		if !c.apiServerRunning() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// procStat reads a process's command name, parent pid and state from /proc.
func procStat(pid int) (comm string, ppid int, state string, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", 0, "", err
	}
	s := string(b)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open || end+2 > len(s) {
		return "", 0, "", fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	fields := strings.Fields(s[end+2:])
	if len(fields) < 2 {
		return "", 0, "", fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	ppid, err = strconv.Atoi(fields[1])
	return s[open+1 : end], ppid, fields[0], err
}

// processAlive says whether pid runs; a zombie (exited, not yet reaped) does not count.
func processAlive(pid int) bool {
	_, _, state, err := procStat(pid)
	return err == nil && state != "Z" && state != "X"
}

// cmdline reads a process's argument vector.
func cmdline(pid int) ([]string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return nil, err
	}
	args := strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
	if len(args) == 0 || args[0] == "" {
		return nil, fmt.Errorf("/proc/%d/cmdline is empty", pid)
	}
	return args, nil
}

// Kubectl is the kubectl built beside the control plane (a machine may have none, or one too
// far from the server's version).
func Kubectl() string {
	return filepath.Join(os.Getenv("KUBEBUILDER_ASSETS"), "kubectl")
}
