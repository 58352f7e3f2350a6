package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ccc"
	"github.com/google/go-cmp/cmp"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
)

func TestParseOptions(t *testing.T) {
	cfgPath := filepath.Join(t.TempDir(), "emulator.yaml")
	if err := os.WriteFile(cfgPath, []byte(`
listen: 127.0.0.1:19000
accessKeys: ["file-id:file-secret:carol"]
instances: ["ccc:from-file"]
latency: 25ms
state: from-file.json
`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		args []string
		want options
	}{
		"defaults": {
			args: nil,
			want: options{listen: defaultListen},
		},
		"flags": {
			args: []string{"--listen", "127.0.0.1:0", "--access-key", "a:b", "--access-key", "c:d:bob", "--instance", "ccc:x", "--latency", "10ms", "--state", "s.json"},
			want: options{listen: "127.0.0.1:0", config: emulator.Config{
				AccessKeys: []emulator.AccessKey{{ID: "a", Secret: "b"}, {ID: "c", Secret: "d", User: "bob"}},
				Instances:  []emulator.Instance{{Platform: "ccc", ID: "x"}},
				Latency:    10 * time.Millisecond,
				StatePath:  "s.json",
			}},
		},
		"config file": {
			args: []string{"--config", cfgPath},
			want: options{listen: "127.0.0.1:19000", config: emulator.Config{
				AccessKeys: []emulator.AccessKey{{ID: "file-id", Secret: "file-secret", User: "carol"}},
				Instances:  []emulator.Instance{{Platform: "ccc", ID: "from-file"}},
				Latency:    25 * time.Millisecond,
				StatePath:  "from-file.json",
			}},
		},
		"flags win over the config file": {
			args: []string{"--config", cfgPath, "--listen", "127.0.0.1:1", "--instance", "ccc:flag"},
			want: options{listen: "127.0.0.1:1", config: emulator.Config{
				AccessKeys: []emulator.AccessKey{{ID: "file-id", Secret: "file-secret", User: "carol"}},
				Instances:  []emulator.Instance{{Platform: "ccc", ID: "flag"}},
				Latency:    25 * time.Millisecond,
				StatePath:  "from-file.json",
			}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := parseOptions(tc.args, &bytes.Buffer{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(options{})); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}

	var out bytes.Buffer
	if _, err := parseOptions([]string{"--help"}, &out); !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "demo-access-key-id") {
		t.Errorf("--help = %v, output %q", err, out.String())
	}
	for _, bad := range [][]string{{"--access-key", "only-id"}, {"--instance", "aws:x"}, {"extra"}} {
		if _, err := parseOptions(bad, &bytes.Buffer{}); err == nil {
			t.Errorf("parseOptions(%q) succeeded", bad)
		}
	}
	if _, err := parseOptions([]string{"--access-key", "id:topsecret:u:x"}, &bytes.Buffer{}); err == nil || strings.Contains(err.Error(), "topsecret") {
		t.Errorf("bad access key error = %v; must not echo the secret", err)
	}
}

// syncBuffer lets the test read the log while the server writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunStartsServesAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	state := filepath.Join(t.TempDir(), "state.json")
	var logs syncBuffer
	addrCh := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--listen", "127.0.0.1:0", "--access-key", "k:very-secret-value:dave", "--state", state},
			&logs, func(addr string) { addrCh <- addr })
	}()
	var addr string
	select {
	case addr = <-addrCh:
	case err := <-done:
		t.Fatalf("run returned early: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("emulator did not start")
	}

	admin := emulator.NewAdminClient(addr, nil)
	if err := admin.Healthz(ctx); err != nil {
		t.Fatalf("healthz: %v", err)
	}
	c, err := ccc.NewClientWithAccessKey("cn-shanghai", "k", "very-secret-value")
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = addr
	req := ccc.CreateCreateContactFlowRequest()
	req.InstanceId, req.Name, req.Type, req.Definition = "ccc-demo", "f", "MAIN_FLOW", `{"activities":[]}`
	if _, err := c.CreateContactFlow(req); err != nil {
		t.Fatalf("CreateContactFlow: %v", err)
	}
	flows, err := admin.CCC().Flows(ctx, "ccc-demo")
	if err != nil || len(flows) != 1 || flows[0].Draft.Editor != "dave" {
		t.Fatalf("flows = %+v, %v", flows, err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("emulator did not stop")
	}
	out := logs.String()
	for _, want := range []string{"Started emulator", "Served call", "action=CreateContactFlow", "code=OK", "latency=", "Stopped emulator"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{"very-secret-value", "Signature="} {
		if strings.Contains(out, secret) {
			t.Errorf("log leaks %q:\n%s", secret, out)
		}
	}
	if data, err := os.ReadFile(state); err != nil || !strings.Contains(string(data), `"name": "f"`) {
		t.Errorf("state file = %s, %v", data, err)
	}
}

func TestSeedsExistFromTheStartAndOnlyOnce(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	args := []string{"--state", state, "--instance", "ccc:a", "--instance", "connect:c",
		"--seed", "ccc:a:SkillGroup=Sales", "--seed", "ccc:a:PhoneNumber=057100001",
		"--seed", "connect:c:Queue=Support", "--seed", "connect:c:PhoneNumber=+14155550100"}
	for round := 0; round < 2; round++ {
		o, err := parseOptions(args, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		e, err := emulator.New(o.config)
		if err != nil {
			t.Fatal(err)
		}
		sgs, _ := e.CCC().Resources("a", "SkillGroup")
		nums, _ := e.CCC().PhoneNumbers("a")
		queues, _ := e.Connect().Resources("c", "Queue")
		cnums, _ := e.Connect().Numbers("c")
		if len(sgs) != 1 || sgs[0].Name != "Sales" || len(nums) != 1 || len(queues) != 1 || queues[0].Name != "Support" || len(cnums) != 1 {
			t.Fatalf("round %d: skill groups %+v numbers %+v queues %+v connect numbers %+v", round, sgs, nums, queues, cnums)
		}
		_ = e.Close()
	}
	for _, bad := range []string{"ccc:a:SkillGroup", "ccc::SkillGroup=x", "x=y"} {
		if _, err := parseOptions([]string{"--seed", bad}, io.Discard); err == nil || !strings.Contains(err.Error(), "PLATFORM:INSTANCE:KIND=NAME") {
			t.Errorf("--seed %s: err = %v", bad, err)
		}
	}
	o, _ := parseOptions([]string{"--instance", "ccc:a", "--seed", "ccc:a:Queue=Support"}, io.Discard)
	if _, err := emulator.New(o.config); err == nil || !strings.Contains(err.Error(), "skill groups, prompts and phone numbers") {
		t.Errorf("a queue on CCC: err = %v", err)
	}
}
