package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/flowspec"
)

const (
	samples = "../../config/samples/"
	welcome = samples + "contactflow_v1alpha1_contactflow_welcome.yaml"
	// unquotedY is the welcome flow with bare y keys, which YAML reads as true.
	unquotedY = "testdata/unquoted-y.yaml"
	support   = samples + "contactflow_v1alpha1_contactflow_support.yaml"
	provCfg   = samples + "contactflow_v1alpha1_providerconfig.yaml"
	invalid   = "testdata/invalid.yaml"
	seed      = "../../internal/flow/testdata/ccc_seed.json"
)

type runCase struct {
	args  []string
	stdin string
	code  int
	// out lists lines that stdout must contain, in this order (other lines may come between);
	// exactOut, when set, is the whole of stdout.
	out      []string
	exactOut string
	// errs lists substrings of stderr.
	errs []string
	// anySize replaces byte counts ("123 bytes") in stdout with "N bytes" before comparing, for
	// outputs whose size is not the point.
	anySize bool
}

func runTable(t *testing.T, tests map[string]runCase) {
	t.Helper()
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			stdin = strings.NewReader(tc.stdin)
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout.String(), stderr.String())
			}
			if tc.exactOut != "" {
				if diff := cmp.Diff(tc.exactOut, stdout.String()); diff != "" {
					t.Errorf("stdout (-want +got):\n%s", diff)
				}
			}
			got := stdout.String()
			if tc.anySize {
				got = regexp.MustCompile(`\d+ bytes`).ReplaceAllString(got, "N bytes")
			}
			lines := strings.Split(got, "\n")
			next := 0
			for _, want := range tc.out {
				found := false
				for next < len(lines) {
					next++
					if lines[next-1] == want {
						found = true
						break
					}
				}
				if !found {
					t.Errorf("stdout lacks the line (or has it out of order):\n%s\nstdout:\n%s", want, stdout.String())
					break
				}
			}
			for _, want := range tc.errs {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
		})
	}
}

func TestValidate(t *testing.T) {
	samplesOut := []string{
		welcome + ": ContactFlow default/welcome: valid (3 activities, hash e8b6fb88f3b7)",
		provCfg + ": Secret ccc-demo-credentials: skipped (not a ContactFlow)",
		provCfg + ": ProviderConfig ccc-demo: skipped (not a ContactFlow)",
		"checked 1 flow: 1 valid, 0 invalid; skipped 2 other documents",
	}
	supportYAML, err := os.ReadFile(support)
	if err != nil {
		t.Fatal(err)
	}
	runTable(t, map[string]runCase{
		"samples": {
			args: []string{"validate", support, welcome, provCfg},
			out: []string{
				support + ": ContactFlow default/support-line: valid (8 activities, hash 952f0e6ef62a)",
				welcome + ": ContactFlow default/welcome: valid (3 activities, hash e8b6fb88f3b7)",
				provCfg + ": Secret ccc-demo-credentials: skipped (not a ContactFlow)",
				"checked 2 flows: 2 valid, 0 invalid; skipped 2 other documents",
			},
		},
		"samples, namespace given": {
			args: []string{"validate", "-n", "ivr", welcome, provCfg},
			out: []string{
				welcome + ": ContactFlow ivr/welcome: valid (3 activities, hash e8b6fb88f3b7)",
				samplesOut[1], samplesOut[2], samplesOut[3],
			},
		},
		"invalid flows: one line per problem, file, object, field and activity": {
			args: []string{"validate", invalid},
			code: 1,
			exactOut: invalid + `: ContactFlow default/welcome: spec.definition: activity 2d3ad2c2 (PLAY_SAY): events[0].next: names unknown activity "zzz"
` + invalid + `: ContactFlow default/welcome: spec.definition: activity bd4f37e2 (HANGUP): is not reachable from the start (INCOMING_CALL e98f0d47)
` + invalid + `: ContactFlow support/typo: unknown field "spec.definition.activities[0].events[0].nxt" (kubectl apply rejects it)
` + invalid + `: ContactFlow support/typo: spec.definition: activity bye (HANGUP): is not reachable from the start (INCOMING_CALL start)
` + invalid + `: ContactFlow default/two-starts: spec.definition: activities: must contain exactly one INCOMING_CALL activity (the start); found 2: "a", "b"
` + invalid + `: ContactFlow default/two-starts: spec.definition: activity bye (HANGUP): events[0].next: must be null: HANGUP ends the call
` + invalid + `: ContactFlow default/two-starts: spec.definition: activity music (PLAY_MUSIC): type: unknown activity type "PLAY_MUSIC"
` + invalid + `: ConfigMap not-a-flow: skipped (not a ContactFlow)
checked 3 flows: 0 valid, 3 invalid; skipped 1 other document
`,
		},
		"invalid among valid still fails, quiet prints problems only": {
			args: []string{"validate", "-q", welcome, invalid},
			code: 1,
			out: []string{
				invalid + `: ContactFlow default/welcome: spec.definition: activity 2d3ad2c2 (PLAY_SAY): events[0].next: names unknown activity "zzz"`,
			},
		},
		"YAML problems": {
			args: []string{"validate", "testdata/broken.yaml"},
			code: 1,
			out: []string{
				"testdata/broken.yaml: ContactFlow default/wrong-type: cannot decode: json: cannot unmarshal object into Go struct field FlowActivity.spec.definition.activities.events of type []v1alpha1.FlowEvent",
				"testdata/broken.yaml: ContactFlow default/future: apiVersion contactflow.io/v2 is not supported; this plugin reads contactflow.io/v1alpha1",
				"testdata/broken.yaml: document 3: invalid YAML: yaml: line 2: did not find expected ',' or '}'",
				"checked 3 flows: 0 valid, 3 invalid; skipped 0 other documents",
			},
		},
		"a bare platform definition": {
			args: []string{"validate", seed},
			out:  []string{seed + ": definition: valid (3 activities, hash e8b6fb88f3b7)"},
		},
		"a List from kubectl get -o yaml": {
			args: []string{"validate", "testdata/list.yaml"},
			code: 1,
			out: []string{
				"testdata/list.yaml: ContactFlow ivr/welcome: valid (3 activities, hash e8b6fb88f3b7)",
				`testdata/list.yaml: ContactFlow ivr/broken: spec.definition: activities: must contain one INCOMING_CALL activity (the start); found none`,
			},
		},
		"standard input": {
			args:  []string{"validate", "-"},
			stdin: string(supportYAML),
			out:   []string{"(stdin): ContactFlow default/support-line: valid (8 activities, hash 952f0e6ef62a)"},
		},
		"a YAML boolean where a key was meant is a warning": {
			args: []string{"validate", unquotedY},
			out: []string{
				unquotedY + ": ContactFlow default/welcome: valid (3 activities, hash e8b6fb88f3b7)",
				unquotedY + `: ContactFlow default/welcome: warning: spec.definition: activity e98f0d47 (INCOMING_CALL): properties.position: key "true": YAML reads an unquoted y, yes or on as true; quote the key if the letter was meant`,
			},
		},
		"quoted keys need no warning": {
			args:     []string{"validate", "testdata/welcome.yaml"},
			exactOut: "testdata/welcome.yaml: ContactFlow default/welcome: valid (3 activities, hash e8b6fb88f3b7)\nchecked 1 flow: 1 valid, 0 invalid; skipped 0 other documents\n",
		},
		"missing file": {
			args: []string{"validate", "testdata/nope.yaml", welcome},
			code: 2,
			out:  []string{welcome + ": ContactFlow default/welcome: valid (3 activities, hash e8b6fb88f3b7)"},
			errs: []string{"testdata/nope.yaml: no such file or directory"},
		},
		"no file": {
			args: []string{"validate"},
			code: 2,
			errs: []string{"no FILE given"},
		},
		"unknown flag": {
			args: []string{"validate", "--frobnicate", welcome},
			code: 2,
			errs: []string{"flag provided but not defined: -frobnicate"},
		},
	})
}

func TestDiff(t *testing.T) {
	runTable(t, map[string]runCase{
		"layout only: moved boxes, renumbered nodes, reordered activities": {
			args: []string{"diff", "testdata/welcome.yaml", "--live", "testdata/live-layout-only.json"},
			exactOut: `--- testdata/live-layout-only.json: definition (hash e8b6fb88f3b7)
+++ testdata/welcome.yaml: ContactFlow default/welcome (hash e8b6fb88f3b7)
layout differences, ignored (4):
  2d3ad2c2: position
  bd4f37e2: nodeIndex
  e98f0d47: position
  order of activities
summary: no changes
result: layout-only; the operator ignores layout and writes nothing
`,
		},
		"a real change": {
			args: []string{"diff", "--live", "testdata/live-changed.json", "testdata/welcome.yaml"},
			code: 1,
			exactOut: `--- testdata/live-changed.json: definition (hash 5fb38395e549)
+++ testdata/welcome.yaml: ContactFlow default/welcome (hash e8b6fb88f3b7)
changes (2):
  PLAY_SAY 2d3ad2c2: say, events[0].next changed
  PLAY_SAY f00dbabe: removed
layout differences, ignored (1):
  order of activities
summary: PLAY_SAY 2d3ad2c2: say, events[0].next changed; PLAY_SAY f00dbabe: removed
result: semantic change; the operator would commit it as a new version and publish it
`,
		},
		"identical to the seed it was written from": {
			args: []string{"diff", "testdata/welcome.yaml", "--live", seed},
			out:  []string{"summary: no changes", "result: layout-only; the operator ignores layout and writes nothing"},
		},
		"a manifest against itself": {
			args: []string{"diff", support, "--live", support},
			out:  []string{"summary: no changes", "result: identical; the operator writes nothing"},
		},
		"layout the spec leaves out is the console's": {
			args: []string{"diff", "testdata/welcome-no-layout.yaml", "--live", seed},
			out:  []string{"summary: no changes", "result: identical; the operator writes nothing"},
		},
		"an unquoted y is a layout difference": {
			args: []string{"diff", unquotedY, "--live", seed},
			out:  []string{"  2d3ad2c2: position", "summary: no changes", "result: layout-only; the operator ignores layout and writes nothing"},
			errs: []string{`warning: spec.definition: activity e98f0d47 (INCOMING_CALL): properties.position: key "true"`},
		},
		"a whole flow replaced, summary capped as in status": {
			args: []string{"diff", support, "--live", seed},
			code: 1,
			out: []string{
				"changes (12):",
				"  definition: description changed",
				"  TRANSFER_TO_SKILL_GROUP tech: added",
				"summary: definition: description changed; PLAY_SAY 2d3ad2c2: removed; HANGUP bd4f37e2: removed; TRANSFER_TO_SKILL_GROUP billing: added; HANGUP bye: added; and 7 more",
				"result: semantic change; the operator would commit it as a new version and publish it",
			},
		},
		"publishPolicy Draft": {
			args: []string{"diff", "testdata/draft.yaml", "--live", seed},
			code: 1,
			out:  []string{"result: semantic change; the operator would commit it into a draft for a person to publish (publishPolicy Draft)"},
		},
		"live from standard input": {
			args:  []string{"diff", "testdata/welcome.yaml", "--live", "-"},
			stdin: `"{\"activities\":[{\"type\":\"INCOMING_CALL\",\"id\":\"e98f0d47\",\"events\":[{\"event\":\"complete\",\"next\":\"bd4f37e2\"}]},{\"type\":\"HANGUP\",\"id\":\"bd4f37e2\",\"events\":[]}]}"`,
			code:  1,
			out: []string{
				"--- (stdin): definition (hash da39131b4328)",
				"  PLAY_SAY 2d3ad2c2: added",
				"  INCOMING_CALL e98f0d47: name, events[0].next changed",
			},
		},
		"pick one of several with --name": {
			args: []string{"diff", invalid, "--name", "support/typo", "--live", seed},
			code: 2,
			errs: []string{"ContactFlow support/typo is invalid; the operator would refuse it and compare nothing:",
				`spec.definition: activity bye (HANGUP): is not reachable from the start (INCOMING_CALL start)`},
		},
		"several flows and no --name": {
			args: []string{"diff", invalid, "--live", seed},
			code: 2,
			errs: []string{"holds 3 flows (ContactFlow default/welcome, ContactFlow support/typo, ContactFlow default/two-starts); pick one with --name"},
		},
		"no such name": {
			args: []string{"diff", support, "--name", "nope", "--live", seed},
			code: 2,
			errs: []string{`no ContactFlow named "nope"`},
		},
		"invalid desired flow": {
			args: []string{"diff", invalid, "--name", "welcome", "--live", seed},
			code: 2,
			errs: []string{`activity 2d3ad2c2 (PLAY_SAY): events[0].next: names unknown activity "zzz"`},
		},
		"unreadable live": {
			args: []string{"diff", support, "--live", "testdata/nope.json"},
			code: 2,
			errs: []string{"testdata/nope.json: no such file or directory"},
		},
		"live is not a definition": {
			args: []string{"diff", support, "--live", provCfg},
			code: 2,
			errs: []string{"no ContactFlow or flow definition found"},
		},
		"no --live": {
			args: []string{"diff", support},
			code: 2,
			errs: []string{"--live LIVE (or --cluster, --context, --kubeconfig) is required"},
		},
	})
}

func TestRender(t *testing.T) {
	dir := t.TempDir()
	runTable(t, map[string]runCase{
		"svg": {
			args:    []string{"render", support, "-o", filepath.Join(dir, "support.svg")},
			out:     []string{support + ": ContactFlow default/support-line: wrote " + filepath.Join(dir, "support.svg") + " (SVG, N bytes, 1724x370): 8 boxes, 12 arrows"},
			anySize: true,
		},
		"png by extension": {
			args:    []string{"render", "-o", filepath.Join(dir, "welcome.png"), welcome},
			out:     []string{welcome + ": ContactFlow default/welcome: wrote " + filepath.Join(dir, "welcome.png") + " (PNG, N bytes, 1356x340): 3 boxes, 2 arrows"},
			anySize: true,
		},
		"png by --format at scale 1": {
			args:    []string{"render", seed, "--format", "png", "--scale", "1", "-o", filepath.Join(dir, "seed.out")},
			out:     []string{seed + ": definition: wrote " + filepath.Join(dir, "seed.out") + " (PNG, N bytes, 678x170): 3 boxes, 2 arrows"},
			anySize: true,
		},
		"an invalid flow is drawn, with warnings": {
			args:    []string{"render", invalid, "--name", "welcome", "-o", filepath.Join(dir, "invalid.svg")},
			out:     []string{invalid + ": ContactFlow default/welcome: wrote " + filepath.Join(dir, "invalid.svg") + " (SVG, N bytes, 678x262): 4 boxes, 2 arrows"},
			anySize: true,
			errs:    []string{invalid + `: ContactFlow default/welcome: warning: spec.definition: activity 2d3ad2c2 (PLAY_SAY): events[0].next: names unknown activity "zzz"`},
		},
		"bad format": {
			args: []string{"render", seed, "--format", "gif"},
			code: 2,
			errs: []string{`--format "gif": want svg or png`},
		},
	})
	for _, f := range []string{"support.svg", "invalid.svg"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := xml.Unmarshal(b, new(struct{})); err != nil {
			t.Errorf("%s is not XML: %v", f, err)
		}
	}
	for _, f := range []string{"welcome.png", "seed.out"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(bytes.NewReader(b)); err != nil {
			t.Errorf("%s is not a PNG: %v", f, err)
		}
	}

	// Without -o the picture goes to standard output, and nothing else does.
	var stdout, stderr bytes.Buffer
	stdin = strings.NewReader("")
	if code := run([]string{"render", seed}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	golden, err := os.ReadFile(filepath.Join(dir, "support.svg"))
	if err != nil || !bytes.HasPrefix(stdout.Bytes(), golden[:38]) || !bytes.HasSuffix(stdout.Bytes(), []byte("</svg>\n")) {
		t.Errorf("stdout is not an SVG document:\n%s", stdout.String())
	}
}

func TestCommands(t *testing.T) {
	runTable(t, map[string]runCase{
		"version": {args: []string{"version"}, out: []string{"kubectl-contactflow devel (CCC 2020-07-01 definitions)"}},
		"help": {args: []string{"help"}, out: []string{
			"  validate  FILE...                      check ContactFlow manifests as the operator does before any remote call"}},
		"help of a command": {args: []string{"help", "diff"}, out: []string{"Usage: kubectl contactflow diff FILE --live LIVE"}},
		"-h of a command":   {args: []string{"render", "-h"}, out: []string{"Usage: kubectl contactflow render FILE [-o OUT.svg|OUT.png]"}},
		"no command":        {args: nil, code: 2, errs: []string{"Usage:"}},
		"unknown command":   {args: []string{"apply"}, code: 2, errs: []string{`unknown command "apply"`}},
	})
}

// TestDiffCluster runs diff against a fake API server that serves one ContactFlow.
func TestDiffCluster(t *testing.T) {
	raw, err := os.ReadFile("testdata/welcome.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cf cfv1.ContactFlow
	if err := yaml.Unmarshal(raw, &cf); err != nil {
		t.Fatal(err)
	}
	def, err := flowspec.CCC(*cf.Spec.Definition)
	if err != nil {
		t.Fatal(err)
	}
	cf.Namespace, cf.Generation = "ivr", 2
	cf.Status = cfv1.ContactFlowStatus{ContactFlowID: "7d664121", ObservedGeneration: 2, PublishedHash: def.Hash()}
	cf.Status.Conditions = []metav1.Condition{{Type: "Ready", Status: "True", Reason: "Published"}}

	var served *cfv1.ContactFlow
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if served != nil && r.URL.Path == "/apis/contactflow.io/v1alpha1/namespaces/ivr/contactflows/welcome" {
			_ = json.NewEncoder(w).Encode(served)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404,"message":"not found %s"}`, r.URL.Path)
	}))
	defer srv.Close()
	kubeconfig := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(kubeconfig, []byte(`apiVersion: v1
kind: Config
clusters: [{name: test, cluster: {server: "`+srv.URL+`"}}]
users: [{name: test, user: {token: test-token}}]
contexts: [{name: test, context: {cluster: test, user: test, namespace: ivr}}]
current-context: test
`), 0o600); err != nil {
		t.Fatal(err)
	}

	inSync := cf.DeepCopy()
	stale := cf.DeepCopy()
	stale.Status.PublishedHash = "0123456789abcdef"
	stale.Status.PendingChanges = "PLAY_SAY 2d3ad2c2: say changed"
	for name, tc := range map[string]struct {
		served *cfv1.ContactFlow
		file   string
		runCase
	}{
		"in sync": {served: inSync, file: "testdata/welcome.yaml", runCase: runCase{code: 0, exactOut: `--- cluster (context test): ContactFlow ivr/welcome spec.definition (hash e8b6fb88f3b7)
+++ testdata/welcome.yaml: ContactFlow ivr/welcome (hash e8b6fb88f3b7)
summary: no changes
status: Ready True (Published), observedGeneration 2 of 2, flow 7d664121
status: the published flow matches this file (publishedHash e8b6fb88f3b7)
result: in sync; the cluster's spec and the published flow match this file
`}},
		"published version differs": {served: stale, file: "testdata/welcome.yaml", runCase: runCase{code: 1, out: []string{
			"status: the published flow differs from this file (publishedHash 0123456789ab)",
			"status: pendingChanges: PLAY_SAY 2d3ad2c2: say changed",
			"result: not published; the cluster has this flow but the platform's published version differs",
		}}},
		"the file changes the spec": {served: inSync, file: "testdata/draft.yaml", runCase: runCase{code: 1, out: []string{
			"changes (1):",
			"  PLAY_SAY 2d3ad2c2: say changed",
			"result: semantic change; applying this file changes the flow, and the operator would commit it into a draft for a person to publish (publishPolicy Draft)",
		}}},
		"not in the cluster": {served: nil, file: "testdata/welcome.yaml", runCase: runCase{code: 1, out: []string{
			"cluster (context test): ContactFlow ivr/welcome does not exist",
		}}},
	} {
		t.Run(name, func(t *testing.T) {
			served = tc.served
			tc.args = []string{"diff", tc.file, "--kubeconfig", kubeconfig}
			runTable(t, map[string]runCase{name: tc.runCase})
		})
	}
}
