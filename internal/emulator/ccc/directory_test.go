package ccc

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

func call(t *testing.T, h core.Handler, params core.Params) (any, error) {
	t.Helper()
	return h(context.Background(), &core.Call{Params: params, Caller: core.Caller{User: "operator"}})
}

// roundTrip renders an action's answer as the SDK would receive it.
func roundTrip(t *testing.T, v any, out any) {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatal(err)
	}
}

func TestNumberBinding(t *testing.T) {
	s := newTestService(t)
	f := mustCreate(t, s, "main", "operator")
	g := mustCreate(t, s, "other", "operator")
	if _, created, err := s.AddPhoneNumber("ccc-test", "4001"); err != nil || !created {
		t.Fatalf("AddPhoneNumber = %v, %v", created, err)
	}
	if _, created, _ := s.AddPhoneNumber("ccc-test", "4001"); created {
		t.Error("adding the same number again created it")
	}
	bind := func(number, usage, flowID string) error {
		_, err := call(t, s.modifyPhoneNumber, core.Params{"InstanceId": "ccc-test", "Number": number, "Usage": usage, "ContactFlowId": flowID})
		return err
	}
	if err := bind("4001", UsageBidirection, f.ContactFlowID); err != nil {
		t.Fatalf("bind: %v", err)
	}
	got, _ := s.Flow("ccc-test", f.ContactFlowID)
	if diff := cmp.Diff([]string{"4001"}, got.NumberList); diff != "" {
		t.Errorf("NumberList after bind (-want +got):\n%s", diff)
	}

	// GetContactFlow and ListContactFlows show the binding.
	res, err := call(t, s.getContactFlow, core.Params{"InstanceId": "ccc-test", "ContactFlowId": f.ContactFlowID})
	if err != nil {
		t.Fatal(err)
	}
	var data flowData
	roundTrip(t, res, &data)
	if len(data.NumberList) != 1 || data.NumberList[0].Number != "4001" || data.NumberList[0].ContactFlowName != "main" {
		t.Errorf("GetContactFlow NumberList = %+v", data.NumberList)
	}
	res, err = call(t, s.listContactFlows, core.Params{"InstanceId": "ccc-test", "PageNumber": "1", "PageSize": "10"})
	if err != nil {
		t.Fatal(err)
	}
	var page listPage
	roundTrip(t, res, &page)
	if diff := cmp.Diff([]string{"4001"}, page.List[0].NumberList); diff != "" || len(page.List[1].NumberList) != 0 {
		t.Errorf("ListContactFlows NumberList (-want +got):\n%s; other %v", diff, page.List[1].NumberList)
	}

	// Binding elsewhere moves the number.
	if err := bind("4001", UsageInbound, g.ContactFlowID); err != nil {
		t.Fatal(err)
	}
	nums, _ := s.PhoneNumbers("ccc-test")
	if nums[0].ContactFlowID != g.ContactFlowID || nums[0].ContactFlowName != "other" || nums[0].Usage != UsageInbound {
		t.Errorf("number after move = %+v", nums[0])
	}
	if got, _ := s.Flow("ccc-test", f.ContactFlowID); len(got.NumberList) != 0 {
		t.Errorf("old flow still lists %v", got.NumberList)
	}

	// ListPhoneNumbers through the action.
	res, err = call(t, s.listPhoneNumbers, core.Params{"InstanceId": "ccc-test", "PageNumber": "1", "PageSize": "10"})
	if err != nil {
		t.Fatal(err)
	}
	var np pageJSON[numberJSON]
	roundTrip(t, res, &np)
	if np.TotalCount != 1 || np.List[0].Number != "4001" || np.List[0].ContactFlowID != g.ContactFlowID || np.List[0].CreateTime == "" {
		t.Errorf("ListPhoneNumbers = %+v", np)
	}

	// Empty ContactFlowId unbinds.
	if err := bind("4001", UsageBidirection, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Flow("ccc-test", g.ContactFlowID); len(got.NumberList) != 0 {
		t.Errorf("unbound flow still lists %v", got.NumberList)
	}

	// Refusals name what is wrong; nothing changes.
	err = bind("4999", UsageBidirection, f.ContactFlowID)
	if code(err) != CodeNumberNotExists || !strings.Contains(err.Error(), "4999") {
		t.Errorf("unknown number: %v", err)
	}
	if ae := err.(*core.APIError); ae.HTTPStatus != http.StatusNotFound {
		t.Errorf("unknown number status = %d", ae.HTTPStatus)
	}
	if err := bind("4001", UsageBidirection, "nope"); code(err) != CodeFlowNotExists {
		t.Errorf("unknown flow: %v", err)
	}
	if err := bind("4001", "Sideways", f.ContactFlowID); code(err) != CodeInvalidEnumeration {
		t.Errorf("bad usage: %v", err)
	}
	if _, err := call(t, s.modifyPhoneNumber, core.Params{"InstanceId": "ccc-test", "Number": "4001"}); code(err) != "MissingUsage" {
		t.Errorf("missing usage: %v", err)
	}
	if nums, _ := s.PhoneNumbers("ccc-test"); nums[0].ContactFlowID != "" {
		t.Errorf("a refused bind changed the number: %+v", nums[0])
	}

	// Deleting a flow unbinds its numbers.
	if err := bind("4001", UsageBidirection, f.ContactFlowID); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("ccc-test", f.ContactFlowID); err != nil {
		t.Fatal(err)
	}
	if nums, _ := s.PhoneNumbers("ccc-test"); nums[0].ContactFlowID != "" {
		t.Errorf("number of a deleted flow = %+v", nums[0])
	}
}

func TestDirectoryLists(t *testing.T) {
	s := newTestService(t)
	for _, name := range []string{"sales", "support", "billing"} {
		if _, _, err := s.AddResource("ccc-test", NewResource{Kind: KindSkillGroup, Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	welcome, created, err := s.AddResource("ccc-test", NewResource{Kind: KindPrompt, Name: "welcome", ID: "audio-1"})
	if err != nil || !created || welcome.ID != "audio-1" {
		t.Fatalf("AddResource = %+v, %v, %v", welcome, created, err)
	}
	if _, _, err := s.AddResource("ccc-test", NewResource{Kind: KindPrompt, Name: "other", ID: "audio-1"}); code(err) != "Duplicated.Id" {
		t.Errorf("duplicate id: %v", err)
	}
	if _, _, err := s.AddResource("ccc-test", NewResource{Kind: "Queue", Name: "q"}); code(err) != "InvalidParameter.Kind" {
		t.Errorf("bad kind: %v", err)
	}

	res, err := call(t, s.listSkillGroups, core.Params{"InstanceId": "ccc-test", "PageNumber": "2", "PageSize": "2"})
	if err != nil {
		t.Fatal(err)
	}
	var sg pageJSON[skillGroupJSON]
	roundTrip(t, res, &sg)
	if sg.TotalCount != 3 || len(sg.List) != 1 || sg.List[0].Name != "billing" || sg.List[0].SkillGroupID != "billing@ccc-test" {
		t.Errorf("ListSkillGroups page 2 = %+v", sg)
	}
	res, err = call(t, s.listSkillGroups, core.Params{"InstanceId": "ccc-test", "PageNumber": "1", "PageSize": "10", "SearchPattern": "SUP"})
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, res, &sg)
	if sg.TotalCount != 1 || sg.List[0].Name != "support" {
		t.Errorf("ListSkillGroups search = %+v", sg)
	}
	res, err = call(t, s.listAudioFiles, core.Params{"InstanceId": "ccc-test", "PageNumber": "1", "PageSize": "10"})
	if err != nil {
		t.Fatal(err)
	}
	var af pageJSON[audioFileJSON]
	roundTrip(t, res, &af)
	if af.TotalCount != 1 || af.List[0].AudioResourceID != "audio-1" || af.List[0].Name != "welcome" {
		t.Errorf("ListAudioFiles = %+v", af)
	}
	if _, err := call(t, s.listAudioFiles, core.Params{"InstanceId": "ccc-test", "PageNumber": "1"}); code(err) != "MissingPageSize" {
		t.Errorf("missing PageSize: %v", err)
	}
	if _, err := call(t, s.listSkillGroups, core.Params{"InstanceId": "nope", "PageNumber": "1", "PageSize": "1"}); code(err) != CodeInstanceNotExists {
		t.Errorf("unknown instance: %v", err)
	}
}

func TestReferencesCheckedOnPublish(t *testing.T) {
	s := newTestService(t)
	target := mustCreate(t, s, "target", "operator")
	sg, _, _ := s.AddResource("ccc-test", NewResource{Kind: KindSkillGroup, Name: "sales"})
	audio, _, _ := s.AddResource("ccc-test", NewResource{Kind: KindPrompt, Name: "welcome"})
	good := `{"activities":[` +
		`{"id":"play","type":"PLAY","properties":{"audioResourceId":"` + audio.ID + `"}},` +
		`{"id":"say","type":"PLAY","properties":{"audioResourceId":""}},` +
		`{"id":"queue","type":"TRANSFER_TO_SKILL_GROUP","properties":{"skillGroupId":"` + sg.ID + `"}},` +
		`{"id":"jump","type":"TRANSFER_TO_FLOW","properties":{"contactFlowId":"` + target.ContactFlowID + `"}}]}`
	bad := `{"activities":[` +
		`{"id":"play","type":"PLAY","properties":{"audioResourceId":"no-such-audio"}},` +
		`{"id":"queue","type":"TRANSFER_TO_SKILL_GROUP","properties":{"skillGroupId":""}},` +
		`{"type":"TRANSFER_TO_FLOW","properties":{"flowId":"missing-flow"}}]}`

	// A draft may be incomplete: create and commit accept bad references.
	f, err := s.CreateFlow("ccc-test", "operator", NewFlow{Name: "main", Type: "MAIN_FLOW", Definition: bad})
	if err != nil {
		t.Fatalf("create with bad references: %v", err)
	}
	err = s.Publish("ccc-test", f.ContactFlowID, f.Draft.DraftID, "operator")
	if code(err) != CodeInvalidDefinition {
		t.Fatalf("publish with bad references: %v", err)
	}
	ae := err.(*core.APIError)
	want := `The parameter Definition is invalid: activity "play" property audioResourceId: no audio file "no-such-audio" in the instance; ` +
		`activity "queue" property skillGroupId: empty ID; activity #3 property flowId: no contact flow "missing-flow" in the instance.`
	if ae.HTTPStatus != http.StatusBadRequest || ae.Message != want {
		t.Errorf("refusal = %d %q\nwant %q", ae.HTTPStatus, ae.Message, want)
	}
	after, _ := s.Flow("ccc-test", f.ContactFlowID)
	if after.Published || after.Draft == nil || after.Draft.Definition != bad {
		t.Errorf("a refused publish changed the flow: %+v", after)
	}

	if err := s.Commit("ccc-test", f.ContactFlowID, f.Draft.DraftID, "operator", good, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Publish("ccc-test", f.ContactFlowID, f.Draft.DraftID, "operator"); err != nil {
		t.Fatalf("publish with good references: %v", err)
	}

	// Deleting a referenced flow is not refused; the next publish of the referrer is.
	if err := s.Delete("ccc-test", target.ContactFlowID); err != nil {
		t.Fatalf("delete referenced flow: %v", err)
	}
	id, _ := s.StartEdit("ccc-test", f.ContactFlowID, "operator")
	if err := s.Publish("ccc-test", f.ContactFlowID, id, "operator"); code(err) != CodeInvalidDefinition || !strings.Contains(err.Error(), target.ContactFlowID) {
		t.Errorf("publish after the target's delete: %v", err)
	}
}

func TestDirectoryPersistence(t *testing.T) {
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
	sg, _, _ := s.AddResource("ccc-test", NewResource{Kind: KindSkillGroup, Name: "sales"})
	if _, _, err := s.AddPhoneNumber("ccc-test", "4001"); err != nil {
		t.Fatal(err)
	}
	if err := s.ModifyPhoneNumber("ccc-test", "4001", UsageBidirection, f.ContactFlowID); err != nil {
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
	got, err := s2.Flow("ccc-test", f.ContactFlowID)
	if err != nil || len(got.NumberList) != 1 || got.NumberList[0] != "4001" {
		t.Errorf("flow after reload = %+v, %v", got, err)
	}
	res, _ := s2.Resources("ccc-test", KindSkillGroup)
	if diff := cmp.Diff([]Resource{sg}, res); diff != "" {
		t.Errorf("skill groups after reload (-want +got):\n%s", diff)
	}
}

func TestLegacyNumberListIsMigrated(t *testing.T) {
	path := t.TempDir() + "/state.json"
	store, err := core.OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	legacy := map[string]any{"instances": map[string]any{"ccc-test": map[string]any{"flows": []any{
		map[string]any{"contactFlowId": "f1", "instanceId": "ccc-test", "name": "old", "type": "MAIN_FLOW",
			"definition": defA, "published": true, "numberList": []string{"4002"}},
	}}}}
	if err := store.Put(Platform, legacy); err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	nums, _ := s.PhoneNumbers("ccc-test")
	if len(nums) != 1 || nums[0].Number != "4002" || nums[0].ContactFlowID != "f1" {
		t.Errorf("migrated numbers = %+v", nums)
	}
	if f, _ := s.Flow("ccc-test", "f1"); len(f.NumberList) != 1 {
		t.Errorf("migrated flow = %+v", f)
	}
}
