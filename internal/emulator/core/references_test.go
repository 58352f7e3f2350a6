package core

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestReferenceProblems(t *testing.T) {
	elements := []json.RawMessage{
		json.RawMessage(`{"id":"a","properties":{"flowId":"f1","audio":""}}`),
		json.RawMessage(`{"id":7,"properties":{"flowId":{"x":1},"group":42}}`),
		json.RawMessage(`{"properties":{"group":"","audio":"gone"}}`),
		json.RawMessage(`"not an element"`),
	}
	props := []RefProperty{{Name: "flowId"}, {Name: "group"}, {Name: "audio", Optional: true}}
	var asked []string
	got := ReferenceProblems(elements, "step", props, func(prop, id string) string {
		asked = append(asked, prop+"="+id)
		if id == "f1" {
			return ""
		}
		return "no " + prop + " " + id
	})
	want := []string{
		`step "7" property flowId: not a string ID`,
		`step "7" property group: no group 42`,
		`step #3 property group: empty ID`,
		`step #3 property audio: no audio gone`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// An optional empty ID and a malformed ID are never looked up.
	if strings.Join(asked, " ") != "flowId=f1 group=42 audio=gone" {
		t.Errorf("looked up %v", asked)
	}
}
