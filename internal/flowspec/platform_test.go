package flowspec

import (
	"errors"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/flow"
)

const (
	ccc     = string(cfv1.PlatformAlibabaCCC)
	classic = string(cfv1.PlatformAlibabaCloudCallCenter)
	connect = string(cfv1.PlatformAmazonConnect)
)

var (
	cccDef = cfv1.FlowDefinition{Activities: []cfv1.FlowActivity{
		{Type: "INCOMING_CALL", ID: "start", Events: []cfv1.FlowEvent{{Event: "complete", Next: ptr("bye")}}},
		{Type: "HANGUP", ID: "bye", Events: []cfv1.FlowEvent{{Event: "complete"}}},
	}}
	classicContent = raw(`{"start":"a","nodes":[{"id":"a","type":"Play","properties":{"text":"hi"},"next":{"default":"h"}},{"id":"h","type":"Hangup","next":{}}]}`)
	connectContent = raw(`{"Version":"2019-10-30","StartAction":"hi","Actions":[{"Identifier":"hi","Type":"MessageParticipant","Parameters":{"Text":"Hello"},"Transitions":{"NextAction":"bye"}},{"Identifier":"bye","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`)
)

func TestDesired(t *testing.T) {
	withDef := cfv1.ContactFlowSpec{Definition: &cccDef}
	tests := map[string]struct {
		spec     cfv1.ContactFlowSpec
		platform string
		// wantField is the field of the *Error; "" means success.
		wantField string
		// wantText is part of the error text.
		wantText string
		// wantProblems: the *Error wraps a *flow.ValidationError.
		wantProblems bool
		// wantNotSpec: the error is not an *Error (the platform, not the spec, is wrong).
		wantNotSpec bool
	}{
		"CCC definition":                      {spec: withDef, platform: ccc},
		"classic content":                     {spec: cfv1.ContactFlowSpec{Content: classicContent}, platform: classic},
		"Connect content":                     {spec: cfv1.ContactFlowSpec{Content: connectContent}, platform: connect},
		"CCC needs the definition":            {spec: cfv1.ContactFlowSpec{Content: connectContent}, platform: ccc, wantField: Field, wantText: "spec.definition"},
		"classic needs the content":           {spec: withDef, platform: classic, wantField: ContentField, wantText: "spec.content"},
		"Connect needs the content":           {spec: withDef, platform: connect, wantField: ContentField, wantText: "AlibabaCCC"},
		"both":                                {spec: cfv1.ContactFlowSpec{Definition: &cccDef, Content: connectContent}, platform: connect, wantField: "spec", wantText: "exactly one"},
		"neither":                             {platform: connect, wantField: ContentField},
		"content that is not an object":       {spec: cfv1.ContactFlowSpec{Content: raw(`[1]`)}, platform: connect, wantField: ContentField, wantText: "JSON object"},
		"Connect content of a classic flow":   {spec: cfv1.ContactFlowSpec{Content: classicContent}, platform: connect, wantField: ContentField, wantProblems: true, wantText: "StartAction"},
		"classic content of a Connect flow":   {spec: cfv1.ContactFlowSpec{Content: connectContent}, platform: classic, wantField: ContentField, wantProblems: true, wantText: "start"},
		"Connect dangling NextAction":         {spec: cfv1.ContactFlowSpec{Content: raw(`{"Version":"2019-10-30","StartAction":"hi","Actions":[{"Identifier":"hi","Type":"MessageParticipant","Transitions":{"NextAction":"zzz"}}]}`)}, platform: connect, wantField: ContentField, wantProblems: true, wantText: `names unknown action "zzz"`},
		"CCC dangling next":                   {spec: cfv1.ContactFlowSpec{Definition: &cfv1.FlowDefinition{Activities: []cfv1.FlowActivity{{Type: "INCOMING_CALL", ID: "start", Events: []cfv1.FlowEvent{{Event: "complete", Next: ptr("zzz")}}}}}}, platform: ccc, wantField: Field, wantProblems: true, wantText: "zzz"},
		"a platform without flows":            {spec: withDef, platform: string(cfv1.PlatformAlibabaOutboundBot), wantNotSpec: true},
		"invalid JSON in content is a shape":  {spec: cfv1.ContactFlowSpec{Content: &runtime.RawExtension{Raw: []byte(`{`)}}, platform: classic, wantField: ContentField, wantText: "JSON object"},
		"empty content is refused, not a nil": {spec: cfv1.ContactFlowSpec{Content: &runtime.RawExtension{}}, platform: classic, wantField: ContentField, wantText: "empty"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			def, format, err := Desired(tc.spec, tc.platform)
			var fe *Error
			switch {
			case tc.wantNotSpec:
				if err == nil || errors.As(err, &fe) {
					t.Fatalf("err = %v, want an error that is not a spec *Error", err)
				}
				return
			case tc.wantField == "":
				if err != nil {
					t.Fatalf("Desired: %v", err)
				}
				f, _ := flow.FormatFor(tc.platform)
				if format != f || def == nil || def.Validate() != nil {
					t.Errorf("Desired = %v, %v", def, format)
				}
				return
			}
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a *flowspec.Error", err)
			}
			if fe.Field != tc.wantField {
				t.Errorf("field = %q, want %q (%v)", fe.Field, tc.wantField, err)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q does not contain %q", err, tc.wantText)
			}
			var ve *flow.ValidationError
			if got := errors.As(err, &ve); got != tc.wantProblems {
				t.Errorf("wraps a *flow.ValidationError = %v, want %v (%v)", got, tc.wantProblems, err)
			}
			if def != nil || format != nil {
				t.Error("a refused spec returned a flow")
			}
		})
	}
}

func TestDesiredHashIsTheFormatsHash(t *testing.T) {
	def, _, err := Desired(cfv1.ContactFlowSpec{Content: connectContent}, connect)
	if err != nil {
		t.Fatal(err)
	}
	want, err := flow.ParseConnect(connectContent.Raw)
	if err != nil {
		t.Fatal(err)
	}
	if def.Hash() != want.Hash() {
		t.Error("Desired's hash differs from flow.ParseConnect's")
	}
	cccd, _, err := Desired(cfv1.ContactFlowSpec{Definition: &cccDef}, ccc)
	if err != nil {
		t.Fatal(err)
	}
	same, err := CCC(cccDef)
	if err != nil || cccd.Hash() != same.Hash() {
		t.Errorf("Desired's CCC hash differs from CCC's: %v", err)
	}
}

func TestFlowType(t *testing.T) {
	tests := map[string]struct {
		platform, typ string
		want          string
		wantErr       string
	}{
		"CCC default":                       {platform: ccc, want: "MAIN_FLOW"},
		"CCC survey":                        {platform: ccc, typ: "SURVEY_FLOW", want: "SURVEY_FLOW"},
		"CCC refuses a Connect type":        {platform: ccc, typ: "CAMPAIGN", wantErr: "MAIN_FLOW, SUB_FLOW, SURVEY_FLOW"},
		"classic default":                   {platform: classic, want: "MAIN_FLOW"},
		"classic takes any upper-case name": {platform: classic, typ: "IVR_FLOW", want: "IVR_FLOW"},
		"classic refuses lower case":        {platform: classic, typ: "main", wantErr: "upper-case"},
		"Connect default":                   {platform: connect, want: "CONTACT_FLOW"},
		"Connect campaign":                  {platform: connect, typ: "CAMPAIGN", want: "CAMPAIGN"},
		"Connect whisper":                   {platform: connect, typ: "AGENT_WHISPER", want: "AGENT_WHISPER"},
		"Connect refuses a CCC type":        {platform: connect, typ: "MAIN_FLOW", wantErr: "CONTACT_FLOW"},
		"no flows on outbound bots":         {platform: string(cfv1.PlatformAlibabaOutboundBot), wantErr: "no contact flows"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := FlowType(cfv1.ContactFlowSpec{Type: tc.typ}, tc.platform)
			if tc.wantErr != "" {
				var fe *Error
				if !errors.As(err, &fe) || fe.Field != TypeField || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("FlowType = %q, %v; want a spec.type error containing %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("FlowType = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
