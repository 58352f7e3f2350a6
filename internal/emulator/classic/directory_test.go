package classic

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

func call(t *testing.T, h core.Handler, params core.Params) (map[string]json.RawMessage, error) {
	t.Helper()
	res, err := h(context.Background(), &core.Call{Params: params, Caller: core.Caller{User: "operator"}})
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out, nil
}

func TestModifyContactFlowRenamesInPlace(t *testing.T) {
	s := newTestService(t)
	f := published(t, s)
	other := mustCreate(t, s, "other", "operator")

	res, err := call(t, s.modifyContactFlow, core.Params{"InstanceId": inst, "ContactFlowId": f.ContactFlowID, "Name": "renamed"})
	if err != nil {
		t.Fatalf("ModifyContactFlow: %v", err)
	}
	var body flowJSON
	if err := json.Unmarshal(res["ContactFlow"], &body); err != nil {
		t.Fatal(err)
	}
	if body.ContactFlowID != f.ContactFlowID || body.ContactFlowName != "renamed" || body.Type != "MAIN_FLOW" || body.AppliedVersion != f.AppliedVersion {
		t.Errorf("answer = %+v", body)
	}
	got, _ := s.Flow(inst, f.ContactFlowID)
	if got.Name != "renamed" || got.Type != f.Type || got.Description != f.Description || len(got.Versions) != len(f.Versions) {
		t.Errorf("renamed flow = %+v", got)
	}

	// Renaming to its own name is fine; to another flow's is refused and changes nothing.
	if _, err := s.ModifyFlow(inst, f.ContactFlowID, "renamed", "", ""); err != nil {
		t.Errorf("rename to the same name: %v", err)
	}
	_, err = s.ModifyFlow(inst, f.ContactFlowID, "other", "", "")
	if code(err) != CodeDuplicatedName || !strings.Contains(err.Error(), "other") {
		t.Errorf("rename to a taken name: %v", err)
	}
	if got, _ := s.Flow(inst, f.ContactFlowID); got.Name != "renamed" {
		t.Errorf("a refused rename changed the name to %q", got.Name)
	}
	if _, err := s.ModifyFlow(inst, other.ContactFlowID, "x", "new description", "SUB_FLOW"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Flow(inst, other.ContactFlowID); got.Description != "new description" || got.Type != "SUB_FLOW" {
		t.Errorf("description/type = %q/%q", got.Description, got.Type)
	}
	if _, err := s.ModifyFlow(inst, "nope", "y", "", ""); code(err) != CodeFlowNotExists {
		t.Errorf("unknown flow: %v", err)
	}
	if _, err := s.ModifyFlow(inst, f.ContactFlowID, "y", "", "lower"); code(err) != CodeInvalidType {
		t.Errorf("bad type: %v", err)
	}
	if _, err := call(t, s.modifyContactFlow, core.Params{"InstanceId": inst, "ContactFlowId": f.ContactFlowID}); code(err) != "MissingName" {
		t.Errorf("missing name: %v", err)
	}
}

func TestReferencesCheckedOnPublish(t *testing.T) {
	s := newTestService(t)
	target := mustCreate(t, s, "target", "operator")
	sg, _, _ := s.AddResource(inst, NewResource{Kind: KindSkillGroup, Name: "sales"})
	media, _, _ := s.AddResource(inst, NewResource{Kind: KindPrompt, Name: "welcome"})
	if media.ID != "10001" {
		t.Errorf("first media ID = %q", media.ID)
	}
	good := `{"nodes":[` +
		`{"id":"play","type":"Play","properties":{"mediaId":` + media.ID + `}},` +
		`{"id":"queue","type":"Queue","properties":{"skillGroupId":"` + sg.ID + `"}},` +
		`{"id":"jump","type":"Transfer","properties":{"contactFlowId":"` + target.ContactFlowID + `","mediaId":""}}]}`
	bad := `{"nodes":[` +
		`{"id":"play","type":"Play","properties":{"mediaId":"999"}},` +
		`{"id":"queue","type":"Queue","properties":{"skillGroupId":"gone"}},` +
		`{"type":"Transfer","properties":{"flowId":""}}]}`

	f, err := s.CreateFlow(inst, "operator", NewFlow{Name: "main", Type: "MAIN_FLOW", Content: bad})
	if err != nil {
		t.Fatalf("create with bad references: %v", err)
	}
	v := f.Versions[0].ContactFlowVersionID
	err = s.Publish(inst, v, "operator")
	if code(err) != CodeInvalidReference {
		t.Fatalf("publish with bad references: %v", err)
	}
	want := `The parameter Content is invalid: node "play" property mediaId: no media "999" in the instance; ` +
		`node "queue" property skillGroupId: no skill group "gone" in the instance; node #3 property flowId: empty ID.`
	if ae := err.(*core.APIError); ae.HTTPStatus != http.StatusBadRequest || ae.Message != want {
		t.Errorf("refusal = %d %q\nwant %q", ae.HTTPStatus, ae.Message, want)
	}
	after, _ := s.Flow(inst, f.ContactFlowID)
	if after.AppliedVersion != "" || after.Locked() == nil {
		t.Errorf("a refused publish changed the flow: %+v", after)
	}
	if _, err := s.Commit(inst, v, "operator", EmptyCanvas, good); err != nil {
		t.Fatal(err)
	}
	if err := s.Publish(inst, v, "operator"); err != nil {
		t.Fatalf("publish with good references: %v", err)
	}
	if err := s.Delete(inst, target.ContactFlowID); err != nil {
		t.Fatalf("delete of a referenced flow: %v", err)
	}
}

func TestDirectoryListsAndPersistence(t *testing.T) {
	path := t.TempDir() + "/state.json"
	store, err := core.OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Store: store, Instances: []string{inst}})
	if err != nil {
		t.Fatal(err)
	}
	sg, _, _ := s.AddResource(inst, NewResource{Kind: KindSkillGroup, Name: "sales", ID: "sg-1"})
	for _, name := range []string{"a-1", "a-2", "b-1"} {
		if _, _, err := s.AddResource(inst, NewResource{Kind: KindPrompt, Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.AddResource(inst, NewResource{Kind: KindPrompt, Name: "x", ID: "abc"}); code(err) != "InvalidParameter.Id" {
		t.Errorf("non-numeric media id: %v", err)
	}
	if _, _, err := s.AddResource(inst, NewResource{Kind: KindSkillGroup, Name: "dup", ID: "sg-1"}); code(err) != "Duplicated.Id" {
		t.Errorf("duplicate id: %v", err)
	}

	res, err := call(t, s.listSkillGroups, core.Params{"InstanceId": inst})
	if err != nil {
		t.Fatal(err)
	}
	var groups []skillGroupJSON
	if err := json.Unmarshal(res["SkillGroups"], &groups); err != nil || len(groups) != 1 || groups[0].SkillGroupID != "sg-1" || groups[0].SkillGroupName != "sales" {
		t.Errorf("ListSkillGroups = %s (%v)", res["SkillGroups"], err)
	}
	res, err = call(t, s.listMedias, core.Params{"InstanceId": inst, "NamePrefix": "a-", "PageNumber": "2", "PageSize": "1"})
	if err != nil {
		t.Fatal(err)
	}
	var medias mediasJSON
	if err := json.Unmarshal(res["Medias"], &medias); err != nil || medias.TotalCount != 2 || len(medias.List.Media) != 1 ||
		medias.List.Media[0].Name != "a-2" || medias.List.Media[0].ID != 10002 {
		t.Errorf("ListMedias = %s (%v)", res["Medias"], err)
	}
	if _, err := call(t, s.listMedias, core.Params{"InstanceId": inst, "PageSize": "0"}); code(err) != "InvalidParameter.PageSize" {
		t.Errorf("PageSize 0: %v", err)
	}
	if _, err := call(t, s.listSkillGroups, core.Params{"InstanceId": "nope"}); code(err) != CodeInstanceNotExists {
		t.Errorf("unknown instance: %v", err)
	}

	// Renames and resources survive a restart.
	f := mustCreate(t, s, "before", "operator")
	if _, err := s.ModifyFlow(inst, f.ContactFlowID, "after", "", ""); err != nil {
		t.Fatal(err)
	}
	store2, err := core.OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := New(Options{Store: store2})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s2.Flow(inst, f.ContactFlowID); err != nil || got.Name != "after" {
		t.Errorf("renamed flow after reload = %+v, %v", got, err)
	}
	all, _ := s2.Resources(inst, "")
	if len(all) != 4 || !cmp.Equal(all[0], sg) {
		t.Errorf("resources after reload = %+v", all)
	}
}
