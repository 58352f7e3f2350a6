package flowspec

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/flow"
)

func ptr[T any](v T) *T { return &v }

func raw(s string) *runtime.RawExtension { return &runtime.RawExtension{Raw: []byte(s)} }

func TestCCC(t *testing.T) {
	start := cfv1.FlowActivity{Type: "INCOMING_CALL", ID: "start", Events: []cfv1.FlowEvent{{Event: "complete", Next: ptr("hello")}}}
	hello := cfv1.FlowActivity{Type: "PLAY_SAY", ID: "hello", Properties: raw(`{"say":"Welcome!","audioType":"tts","position":{"x":1,"y":2}}`),
		Events: []cfv1.FlowEvent{{Event: "complete", Next: ptr("bye")}}}
	bye := cfv1.FlowActivity{Type: "HANGUP", ID: "bye", Events: []cfv1.FlowEvent{{Event: "complete"}}}
	tests := map[string]struct {
		def          cfv1.FlowDefinition
		wantProblems []flow.Problem
		wantOther    bool // an error that is not a *flow.ValidationError
	}{
		"valid": {def: cfv1.FlowDefinition{Activities: []cfv1.FlowActivity{start, hello, bye}, Description: "d"}},
		"unknown next and unreachable": {
			def: cfv1.FlowDefinition{Activities: []cfv1.FlowActivity{start, {Type: "PLAY_SAY", ID: "hello",
				Events: []cfv1.FlowEvent{{Event: "complete", Next: ptr("zzz")}}}, bye}},
			wantProblems: []flow.Problem{
				{ActivityID: "bye", ActivityType: "HANGUP", Message: "is not reachable from the start (INCOMING_CALL start)"},
				{ActivityID: "hello", ActivityType: "PLAY_SAY", Field: "events[0].next", Message: `names unknown activity "zzz"`},
			},
		},
		"no activities": {
			wantProblems: []flow.Problem{{Field: "activities", Message: "must contain one INCOMING_CALL activity (the start); found none"}},
		},
		"properties that are not an object": {
			def:          cfv1.FlowDefinition{Activities: []cfv1.FlowActivity{start, {Type: "HANGUP", ID: "hello", Properties: raw(`[1]`)}}},
			wantProblems: []flow.Problem{{Field: "activities[1].properties", Message: "must be an object"}},
		},
		"properties that are not JSON cannot be encoded": {
			def:       cfv1.FlowDefinition{Activities: []cfv1.FlowActivity{{Type: "HANGUP", ID: "h", Properties: raw(`{`)}}},
			wantOther: true,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := CCC(tc.def)
			var verr *flow.ValidationError
			switch {
			case tc.wantOther:
				if err == nil || errors.As(err, &verr) {
					t.Fatalf("err = %v, want an encoding error", err)
				}
				return
			case tc.wantProblems != nil:
				if !errors.As(err, &verr) {
					t.Fatalf("err = %v, want a *flow.ValidationError", err)
				}
				if diff := cmp.Diff(tc.wantProblems, verr.Problems); diff != "" {
					t.Errorf("problems (-want +got):\n%s", diff)
				}
				if got != nil {
					t.Errorf("an invalid definition was returned")
				}
				return
			case err != nil:
				t.Fatalf("CCC: %v", err)
			}
			// The definition is the one the JSON form of the API type gives.
			b, _ := json.Marshal(tc.def)
			want, err := flow.ParseCCC(b)
			if err != nil {
				t.Fatal(err)
			}
			if got.Hash() != want.Hash() || string(got.JSON()) != string(want.JSON()) {
				t.Errorf("CCC differs from flow.ParseCCC(json.Marshal(def)):\n%s\n%s", got.JSON(), want.JSON())
			}
			if got.Description != "d" || len(got.Activities) != 3 {
				t.Errorf("lost content: %s", got.JSON())
			}
		})
	}
}

func TestParseCCCKeepsBrokenGraphs(t *testing.T) {
	d, err := ParseCCC(cfv1.FlowDefinition{Activities: []cfv1.FlowActivity{{Type: "PLAY_SAY", ID: "p",
		Events: []cfv1.FlowEvent{{Event: "complete", Next: ptr("zzz")}}}}})
	if err != nil || len(d.Activities) != 1 {
		t.Fatalf("ParseCCC = %v, %v; want the definition", d, err)
	}
	if d.Validate() == nil {
		t.Error("the graph should not validate")
	}
}
