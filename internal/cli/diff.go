package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"sort"
	"strings"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/flow"
)

const diffHelp = `Compares the flow in FILE (the desired state) with LIVE (what the platform has) the way the
operator does: semantically, with flow.DiffCCC, so that activity order, number spelling and
console layout (positions, nodeIndex, edgeId) are never a change. It prints one change per
line, the one-line summary the operator writes into status.pendingChanges, and a result line
saying whether the two differ for real, only in layout, or not at all.

LIVE is a CCC 2020-07-01 definition as the platform stores it: the definition object, the
escaped JSON string, or a whole GetContactFlow response (its Definition is used). It may also
be another manifest, to compare two versions of a ContactFlow.

FILE must hold one ContactFlow (or definition), or --name picks one. The desired flow must be
valid: the operator compares nothing it would refuse.

With --cluster (or --context, --kubeconfig) the comparison is with the cluster instead: the
file against the spec.definition of the ContactFlow of the same name there (what applying
the file would change), and the file's hash against its status.publishedHash (whether the
platform has published it). Exit code 1 when either differs. Objects without a namespace are
looked up in the context's namespace unless -n is given.

Exit code 0 when there is no semantic difference (layout-only included), 1 when there is one,
2 on trouble (a file that cannot be read, an invalid desired flow).
`

type diffOpts struct {
	live, name, namespace string
	// Cluster mode.
	cluster             bool
	kubeconfig, context string
}

func diffFlags() (*flag.FlagSet, *diffOpts) {
	o := &diffOpts{}
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.StringVar(&o.live, "live", "", "the live definition: platform JSON, a GetContactFlow response, or a manifest (- for standard input)")
	fs.StringVar(&o.name, "name", "", "the ContactFlow to compare when a file holds several (NAME or NAMESPACE/NAME)")
	fs.StringVar(&o.namespace, "namespace", "default", "namespace assumed for objects without metadata.namespace")
	fs.StringVar(&o.namespace, "n", "default", "shorthand for --namespace")
	fs.BoolVar(&o.cluster, "cluster", false, "compare with the cluster of the current kubeconfig context instead of --live")
	fs.StringVar(&o.kubeconfig, "kubeconfig", "", "compare with the cluster of this kubeconfig (implies --cluster)")
	fs.StringVar(&o.context, "context", "", "compare with the cluster of this kubeconfig context (implies --cluster)")
	return fs, o
}

func runDiff(io IO, args []string) int {
	fs, o := diffFlags()
	files, err := parse(fs, args)
	if err != nil {
		return flagError(io, "diff", err)
	}
	clusterMode := o.cluster || o.kubeconfig != "" || o.context != ""
	nsSet := false
	fs.Visit(func(f *flag.Flag) { nsSet = nsSet || f.Name == "n" || f.Name == "namespace" })
	switch {
	case len(files) != 1:
		return flagError(io, "diff", fmt.Errorf("want exactly one FILE, got %d", len(files)))
	case clusterMode && o.live != "":
		return flagError(io, "diff", fmt.Errorf("--live and the cluster flags exclude each other"))
	case clusterMode:
		return runClusterDiff(io, files[0], o, nsSet)
	case o.live == "":
		return flagError(io, "diff", fmt.Errorf("--live LIVE (or --cluster, --context, --kubeconfig) is required"))
	case files[0] == "-" && o.live == "-":
		return flagError(io, "diff", fmt.Errorf("FILE and --live cannot both be standard input"))
	}
	l := newLoader(io.Stdin, o.namespace)
	want, code := pick(io, l, files[0], o.name)
	if code != ExitOK {
		return code
	}
	desired, err := want.validated()
	if err != nil {
		fmt.Fprintf(io.Stderr, "%s is invalid; the operator would refuse it and compare nothing:\n", want.label)
		for _, line := range want.problemLines(err) {
			fmt.Fprintln(io.Stderr, line)
		}
		return ExitTrouble
	}
	have, code := pick(io, l, o.live, o.name)
	if code != ExitOK {
		return code
	}
	live, err := have.parsed()
	if err != nil {
		fmt.Fprintf(io.Stderr, "the live definition cannot be read:\n")
		for _, line := range have.problemLines(err) {
			fmt.Fprintln(io.Stderr, line)
		}
		return ExitTrouble
	}

	r := compare(desired, live)
	w := io.Stdout
	fmt.Fprintf(w, "--- %s: %s (hash %s)\n", have.file, have.label, live.Hash()[:12])
	fmt.Fprintf(w, "+++ %s: %s (hash %s)\n", want.file, want.label, desired.Hash()[:12])
	if !r.diff.Empty() {
		fmt.Fprintf(w, "changes (%d):\n", len(r.diff.Changes))
		for _, c := range r.diff.Changes {
			fmt.Fprintf(w, "  %s\n", c)
		}
	}
	if len(r.layout) > 0 {
		fmt.Fprintf(w, "layout differences, ignored (%d):\n", len(r.layout))
		for _, line := range r.layout {
			fmt.Fprintf(w, "  %s\n", line)
		}
	}
	fmt.Fprintf(w, "summary: %s\n", r.diff)
	switch {
	case !r.diff.Empty():
		fmt.Fprintf(w, "result: semantic change; the operator %s\n", action(want.cf))
		return ExitChanged
	case r.identical:
		fmt.Fprintln(w, "result: identical; the operator writes nothing")
	default:
		fmt.Fprintln(w, "result: layout-only; the operator ignores layout and writes nothing")
	}
	return ExitOK
}

// action says what the operator does with a semantic change to the ContactFlow.
func action(cf *cfv1.ContactFlow) string {
	switch {
	case cf == nil:
		return "would write a new version"
	case cf.Spec.PublishPolicy == cfv1.PublishPolicyDraft:
		return "would commit it into a draft for a person to publish (publishPolicy Draft)"
	default:
		return "would commit it as a new version and publish it"
	}
}

// pick loads path and returns its one flow, or the one --name names. On trouble it prints why
// and returns the exit code.
func pick(io IO, l *loader, path, name string) (source, int) {
	in, err := l.load(path)
	if err != nil {
		fmt.Fprintf(io.Stderr, "%s: %v\n", displayName(path), err)
		return source{}, ExitTrouble
	}
	var found []source
	for _, s := range in.sources {
		if name == "" || s.matches(name) || len(in.sources) == 1 && s.cf == nil {
			found = append(found, s)
		}
	}
	switch {
	case len(found) == 0 && name != "":
		fmt.Fprintf(io.Stderr, "%s: no ContactFlow named %q\n", displayName(path), name)
		return source{}, ExitTrouble
	case len(found) == 0:
		fmt.Fprintf(io.Stderr, "%s: no ContactFlow or flow definition found\n", displayName(path))
		return source{}, ExitTrouble
	case len(found) > 1:
		labels := make([]string, len(found))
		for i, s := range found {
			labels[i] = s.label
		}
		fmt.Fprintf(io.Stderr, "%s: holds %d flows (%s); pick one with --name\n", displayName(path), len(found), strings.Join(labels, ", "))
		return source{}, ExitTrouble
	}
	s := found[0]
	if len(s.problems) > 0 {
		for _, line := range s.lines(s.problems) {
			fmt.Fprintln(io.Stderr, line)
		}
		return source{}, ExitTrouble
	}
	s.warn(io.Stderr, s.lines(s.rejected))
	s.warn(io.Stderr, s.lines(s.warnings))
	return s, ExitOK
}

// comparison is the outcome of compare.
type comparison struct {
	diff flow.Diff
	// layout lists the layout differences ("2d3ad2c2: position, nodeIndex"), by activity id.
	layout []string
	// identical: no difference at all once the spec's missing layout is taken from live, as the
	// operator does before it writes.
	identical bool
}

// compare diffs desired against live semantically and, beside that, finds the layout the spec
// sets differently from live. Layout the spec leaves out is filled from live first
// (flow.WithLayoutFrom, as the operator does), so it is not a difference.
func compare(desired, live *flow.CCCDefinition) comparison {
	r := comparison{diff: flow.DiffCCC(desired, live)}
	merged := desired.WithLayoutFrom(live)
	r.identical = bytes.Equal(merged.JSON(), live.JSON())
	if r.identical {
		return r
	}
	liveByID := map[string]flow.Activity{}
	var liveOrder []string
	for _, a := range live.Activities {
		if _, dup := liveByID[a.ID]; !dup {
			liveByID[a.ID] = a
			liveOrder = append(liveOrder, a.ID)
		}
	}
	seen := map[string]bool{}
	var order []string
	var lines []string
	for _, a := range merged.Activities {
		la, ok := liveByID[a.ID]
		if !ok || seen[a.ID] {
			continue
		}
		seen[a.ID] = true
		order = append(order, a.ID)
		var fields []string
		if !sameJSON(a.Properties["position"], la.Properties["position"]) {
			fields = append(fields, "position")
		}
		if (a.NodeIndex == nil) != (la.NodeIndex == nil) || (a.NodeIndex != nil && *a.NodeIndex != *la.NodeIndex) {
			fields = append(fields, "nodeIndex")
		}
		for i := 0; i < min(len(a.Events), len(la.Events)); i++ {
			if a.Events[i].EdgeID != la.Events[i].EdgeID {
				fields = append(fields, fmt.Sprintf("events[%d].edgeId", i))
			}
		}
		if len(fields) > 0 {
			lines = append(lines, a.ID+": "+strings.Join(fields, ", "))
		}
	}
	sort.Strings(lines)
	var common []string
	for _, id := range liveOrder {
		if seen[id] {
			common = append(common, id)
		}
	}
	if strings.Join(order, "\x00") != strings.Join(common, "\x00") {
		lines = append(lines, "order of activities")
	}
	if len(lines) == 0 && r.diff.Empty() {
		// Same content and layout, different spelling (1 and 1.0, say).
		lines = append(lines, "number formatting")
	}
	r.layout = lines
	return r
}

// sameJSON compares two decoded JSON values by value, numbers numerically.
func sameJSON(a, b any) bool {
	return bytes.Equal(normalJSON(a), normalJSON(b))
}

func normalJSON(v any) []byte {
	var walk func(any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case json.Number:
			f, err := x.Float64()
			if err != nil {
				return x.String()
			}
			return f
		case map[string]any:
			out := make(map[string]any, len(x))
			for k, e := range x {
				out[k] = walk(e)
			}
			return out
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				out[i] = walk(e)
			}
			return out
		}
		return v
	}
	b, _ := json.Marshal(walk(v))
	return b
}
