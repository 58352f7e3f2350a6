package cli

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/flowspec"
)

// cluster reads ContactFlows from the cluster of a kubeconfig context.
type cluster struct {
	context   string // the context's name, for messages
	namespace string // the context's namespace
	client    rest.Interface
}

// connect resolves kubeconfig (a path, else $KUBECONFIG and ~/.kube/config) and context (a
// name, else the current context) the way kubectl does.
func connect(kubeconfig, contextName string) (*cluster, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: contextName})
	raw, err := cc.RawConfig()
	if err != nil {
		return nil, err
	}
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, err
	}
	ns, _, err := cc.Namespace()
	if err != nil {
		return nil, err
	}
	scheme := runtime.NewScheme()
	if err := cfv1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	cfg.GroupVersion = &cfv1.GroupVersion
	cfg.APIPath = "/apis"
	cfg.NegotiatedSerializer = serializer.NewCodecFactory(scheme).WithoutConversion()
	cfg.UserAgent = "kubectl-contactflow/" + version()
	client, err := rest.RESTClientFor(cfg)
	if err != nil {
		return nil, err
	}
	name := contextName
	if name == "" {
		name = raw.CurrentContext
	}
	return &cluster{context: name, namespace: ns, client: client}, nil
}

// get returns the ContactFlow namespace/name, or nil when there is none.
func (c *cluster) get(namespace, name string) (*cfv1.ContactFlow, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cf := &cfv1.ContactFlow{}
	err := c.client.Get().Namespace(namespace).Resource("contactflows").Name(name).Do(ctx).Into(cf)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return cf, nil
}

// runClusterDiff compares the ContactFlow of FILE with the object of the same name in the
// cluster: the file against the cluster's spec.definition (what applying the file changes), and
// the file's hash against status.publishedHash (whether the platform has published it).
func runClusterDiff(io IO, file string, o *diffOpts, nsSet bool) int {
	c, err := connect(o.kubeconfig, o.context)
	if err != nil {
		fmt.Fprintf(io.Stderr, "kubectl-contactflow diff: %v\n", err)
		return ExitTrouble
	}
	ns := c.namespace
	if nsSet {
		ns = o.namespace
	}
	want, code := pick(io, newLoader(io.Stdin, ns), file, o.name)
	if code != ExitOK {
		return code
	}
	if want.cf == nil {
		fmt.Fprintf(io.Stderr, "%s: %s is not a ContactFlow; only ContactFlows can be compared with a cluster\n", want.file, want.label)
		return ExitTrouble
	}
	desired, err := want.validated()
	if err != nil {
		fmt.Fprintf(io.Stderr, "%s is invalid; the operator would refuse it and compare nothing:\n", want.label)
		for _, line := range want.problemLines(err) {
			fmt.Fprintln(io.Stderr, line)
		}
		return ExitTrouble
	}
	where := fmt.Sprintf("cluster (context %s)", c.context)
	got, err := c.get(want.cf.Namespace, want.cf.Name)
	if err != nil {
		fmt.Fprintf(io.Stderr, "%s: reading ContactFlow %s/%s: %v\n", where, want.cf.Namespace, want.cf.Name, err)
		return ExitTrouble
	}
	w := io.Stdout
	if got == nil {
		fmt.Fprintf(w, "%s: ContactFlow %s/%s does not exist\n", where, want.cf.Namespace, want.cf.Name)
		fmt.Fprintf(w, "result: missing; applying %s creates it\n", want.file)
		return ExitChanged
	}
	if got.Spec.Definition == nil {
		fmt.Fprintf(io.Stderr, "%s: ContactFlow %s/%s has no %s (its flow is in spec.content); this plugin compares AlibabaCCC definitions only\n", where, got.Namespace, got.Name, flowspec.Field)
		return ExitTrouble
	}
	live, err := flowspec.ParseCCC(*got.Spec.Definition)
	if err != nil {
		fmt.Fprintf(io.Stderr, "%s: ContactFlow %s/%s: %s: %v\n", where, got.Namespace, got.Name, flowspec.Field, err)
		return ExitTrouble
	}
	r := compare(desired, live)
	hash := desired.Hash()
	fmt.Fprintf(w, "--- %s: ContactFlow %s/%s spec.definition (hash %s)\n", where, got.Namespace, got.Name, live.Hash()[:12])
	fmt.Fprintf(w, "+++ %s: %s (hash %s)\n", want.file, want.label, hash[:12])
	if !r.diff.Empty() {
		fmt.Fprintf(w, "changes (%d):\n", len(r.diff.Changes))
		for _, ch := range r.diff.Changes {
			fmt.Fprintf(w, "  %s\n", ch)
		}
	}
	fmt.Fprintf(w, "summary: %s\n", r.diff)
	st := got.Status
	ready := "unknown"
	if cond := meta.FindStatusCondition(st.Conditions, cfv1.ConditionReady); cond != nil {
		ready = fmt.Sprintf("%s (%s)", cond.Status, cond.Reason)
	}
	fmt.Fprintf(w, "status: Ready %s, observedGeneration %d of %d, flow %s\n", ready, st.ObservedGeneration, got.Generation, orDash(st.ContactFlowID))
	published := st.PublishedHash == hash
	switch {
	case st.PublishedHash == "":
		fmt.Fprintln(w, "status: nothing published yet")
	case published:
		fmt.Fprintf(w, "status: the published flow matches this file (publishedHash %s)\n", short(st.PublishedHash))
	default:
		fmt.Fprintf(w, "status: the published flow differs from this file (publishedHash %s)\n", short(st.PublishedHash))
	}
	if st.PendingChanges != "" {
		fmt.Fprintf(w, "status: pendingChanges: %s\n", st.PendingChanges)
	}
	switch {
	case !r.diff.Empty():
		fmt.Fprintf(w, "result: semantic change; applying this file changes the flow, and the operator %s\n", action(want.cf))
		return ExitChanged
	case !published:
		fmt.Fprintln(w, "result: not published; the cluster has this flow but the platform's published version differs")
		return ExitChanged
	default:
		fmt.Fprintln(w, "result: in sync; the cluster's spec and the published flow match this file")
		return ExitOK
	}
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
