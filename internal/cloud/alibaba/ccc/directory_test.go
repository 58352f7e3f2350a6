package ccc_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/alibaba/ccc"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	emuccc "github.com/contactflow-operator/contactflow-operator/internal/emulator/ccc"
)

func TestCCCDoesNotRename(t *testing.T) {
	var fc cloud.FlowClient = &ccc.Client{}
	if _, ok := fc.(cloud.FlowRenamer); ok {
		t.Error("the CCC 2020-07-01 adapter claims FlowRenamer; the platform has no rename call")
	}
}

func TestListResources(t *testing.T) {
	e := start(t, 0)
	c := e.client(t, opSecret)
	ctx := context.Background()
	var wantGroups []cloud.Resource
	// More than one page of skill groups (the adapter reads pages of 100).
	for i := range 105 {
		r, err := e.admin.AddResource(ctx, instanceID, emulator.CCCNewResource{Kind: emuccc.KindSkillGroup, Name: fmt.Sprintf("group-%03d", i)})
		if err != nil {
			t.Fatal(err)
		}
		wantGroups = append(wantGroups, cloud.Resource{Kind: cloud.KindSkillGroup, ID: r.ID, Name: r.Name, Ref: r.ID})
	}
	audio, err := e.admin.AddResource(ctx, instanceID, emulator.CCCNewResource{Kind: emuccc.KindPrompt, Name: "welcome"})
	if err != nil {
		t.Fatal(err)
	}
	flowID, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "main", Type: "MAIN_FLOW", Definition: defA})
	if err != nil {
		t.Fatal(err)
	}

	if diff := cmp.Diff([]cloud.ResourceKind{cloud.KindSkillGroup, cloud.KindPrompt, cloud.KindContactFlow}, c.ResourceKinds()); diff != "" {
		t.Errorf("ResourceKinds (-want +got):\n%s", diff)
	}
	e.emu.ResetStats()
	groups, err := c.ListResources(ctx, instanceID, cloud.KindSkillGroup)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantGroups, groups); diff != "" {
		t.Errorf("skill groups (-want +got):\n%s", diff)
	}
	if n := e.emu.Stats().Count("ccc", "ListSkillGroups"); n != 2 {
		t.Errorf("ListSkillGroups calls = %d, want 2 pages", n)
	}
	prompts, err := c.ListResources(ctx, instanceID, cloud.KindPrompt)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]cloud.Resource{{Kind: cloud.KindPrompt, ID: audio.ID, Name: "welcome", Ref: audio.ID}}, prompts); diff != "" {
		t.Errorf("prompts (-want +got):\n%s", diff)
	}
	flows, err := c.ListResources(ctx, instanceID, cloud.KindContactFlow)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]cloud.Resource{{Kind: cloud.KindContactFlow, ID: flowID, Name: "main", Ref: flowID}}, flows); diff != "" {
		t.Errorf("flows (-want +got):\n%s", diff)
	}

	_, err = c.ListResources(ctx, instanceID, cloud.KindQueue)
	if ce := mustCloudError(t, err, cloud.ClassInvalid); !strings.Contains(ce.Message, "Queue") {
		t.Errorf("unserved kind = %v", err)
	}
	_, err = c.ListResources(ctx, "no-such-instance", cloud.KindPrompt)
	if ce := mustCloudError(t, err, cloud.ClassNotFound); ce.Code != emuccc.CodeInstanceNotExists || ce.Action != "ListAudioFiles" {
		t.Errorf("unknown instance = %+v", ce)
	}
}

func TestNumberBinding(t *testing.T) {
	e := start(t, 0)
	c := e.client(t, opSecret)
	ctx := context.Background()
	create := func(name string) cloud.FlowKey {
		id, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: name, Type: "MAIN_FLOW", Definition: defA})
		if err != nil {
			t.Fatal(err)
		}
		return cloud.FlowKey{InstanceID: instanceID, FlowID: id}
	}
	main, other := create("main"), create("other")
	for _, n := range []string{"4001", "4002"} {
		if _, err := e.admin.AddPhoneNumber(ctx, instanceID, n); err != nil {
			t.Fatal(err)
		}
	}

	numbers, err := c.ListNumbers(ctx, instanceID)
	if err != nil {
		t.Fatal(err)
	}
	want := []cloud.PhoneNumber{{Number: "4001", ID: "4001"}, {Number: "4002", ID: "4002"}}
	if diff := cmp.Diff(want, numbers); diff != "" {
		t.Fatalf("ListNumbers (-want +got):\n%s", diff)
	}
	if err := c.BindNumber(ctx, instanceID, numbers[0], main.FlowID); err != nil {
		t.Fatalf("BindNumber: %v", err)
	}
	f, err := c.GetFlow(ctx, main)
	if err != nil || !cmp.Equal(f.NumberList, []string{"4001"}) {
		t.Errorf("GetFlow NumberList = %v, %v", f.NumberList, err)
	}
	page, err := c.ListFlows(ctx, instanceID, 1, 10)
	if err != nil || !cmp.Equal(page.Flows[0].NumberList, []string{"4001"}) {
		t.Errorf("ListFlows NumberList = %v, %v", page.Flows[0].NumberList, err)
	}
	numbers, _ = c.ListNumbers(ctx, instanceID)
	if numbers[0].FlowID != main.FlowID || numbers[0].FlowName != "main" {
		t.Errorf("bound number = %+v", numbers[0])
	}

	// Binding again is a no-op; binding elsewhere moves the number.
	e.emu.ResetStats()
	if err := c.BindNumber(ctx, instanceID, numbers[0], main.FlowID); err != nil {
		t.Fatal(err)
	}
	if n := e.emu.Stats().Count("ccc", "ModifyPhoneNumber"); n != 0 {
		t.Errorf("re-binding made %d ModifyPhoneNumber calls", n)
	}
	if err := c.BindNumber(ctx, instanceID, cloud.PhoneNumber{Number: "4001"}, other.FlowID); err != nil {
		t.Fatal(err)
	}
	// Unbinding from a flow the number is not bound to changes nothing.
	if err := c.UnbindNumber(ctx, instanceID, numbers[0], main.FlowID); err != nil {
		t.Fatal(err)
	}
	numbers, _ = c.ListNumbers(ctx, instanceID)
	if numbers[0].FlowID != other.FlowID {
		t.Errorf("number after a foreign unbind = %+v", numbers[0])
	}
	if err := c.UnbindNumber(ctx, instanceID, numbers[0], other.FlowID); err != nil {
		t.Fatal(err)
	}
	numbers, _ = c.ListNumbers(ctx, instanceID)
	if numbers[0].FlowID != "" {
		t.Errorf("number after unbind = %+v", numbers[0])
	}
	if err := c.UnbindNumber(ctx, instanceID, cloud.PhoneNumber{ID: "4999"}, other.FlowID); err != nil {
		t.Errorf("unbinding an unknown number = %v, want success (it is not bound)", err)
	}

	// Errors: an unknown number and an unknown flow are both NotFound, told apart by Code.
	err = c.BindNumber(ctx, instanceID, cloud.PhoneNumber{ID: "4999"}, main.FlowID)
	if ce := mustCloudError(t, err, cloud.ClassNotFound); ce.Code != ccc.CodeNumberNotExists || !strings.Contains(ce.Message, "4999") || ce.Action != "ModifyPhoneNumber" {
		t.Errorf("unknown number = %+v", ce)
	}
	err = c.BindNumber(ctx, instanceID, numbers[1], "no-such-flow")
	if ce := mustCloudError(t, err, cloud.ClassNotFound); ce.Code != emuccc.CodeFlowNotExists {
		t.Errorf("unknown flow = %+v", ce)
	}
	if strings.Contains(fmt.Sprint(err), opSecret) {
		t.Error("an error carries the secret")
	}
}

func TestPublishRefusedForReferences(t *testing.T) {
	e := start(t, 0)
	c := e.client(t, opSecret)
	ctx := context.Background()
	sg, err := e.admin.AddResource(ctx, instanceID, emulator.CCCNewResource{Kind: emuccc.KindSkillGroup, Name: "sales"})
	if err != nil {
		t.Fatal(err)
	}
	bad := `{"activities":[{"id":"q","type":"TRANSFER","properties":{"skillGroupId":"nope@x"}},` +
		`{"id":"t","type":"TRANSFER_TO_FLOW","properties":{"contactFlowId":"missing"}}]}`
	id, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "main", Type: "MAIN_FLOW", Definition: bad})
	if err != nil {
		t.Fatalf("a draft with bad references was refused: %v", err)
	}
	key := cloud.FlowKey{InstanceID: instanceID, FlowID: id}
	draft, err := c.StartEdit(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Publish(ctx, key, draft)
	ce := mustCloudError(t, err, cloud.ClassInvalid)
	wantProblems := []string{
		`activity "q" property skillGroupId: no skill group "nope@x" in the instance`,
		`activity "t" property contactFlowId: no contact flow "missing" in the instance`,
	}
	if diff := cmp.Diff(wantProblems, ce.Problems); diff != "" || ce.Code != ccc.CodeInvalidDefinition || ce.Message != "The parameter Definition is invalid" {
		t.Errorf("refusal = %+v, problems (-want +got):\n%s", ce, diff)
	}
	if f, _ := c.GetFlow(ctx, key); f.Published || f.Draft == nil {
		t.Errorf("a refused publish changed the flow: %+v", f)
	}
	good := `{"activities":[{"id":"q","type":"TRANSFER","properties":{"skillGroupId":"` + sg.ID + `"}},` +
		`{"id":"t","type":"TRANSFER_TO_FLOW","properties":{"contactFlowId":"` + id + `"}}]}`
	if err := c.CommitDraft(ctx, key, draft, good, ""); err != nil {
		t.Fatal(err)
	}
	if err := c.Publish(ctx, key, draft); err != nil {
		t.Fatalf("publish with resolvable references: %v", err)
	}
}
