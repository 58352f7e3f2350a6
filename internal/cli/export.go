package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/providers"
)

const exportHelp = `Reads every contact flow of an instance from the platform and prints them as ContactFlow
manifests, ready for "kubectl apply": an existing contact center is adopted in one step
(spec.adoptByName: true takes over each flow of the same name instead of creating another).

References are extracted: wherever a flow's definition holds the ID (or ARN) of another flow
of the instance, it says ${ref:NAME} instead and spec.references names that ContactFlow; the
IDs of skill groups, queues, prompts and functions become platform references by name. The
manifests then apply unchanged to another environment whose objects have the same names.

Credentials come from the environment, never from flags: ALIBABA_CLOUD_ACCESS_KEY_ID and
ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN) for the Alibaba platforms,
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) for Amazon Connect; without
them the platform's ambient credentials are used.
`

type exportOptions struct {
	platform, region, endpoint, instance  string
	namespace, providerConfig, asInstance string
	out                                   string
	timeout                               time.Duration
}

func exportFlags() (*flag.FlagSet, *exportOptions) {
	o := &exportOptions{}
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.StringVar(&o.platform, "platform", "", "platform of the instance: AlibabaCCC, AlibabaCloudCallCenter or AmazonConnect (required)")
	fs.StringVar(&o.region, "region", "", "the platform's region (cn-shanghai, us-east-1, ...)")
	fs.StringVar(&o.endpoint, "endpoint", "", "endpoint override (a private endpoint, a proxy, or the emulator: http://127.0.0.1:18080)")
	fs.StringVar(&o.instance, "instance", "", "the instance whose flows are exported (required)")
	fs.StringVar(&o.namespace, "namespace", "default", "metadata.namespace of the manifests")
	fs.StringVar(&o.providerConfig, "provider-config", "", "spec.providerConfigRef.name of the manifests (default: the platform name in lower case)")
	fs.StringVar(&o.asInstance, "as-instance", "", "spec.instanceId of the manifests (default: --instance); for another environment's instance")
	fs.StringVar(&o.out, "o", "-", "output file, - for standard output")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up after this long")
	return fs, o
}

func runExport(io IO, args []string) int {
	fs, o := exportFlags()
	pos, err := parse(fs, args)
	if err != nil {
		return flagError(io, "export", err)
	}
	switch {
	case len(pos) > 0:
		return flagError(io, "export", fmt.Errorf("unexpected argument %q", pos[0]))
	case o.platform == "":
		return flagError(io, "export", errors.New("--platform is required"))
	case o.instance == "":
		return flagError(io, "export", errors.New("--instance is required"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	cfg := cloud.Config{Platform: o.platform, Region: o.region, Endpoint: o.endpoint, Credentials: envCredentials(o.platform)}
	fc, err := providers.NewFlowClient(ctx, cfg)
	if err != nil {
		fmt.Fprintf(io.Stderr, "kubectl-contactflow export: %v\n", err)
		return ExitTrouble
	}
	flows, err := Export(ctx, fc, ExportTarget{
		Instance: o.instance, Namespace: o.namespace, ProviderConfig: o.providerConfig, AsInstance: o.asInstance,
	})
	if err != nil {
		fmt.Fprintf(io.Stderr, "kubectl-contactflow export: %v\n", err)
		return ExitTrouble
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# %d ContactFlows exported from %s instance %s by kubectl-contactflow %s\n", len(flows), o.platform, o.instance, version())
	for i := range flows {
		b, err := manifestYAML(&flows[i])
		if err != nil {
			fmt.Fprintf(io.Stderr, "kubectl-contactflow export: %v\n", err)
			return ExitTrouble
		}
		buf.WriteString("---\n")
		buf.Write(b)
	}
	if o.out == "-" || o.out == "" {
		_, _ = io.Stdout.Write(buf.Bytes())
	} else if err := os.WriteFile(o.out, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintf(io.Stderr, "kubectl-contactflow export: %v\n", err)
		return ExitTrouble
	}
	fmt.Fprintf(io.Stderr, "exported %s from instance %s\n", plural(len(flows), "flow", "flows"), o.instance)
	return ExitOK
}

// envCredentials reads the platform's usual environment variables; nil means ambient.
func envCredentials(platform string) *cloud.Credentials {
	id, secret, token := "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN"
	if platform == cloud.PlatformAmazonConnect {
		id, secret, token = "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"
	}
	if os.Getenv(id) == "" || os.Getenv(secret) == "" {
		return nil
	}
	return &cloud.Credentials{AccessKeyID: os.Getenv(id), AccessKeySecret: os.Getenv(secret), SecurityToken: os.Getenv(token)}
}

// ExportTarget says where the exported manifests go.
type ExportTarget struct {
	// Instance is the instance read.
	Instance string
	// Namespace, ProviderConfig and AsInstance fill metadata.namespace,
	// spec.providerConfigRef.name (default: the platform in lower case) and spec.instanceId
	// (default: Instance).
	Namespace, ProviderConfig, AsInstance string
}

// Export reads every flow of the instance through fc and returns them as ContactFlows with
// their references extracted, sorted by name. Each flow's published definition is exported; a
// flow never published exports its draft.
func Export(ctx context.Context, fc cloud.FlowClient, t ExportTarget) ([]cfv1.ContactFlow, error) {
	platform := fc.Platform()
	if t.ProviderConfig == "" {
		t.ProviderConfig = strings.ToLower(platform)
	}
	if t.AsInstance == "" {
		t.AsInstance = t.Instance
	}
	var live []*cloud.Flow
	const pageSize = 100
	for page := 1; ; page++ {
		p, err := fc.ListFlows(ctx, t.Instance, page, pageSize)
		if err != nil {
			return nil, fmt.Errorf("listing the flows of instance %s: %w", t.Instance, err)
		}
		for _, f := range p.Flows {
			full, err := fc.GetFlow(ctx, cloud.FlowKey{InstanceID: t.Instance, FlowID: f.ID})
			if err != nil {
				return nil, fmt.Errorf("reading flow %s (%q): %w", f.ID, f.Name, err)
			}
			live = append(live, full)
		}
		if len(p.Flows) == 0 || page*pageSize >= p.TotalCount {
			break
		}
	}

	// Names: each flow's Kubernetes name, unique; each platform object's reference name.
	names := uniqueNames(live)
	byRef := map[string]string{} // flow ID or ARN -> Kubernetes name
	for i, f := range live {
		byRef[f.ID] = names[i]
		if f.ARN != "" {
			byRef[f.ARN] = names[i]
		}
	}
	objects := map[string]cfv1.FlowReference{} // object ID or Ref -> reference
	if lister, ok := cloud.Underlying(fc).(cloud.ResourceLister); ok {
		for _, kind := range lister.ResourceKinds() {
			if kind == cloud.KindContactFlow {
				continue
			}
			items, err := lister.ListResources(ctx, t.Instance, kind)
			if err != nil {
				return nil, fmt.Errorf("listing %s objects of instance %s: %w", kind, t.Instance, err)
			}
			for _, it := range items {
				ref := cfv1.FlowReference{Name: nameFor(strings.ToLower(string(kind)), it.Name),
					Platform: &cfv1.PlatformReference{Kind: cfv1.ReferenceKind(kind), Name: it.Name}}
				for _, v := range []string{it.ID, it.Ref} {
					if v != "" {
						objects[v] = ref
					}
				}
			}
		}
	}

	out := make([]cfv1.ContactFlow, 0, len(live))
	for i, f := range live {
		def := f.PublishedDefinition
		if !f.Published && f.Draft != nil {
			def = f.Draft.Definition
		}
		if def == "" {
			continue
		}
		var doc any
		if err := json.Unmarshal([]byte(def), &doc); err != nil {
			return nil, fmt.Errorf("flow %s (%q) has a definition that is not JSON: %w", f.ID, f.Name, err)
		}
		refs := map[string]cfv1.FlowReference{}
		doc = extract(doc, func(s string) (string, bool) {
			if n, ok := byRef[s]; ok {
				refs[n] = cfv1.FlowReference{Name: n, ContactFlow: &cfv1.LocalObjectReference{Name: n}}
				return "${ref:" + n + "}", true
			}
			if r, ok := objects[s]; ok {
				refs[r.Name] = r
				return "${ref:" + r.Name + "}", true
			}
			return "", false
		})
		body, err := json.Marshal(doc)
		if err != nil {
			return nil, err
		}
		cf := cfv1.ContactFlow{
			TypeMeta:   metav1.TypeMeta{APIVersion: cfv1.GroupVersion.String(), Kind: "ContactFlow"},
			ObjectMeta: metav1.ObjectMeta{Name: names[i], Namespace: t.Namespace},
			Spec: cfv1.ContactFlowSpec{
				ProviderConfigRef: cfv1.LocalObjectReference{Name: t.ProviderConfig},
				InstanceID:        t.AsInstance,
				FlowName:          f.Name,
				Type:              f.Type,
				Description:       f.Description,
				AdoptByName:       true,
			},
		}
		if platform == cloud.PlatformAlibabaCCC {
			d := &cfv1.FlowDefinition{}
			if err := json.Unmarshal(body, d); err != nil {
				return nil, fmt.Errorf("flow %s (%q): %w", f.ID, f.Name, err)
			}
			cf.Spec.Definition = d
		} else {
			cf.Spec.Content = &runtime.RawExtension{Raw: body}
		}
		keys := make([]string, 0, len(refs))
		for k := range refs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			cf.Spec.References = append(cf.Spec.References, refs[k])
		}
		out = append(out, cf)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// extract replaces every string value of doc that repl recognises, keys excluded.
func extract(doc any, repl func(string) (string, bool)) any {
	switch v := doc.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = extract(x, repl)
		}
		return v
	case []any:
		for i, x := range v {
			v[i] = extract(x, repl)
		}
		return v
	case string:
		if s, ok := repl(v); ok {
			return s
		}
	}
	return doc
}

var nonName = regexp.MustCompile(`[^a-z0-9]+`)

// slug turns a platform name into a DNS-1123 label; "" when nothing of it is usable.
func slug(s string) string {
	s = strings.Trim(nonName.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(s) > 50 {
		s = strings.TrimRight(s[:50], "-")
	}
	return s
}

// nameFor is prefix-slug(name), or, for a name with nothing usable in it (a Chinese name), a
// short hash of it: the same name gives the same Kubernetes name in every environment.
func nameFor(prefix, name string) string {
	s := slug(name)
	if s == "" {
		sum := sha256.Sum256([]byte(name))
		s = "flow-" + hex.EncodeToString(sum[:4])
		if prefix != "" {
			s = hex.EncodeToString(sum[:4])
		}
	}
	if prefix != "" {
		s = prefix + "-" + s
	}
	return s
}

// uniqueNames gives each flow a Kubernetes name from its platform name, unique among them.
func uniqueNames(flows []*cloud.Flow) []string {
	out := make([]string, len(flows))
	used := map[string]bool{}
	for i, f := range flows {
		base := nameFor("", f.Name)
		if len(base) > 50 {
			base = base[:50]
		}
		name := base
		for n := 2; used[name]; n++ {
			name = fmt.Sprintf("%s-%d", base, n)
		}
		used[name] = true
		out[i] = name
	}
	return out
}

// manifestYAML renders a ContactFlow as a manifest: no status, no empty metadata.
func manifestYAML(cf *cfv1.ContactFlow) ([]byte, error) {
	js, err := json.Marshal(cf)
	if err != nil {
		return nil, err
	}
	var obj map[string]any
	if err := json.Unmarshal(js, &obj); err != nil {
		return nil, err
	}
	delete(obj, "status")
	if md, ok := obj["metadata"].(map[string]any); ok {
		delete(md, "creationTimestamp")
	}
	return yaml.Marshal(obj)
}
