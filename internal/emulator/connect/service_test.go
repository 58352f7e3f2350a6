package connect

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

func TestContentSha256(t *testing.T) {
	// The SHA-256 test vector for "abc": the checksum is of the bytes as stored.
	if got := ContentSha256("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("ContentSha256(abc) = %s", got)
	}
	if ContentSha256(`{"a":1}`) == ContentSha256(`{"a": 1}`) {
		t.Error("whitespace must change the checksum: content is not canonicalised")
	}
}

func TestValidateContent(t *testing.T) {
	tests := map[string]struct {
		content string
		want    []string
	}{
		"valid": {
			content: `{"Version":"2019-10-30","StartAction":"a","Actions":[{"Identifier":"a","Type":"MessageParticipant","Transitions":{"NextAction":"b","Conditions":[{"NextAction":"b"}]}},{"Identifier":"b","Type":"DisconnectParticipant","Transitions":{}}]}`,
		},
		"not json":         {content: `{`, want: []string{"Content is not a JSON object."}},
		"array":            {content: `[]`, want: []string{"Content is not a JSON object."}},
		"trailing data":    {content: `{} {}`, want: []string{"Content is not a JSON object."}},
		"empty object":     {content: `{}`, want: []string{"Version is required.", "Actions is required.", "StartAction is required."}},
		"wrong version":    {content: `{"Version":"2020-01-01","StartAction":"a","Actions":[{"Identifier":"a","Type":"T","Transitions":{}}]}`, want: []string{`Version must be "2019-10-30".`}},
		"actions object":   {content: `{"Version":"2019-10-30","StartAction":"a","Actions":{}}`, want: []string{"Actions must be an array.", `StartAction "a" does not name an action.`}},
		"action not obj":   {content: `{"Version":"2019-10-30","StartAction":"a","Actions":[null,{"Identifier":"a","Type":"T","Transitions":{}}]}`, want: []string{"Actions[0] is not an object."}},
		"missing fields":   {content: `{"Version":"2019-10-30","StartAction":"a","Actions":[{"Identifier":"a"},{"Type":"T","Transitions":[]}]}`, want: []string{"Actions[1]: Identifier is required.", `Action "a": Type is required.`, `Action "a": Transitions is required.`, "Actions[1]: Transitions must be an object."}},
		"duplicate id":     {content: `{"Version":"2019-10-30","StartAction":"a","Actions":[{"Identifier":"a","Type":"T","Transitions":{}},{"Identifier":"a","Type":"T","Transitions":{}}]}`, want: []string{`Actions[1]: Identifier "a" is used by another action.`}},
		"dangling errors":  {content: `{"Version":"2019-10-30","StartAction":"a","Actions":[{"Identifier":"a","Type":"T","Transitions":{"Errors":[{"NextAction":"x","ErrorType":"NoMatchingError"}]}}]}`, want: []string{`Action "a": Errors[0].NextAction "x" does not name an action.`}},
		"start not string": {content: `{"Version":"2019-10-30","StartAction":3,"Actions":[]}`, want: []string{`StartAction 3 does not name an action.`}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, ValidateContent(tc.content)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseFlowRef(t *testing.T) {
	tests := map[string]struct {
		in      string
		want    FlowRef
		wantErr bool
	}{
		"plain":   {in: "f1", want: FlowRef{ID: "f1"}},
		"saved":   {in: "f1:$SAVED", want: FlowRef{ID: "f1", Qualifier: "$SAVED"}},
		"latest":  {in: "f1:$LATEST", want: FlowRef{ID: "f1", Qualifier: "$LATEST"}},
		"version": {in: "f1:12", want: FlowRef{ID: "f1", Qualifier: "12", Version: 12}},
		"arn":     {in: "arn:aws:connect:us-east-1:000000000000:instance/i/contact-flow/f1:$SAVED", want: FlowRef{ID: "f1", Qualifier: "$SAVED"}},
		"zero":    {in: "f1:0", wantErr: true},
		"junk":    {in: "f1:latest", wantErr: true},
		"empty q": {in: "f1:", wantErr: true},
		"bad arn": {in: "arn:aws:connect:us-east-1:0:instance/i", wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := ParseFlowRef(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if err == nil && got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestStatePersistsAndLimits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	store, err := core.OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Store: store, Instances: []string{"i"}, MaxFlowsPerInstance: 2})
	if err != nil {
		t.Fatal(err)
	}
	content := `{"Version":"2019-10-30","StartAction":"a","Actions":[{"Identifier":"a","Type":"T","Transitions":{}}]}`
	a, err := s.CreateFlow("i", "", NewFlow{Name: "a", Type: TypeCampaign, Content: content, Tags: map[string]string{"k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateVersion("i", a.ContactFlowID, VersionRequest{Description: "first"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateFlow("i", "", NewFlow{Name: "b", Type: "CONTACT_FLOW", Content: "{}", Status: StatusSaved}); err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateFlow("i", "", NewFlow{Name: "c", Type: "CONTACT_FLOW", Content: "{}", Status: StatusSaved})
	if ae := core.AsAPIError(err); ae.Code != CodeLimitExceeded || ae.HTTPStatus != 429 {
		t.Errorf("over the limit = %v", err)
	}

	store2, err := core.OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := New(Options{Store: store2})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := s.Flows("i")
	after, err := s2.Flows("i")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("reloaded state (-before +after):\n%s", diff)
	}
	// Sequence numbers continue after a reload, so paging tokens stay ordered.
	if err := s2.Delete("i", after[1].ContactFlowID); err != nil {
		t.Fatal(err)
	}
	c, err := s2.CreateFlow("i", "", NewFlow{Name: "c", Type: "CONTACT_FLOW", Content: "{}", Status: StatusSaved})
	if err != nil || c.Seq <= after[1].Seq {
		t.Errorf("new flow after reload = %+v, %v", c, err)
	}
	raw, _ := json.Marshal(c)
	if len(raw) == 0 {
		t.Error("flow does not marshal")
	}
}
