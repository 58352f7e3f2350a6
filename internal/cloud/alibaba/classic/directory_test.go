package classic_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/alibaba/classic"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	emuclassic "github.com/contactflow-operator/contactflow-operator/internal/emulator/classic"
)

func TestListResources(t *testing.T) {
	e := start(t, 0)
	c := e.client(t, opSecret)
	ctx := context.Background()
	sg, err := e.admin.AddResource(ctx, instanceID, emulator.CloudCallCenterNewResource{Kind: emuclassic.KindSkillGroup, Name: "sales"})
	if err != nil {
		t.Fatal(err)
	}
	var wantMedias []cloud.Resource
	// More than one page of medias (the adapter reads pages of 100).
	for i := range 101 {
		m, err := e.admin.AddResource(ctx, instanceID, emulator.CloudCallCenterNewResource{Kind: emuclassic.KindPrompt, Name: fmt.Sprintf("media-%03d", i)})
		if err != nil {
			t.Fatal(err)
		}
		wantMedias = append(wantMedias, cloud.Resource{Kind: cloud.KindPrompt, ID: m.ID, Name: m.Name, Ref: m.ID})
	}
	flowID, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "main", Type: "MAIN_FLOW", Definition: contentA})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]cloud.ResourceKind{cloud.KindSkillGroup, cloud.KindPrompt, cloud.KindContactFlow}, c.ResourceKinds()); diff != "" {
		t.Errorf("ResourceKinds (-want +got):\n%s", diff)
	}

	groups, err := c.ListResources(ctx, instanceID, cloud.KindSkillGroup)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]cloud.Resource{{Kind: cloud.KindSkillGroup, ID: sg.ID, Name: "sales", Ref: sg.ID}}, groups); diff != "" {
		t.Errorf("skill groups (-want +got):\n%s", diff)
	}
	e.emu.ResetStats()
	medias, err := c.ListResources(ctx, instanceID, cloud.KindPrompt)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantMedias, medias); diff != "" {
		t.Errorf("medias (-want +got):\n%s", diff)
	}
	if n := e.calls("ListMedias"); n != 2 {
		t.Errorf("ListMedias calls = %d, want 2 pages", n)
	}
	flows, err := c.ListResources(ctx, instanceID, cloud.KindContactFlow)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]cloud.Resource{{Kind: cloud.KindContactFlow, ID: flowID, Name: "main", Ref: flowID}}, flows); diff != "" {
		t.Errorf("flows (-want +got):\n%s", diff)
	}
	_, err = c.ListResources(ctx, instanceID, cloud.KindFunction)
	mustCloudError(t, err, cloud.ClassInvalid)
	_, err = c.ListResources(ctx, "no-such-instance", cloud.KindSkillGroup)
	if ce := mustCloudError(t, err, cloud.ClassNotFound); ce.Code != emuclassic.CodeInstanceNotExists || ce.Action != "ListSkillGroups" {
		t.Errorf("unknown instance = %+v", ce)
	}
}

func TestNumberBinder(t *testing.T) {
	e := start(t, 0)
	c := e.client(t, opSecret)
	ctx := context.Background()
	create := func(name string) string {
		id, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: name, Type: "MAIN_FLOW", Definition: contentA})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	main, other := create("main"), create("other")
	added, err := e.admin.AddPhoneNumber(ctx, instanceID, "057100001111")
	if err != nil {
		t.Fatal(err)
	}
	numbers, err := c.ListNumbers(ctx, instanceID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]cloud.PhoneNumber{{Number: "057100001111", ID: added.PhoneNumberID}}, numbers); diff != "" {
		t.Fatalf("ListNumbers (-want +got):\n%s", diff)
	}
	n := numbers[0]
	if err := c.BindNumber(ctx, instanceID, n, main); err != nil {
		t.Fatalf("BindNumber: %v", err)
	}
	numbers, _ = c.ListNumbers(ctx, instanceID)
	if numbers[0].FlowID != main || numbers[0].FlowName != "main" {
		t.Errorf("bound number = %+v", numbers[0])
	}
	f, err := c.GetFlow(ctx, cloud.FlowKey{InstanceID: instanceID, FlowID: main})
	if err != nil || !cmp.Equal(f.NumberList, []string{"057100001111"}) {
		t.Errorf("GetFlow NumberList = %v, %v", f.NumberList, err)
	}
	// By number only; moves it to the other flow.
	if err := c.BindNumber(ctx, instanceID, cloud.PhoneNumber{Number: "057100001111"}, other); err != nil {
		t.Fatal(err)
	}
	if err := c.UnbindNumber(ctx, instanceID, n, main); err != nil {
		t.Errorf("unbinding from a flow the number is not bound to = %v, want success", err)
	}
	numbers, _ = c.ListNumbers(ctx, instanceID)
	if numbers[0].FlowID != other {
		t.Errorf("number after a foreign unbind = %+v", numbers[0])
	}
	if err := c.UnbindNumber(ctx, instanceID, n, other); err != nil {
		t.Fatal(err)
	}
	numbers, _ = c.ListNumbers(ctx, instanceID)
	if numbers[0].FlowID != "" {
		t.Errorf("number after unbind = %+v", numbers[0])
	}
	if err := c.UnbindNumber(ctx, instanceID, cloud.PhoneNumber{ID: "no-such-number"}, other); err != nil {
		t.Errorf("unbinding an unknown number = %v, want success", err)
	}

	err = c.BindNumber(ctx, instanceID, cloud.PhoneNumber{ID: "no-such-number"}, main)
	if ce := mustCloudError(t, err, cloud.ClassNotFound); ce.Code != classic.CodePhoneNumberNotExists || ce.Action != "AssignContactFlowToPhoneNumber" {
		t.Errorf("unknown number ID = %+v", ce)
	}
	err = c.BindNumber(ctx, instanceID, cloud.PhoneNumber{Number: "000"}, main)
	if ce := mustCloudError(t, err, cloud.ClassNotFound); ce.Code != classic.CodePhoneNumberNotExists || !strings.Contains(ce.Message, "000") {
		t.Errorf("unknown number = %+v", ce)
	}
	err = c.BindNumber(ctx, instanceID, n, "no-such-flow")
	if ce := mustCloudError(t, err, cloud.ClassNotFound); ce.Code != emuclassic.CodeFlowNotExists {
		t.Errorf("unknown flow = %+v", ce)
	}
}

func TestRenameFlow(t *testing.T) {
	e := start(t, 0)
	c := e.client(t, opSecret)
	ctx := context.Background()
	var fc cloud.FlowClient = c
	renamer, ok := fc.(cloud.FlowRenamer)
	if !ok {
		t.Fatal("the classic adapter is not a FlowRenamer")
	}
	id, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "old", Type: "SUB_FLOW", Description: "kept", Definition: contentA})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "taken", Type: "MAIN_FLOW", Definition: contentA}); err != nil {
		t.Fatal(err)
	}
	key := cloud.FlowKey{InstanceID: instanceID, FlowID: id}
	before, err := c.GetFlow(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := renamer.RenameFlow(ctx, key, "new"); err != nil {
		t.Fatalf("RenameFlow: %v", err)
	}
	after, err := c.GetFlow(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	before.Name = "new"
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("renamed flow (-want +got):\n%s", diff)
	}
	e.emu.ResetStats()
	if err := renamer.RenameFlow(ctx, key, "new"); err != nil || e.calls("ModifyContactFlow") != 0 {
		t.Errorf("renaming to the current name = %v with %d writes", err, e.calls("ModifyContactFlow"))
	}
	err = renamer.RenameFlow(ctx, key, "taken")
	if ce := mustCloudError(t, err, cloud.ClassAlreadyExists); ce.Code != emuclassic.CodeDuplicatedName || ce.Action != "ModifyContactFlow" {
		t.Errorf("rename to a taken name = %+v", ce)
	}
	err = renamer.RenameFlow(ctx, cloud.FlowKey{InstanceID: instanceID, FlowID: "missing"}, "x")
	mustCloudError(t, err, cloud.ClassNotFound)
}

func TestPublishRefusedForReferences(t *testing.T) {
	e := start(t, 0)
	c := e.client(t, opSecret)
	ctx := context.Background()
	bad := `{"nodes":[{"id":"p","type":"Play","properties":{"mediaId":"42"}},{"id":"q","type":"Queue","properties":{"skillGroupId":""}}]}`
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
	want := []string{`node "p" property mediaId: no media "42" in the instance`, `node "q" property skillGroupId: empty ID`}
	if diff := cmp.Diff(want, ce.Problems); diff != "" || ce.Code != classic.CodeInvalidContent {
		t.Errorf("refusal = %+v, problems (-want +got):\n%s", ce, diff)
	}
	if f, _ := c.GetFlow(ctx, key); f.Published || f.Draft == nil {
		t.Errorf("a refused publish changed the flow: %+v", f)
	}
}
