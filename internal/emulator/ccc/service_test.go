package ccc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

const (
	defA = `{"activities":[{"type":"INCOMING_CALL","id":"a"}],"description":""}`
	defB = `{"activities":[{"type":"INCOMING_CALL","id":"b"}],"description":""}`
	defC = `{"activities":[{"type":"HANGUP","id":"c"}]}`
)

func newTestService(t *testing.T) *Service {
	t.Helper()
	now := time.Date(2021, 3, 8, 7, 34, 49, 0, time.UTC)
	s, err := New(Options{
		Instances: []string{"ccc-test"},
		Now: func() time.Time {
			now = now.Add(time.Second)
			return now
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// code returns the platform code of err, "" for nil and "<go error>" for a non-API error.
func code(err error) string {
	if err == nil {
		return ""
	}
	var ae *core.APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return "<go error>"
}

func mustCreate(t *testing.T, s *Service, name, user string) Flow {
	t.Helper()
	f, err := s.CreateFlow("ccc-test", user, NewFlow{Name: name, Type: "MAIN_FLOW", Definition: defA})
	if err != nil {
		t.Fatalf("CreateFlow(%s): %v", name, err)
	}
	return f
}

func TestLifecycle(t *testing.T) {
	s := newTestService(t)
	f := mustCreate(t, s, "main", "operator")
	if f.Published || f.Definition != "" || f.Draft == nil || f.Draft.Editor != "operator" || f.Draft.Definition != defA {
		t.Fatalf("created flow = %+v, want unpublished with a draft of defA held by operator", f)
	}
	if f.CreatedTime != "2021-03-08 15:34:50.0" {
		t.Errorf("CreatedTime = %q, want the platform's CST format", f.CreatedTime)
	}

	// StartEdit by the holder returns the same draft.
	id, err := s.StartEdit("ccc-test", f.ContactFlowID, "operator")
	if err != nil || id != f.Draft.DraftID {
		t.Fatalf("StartEdit = %q, %v; want the open draft %q", id, err, f.Draft.DraftID)
	}
	if err := s.Commit("ccc-test", f.ContactFlowID, id, "operator", defB, "v2"); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if err := s.Publish("ccc-test", f.ContactFlowID, id, "operator"); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	got, err := s.Flow("ccc-test", f.ContactFlowID)
	if err != nil {
		t.Fatal(err)
	}
	want := Flow{
		ContactFlowID: f.ContactFlowID, InstanceID: "ccc-test", Name: "main", Type: "MAIN_FLOW",
		Description: "v2", Definition: defB, Published: true, NumberList: []string{},
		CreatedTime: f.CreatedTime, UpdatedTime: got.UpdatedTime,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after publish (-want +got):\n%s", diff)
	}

	// A new edit copies the published definition; discard drops it.
	id2, err := s.StartEdit("ccc-test", f.ContactFlowID, "operator")
	if err != nil || id2 == id {
		t.Fatalf("second StartEdit = %q, %v; want a new draft", id2, err)
	}
	got, _ = s.Flow("ccc-test", f.ContactFlowID)
	if got.Draft.Definition != defB {
		t.Errorf("new draft definition = %q, want copy of published", got.Draft.Definition)
	}
	if err := s.Discard("ccc-test", f.ContactFlowID, id2); err != nil {
		t.Fatalf("Discard: %v", err)
	}
	if c := code(s.Discard("ccc-test", f.ContactFlowID, id2)); c != CodeDraftNotExists {
		t.Errorf("second Discard code = %q, want %s", c, CodeDraftNotExists)
	}
	if err := s.Delete("ccc-test", f.ContactFlowID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if c := code(s.Delete("ccc-test", f.ContactFlowID)); c != CodeFlowNotExists {
		t.Errorf("second Delete code = %q, want %s", c, CodeFlowNotExists)
	}
}

func TestRefusals(t *testing.T) {
	tests := map[string]struct {
		do       func(s *Service, f Flow) error
		wantCode string
		wantMsg  string
	}{
		"start edit while another user holds the draft": {
			do: func(s *Service, f Flow) error {
				_, err := s.StartEdit("ccc-test", f.ContactFlowID, "alice")
				return err
			},
			wantCode: CodeFlowLocked,
			wantMsg:  "is being edited by operator.",
		},
		"commit into another user's draft": {
			do: func(s *Service, f Flow) error {
				return s.Commit("ccc-test", f.ContactFlowID, f.Draft.DraftID, "alice", defB, "")
			},
			wantCode: CodeFlowLocked,
		},
		"publish another user's draft": {
			do: func(s *Service, f Flow) error {
				return s.Publish("ccc-test", f.ContactFlowID, f.Draft.DraftID, "alice")
			},
			wantCode: CodeFlowLocked,
		},
		"commit into an unknown draft": {
			do: func(s *Service, f Flow) error {
				return s.Commit("ccc-test", f.ContactFlowID, "nope", "operator", defB, "")
			},
			wantCode: CodeDraftNotExists,
		},
		"publish an unknown draft": {
			do: func(s *Service, f Flow) error {
				return s.Publish("ccc-test", f.ContactFlowID, "nope", "operator")
			},
			wantCode: CodeDraftNotExists,
		},
		"commit a definition without activities": {
			do: func(s *Service, f Flow) error {
				return s.Commit("ccc-test", f.ContactFlowID, f.Draft.DraftID, "operator", `{"nodes":[]}`, "")
			},
			wantCode: CodeInvalidDefinition,
		},
		"create with a duplicate name": {
			do: func(s *Service, f Flow) error {
				_, err := s.CreateFlow("ccc-test", "operator", NewFlow{Name: f.Name, Type: "MAIN_FLOW", Definition: defA})
				return err
			},
			wantCode: CodeDuplicatedName,
		},
		"create with a definition that is not JSON": {
			do: func(s *Service, f Flow) error {
				_, err := s.CreateFlow("ccc-test", "operator", NewFlow{Name: "x", Type: "MAIN_FLOW", Definition: "<xml/>"})
				return err
			},
			wantCode: CodeInvalidDefinition,
		},
		"create with activities that are not an array": {
			do: func(s *Service, f Flow) error {
				_, err := s.CreateFlow("ccc-test", "operator", NewFlow{Name: "x", Type: "MAIN_FLOW", Definition: `{"activities":{}}`})
				return err
			},
			wantCode: CodeInvalidDefinition,
		},
		"create with a bad type": {
			do: func(s *Service, f Flow) error {
				_, err := s.CreateFlow("ccc-test", "operator", NewFlow{Name: "x", Type: "main flow", Definition: defA})
				return err
			},
			wantCode: "InvalidParameter.Type",
		},
		"create in an unknown instance": {
			do: func(s *Service, f Flow) error {
				_, err := s.CreateFlow("nope", "operator", NewFlow{Name: "x", Type: "MAIN_FLOW", Definition: defA})
				return err
			},
			wantCode: CodeInstanceNotExists,
			wantMsg:  "The specified instance nope does not exist.",
		},
		"get an unknown flow": {
			do: func(s *Service, f Flow) error {
				_, err := s.Flow("ccc-test", "nope")
				return err
			},
			wantCode: CodeFlowNotExists,
		},
		"console edit of a draft held by another user": {
			do: func(s *Service, f Flow) error {
				return s.EditDraft("ccc-test", f.ContactFlowID, "alice", defB)
			},
			wantCode: CodeFlowLocked,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := newTestService(t)
			f := mustCreate(t, s, "main", "operator")
			err := tc.do(s, f)
			if got := code(err); got != tc.wantCode {
				t.Fatalf("code = %q (%v), want %q", got, err, tc.wantCode)
			}
			if tc.wantMsg != "" {
				var ae *core.APIError
				errors.As(err, &ae)
				if !strings.Contains(ae.Message, tc.wantMsg) {
					t.Errorf("message = %q, want it to contain %q", ae.Message, tc.wantMsg)
				}
			}
			// A refusal changes nothing.
			after, _ := s.Flow("ccc-test", f.ContactFlowID)
			if diff := cmp.Diff(f, after); diff != "" {
				t.Errorf("refused operation changed the flow (-before +after):\n%s", diff)
			}
		})
	}
}

func TestLockedErrorStatusAndMessage(t *testing.T) {
	s := newTestService(t)
	f := mustCreate(t, s, "main", "operator")
	_, err := s.StartEdit("ccc-test", f.ContactFlowID, "alice")
	var ae *core.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want an APIError", err)
	}
	want := core.APIError{
		HTTPStatus: http.StatusForbidden,
		Code:       CodeFlowLocked,
		Message:    fmt.Sprintf(LockedMessageFormat, f.ContactFlowID, "operator"),
	}
	if diff := cmp.Diff(want, *ae); diff != "" {
		t.Errorf("locked error (-want +got):\n%s", diff)
	}
}

func TestGetVisibleDefinition(t *testing.T) {
	s := newTestService(t)
	f := mustCreate(t, s, "main", "operator")
	get := func(draftID string) (flowData, error) {
		p := core.Params{"InstanceId": "ccc-test", "ContactFlowId": f.ContactFlowID}
		if draftID != "" {
			p["DraftId"] = draftID
		}
		d, err := s.getContactFlow(context.Background(), &core.Call{Params: p, Caller: core.Caller{User: "operator"}})
		if err != nil {
			return flowData{}, err
		}
		return d.(flowData), nil
	}
	// Never published: Definition shows the draft.
	d, err := get("")
	if err != nil || d.Definition != defA || d.DraftID != f.Draft.DraftID || d.Editor != "operator" || d.Published {
		t.Fatalf("unpublished get = %+v, %v", d, err)
	}
	if err := s.Publish("ccc-test", f.ContactFlowID, f.Draft.DraftID, "operator"); err != nil {
		t.Fatal(err)
	}
	draftID, _ := s.StartEdit("ccc-test", f.ContactFlowID, "operator")
	if err := s.Commit("ccc-test", f.ContactFlowID, draftID, "operator", defC, ""); err != nil {
		t.Fatal(err)
	}
	// Published: Definition is the published one, the draft's only with DraftId.
	if d, _ := get(""); d.Definition != defA || d.DraftID != draftID {
		t.Errorf("published get = %+v, want published defA and the draft ID", d)
	}
	if d, _ := get(draftID); d.Definition != defC {
		t.Errorf("get with DraftId Definition = %q, want the draft's", d.Definition)
	}
	if _, err := get("other"); code(err) != CodeDraftNotExists {
		t.Errorf("get with unknown DraftId = %v, want %s", err, CodeDraftNotExists)
	}
}

func TestListPaging(t *testing.T) {
	s := newTestService(t)
	for i := range 7 {
		typ := "MAIN_FLOW"
		if i%2 == 1 {
			typ = "SUB_FLOW"
		}
		if _, err := s.CreateFlow("ccc-test", "operator", NewFlow{Name: fmt.Sprintf("f%d", i), Type: typ, Definition: defA}); err != nil {
			t.Fatal(err)
		}
	}
	list := func(p core.Params) (listPage, error) {
		p["InstanceId"] = "ccc-test"
		d, err := s.listContactFlows(context.Background(), &core.Call{Params: p})
		if err != nil {
			return listPage{}, err
		}
		return d.(listPage), nil
	}
	names := func(pg listPage) []string {
		var out []string
		for _, it := range pg.List {
			out = append(out, it.Name)
		}
		return out
	}
	tests := map[string]struct {
		params    core.Params
		wantCode  string
		wantNames []string
		wantTotal int
	}{
		"first page":          {params: core.Params{"PageNumber": "1", "PageSize": "3"}, wantNames: []string{"f0", "f1", "f2"}, wantTotal: 7},
		"last partial page":   {params: core.Params{"PageNumber": "3", "PageSize": "3"}, wantNames: []string{"f6"}, wantTotal: 7},
		"past the end":        {params: core.Params{"PageNumber": "4", "PageSize": "3"}, wantNames: nil, wantTotal: 7},
		"type filter":         {params: core.Params{"PageNumber": "1", "PageSize": "100", "Type": "SUB_FLOW"}, wantNames: []string{"f1", "f3", "f5"}, wantTotal: 3},
		"search pattern":      {params: core.Params{"PageNumber": "1", "PageSize": "10", "SearchPattern": "F6"}, wantNames: []string{"f6"}, wantTotal: 1},
		"name descending":     {params: core.Params{"PageNumber": "1", "PageSize": "2", "OrderByField": "name", "SortOrder": "DESC"}, wantNames: []string{"f6", "f5"}, wantTotal: 7},
		"page number 0":       {params: core.Params{"PageNumber": "0", "PageSize": "10"}, wantCode: "InvalidParameter.PageNumber"},
		"page number 101":     {params: core.Params{"PageNumber": "101", "PageSize": "10"}, wantCode: "InvalidParameter.PageNumber"},
		"page size 101":       {params: core.Params{"PageNumber": "1", "PageSize": "101"}, wantCode: "InvalidParameter.PageSize"},
		"page size not a int": {params: core.Params{"PageNumber": "1", "PageSize": "ten"}, wantCode: "InvalidParameter.PageSize"},
		"page number missing": {params: core.Params{"PageSize": "10"}, wantCode: "MissingPageNumber"},
		"page size missing":   {params: core.Params{"PageNumber": "1"}, wantCode: "MissingPageSize"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			pg, err := list(tc.params)
			if got := code(err); got != tc.wantCode {
				t.Fatalf("code = %q (%v), want %q", got, err, tc.wantCode)
			}
			if tc.wantCode != "" {
				return
			}
			if diff := cmp.Diff(tc.wantNames, names(pg)); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
			if pg.TotalCount != tc.wantTotal {
				t.Errorf("TotalCount = %d, want %d", pg.TotalCount, tc.wantTotal)
			}
		})
	}
	if _, err := s.listContactFlows(context.Background(), &core.Call{Params: core.Params{"InstanceId": "nope", "PageNumber": "1", "PageSize": "1"}}); code(err) != CodeInstanceNotExists {
		t.Errorf("list of unknown instance = %v, want %s", err, CodeInstanceNotExists)
	}
}

func TestMissingParameters(t *testing.T) {
	s := newTestService(t)
	tests := map[string]struct {
		h        func(context.Context, *core.Call) (any, error)
		params   core.Params
		wantCode string
	}{
		"create without InstanceId": {s.createContactFlow, core.Params{"Name": "x", "Type": "MAIN_FLOW", "Definition": defA}, "MissingInstanceId"},
		"create without Definition": {s.createContactFlow, core.Params{"InstanceId": "ccc-test", "Name": "x", "Type": "MAIN_FLOW"}, "MissingDefinition"},
		"commit without DraftId":    {s.commitContactFlow, core.Params{"InstanceId": "ccc-test", "ContactFlowId": "f", "Definition": defA}, "MissingDraftId"},
		"publish without DraftId":   {s.publishContactFlow, core.Params{"InstanceId": "ccc-test", "ContactFlowId": "f"}, "MissingDraftId"},
		"get without ContactFlowId": {s.getContactFlow, core.Params{"InstanceId": "ccc-test"}, "MissingContactFlowId"},
		"delete unknown instance":   {s.deleteContactFlow, core.Params{"InstanceId": "nope", "ContactFlowId": "f"}, CodeInstanceNotExists},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := tc.h(context.Background(), &core.Call{Params: tc.params, Caller: core.Caller{User: "operator"}})
			if got := code(err); got != tc.wantCode {
				t.Errorf("code = %q (%v), want %q", got, err, tc.wantCode)
			}
		})
	}
}

func TestPersistence(t *testing.T) {
	path := t.TempDir() + "/state.json"
	store, err := core.OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Store: store, Instances: []string{"ccc-test"}})
	if err != nil {
		t.Fatal(err)
	}
	f := mustCreate(t, s, "kept", "operator")

	store2, err := core.OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := New(Options{Store: store2, Instances: []string{"other"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s2.Flow("ccc-test", f.ContactFlowID)
	if err != nil {
		t.Fatalf("flow after reload: %v", err)
	}
	if diff := cmp.Diff(f, got); diff != "" {
		t.Errorf("reloaded flow (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"ccc-test", "other"}, s2.Instances()); diff != "" {
		t.Errorf("instances after reload (-want +got):\n%s", diff)
	}
}
