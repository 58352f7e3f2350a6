package flowspec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/flow"
)

// Paths of the other spec fields whose problems this package reports.
const (
	// ContentField is where the platform-native flow of the classic CloudCallCenter and Amazon
	// Connect lives.
	ContentField = "spec.content"
	// TypeField is the flow type.
	TypeField = "spec.type"
)

// Error is a problem with a ContactFlow spec, found before any remote call. Field is the spec
// path it is about (Field, ContentField, TypeField); Err is a *flow.ValidationError listing every
// problem of a flow that does not parse or validate, or a plain error otherwise.
type Error struct {
	Field string
	Err   error
}

// Error renders "field: problem".
func (e *Error) Error() string { return e.Field + ": " + e.Err.Error() }

// Unwrap returns Err, so that errors.As finds the *flow.ValidationError.
func (e *Error) Unwrap() error { return e.Err }

// Flow types each platform accepts, and the one an empty spec.type means. The classic
// CloudCallCenter documents no fixed list: it (and its emulator) accept any upper-case name.
var (
	cccTypes     = []string{"MAIN_FLOW", "SUB_FLOW", "SURVEY_FLOW"}
	connectTypes = []string{
		"CONTACT_FLOW", "CUSTOMER_QUEUE", "CUSTOMER_HOLD", "CUSTOMER_WHISPER", "AGENT_HOLD",
		"AGENT_WHISPER", "OUTBOUND_WHISPER", "AGENT_TRANSFER", "QUEUE_TRANSFER", "CAMPAIGN",
	}
	classicTypePattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,63}$`)
)

// DefaultType is the type a flow of platform gets when spec.type is empty: MAIN_FLOW on the
// Alibaba platforms, CONTACT_FLOW on Amazon Connect; "" for a platform without contact flows.
func DefaultType(platform string) string {
	switch platform {
	case string(cfv1.PlatformAlibabaCCC), string(cfv1.PlatformAlibabaCloudCallCenter):
		return "MAIN_FLOW"
	case string(cfv1.PlatformAmazonConnect):
		return "CONTACT_FLOW"
	}
	return ""
}

// FlowType returns the type spec asks for on platform: spec.type, or DefaultType when it is
// empty. A type the platform does not accept is an *Error for TypeField naming the accepted
// ones.
func FlowType(spec cfv1.ContactFlowSpec, platform string) (string, error) {
	t := spec.Type
	if t == "" {
		t = DefaultType(platform)
	}
	var ok bool
	var accepted string
	switch platform {
	case string(cfv1.PlatformAlibabaCCC):
		ok, accepted = slices.Contains(cccTypes, t), strings.Join(cccTypes, ", ")
	case string(cfv1.PlatformAmazonConnect):
		ok, accepted = slices.Contains(connectTypes, t), strings.Join(connectTypes, ", ")
	case string(cfv1.PlatformAlibabaCloudCallCenter):
		ok, accepted = classicTypePattern.MatchString(t), "an upper-case name such as MAIN_FLOW or SUB_FLOW"
	default:
		return "", &Error{Field: TypeField, Err: fmt.Errorf("platform %q has no contact flows", platform)}
	}
	if !ok {
		return "", &Error{Field: TypeField, Err: fmt.Errorf("%q is not a flow type of %s; use %s", t, platform, accepted)}
	}
	return t, nil
}

// ContentJSON returns spec.content as JSON bytes. It refuses a content that is not a JSON
// object, the only shape every platform's format shares; it does not parse the flow.
func ContentJSON(content *runtime.RawExtension) ([]byte, error) {
	if content == nil || len(bytes.TrimSpace(content.Raw)) == 0 {
		return nil, &Error{Field: ContentField, Err: errors.New("is empty")}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(content.Raw, &obj); err != nil || obj == nil {
		return nil, &Error{Field: ContentField, Err: errors.New("must be a JSON object (the platform's flow document)")}
	}
	return content.Raw, nil
}

// Desired returns the flow spec asks for, as the format of platform parses it, validated: the
// one path from a ContactFlow to a flow on every platform, shared by the controller and the
// admission webhook.
//
// AlibabaCCC flows are written in spec.definition (see CCC); AlibabaCloudCallCenter and
// AmazonConnect flows in spec.content. The wrong field for the platform, both fields or neither
// is an *Error naming the right one; a flow that does not parse or validate is an *Error whose
// Err is the *flow.ValidationError with every problem. A platform without a flow format is an
// error that is not an *Error: the ProviderConfig, not the spec, is wrong.
func Desired(spec cfv1.ContactFlowSpec, platform string) (flow.Definition, flow.Format, error) {
	format, err := flow.FormatFor(platform)
	if err != nil {
		return nil, nil, err
	}
	ccc := platform == string(cfv1.PlatformAlibabaCCC)
	switch {
	case spec.Definition != nil && spec.Content != nil:
		return nil, nil, &Error{Field: "spec", Err: errors.New("set exactly one of spec.definition and spec.content")}
	case ccc && spec.Definition == nil:
		return nil, nil, &Error{Field: Field, Err: fmt.Errorf("is required on %s: its flows are written as an activity graph in spec.definition, not in spec.content", platform)}
	case !ccc && spec.Content == nil:
		return nil, nil, &Error{Field: ContentField, Err: fmt.Errorf("is required on %s: its flows are written in the platform's own format in spec.content; spec.definition is for %s flows", platform, cfv1.PlatformAlibabaCCC)}
	}
	var def flow.Definition
	field := Field
	if ccc {
		d, err := CCC(*spec.Definition)
		if err != nil {
			return nil, nil, &Error{Field: Field, Err: err}
		}
		def = d
	} else {
		field = ContentField
		raw, err := ContentJSON(spec.Content)
		if err != nil {
			return nil, nil, err
		}
		def, err = format.Parse(raw)
		if err == nil {
			err = def.Validate()
		}
		if err != nil {
			return nil, nil, &Error{Field: field, Err: err}
		}
	}
	return def, format, nil
}
