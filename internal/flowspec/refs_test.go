package flowspec

import (
	"errors"
	"strings"
	"testing"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
)

var refDef = cfv1.FlowDefinition{Activities: []cfv1.FlowActivity{
	{Type: "INCOMING_CALL", ID: "start", Events: []cfv1.FlowEvent{{Event: "complete", Next: ptr("xfer")}}},
	{Type: "TRANSFER_TO_FLOW", ID: "xfer", Properties: raw(`{"contactFlowId":"${ref:sales}","skillGroupId":"${ref:support}","note":"${ref:sales} twice"}`),
		Events: []cfv1.FlowEvent{{Event: "complete", Next: ptr("bye")}}},
	{Type: "HANGUP", ID: "bye", Events: []cfv1.FlowEvent{{Event: "complete"}}},
}}

func refSpec(refs ...cfv1.FlowReference) cfv1.ContactFlowSpec {
	return cfv1.ContactFlowSpec{Definition: &refDef, References: refs}
}

func flowRef(name, target string) cfv1.FlowReference {
	return cfv1.FlowReference{Name: name, ContactFlow: &cfv1.LocalObjectReference{Name: target}}
}

func platformRef(name, kind, objName string) cfv1.FlowReference {
	return cfv1.FlowReference{Name: name, Platform: &cfv1.PlatformReference{Kind: cfv1.ReferenceKind(kind), Name: objName}}
}

func TestUsedReferences(t *testing.T) {
	got, err := UsedReferences(refSpec())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "sales,support" {
		t.Fatalf("used = %v, want [sales support]", got)
	}
	content := cfv1.ContactFlowSpec{Content: raw(`{"Actions":[{"Parameters":{"QueueId":"${ref:q-1.a_b}"}}]}`)}
	if got, err := UsedReferences(content); err != nil || strings.Join(got, ",") != "q-1.a_b" {
		t.Fatalf("content refs = %v, %v", got, err)
	}
	for _, bad := range []string{`${ref:}`, `${ref:sales`, `${ref:-x}`, `${ref:a b}`} {
		spec := cfv1.ContactFlowSpec{Content: raw(`{"a":"` + bad + `"}`)}
		_, err := UsedReferences(spec)
		var fe *Error
		if !errors.As(err, &fe) || fe.Field != ContentField || !strings.Contains(err.Error(), "is not a reference") {
			t.Errorf("%s: err = %v, want a malformed-reference error for spec.content", bad, err)
		}
	}
}

func TestCheckReferences(t *testing.T) {
	tests := map[string]struct {
		spec      cfv1.ContactFlowSpec
		platform  string
		wantField string
		wantText  string
	}{
		"all declared": {spec: refSpec(flowRef("sales", "sales-menu"), platformRef("support", "SkillGroup", "Support")), platform: ccc},
		"undeclared": {spec: refSpec(flowRef("sales", "sales-menu")), platform: ccc,
			wantField: ReferencesField, wantText: `uses ${ref:support}, but no reference is named "support"`},
		"declared twice": {spec: refSpec(flowRef("sales", "a"), flowRef("sales", "b"), platformRef("support", "SkillGroup", "S")), platform: ccc,
			wantField: "spec.references[1].name", wantText: "declared twice"},
		"kind the platform lacks": {spec: refSpec(flowRef("sales", "a"), platformRef("support", "Queue", "S")), platform: ccc,
			wantField: "spec.references[1].platform.kind", wantText: `AlibabaCCC has no "Queue" objects a flow can refer to; use one of ContactFlow, SkillGroup, Prompt`},
		"queue on connect": {spec: cfv1.ContactFlowSpec{Content: raw(`{"a":"${ref:q}"}`), References: []cfv1.FlowReference{platformRef("q", "Queue", "Support")}}, platform: connect},
		"both targets": {spec: refSpec(cfv1.FlowReference{Name: "sales", ContactFlow: &cfv1.LocalObjectReference{Name: "a"}, Platform: &cfv1.PlatformReference{Kind: "Prompt", Name: "p"}}, platformRef("support", "SkillGroup", "S")), platform: ccc,
			wantField: "spec.references[0]", wantText: "exactly one of contactFlow and platform"},
		"name and id": {spec: refSpec(flowRef("sales", "a"), cfv1.FlowReference{Name: "support", Platform: &cfv1.PlatformReference{Kind: "SkillGroup", Name: "S", ID: "sg-1"}}), platform: ccc,
			wantField: "spec.references[1].platform", wantText: "exactly one of name and id"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := CheckReferences(tc.spec, tc.platform)
			if tc.wantField == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			var fe *Error
			if !errors.As(err, &fe) || fe.Field != tc.wantField || !strings.Contains(err.Error(), tc.wantText) {
				t.Fatalf("err = %v, want field %s with %q", err, tc.wantField, tc.wantText)
			}
		})
	}
}

func TestResolved(t *testing.T) {
	spec := refSpec(flowRef("sales", "sales-menu"), platformRef("support", "SkillGroup", "Support"))
	def, _, err := Resolved(spec, ccc, map[string]string{"sales": "flow-123", "support": `sg"1`})
	if err != nil {
		t.Fatal(err)
	}
	js := string(def.JSON())
	for _, want := range []string{`"contactFlowId":"flow-123"`, `"skillGroupId":"sg\"1"`, `"note":"flow-123 twice"`} {
		if !strings.Contains(js, want) {
			t.Errorf("resolved definition lacks %s:\n%s", want, js)
		}
	}
	if spec.Definition.Activities[1].Properties.Raw == nil || !strings.Contains(string(spec.Definition.Activities[1].Properties.Raw), "${ref:sales}") {
		t.Fatal("Resolved changed the spec it was given")
	}
	// Unresolved names become empty; other IDs give another hash: a new ID is a change.
	partial, _, err := Resolved(spec, ccc, map[string]string{"sales": "flow-123"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(partial.JSON()), `"skillGroupId":""`) {
		t.Errorf("an unresolved reference should become empty: %s", partial.JSON())
	}
	other, _, _ := Resolved(spec, ccc, map[string]string{"sales": "flow-456", "support": `sg"1`})
	if other.Hash() == def.Hash() {
		t.Error("a different referenced ID must give a different hash")
	}
	// Connect content.
	cs := cfv1.ContactFlowSpec{Content: raw(strings.Replace(string(connectContent.Raw), `"Text":"Hello"`, `"Text":"Hello","QueueId":"${ref:q}"`, 1)),
		References: []cfv1.FlowReference{platformRef("q", "Queue", "Support")}}
	cdef, _, err := Resolved(cs, connect, map[string]string{"q": "arn:aws:connect:us-east-1:1:instance/i/queue/q1"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(cdef.JSON()), "instance/i/queue/q1") {
		t.Errorf("connect content not resolved: %s", cdef.JSON())
	}
}
