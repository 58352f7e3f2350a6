package flow_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	emuconnect "github.com/contactflow-operator/contactflow-operator/internal/emulator/connect"
	"github.com/contactflow-operator/contactflow-operator/internal/flow"
)

// connectSmall is a valid three-action Content with layout, used by the tables below.
const connectSmall = `{"Version":"2019-10-30","StartAction":"12ab",
 "Metadata":{"entryPointPosition":{"x":40,"y":40},"ActionMetadata":{"12ab":{"position":{"x":100,"y":40}},"menu":{"position":{"x":300,"y":40}}}},
 "Actions":[
 {"Identifier":"12ab","Type":"MessageParticipant","Parameters":{"Text":"Hello"},"Transitions":{"NextAction":"menu","Errors":[{"NextAction":"bye","ErrorType":"NoMatchingError"}]}},
 {"Identifier":"menu","Type":"GetParticipantInput","Parameters":{"Text":"Press 1","InputTimeLimitSeconds":5},"Transitions":{"NextAction":"bye","Conditions":[{"NextAction":"bye","Condition":{"Operator":"Equals","Operands":["1"]}}],"Errors":[{"NextAction":"bye","ErrorType":"NoMatchingCondition"}]}},
 {"Identifier":"bye","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`

// connectSmallMoved is connectSmall with other layout, actions and keys reordered, numbers
// respelled and whitespace changed: the same content.
const connectSmallMoved = `{
  "Actions": [
    {"Transitions": {}, "Parameters": {}, "Type": "DisconnectParticipant", "Identifier": "bye"},
    {"Identifier": "menu", "Type": "GetParticipantInput",
     "Parameters": {"InputTimeLimitSeconds": 5.0, "Text": "Press 1"},
     "Transitions": {"Errors": [{"ErrorType": "NoMatchingCondition", "NextAction": "bye"}],
                     "Conditions": [{"Condition": {"Operands": ["1"], "Operator": "Equals"}, "NextAction": "bye"}],
                     "NextAction": "bye"}},
    {"Identifier": "12ab", "Type": "MessageParticipant", "Parameters": {"Text": "Hello"},
     "Transitions": {"NextAction": "menu", "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingError"}]}}
  ],
  "StartAction": "12ab",
  "Version": "2019-10-30",
  "Metadata": {"entryPointPosition": {"x": 0, "y": 0}, "ActionMetadata": {"bye": {"position": {"x": 900, "y": 500}}}}
}`

func mustParseConnect(t testing.TB, s string) *flow.ConnectDefinition {
	t.Helper()
	d, err := flow.ParseConnect([]byte(s))
	if err != nil {
		t.Fatalf("ParseConnect(%s): %v", s, err)
	}
	return d
}

func connectSampleBytes(t testing.TB) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/connect_ivr.json")
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func problemsOf(t *testing.T, err error) []flow.Problem {
	t.Helper()
	if err == nil {
		return nil
	}
	var verr *flow.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("error is %T, want *flow.ValidationError: %v", err, err)
	}
	return verr.Problems
}

func TestParseConnect(t *testing.T) {
	tests := map[string]struct {
		in           string
		want         *flow.ConnectDefinition
		wantProblems []flow.Problem
	}{
		"full action": {
			in: `{"Version":"2019-10-30","StartAction":"a","Actions":[{"Identifier":"a","Type":"MessageParticipant",` +
				`"Parameters":{"Text":"hi","N":1.5},"Transitions":{"NextAction":"b","Errors":[{"NextAction":"b","ErrorType":"NoMatchingError"}],` +
				`"Conditions":[{"NextAction":"b","Condition":{"Operator":"Equals","Operands":["1"]}}]}}]}`,
			want: &flow.ConnectDefinition{Version: "2019-10-30", StartAction: "a", Actions: []flow.ConnectAction{{
				Identifier: "a", Type: "MessageParticipant",
				Parameters: map[string]any{"Text": "hi", "N": json.Number("1.5")},
				Transitions: map[string]any{
					"NextAction": "b",
					"Errors":     []any{map[string]any{"NextAction": "b", "ErrorType": "NoMatchingError"}},
					"Conditions": []any{map[string]any{"NextAction": "b", "Condition": map[string]any{"Operator": "Equals", "Operands": []any{"1"}}}},
				},
			}}},
		},
		"empty object": {
			in:   `{}`,
			want: &flow.ConnectDefinition{Actions: []flow.ConnectAction{}},
		},
		"metadata is kept, unknown keys are kept at every level": {
			in: `{"Metadata":{"entryPointPosition":{"x":1}},"Settings":{"InputParameters":[]},"Actions":[{"Identifier":"x","Color":"red"}]}`,
			want: &flow.ConnectDefinition{
				Metadata: map[string]any{"entryPointPosition": map[string]any{"x": json.Number("1")}},
				Extra:    map[string]any{"Settings": map[string]any{"InputParameters": []any{}}},
				Actions: []flow.ConnectAction{{Identifier: "x", Parameters: map[string]any{}, Transitions: map[string]any{},
					Extra: map[string]any{"Color": "red"}}},
			},
		},
		"null means absent": {
			in: `{"Version":null,"StartAction":null,"Metadata":null,"Actions":[{"Identifier":null,"Type":null,"Parameters":null,` +
				`"Transitions":{"NextAction":null,"Errors":[{"NextAction":null,"ErrorType":null}],"Conditions":null}}]}`,
			want: &flow.ConnectDefinition{Actions: []flow.ConnectAction{{
				Parameters: map[string]any{},
				Transitions: map[string]any{"NextAction": nil, "Conditions": nil,
					"Errors": []any{map[string]any{"NextAction": nil, "ErrorType": nil}}},
			}}},
		},
		"null actions and transitions": {
			in: `{"Actions":[{"Identifier":"a","Transitions":null}]}`,
			want: &flow.ConnectDefinition{Actions: []flow.ConnectAction{{
				Identifier: "a", Parameters: map[string]any{}, Transitions: map[string]any{}}}},
		},
		"empty input": {
			in:           ``,
			wantProblems: []flow.Problem{{Message: "invalid JSON: empty input"}},
		},
		"truncated": {
			in:           `{"Actions":[`,
			wantProblems: []flow.Problem{{Message: "invalid JSON: unexpected end of input"}},
		},
		"syntax error": {
			in:           `{"Actions":]}`,
			wantProblems: []flow.Problem{{Message: "invalid JSON at offset 12: invalid character ']' looking for beginning of value"}},
		},
		"trailing data": {
			in:           `{} {}`,
			wantProblems: []flow.Problem{{Message: "invalid JSON: unexpected data after the top-level value"}},
		},
		"top level is an array": {
			in:           `[]`,
			wantProblems: []flow.Problem{{Message: "content must be a JSON object"}},
		},
		"actions is not an array": {
			in:           `{"Actions":{"Identifier":"a"}}`,
			wantProblems: []flow.Problem{{Field: "Actions", Message: "must be an array"}},
		},
		"every wrong shape is reported, sorted": {
			in: `{"Version":2019,"StartAction":["a"],"Metadata":"layout","Actions":[
				{"Identifier":1,"Type":true,"Parameters":[],"Transitions":"b"},
				"x",
				{"Identifier":"c","Transitions":{"NextAction":7,"Errors":{},"Conditions":[3,{"NextAction":{}}]}},
				{"Identifier":"d","Transitions":{"Errors":[{"NextAction":false,"ErrorType":1}],"Conditions":"all"}}]}`,
			wantProblems: []flow.Problem{
				{Field: "Actions[0].Identifier", Message: "must be a string"},
				{Field: "Actions[0].Parameters", Message: "must be an object"},
				{Field: "Actions[0].Transitions", Message: "must be an object"},
				{Field: "Actions[0].Type", Message: "must be a string"},
				{Field: "Actions[1]", Message: "must be an object"},
				{Field: "Actions[2].Transitions.Conditions[0]", Message: "must be an object"},
				{Field: "Actions[2].Transitions.Conditions[1].NextAction", Message: "must be a string"},
				{Field: "Actions[2].Transitions.Errors", Message: "must be an array"},
				{Field: "Actions[2].Transitions.NextAction", Message: "must be a string"},
				{Field: "Actions[3].Transitions.Conditions", Message: "must be an array"},
				{Field: "Actions[3].Transitions.Errors[0].ErrorType", Message: "must be a string"},
				{Field: "Actions[3].Transitions.Errors[0].NextAction", Message: "must be a string"},
				{Field: "Metadata", Message: "must be an object"},
				{Field: "StartAction", Message: "must be a string"},
				{Field: "Version", Message: "must be a string"},
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := flow.ParseConnect([]byte(tc.in))
			if diff := cmp.Diff(tc.wantProblems, problemsOf(t, err)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("definition (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConnectSample(t *testing.T) {
	raw := connectSampleBytes(t)
	d, err := flow.ParseConnect(raw)
	if err != nil {
		t.Fatalf("ParseConnect(sample): %v", err)
	}
	if err := d.Validate(); err != nil {
		t.Fatalf("Validate(sample): %v", err)
	}
	if got, want := len(d.Actions), 7; got != want {
		t.Fatalf("sample has %d actions, want %d", got, want)
	}
	if d.Metadata == nil {
		t.Fatal("sample lost its Metadata")
	}
	first := d.JSON()
	d2, err := flow.ParseConnect(first)
	if err != nil {
		t.Fatalf("ParseConnect(JSON()): %v", err)
	}
	if diff := cmp.Diff(d, d2); diff != "" {
		t.Errorf("JSON round trip changed the definition (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(string(first), string(d2.JSON())); diff != "" {
		t.Errorf("JSON is not stable across a round trip (-first +second):\n%s", diff)
	}
	if d.Hash() != d2.Hash() || len(d.Hash()) != 64 {
		t.Errorf("hash %q changed across the round trip to %q", d.Hash(), d2.Hash())
	}
	// What the operator would send is what the platform publishes.
	for name, content := range map[string][]byte{"file": raw, "JSON": first, "Canonical": d.Canonical()} {
		if problems := emuconnect.ValidateContent(string(content)); problems != nil {
			t.Errorf("emulator rejects the sample's %s: %q", name, problems)
		}
	}
}

func TestConnectJSONAndCanonical(t *testing.T) {
	tests := map[string]struct {
		def           *flow.ConnectDefinition
		wantJSON      string
		wantCanonical string
	}{
		"nil is an empty content": {
			def:           nil,
			wantJSON:      `{"Actions":[],"StartAction":"","Version":""}`,
			wantCanonical: `{"Actions":[],"StartAction":"","Version":""}`,
		},
		"order kept by JSON, sorted by Canonical; Metadata and number spelling only in JSON": {
			def: &flow.ConnectDefinition{
				Version:     "2019-10-30",
				StartAction: "z",
				Metadata:    map[string]any{"entryPointPosition": map[string]any{"x": json.Number("40.0")}},
				Extra:       map[string]any{"Settings": map[string]any{"n": json.Number("1e2")}, "Actions": "ignored", "Metadata": "ignored"},
				Actions: []flow.ConnectAction{
					{Identifier: "z", Type: "MessageParticipant", Parameters: map[string]any{"Text": "<Grüße & hi>"},
						Transitions: map[string]any{"NextAction": "a"}},
					{Identifier: "a", Type: "DisconnectParticipant", Extra: map[string]any{"Identifier": "shadow", "K": true}},
				},
			},
			wantJSON: `{"Actions":[` +
				`{"Identifier":"z","Parameters":{"Text":"<Grüße & hi>"},"Transitions":{"NextAction":"a"},"Type":"MessageParticipant"},` +
				`{"Identifier":"a","K":true,"Parameters":{},"Transitions":{},"Type":"DisconnectParticipant"}` +
				`],"Metadata":{"entryPointPosition":{"x":40.0}},"Settings":{"n":1e2},"StartAction":"z","Version":"2019-10-30"}`,
			wantCanonical: `{"Actions":[` +
				`{"Identifier":"a","K":true,"Parameters":{},"Transitions":{},"Type":"DisconnectParticipant"},` +
				`{"Identifier":"z","Parameters":{"Text":"<Grüße & hi>"},"Transitions":{"NextAction":"a"},"Type":"MessageParticipant"}` +
				`],"Settings":{"n":100},"StartAction":"z","Version":"2019-10-30"}`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.wantJSON, string(tc.def.JSON())); diff != "" {
				t.Errorf("JSON (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantCanonical, string(tc.def.Canonical())); diff != "" {
				t.Errorf("Canonical (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConnectHash(t *testing.T) {
	small := connectSmall
	tests := map[string]struct {
		a, b string
		same bool
	}{
		"identical": {a: small, b: small, same: true},
		"layout, order, keys, whitespace and number spelling": {
			a: small, b: connectSmallMoved, same: true,
		},
		"Metadata only changed": {
			a:    small,
			b:    strings.Replace(small, `"x":100`, `"x":777`, 1),
			same: true,
		},
		"Metadata removed": {
			a:    `{"Version":"2019-10-30","StartAction":"b","Actions":[{"Identifier":"b","Type":"DisconnectParticipant"}],"Metadata":{"a":1}}`,
			b:    `{"Version":"2019-10-30","StartAction":"b","Actions":[{"Identifier":"b","Type":"DisconnectParticipant"}]}`,
			same: true,
		},
		"null Parameters and Transitions equal empty ones": {
			a:    `{"Actions":[{"Identifier":"b","Type":"DisconnectParticipant","Parameters":null,"Transitions":null}]}`,
			b:    `{"Actions":[{"Identifier":"b","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`,
			same: true,
		},
		"parameter text changed": {
			a: small,
			b: strings.Replace(small, `"Text":"Hello"`, `"Text":"Goodbye"`, 1),
		},
		"number changed": {
			a: small,
			b: strings.Replace(small, `"InputTimeLimitSeconds":5`, `"InputTimeLimitSeconds":6`, 1),
		},
		"condition operand changed": {
			a: small,
			b: strings.Replace(small, `"Operands":["1"]`, `"Operands":["2"]`, 1),
		},
		"error order matters": {
			a: `{"Actions":[{"Identifier":"a","Transitions":{"Errors":[{"ErrorType":"X","NextAction":"a"},{"ErrorType":"Y","NextAction":"a"}]}}]}`,
			b: `{"Actions":[{"Identifier":"a","Transitions":{"Errors":[{"ErrorType":"Y","NextAction":"a"},{"ErrorType":"X","NextAction":"a"}]}}]}`,
		},
		"explicit null NextAction differs from absent": {
			a: `{"Actions":[{"Identifier":"a","Transitions":{"NextAction":null}}]}`,
			b: `{"Actions":[{"Identifier":"a","Transitions":{}}]}`,
		},
		"StartAction changed": {
			a: small,
			b: strings.Replace(small, `"StartAction":"12ab"`, `"StartAction":"menu"`, 1),
		},
		"unknown top-level key is content": {
			a: `{"Version":"2019-10-30","Actions":[],"Settings":{"x":1}}`,
			b: `{"Version":"2019-10-30","Actions":[]}`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			a, b := mustParseConnect(t, tc.a), mustParseConnect(t, tc.b)
			if got := a.Hash() == b.Hash(); got != tc.same {
				t.Errorf("same hash = %v, want %v\na: %s\nb: %s", got, tc.same, a.Canonical(), b.Canonical())
			}
			if got := flow.DiffConnect(a, b).Empty(); got != tc.same {
				t.Errorf("DiffConnect empty = %v, want %v (%s)", got, tc.same, flow.DiffConnect(a, b))
			}
		})
	}
}

func TestConnectValidate(t *testing.T) {
	tests := map[string]struct {
		in        string
		want      []flow.Problem
		wantError string
	}{
		"small content is valid": {in: connectSmall},
		"no version": {
			in:   `{"StartAction":"b","Actions":[{"Identifier":"b","Type":"DisconnectParticipant"}]}`,
			want: []flow.Problem{{Field: "Version", Message: `must be set to the flow language version "2019-10-30"`}},
		},
		"other version": {
			in:   `{"Version":"2020-01-01","StartAction":"b","Actions":[{"Identifier":"b","Type":"DisconnectParticipant"}]}`,
			want: []flow.Problem{{Field: "Version", Message: `unsupported flow language version "2020-01-01"; the platform accepts "2019-10-30"`}},
		},
		"no start action": {
			in:   `{"Version":"2019-10-30","Actions":[{"Identifier":"b","Type":"DisconnectParticipant"}]}`,
			want: []flow.Problem{{Field: "StartAction", Message: "must name the action the flow starts at"}},
		},
		"start action names a missing action": {
			in:   `{"Version":"2019-10-30","StartAction":"x","Actions":[{"Identifier":"b","Type":"DisconnectParticipant"}]}`,
			want: []flow.Problem{{Field: "StartAction", Message: `names unknown action "x"`}},
		},
		"empty identifier": {
			in:   `{"Version":"2019-10-30","StartAction":"b","Actions":[{"Identifier":"b","Type":"DisconnectParticipant"},{"Type":"MessageParticipant"}]}`,
			want: []flow.Problem{{ActivityType: "MessageParticipant", Field: "Actions[1].Identifier", Message: "must not be empty"}},
		},
		"duplicate identifier": {
			in: `{"Version":"2019-10-30","StartAction":"b","Actions":[{"Identifier":"b","Type":"DisconnectParticipant"},{"Identifier":"b","Type":"DisconnectParticipant"}]}`,
			want: []flow.Problem{{ActivityID: "b", ActivityType: "DisconnectParticipant", Field: "Identifier",
				Message: "is used by 2 actions; identifiers must be unique"}},
		},
		"empty type": {
			in:        `{"Version":"2019-10-30","StartAction":"b","Actions":[{"Identifier":"b"}]}`,
			want:      []flow.Problem{{ActivityID: "b", Field: "Type", Message: "must not be empty"}},
			wantError: "activity b: Type: must not be empty",
		},
		"unknown NextAction": {
			in: `{"Version":"2019-10-30","StartAction":"12ab","Actions":[{"Identifier":"12ab","Type":"MessageParticipant","Transitions":{"NextAction":"zzz"}}]}`,
			want: []flow.Problem{{ActivityID: "12ab", ActivityType: "MessageParticipant", Field: "Transitions.NextAction",
				Message: `names unknown action "zzz"`}},
			wantError: `activity 12ab (MessageParticipant): Transitions.NextAction: names unknown action "zzz"`,
		},
		"unknown error and condition targets": {
			in: `{"Version":"2019-10-30","StartAction":"m","Actions":[{"Identifier":"m","Type":"GetParticipantInput","Transitions":{` +
				`"Errors":[{"NextAction":"m","ErrorType":"A"},{"NextAction":"gone","ErrorType":"NoMatchingError"}],` +
				`"Conditions":[{"NextAction":"","Condition":{}}]}}]}`,
			want: []flow.Problem{
				{ActivityID: "m", ActivityType: "GetParticipantInput", Field: "Transitions.Conditions[0].NextAction", Message: "must name an action, not be empty"},
				{ActivityID: "m", ActivityType: "GetParticipantInput", Field: "Transitions.Errors[1].NextAction", Message: `names unknown action "gone"`},
			},
		},
		"unreachable action": {
			in: `{"Version":"2019-10-30","StartAction":"a","Actions":[{"Identifier":"a","Type":"DisconnectParticipant"},` +
				`{"Identifier":"island","Type":"MessageParticipant","Transitions":{"NextAction":"a"}}]}`,
			want:      []flow.Problem{{ActivityID: "island", ActivityType: "MessageParticipant", Message: `is not reachable from the start action "a"`}},
			wantError: `activity island (MessageParticipant): is not reachable from the start action "a"`,
		},
		"reachable only through errors and conditions": {
			in: `{"Version":"2019-10-30","StartAction":"a","Actions":[{"Identifier":"a","Type":"GetParticipantInput","Transitions":{` +
				`"Errors":[{"NextAction":"e","ErrorType":"NoMatchingError"}],"Conditions":[{"NextAction":"c"}]}},` +
				`{"Identifier":"c","Type":"DisconnectParticipant"},{"Identifier":"e","Type":"DisconnectParticipant"}]}`,
		},
		"empty content": {
			in: `{}`,
			want: []flow.Problem{
				{Field: "StartAction", Message: "must name the action the flow starts at"},
				{Field: "Version", Message: `must be set to the flow language version "2019-10-30"`},
			},
		},
		"several problems at once, each naming its action": {
			in: `{"Version":"2019-10-30","StartAction":"12ab","Actions":[
				{"Identifier":"12ab","Type":"MessageParticipant","Transitions":{"NextAction":"zzz","Errors":[{"NextAction":"bye","ErrorType":"NoMatchingError"},{"NextAction":"nope","ErrorType":"X"}]}},
				{"Identifier":"bye","Type":"DisconnectParticipant"},
				{"Identifier":"d","Type":"MessageParticipant","Transitions":{"NextAction":"bye"}},
				{"Identifier":"d","Type":"GetParticipantInput"},
				{"Type":"Loop"},
				{"Identifier":"t"}]}`,
			want: []flow.Problem{
				{ActivityType: "Loop", Field: "Actions[4].Identifier", Message: "must not be empty"},
				{ActivityID: "12ab", ActivityType: "MessageParticipant", Field: "Transitions.Errors[1].NextAction", Message: `names unknown action "nope"`},
				{ActivityID: "12ab", ActivityType: "MessageParticipant", Field: "Transitions.NextAction", Message: `names unknown action "zzz"`},
				{ActivityID: "d", Field: "Identifier", Message: "is used by 2 actions; identifiers must be unique"},
				{ActivityID: "d", ActivityType: "GetParticipantInput", Message: `is not reachable from the start action "12ab"`},
				{ActivityID: "d", ActivityType: "MessageParticipant", Message: `is not reachable from the start action "12ab"`},
				{ActivityID: "t", Message: `is not reachable from the start action "12ab"`},
				{ActivityID: "t", Field: "Type", Message: "must not be empty"},
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := mustParseConnect(t, tc.in).Validate()
			if diff := cmp.Diff(tc.want, problemsOf(t, err)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if tc.wantError != "" && (err == nil || err.Error() != tc.wantError) {
				t.Errorf("Error() = %v, want %q", err, tc.wantError)
			}
		})
	}
}

func TestConnectValidateHandBuilt(t *testing.T) {
	tests := map[string]struct {
		def  *flow.ConnectDefinition
		want []flow.Problem
	}{
		"nil": {def: nil, want: []flow.Problem{{Message: "content is missing"}}},
		"Go-typed transitions are read in their JSON form": {
			def: &flow.ConnectDefinition{Version: "2019-10-30", StartAction: "a", Actions: []flow.ConnectAction{
				{Identifier: "a", Type: "GetParticipantInput", Transitions: map[string]any{
					"Errors": []map[string]string{{"NextAction": "b", "ErrorType": "NoMatchingError"}}}},
				{Identifier: "b", Type: "DisconnectParticipant"},
			}},
		},
		"wrong shapes are reported on the action": {
			def: &flow.ConnectDefinition{Version: "2019-10-30", StartAction: "a", Actions: []flow.ConnectAction{
				{Identifier: "a", Type: "X", Transitions: map[string]any{"NextAction": 3, "Errors": "e", "Conditions": []any{"c"}}},
			}},
			want: []flow.Problem{
				{ActivityID: "a", ActivityType: "X", Field: "Transitions.Conditions[0]", Message: "must be an object"},
				{ActivityID: "a", ActivityType: "X", Field: "Transitions.Errors", Message: "must be an array"},
				{ActivityID: "a", ActivityType: "X", Field: "Transitions.NextAction", Message: "must be a string"},
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, problemsOf(t, tc.def.Validate())); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestConnectValidateAgreesWithEmulator checks that content Validate accepts is content the
// platform publishes, and that the platform's own rejections are Validate's too.
func TestConnectValidateAgreesWithEmulator(t *testing.T) {
	tests := map[string]struct {
		in    string
		valid bool
	}{
		"small":            {in: connectSmall, valid: true},
		"moved":            {in: connectSmallMoved, valid: true},
		"sample":           {in: string(connectSampleBytes(t)), valid: true},
		"no version":       {in: `{"StartAction":"b","Actions":[{"Identifier":"b","Type":"T","Transitions":{}}]}`},
		"wrong version":    {in: `{"Version":"1","StartAction":"b","Actions":[{"Identifier":"b","Type":"T","Transitions":{}}]}`},
		"no start":         {in: `{"Version":"2019-10-30","Actions":[{"Identifier":"b","Type":"T","Transitions":{}}]}`},
		"unknown start":    {in: `{"Version":"2019-10-30","StartAction":"x","Actions":[{"Identifier":"b","Type":"T","Transitions":{}}]}`},
		"no type":          {in: `{"Version":"2019-10-30","StartAction":"b","Actions":[{"Identifier":"b","Transitions":{}}]}`},
		"duplicate":        {in: `{"Version":"2019-10-30","StartAction":"b","Actions":[{"Identifier":"b","Type":"T","Transitions":{}},{"Identifier":"b","Type":"T","Transitions":{}}]}`},
		"dangling error":   {in: `{"Version":"2019-10-30","StartAction":"b","Actions":[{"Identifier":"b","Type":"T","Transitions":{"Errors":[{"NextAction":"q","ErrorType":"E"}]}}]}`},
		"dangling branch":  {in: `{"Version":"2019-10-30","StartAction":"b","Actions":[{"Identifier":"b","Type":"T","Transitions":{"Conditions":[{"NextAction":"q"}]}}]}`},
		"empty identifier": {in: `{"Version":"2019-10-30","StartAction":"b","Actions":[{"Identifier":"b","Type":"T","Transitions":{}},{"Identifier":"","Type":"T","Transitions":{}}]}`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			d := mustParseConnect(t, tc.in)
			err := d.Validate()
			if (err == nil) != tc.valid {
				t.Fatalf("Validate() = %v, want valid %v", err, tc.valid)
			}
			emu := emuconnect.ValidateContent(string(d.JSON()))
			if (len(emu) == 0) != tc.valid {
				t.Errorf("emulator problems for JSON() = %q, want valid %v", emu, tc.valid)
			}
		})
	}
}

func TestConnectWithLayoutFrom(t *testing.T) {
	const body = `"Version":"2019-10-30","StartAction":"a","Actions":[{"Identifier":"a","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]`
	liveMeta := `"Metadata":{"entryPointPosition":{"x":1,"y":2},"ActionMetadata":{"a":{"position":{"x":3,"y":4}},"gone":{"position":{"x":5,"y":6}}}}`
	tests := map[string]struct {
		desired, live string
		nilLive       bool
		wantJSON      string
	}{
		"spec without Metadata takes the whole live Metadata": {
			desired:  `{` + body + `}`,
			live:     `{"Version":"2019-10-30","StartAction":"old","Actions":[],` + liveMeta + `}`,
			wantJSON: `{"Actions":[{"Identifier":"a","Parameters":{},"Transitions":{},"Type":"DisconnectParticipant"}],"Metadata":{"ActionMetadata":{"a":{"position":{"x":3,"y":4}},"gone":{"position":{"x":5,"y":6}}},"entryPointPosition":{"x":1,"y":2}},"StartAction":"a","Version":"2019-10-30"}`,
		},
		"empty spec Metadata counts as none": {
			desired:  `{` + body + `,"Metadata":{}}`,
			live:     `{` + liveMeta + `}`,
			wantJSON: `{"Actions":[{"Identifier":"a","Parameters":{},"Transitions":{},"Type":"DisconnectParticipant"}],"Metadata":{"ActionMetadata":{"a":{"position":{"x":3,"y":4}},"gone":{"position":{"x":5,"y":6}}},"entryPointPosition":{"x":1,"y":2}},"StartAction":"a","Version":"2019-10-30"}`,
		},
		"spec Metadata wins and is not merged": {
			desired:  `{` + body + `,"Metadata":{"entryPointPosition":{"x":9,"y":9}}}`,
			live:     `{` + liveMeta + `}`,
			wantJSON: `{"Actions":[{"Identifier":"a","Parameters":{},"Transitions":{},"Type":"DisconnectParticipant"}],"Metadata":{"entryPointPosition":{"x":9,"y":9}},"StartAction":"a","Version":"2019-10-30"}`,
		},
		"live without Metadata": {
			desired:  `{` + body + `}`,
			live:     `{}`,
			wantJSON: `{"Actions":[{"Identifier":"a","Parameters":{},"Transitions":{},"Type":"DisconnectParticipant"}],"StartAction":"a","Version":"2019-10-30"}`,
		},
		"nil live": {
			desired:  `{` + body + `}`,
			nilLive:  true,
			wantJSON: `{"Actions":[{"Identifier":"a","Parameters":{},"Transitions":{},"Type":"DisconnectParticipant"}],"StartAction":"a","Version":"2019-10-30"}`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			desired := mustParseConnect(t, tc.desired)
			var live *flow.ConnectDefinition
			if !tc.nilLive {
				live = mustParseConnect(t, tc.live)
			}
			desiredBefore, liveBefore := string(desired.JSON()), string(live.JSON())
			got := desired.WithLayoutFrom(live)
			if diff := cmp.Diff(tc.wantJSON, string(got.JSON())); diff != "" {
				t.Errorf("JSON (-want +got):\n%s", diff)
			}
			if got.Hash() != desired.Hash() {
				t.Errorf("WithLayoutFrom changed the content hash")
			}
			if string(desired.JSON()) != desiredBefore || string(live.JSON()) != liveBefore {
				t.Errorf("WithLayoutFrom modified an input")
			}
			// The result does not alias live: changing it leaves live alone.
			if got.Metadata != nil {
				got.Metadata["entryPointPosition"] = "moved"
				if string(live.JSON()) != liveBefore {
					t.Errorf("result aliases live's Metadata")
				}
			}
		})
	}
	if got := (*flow.ConnectDefinition)(nil).WithLayoutFrom(mustParseConnect(t, connectSmall)); got != nil {
		t.Errorf("nil.WithLayoutFrom = %v, want nil", got)
	}
}

func TestDiffConnect(t *testing.T) {
	tests := map[string]struct {
		desired, live string
		nilLive       bool
		want          []flow.Change
		wantText      string
	}{
		"equal":                 {desired: connectSmall, live: connectSmall, wantText: "no changes"},
		"layout and order only": {desired: connectSmallMoved, live: connectSmall, wantText: "no changes"},
		"parameter text changed": {
			desired:  strings.Replace(connectSmall, `"Text":"Hello"`, `"Text":"Hi there"`, 1),
			live:     connectSmall,
			want:     []flow.Change{{ActivityID: "12ab", ActivityType: "MessageParticipant", Kind: flow.ChangeChanged, Fields: []string{"Parameters.Text"}}},
			wantText: "MessageParticipant 12ab: Parameters.Text changed",
		},
		"next action changed": {
			desired:  strings.Replace(connectSmall, `"NextAction":"menu"`, `"NextAction":"bye"`, 1),
			live:     connectSmall,
			want:     []flow.Change{{ActivityID: "12ab", ActivityType: "MessageParticipant", Kind: flow.ChangeChanged, Fields: []string{"Transitions.NextAction"}}},
			wantText: "MessageParticipant 12ab: Transitions.NextAction changed",
		},
		"start action changed": {
			desired:  strings.Replace(connectSmall, `"StartAction":"12ab"`, `"StartAction":"menu"`, 1),
			live:     connectSmall,
			want:     []flow.Change{{Kind: flow.ChangeChanged, Fields: []string{"StartAction"}}},
			wantText: "definition: StartAction changed",
		},
		"type, nested parameters, errors, conditions and extra keys": {
			desired: `{"Actions":[{"Identifier":"m","Type":"GetParticipantInput","Color":"red",` +
				`"Parameters":{"Text":"a","LexV2Bot":{"AliasArn":"new"},"Added":null},` +
				`"Transitions":{"Errors":[{"NextAction":"x","ErrorType":"E"}],"Conditions":[{"NextAction":"y"},{"NextAction":"z"}]}}]}`,
			live: `{"Actions":[{"Identifier":"m","Type":"MessageParticipant",` +
				`"Parameters":{"Text":"a","LexV2Bot":{"AliasArn":"old"},"Gone":1},` +
				`"Transitions":{"Errors":[{"NextAction":"w","ErrorType":"E"}],"Conditions":[{"NextAction":"y"}]}}]}`,
			want: []flow.Change{{ActivityID: "m", ActivityType: "GetParticipantInput", Kind: flow.ChangeChanged, Fields: []string{
				"Type", "Parameters.Added", "Parameters.Gone", "Parameters.LexV2Bot.AliasArn",
				"Transitions.Conditions", "Transitions.Errors[0].NextAction", "Color"}}},
			wantText: "GetParticipantInput m: Type, Parameters.Added, Parameters.Gone, Parameters.LexV2Bot.AliasArn, Transitions.Conditions, Transitions.Errors[0].NextAction, Color changed",
		},
		"added and removed actions": {
			desired: `{"Actions":[{"Identifier":"12ab","Type":"MessageParticipant"},{"Identifier":"keep","Type":"DisconnectParticipant"}]}`,
			live:    `{"Actions":[{"Identifier":"keep","Type":"DisconnectParticipant"},{"Identifier":"old","Type":"TransferContactToQueue"}]}`,
			want: []flow.Change{
				{ActivityID: "12ab", ActivityType: "MessageParticipant", Kind: flow.ChangeAdded},
				{ActivityID: "old", ActivityType: "TransferContactToQueue", Kind: flow.ChangeRemoved},
			},
			wantText: "MessageParticipant 12ab: added; TransferContactToQueue old: removed",
		},
		"flow does not exist yet": {
			desired: `{"Version":"2019-10-30","StartAction":"b","Actions":[{"Identifier":"b","Type":"DisconnectParticipant"}]}`,
			nilLive: true,
			want: []flow.Change{
				{Kind: flow.ChangeChanged, Fields: []string{"Version", "StartAction"}},
				{ActivityID: "b", ActivityType: "DisconnectParticipant", Kind: flow.ChangeAdded},
			},
			wantText: "definition: Version, StartAction changed; DisconnectParticipant b: added",
		},
		"unknown top-level keys, Metadata ignored": {
			desired:  `{"Settings":{"v":2},"Added":true,"Metadata":{"a":1}}`,
			live:     `{"Settings":{"v":1},"Gone":true,"Metadata":{"a":2}}`,
			want:     []flow.Change{{Kind: flow.ChangeChanged, Fields: []string{"Added", "Gone", "Settings.v"}}},
			wantText: "definition: Added, Gone, Settings.v changed",
		},
		"duplicated identifiers pair deterministically": {
			desired: `{"Actions":[{"Identifier":"d","Type":"A"},{"Identifier":"d","Type":"B"}]}`,
			live:    `{"Actions":[{"Identifier":"d","Type":"B"}]}`,
			want:    []flow.Change{{ActivityID: "d", ActivityType: "A", Kind: flow.ChangeAdded}},
		},
		"numbers compare by value": {
			desired: `{"Actions":[{"Identifier":"a","Parameters":{"n":1}}]}`,
			live:    `{"Actions":[{"Identifier":"a","Parameters":{"n":1.00}}]}`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			desired := mustParseConnect(t, tc.desired)
			var live *flow.ConnectDefinition
			if !tc.nilLive {
				live = mustParseConnect(t, tc.live)
			}
			d := flow.DiffConnect(desired, live)
			if diff := cmp.Diff(tc.want, d.Changes); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if tc.wantText != "" && d.String() != tc.wantText {
				t.Errorf("String() = %q, want %q", d.String(), tc.wantText)
			}
			if d.Empty() != (desired.Hash() == live.Hash()) {
				t.Errorf("Empty() = %v disagrees with the hashes", d.Empty())
			}
		})
	}
}

func TestContentSha256(t *testing.T) {
	sample := connectSampleBytes(t)
	d, err := flow.ParseConnect(sample)
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		content []byte
		want    string // empty: only compared with the emulator
	}{
		"empty":          {content: []byte{}, want: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		"sample file":    {content: sample},
		"sample JSON":    {content: d.JSON()},
		"sample compact": {content: d.Canonical()},
		"non-ASCII":      {content: []byte(`{"Text":"Grüße, 您好"}`)},
		"invalid UTF-8":  {content: []byte("{\"Text\":\"\xff\xfe\"}")},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := flow.ContentSha256(tc.content)
			if emu := emuconnect.ContentSha256(string(tc.content)); got != emu {
				t.Errorf("ContentSha256 = %s, emulator computes %s", got, emu)
			}
			if tc.want != "" && got != tc.want {
				t.Errorf("ContentSha256 = %s, want %s", got, tc.want)
			}
		})
	}
	// The platform's checksum is of bytes, not meaning: the same content spelled differently has
	// another checksum but the same semantic Hash.
	if flow.ContentSha256(sample) == flow.ContentSha256(d.JSON()) {
		t.Error("ContentSha256 ignores formatting; it must hash the exact bytes")
	}
	if reparsed := mustParseConnect(t, string(d.JSON())); reparsed.Hash() != d.Hash() {
		t.Error("formatting changed the semantic hash")
	}
}
