package flowspec

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/flow"
)

// ReferencesField is where a ContactFlow declares what its definition refers to.
const ReferencesField = "spec.references"

// refPattern matches a reference inside a string value of a definition: ${ref:NAME}, NAME as
// spec.references[].name allows it.
var refPattern = regexp.MustCompile(`\$\{ref:([A-Za-z0-9](?:[-_.A-Za-z0-9]*[A-Za-z0-9])?)\}`)

// looseRefPattern finds everything that looks like an attempt at a reference, to report the
// malformed ones that refPattern does not take.
var looseRefPattern = regexp.MustCompile(`\$\{ref:[^}"]*\}?`)

// Unresolved is what a reference that does not resolve yet becomes in a definition sent to the
// platform as an unpublished draft: nothing. The platform refuses to publish it, and the operator
// never does.
const Unresolved = ""

// UsedReferences returns the names the flow's definition (spec.definition or spec.content)
// refers to with ${ref:NAME}, sorted and without repeats. A malformed reference (${ref: without
// a valid name and a closing brace) is an *Error for the definition's field.
func UsedReferences(spec cfv1.ContactFlowSpec) ([]string, error) {
	raw, field, err := specJSON(spec)
	if err != nil || raw == nil {
		return nil, err
	}
	var names []string
	for _, m := range looseRefPattern.FindAll(raw, -1) {
		sm := refPattern.FindSubmatch(m)
		if sm == nil || len(sm[0]) != len(m) {
			return nil, &Error{Field: field, Err: fmt.Errorf("%s is not a reference; write ${ref:NAME} with NAME as in spec.references (letters, digits, '-', '_', '.')", m)}
		}
		if n := string(sm[1]); !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names, nil
}

// CheckReferences checks that every ${ref:NAME} of the definition is declared in
// spec.references, and that the declarations are well formed: a unique name each, exactly one of
// contactFlow and platform, a platform kind the platform has (unchecked when platform is "":
// not known yet). It does not resolve anything.
func CheckReferences(spec cfv1.ContactFlowSpec, platform string) error {
	used, err := UsedReferences(spec)
	if err != nil {
		return err
	}
	declared := map[string]bool{}
	for i, r := range spec.References {
		f := fmt.Sprintf("%s[%d]", ReferencesField, i)
		if declared[r.Name] {
			return &Error{Field: f + ".name", Err: fmt.Errorf("%q is declared twice", r.Name)}
		}
		declared[r.Name] = true
		switch {
		case (r.ContactFlow == nil) == (r.Platform == nil):
			return &Error{Field: f, Err: fmt.Errorf("set exactly one of contactFlow and platform")}
		case r.ContactFlow != nil && r.ContactFlow.Name == "":
			return &Error{Field: f + ".contactFlow.name", Err: fmt.Errorf("is required")}
		case r.Platform != nil:
			if (r.Platform.Name == "") == (r.Platform.ID == "") {
				return &Error{Field: f + ".platform", Err: fmt.Errorf("set exactly one of name and id")}
			}
			if kinds := ReferenceKinds(platform); platform != "" && !slices.Contains(kinds, r.Platform.Kind) {
				return &Error{Field: f + ".platform.kind", Err: fmt.Errorf("%s has no %q objects a flow can refer to; use one of %s", platform, r.Platform.Kind, joinKinds(kinds))}
			}
		}
	}
	for _, n := range used {
		if !declared[n] {
			return &Error{Field: ReferencesField, Err: fmt.Errorf("the flow uses ${ref:%s}, but no reference is named %q; add {name: %s, contactFlow: {name: ...}} or {name: %s, platform: {kind: ..., name: ...}}", n, n, n, n)}
		}
	}
	return nil
}

// ReferenceKinds lists the platform object kinds a flow of platform can refer to.
func ReferenceKinds(platform string) []cfv1.ReferenceKind {
	switch platform {
	case string(cfv1.PlatformAmazonConnect):
		return []cfv1.ReferenceKind{"ContactFlow", "Queue", "Prompt", "Function"}
	case string(cfv1.PlatformAlibabaCCC), string(cfv1.PlatformAlibabaCloudCallCenter):
		return []cfv1.ReferenceKind{"ContactFlow", "SkillGroup", "Prompt"}
	}
	return nil
}

func joinKinds(kinds []cfv1.ReferenceKind) string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// Resolved is Desired with every ${ref:NAME} replaced by values[NAME] first: the flow as it is
// sent to the platform. A name without a value becomes Unresolved. Values are IDs or ARNs; one
// that could not stand inside a JSON string as it is gets escaped.
func Resolved(spec cfv1.ContactFlowSpec, platform string, values map[string]string) (flow.Definition, flow.Format, error) {
	if len(spec.References) == 0 {
		return Desired(spec, platform)
	}
	resolved := spec.DeepCopy()
	raw, field, err := specJSON(*resolved)
	if err != nil {
		return nil, nil, err
	}
	if raw == nil {
		return Desired(*resolved, platform)
	}
	out := refPattern.ReplaceAllFunc(raw, func(m []byte) []byte {
		name := string(refPattern.FindSubmatch(m)[1])
		v := values[name]
		b, _ := json.Marshal(v)
		return b[1 : len(b)-1]
	})
	switch field {
	case Field:
		var def cfv1.FlowDefinition
		if err := json.Unmarshal(out, &def); err != nil {
			return nil, nil, &Error{Field: Field, Err: err}
		}
		resolved.Definition = &def
	default:
		resolved.Content.Raw = out
	}
	return Desired(*resolved, platform)
}

// specJSON returns the flow of spec as JSON and the field it came from; nil when spec has none.
func specJSON(spec cfv1.ContactFlowSpec) ([]byte, string, error) {
	switch {
	case spec.Definition != nil:
		raw, err := json.Marshal(spec.Definition)
		if err != nil {
			return nil, Field, &Error{Field: Field, Err: err}
		}
		return raw, Field, nil
	case spec.Content != nil:
		return spec.Content.Raw, ContentField, nil
	}
	return nil, "", nil
}
