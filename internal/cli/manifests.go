package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/flow"
	"github.com/contactflow-operator/contactflow-operator/internal/flowspec"
)

// source is one flow definition found in an input: a ContactFlow, or a bare platform
// definition (a CCC definition object, or a GetContactFlow response that carries one).
type source struct {
	file  string
	label string            // "ContactFlow default/welcome", "definition"
	cf    *cfv1.ContactFlow // nil for a bare definition
	raw   []byte            // the bare definition's JSON; nil for a ContactFlow
	// problems are why the document could not be read as what it claims to be (invalid YAML,
	// wrong types, an unsupported apiVersion); a source with problems has no definition.
	problems []string
	// rejected are fields kubectl apply rejects (unknown or duplicate fields). The object is
	// still read, without them, as the operator would see it if it got through.
	rejected []string // warnings are things neither kubectl nor the operator refuse but that are most likely a
	// mistake, such as a YAML 1.1 boolean where a key was meant.
	warnings []string
}

// name is the object's name, for --name matching: "default/welcome" and "welcome" both match.
func (s source) matches(name string) bool {
	if s.cf == nil {
		return false
	}
	ns := s.cf.Namespace
	return name == s.cf.Name || name == ns+"/"+s.cf.Name
}

// prefix is the start of every line about the source.
func (s source) prefix() string { return s.file + ": " + s.label + ": " }

// field is where definition problems are reported: spec.definition, or nothing for a bare one.
func (s source) field() string {
	if s.cf != nil {
		return flowspec.Field + ": "
	}
	return ""
}

// parsed returns the source's definition as the operator reads it (ContactFlow: flowspec;
// bare: flow.ParseCCC), without the graph checks.
func (s source) parsed() (*flow.CCCDefinition, error) {
	if s.cf != nil {
		return flowspec.ParseCCC(*s.cf.Spec.Definition)
	}
	return flow.ParseCCC(s.raw)
}

// validated is parsed plus Validate: exactly flowspec.CCC for a ContactFlow.
func (s source) validated() (*flow.CCCDefinition, error) {
	if s.cf != nil {
		return flowspec.CCC(*s.cf.Spec.Definition)
	}
	d, err := flow.ParseCCC(s.raw)
	if err == nil {
		err = d.Validate()
	}
	if err != nil {
		return nil, err
	}
	return d, nil
}

// problemLines renders an error of parsed or validated as one line per problem.
func (s source) problemLines(err error) []string {
	var verr *flow.ValidationError
	if !errors.As(err, &verr) || len(verr.Problems) == 0 {
		return []string{s.prefix() + s.field() + err.Error()}
	}
	out := make([]string, len(verr.Problems))
	for i, p := range verr.Problems {
		out[i] = s.prefix() + s.field() + p.String()
	}
	return out
}

// warn prints lines of the source (as problemLines and lines make them) as warnings:
// "FILE: OBJECT: warning: ...".
func (s source) warn(w io.Writer, lines []string) {
	for _, line := range lines {
		fmt.Fprintf(w, "%swarning: %s\n", s.prefix(), strings.TrimPrefix(line, s.prefix()))
	}
}

// skipped is a document without a flow definition.
type skipped struct {
	file, label, why string
}

// input is what one file holds.
type input struct {
	sources []source
	skipped []skipped
}

// loader reads inputs. Standard input can be read once; a second "-" reads nothing.
type loader struct {
	stdin     io.Reader
	namespace string // for ContactFlows without metadata.namespace
	decoder   runtime.Decoder
}

func newLoader(stdin io.Reader, namespace string) *loader {
	scheme := runtime.NewScheme()
	if err := cfv1.AddToScheme(scheme); err != nil {
		panic(err) // a broken API package, not an input problem
	}
	// Strict, as kubectl apply's default server-side field validation: an unknown field (a
	// misspelt "next") is an error rather than silently dropped.
	dec := kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, scheme, scheme, kjson.SerializerOptions{Strict: true})
	return &loader{stdin: stdin, namespace: namespace, decoder: dec}
}

// displayName is how a path appears in messages.
func displayName(path string) string {
	if path == "-" {
		return "(stdin)"
	}
	return path
}

// load reads one file. The error is for a file that cannot be read at all; problems with its
// content are reported in the sources.
func (l *loader) load(path string) (*input, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(l.stdin)
		l.stdin = strings.NewReader("")
	} else {
		data, err = os.ReadFile(path)
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return nil, pe.Err // the caller names the file
	}
	if err != nil {
		return nil, err
	}
	file := displayName(path)
	in := &input{}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[' || trimmed[0] == '"') {
		// JSON is read as it is: YAML would accept most of it, but not tabs, and it would
		// rewrite numbers that the definition's hash depends on.
		l.document(in, file, "document 1", trimmed)
		return in, nil
	}
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for n := 1; ; n++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		label := fmt.Sprintf("document %d", n)
		if err != nil {
			in.sources = append(in.sources, source{file: file, label: label, problems: []string{"cannot read YAML: " + err.Error()}})
			break
		}
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			in.sources = append(in.sources, source{file: file, label: label, problems: []string{"invalid YAML: " + err.Error()}})
			continue
		}
		l.document(in, file, label, j)
	}
	for i := range in.sources {
		if s := &in.sources[i]; s.cf != nil {
			s.warnings = append(s.warnings, yamlBooleanKeys(*s.cf.Spec.Definition)...)
		}
	}
	return in, nil
}

// yamlBooleanKeys finds property keys "true" and "false" in a definition read from YAML. YAML
// 1.1, which kubectl speaks, reads an unquoted y, yes or on as true (n, no, off as false), so
// position: {x: 1, y: 2} arrives as {"x": 1, "true": 2}. Nothing refuses it, and the console
// then finds no y.
var yamlBooleans = map[string]string{"true": "y, yes or on", "false": "n, no or off"}

func yamlBooleanKeys(def cfv1.FlowDefinition) []string {
	var out []string
	var walk func(path string, v any, a cfv1.FlowActivity)
	walk = func(path string, v any, a cfv1.FlowActivity) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if words, ok := yamlBooleans[k]; ok {
					out = append(out, fmt.Sprintf("%s: activity %s (%s): %s: key %q: YAML reads an unquoted %s as %s; quote the key if the letter was meant",
						flowspec.Field, a.ID, a.Type, path, k, words, k))
				}
				walk(path+"."+k, x[k], a)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), e, a)
			}
		}
	}
	for _, a := range def.Activities {
		if a.Properties == nil || len(a.Properties.Raw) == 0 {
			continue
		}
		var v any
		if json.Unmarshal(a.Properties.Raw, &v) == nil {
			walk("properties", v, a)
		}
	}
	return out
}

// document classifies one JSON document: a ContactFlow, a List of objects, a bare definition, a
// platform response holding one, or something to skip. Empty documents are ignored.
func (l *loader) document(in *input, file, label string, j []byte) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(j, &top); err != nil {
		var s string
		switch {
		case bytes.Equal(bytes.TrimSpace(j), []byte("null")):
			// An empty document (only comments, or a trailing "---").
		case json.Unmarshal(j, &s) == nil:
			// A JSON string: a definition as the platform stores it, escaped.
			in.sources = append(in.sources, source{file: file, label: "definition", raw: []byte(s)})
		default:
			in.sources = append(in.sources, source{file: file, label: label, problems: []string{"not an object: " + err.Error()}})
		}
		return
	}
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
	}
	_ = json.Unmarshal(j, &head) // fields of the wrong type stay empty; the strict decode reports them
	if head.Kind == "" {
		if _, ok := top["activities"]; ok {
			in.sources = append(in.sources, source{file: file, label: "definition", raw: j})
			return
		}
		if raw, ok := platformDefinition(top); ok {
			in.sources = append(in.sources, source{file: file, label: "definition", raw: raw})
			return
		}
		in.skipped = append(in.skipped, skipped{file, label, "no kind, and not a flow definition"})
		return
	}
	name := head.Metadata.Name
	if head.Metadata.Namespace != "" {
		name = head.Metadata.Namespace + "/" + name
	}
	if items, ok := top["items"]; ok && strings.HasSuffix(head.Kind, "List") {
		var list []json.RawMessage
		if err := json.Unmarshal(items, &list); err != nil {
			in.sources = append(in.sources, source{file: file, label: head.Kind, problems: []string{"items: " + err.Error()}})
			return
		}
		for k, item := range list {
			l.document(in, file, fmt.Sprintf("%s item %d", head.Kind, k), item)
		}
		return
	}
	gv, _ := schema.ParseGroupVersion(head.APIVersion)
	if head.Kind != "ContactFlow" || gv.Group != cfv1.GroupVersion.Group {
		what := head.Kind
		if name != "" {
			what += " " + name
		}
		in.skipped = append(in.skipped, skipped{file, what, "not a ContactFlow"})
		return
	}
	ns := head.Metadata.Namespace
	if ns == "" {
		ns = l.namespace
	}
	s := source{file: file, label: "ContactFlow " + ns + "/" + head.Metadata.Name}
	if head.Metadata.Name == "" {
		s.label = "ContactFlow (" + label + ")"
	}
	if gv.Version != cfv1.GroupVersion.Version {
		s.problems = append(s.problems, fmt.Sprintf("apiVersion %s is not supported; this plugin reads %s", head.APIVersion, cfv1.GroupVersion))
		in.sources = append(in.sources, s)
		return
	}
	cf := &cfv1.ContactFlow{}
	_, _, err := l.decoder.Decode(j, nil, cf)
	if strict, ok := runtime.AsStrictDecodingError(err); ok {
		for _, e := range strict.Errors() {
			s.rejected = append(s.rejected, e.Error()+" (kubectl apply rejects it)")
		}
	} else if err != nil {
		s.problems = append(s.problems, "cannot decode: "+err.Error())
	}
	if len(s.problems) == 0 && cf.Spec.Definition == nil {
		// spec.content is the classic CloudCallCenter's or Amazon Connect's own format; the
		// operator checks it once it knows the platform.
		in.skipped = append(in.skipped, skipped{file, s.label, "no spec.definition (a spec.content flow of AlibabaCloudCallCenter or AmazonConnect; this plugin reads AlibabaCCC definitions)"})
		return
	}
	if len(s.problems) == 0 {
		if cf.Namespace == "" {
			cf.Namespace = ns
		}
		s.cf = cf
	}
	in.sources = append(in.sources, s)
}

// platformDefinition finds the Definition of a GetContactFlow response (or of a list item),
// at the top or under Data or ContactFlow. It may be the platform's escaped string or an object.
func platformDefinition(top map[string]json.RawMessage) ([]byte, bool) {
	for _, m := range []map[string]json.RawMessage{top, sub(top, "Data"), sub(top, "ContactFlow"), sub(sub(top, "Data"), "ContactFlow")} {
		def, ok := m["Definition"]
		if !ok {
			continue
		}
		var s string
		if json.Unmarshal(def, &s) == nil {
			return []byte(s), true
		}
		return def, true
	}
	return nil, false
}

func sub(m map[string]json.RawMessage, key string) map[string]json.RawMessage {
	var out map[string]json.RawMessage
	if raw, ok := m[key]; ok {
		_ = json.Unmarshal(raw, &out)
	}
	return out
}
