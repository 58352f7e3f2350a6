package connect_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/aws/connect"
	emuconnect "github.com/contactflow-operator/contactflow-operator/internal/emulator/connect"
)

// refContent is a publishable flow whose first action carries the given Parameters JSON.
func refContent(params string) string {
	return `{"Version":"2019-10-30","StartAction":"route","Actions":[` +
		`{"Identifier":"route","Type":"UpdateContactTargetQueue","Parameters":` + params + `,"Transitions":{"NextAction":"bye"}},` +
		`{"Identifier":"bye","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`
}

type callRecorder struct {
	mu    sync.Mutex
	calls []cloud.Call
}

func (r *callRecorder) ObserveCall(_ context.Context, c cloud.Call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c)
}

func (r *callRecorder) actions() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, c := range r.calls {
		out = append(out, c.Action+":"+c.Code)
	}
	return out
}

func TestListResources(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	rec := &callRecorder{}
	c, err := connect.New(ctx, cloud.Config{
		Platform: cloud.PlatformAmazonConnect, Region: region, Endpoint: e.srv.URL,
		Credentials: &cloud.Credentials{AccessKeyID: opKeyID, AccessKeySecret: opSecret},
		Observer:    rec,
	})
	if err != nil {
		t.Fatal(err)
	}
	var _ cloud.ResourceLister = c
	if diff := cmp.Diff([]cloud.ResourceKind{cloud.KindContactFlow, cloud.KindQueue, cloud.KindPrompt, cloud.KindFunction}, c.ResourceKinds()); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}

	q, err := e.admin.AddQueue(ctx, instanceID, "sales")
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.admin.AddPrompt(ctx, instanceID, "welcome")
	if err != nil {
		t.Fatal(err)
	}
	// More functions than one ListLambdaFunctions page (25) holds.
	for i := range 27 {
		if _, err := e.emu.Connect().AddResource(instanceID, emuconnect.NewResource{Kind: emuconnect.KindFunction, Name: fmt.Sprintf("fn-%02d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	flowID, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "main", Definition: defA})
	if err != nil {
		t.Fatal(err)
	}

	got := map[cloud.ResourceKind][]cloud.Resource{}
	for _, k := range c.ResourceKinds() {
		got[k], err = c.ListResources(ctx, instanceID, k)
		if err != nil {
			t.Fatalf("ListResources(%s): %v", k, err)
		}
	}
	if diff := cmp.Diff([]cloud.Resource{{Kind: cloud.KindQueue, ID: q.ID, Name: "sales", Ref: q.Arn}}, got[cloud.KindQueue]); diff != "" {
		t.Errorf("queues (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]cloud.Resource{{Kind: cloud.KindPrompt, ID: p.ID, Name: "welcome", Ref: p.Arn}}, got[cloud.KindPrompt]); diff != "" {
		t.Errorf("prompts (-want +got):\n%s", diff)
	}
	fl, err := c.GetFlow(ctx, cloud.FlowKey{InstanceID: instanceID, FlowID: flowID})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]cloud.Resource{{Kind: cloud.KindContactFlow, ID: flowID, Name: "main", Ref: fl.ARN}}, got[cloud.KindContactFlow]); diff != "" || fl.ARN == "" {
		t.Errorf("flows (-want +got):\n%s", diff)
	}
	fns := got[cloud.KindFunction]
	if len(fns) != 27 {
		t.Fatalf("functions = %d, want 27 (all pages)", len(fns))
	}
	wantFn := cloud.Resource{Kind: cloud.KindFunction, ID: emuconnect.FunctionArn(emuconnect.DefaultRegion, "fn-26"),
		Name: "fn-26", Ref: emuconnect.FunctionArn(emuconnect.DefaultRegion, "fn-26")}
	if diff := cmp.Diff(wantFn, fns[26]); diff != "" {
		t.Errorf("last function (-want +got):\n%s", diff)
	}
	if n := calls(e, "ListLambdaFunctions"); n != 2 {
		t.Errorf("ListLambdaFunctions calls = %d, want 2 pages", n)
	}
	for _, a := range []string{"ListQueues:OK", "ListPrompts:OK", "ListLambdaFunctions:OK", "ListContactFlows:OK"} {
		if !slices.Contains(rec.actions(), a) {
			t.Errorf("observer did not see %s: %v", a, rec.actions())
		}
	}

	_, err = c.ListResources(ctx, instanceID, cloud.KindSkillGroup)
	if ce := mustClass(t, err, cloud.ClassInvalid); !strings.Contains(ce.Message, "SkillGroup") {
		t.Errorf("unsupported kind message = %q", ce.Message)
	}
	for _, k := range c.ResourceKinds() {
		_, err = c.ListResources(ctx, "no-such-instance", k)
		mustClass(t, err, cloud.ClassNotFound)
	}
}

func TestListFlowsCarriesARN(t *testing.T) {
	e := start(t)
	c := e.client(t, opSecret)
	ctx := context.Background()
	id, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "a", Definition: defA})
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.ListFlows(ctx, instanceID, 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := "arn:aws:connect:" + region + ":" + emuconnect.AccountID + ":instance/" + instanceID + "/contact-flow/" + id
	if len(page.Flows) != 1 || page.Flows[0].ARN != want || page.Flows[0].Ref() != want {
		t.Errorf("listed flows = %+v, want ARN %s", page.Flows, want)
	}
}

func TestNumbers(t *testing.T) {
	e := start(t)
	c := e.client(t, opSecret)
	ctx := context.Background()
	var _ cloud.NumberBinder = c

	n1, err := e.admin.AddNumber(ctx, instanceID, "+14155550100")
	if err != nil {
		t.Fatal(err)
	}
	n2, err := e.admin.AddNumber(ctx, instanceID, "+14155550101")
	if err != nil {
		t.Fatal(err)
	}
	main, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "main", Definition: defA})
	if err != nil {
		t.Fatal(err)
	}
	other, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "other", Definition: defB})
	if err != nil {
		t.Fatal(err)
	}

	list := func() []cloud.PhoneNumber {
		t.Helper()
		got, err := c.ListNumbers(ctx, instanceID)
		if err != nil {
			t.Fatalf("ListNumbers: %v", err)
		}
		return got
	}
	if diff := cmp.Diff([]cloud.PhoneNumber{{Number: "+14155550100", ID: n1.PhoneNumberID}, {Number: "+14155550101", ID: n2.PhoneNumberID}}, list()); diff != "" {
		t.Errorf("unbound numbers (-want +got):\n%s", diff)
	}

	// Bind by ID, and by number alone (one extra listing).
	if err := c.BindNumber(ctx, instanceID, cloud.PhoneNumber{ID: n1.PhoneNumberID}, main); err != nil {
		t.Fatalf("BindNumber by ID: %v", err)
	}
	if err := c.BindNumber(ctx, instanceID, cloud.PhoneNumber{Number: "+14155550101"}, other); err != nil {
		t.Fatalf("BindNumber by number: %v", err)
	}
	want := []cloud.PhoneNumber{{Number: "+14155550100", ID: n1.PhoneNumberID, FlowID: main}, {Number: "+14155550101", ID: n2.PhoneNumberID, FlowID: other}}
	if diff := cmp.Diff(want, list()); diff != "" {
		t.Errorf("bound numbers (-want +got):\n%s", diff)
	}
	// Binding replaces another flow's binding.
	if err := c.BindNumber(ctx, instanceID, want[1], main); err != nil {
		t.Fatal(err)
	}
	want[1].FlowID = main
	if diff := cmp.Diff(want, list()); diff != "" {
		t.Errorf("after rebinding (-want +got):\n%s", diff)
	}

	// Unbinding from a flow the number is not bound to changes nothing, and makes no
	// Disassociate call.
	e.emu.ResetStats()
	if err := c.UnbindNumber(ctx, instanceID, want[0], other); err != nil {
		t.Fatal(err)
	}
	if n := calls(e, "DisassociatePhoneNumberContactFlow"); n != 0 {
		t.Errorf("Disassociate calls = %d for a number bound elsewhere", n)
	}
	if diff := cmp.Diff(want, list()); diff != "" {
		t.Errorf("after unbinding from another flow (-want +got):\n%s", diff)
	}
	if err := c.UnbindNumber(ctx, instanceID, want[0], main); err != nil {
		t.Fatal(err)
	}
	want[0].FlowID = ""
	if diff := cmp.Diff(want, list()); diff != "" {
		t.Errorf("after unbinding (-want +got):\n%s", diff)
	}
	// Again, and for a number the instance does not have: success.
	if err := c.UnbindNumber(ctx, instanceID, want[0], main); err != nil {
		t.Errorf("unbinding an unbound number: %v", err)
	}
	if err := c.UnbindNumber(ctx, instanceID, cloud.PhoneNumber{Number: "+19995550000"}, main); err != nil {
		t.Errorf("unbinding an unknown number: %v", err)
	}

	// Unknown number, flow or instance: ClassNotFound.
	err = c.BindNumber(ctx, instanceID, cloud.PhoneNumber{ID: "no-such-number"}, main)
	mustClass(t, err, cloud.ClassNotFound)
	err = c.BindNumber(ctx, instanceID, cloud.PhoneNumber{Number: "+19995550000"}, main)
	mustClass(t, err, cloud.ClassNotFound)
	err = c.BindNumber(ctx, instanceID, want[0], "no-such-flow")
	mustClass(t, err, cloud.ClassNotFound)
	_, err = c.ListNumbers(ctx, "no-such-instance")
	mustClass(t, err, cloud.ClassNotFound)
	err = c.BindNumber(ctx, instanceID, cloud.PhoneNumber{}, main)
	mustClass(t, err, cloud.ClassInvalid)

	// The emulator's own record agrees.
	nums, err := e.admin.Numbers(ctx, instanceID)
	if err != nil || nums[0].ContactFlowID != "" || nums[1].ContactFlowID != main {
		t.Errorf("emulator numbers = %+v, %v", nums, err)
	}
}

func TestRenameFlow(t *testing.T) {
	e := start(t)
	c := e.client(t, opSecret)
	ctx := context.Background()
	var _ cloud.FlowRenamer = c
	id, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "old", Description: "kept", Definition: defA})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "taken", Definition: defB}); err != nil {
		t.Fatal(err)
	}
	key := cloud.FlowKey{InstanceID: instanceID, FlowID: id}
	before, err := c.GetFlow(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.RenameFlow(ctx, key, "new"); err != nil {
		t.Fatalf("RenameFlow: %v", err)
	}
	after, err := c.GetFlow(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if after.Name != "new" || after.ID != before.ID || after.ARN != before.ARN || after.Description != "kept" ||
		after.Draft == nil || after.Draft.Definition != defA {
		t.Errorf("renamed flow = %+v", after)
	}
	if n := calls(e, "UpdateContactFlowName"); n != 1 {
		t.Errorf("UpdateContactFlowName calls = %d", n)
	}
	ce := mustClass(t, c.RenameFlow(ctx, key, "taken"), cloud.ClassAlreadyExists)
	if ce.Code != emuconnect.CodeDuplicateResource {
		t.Errorf("code = %s", ce.Code)
	}
	mustClass(t, c.RenameFlow(ctx, cloud.FlowKey{InstanceID: instanceID, FlowID: "no-such-flow"}, "x"), cloud.ClassNotFound)
}

func TestPublishRefusesUnknownReferences(t *testing.T) {
	e := start(t)
	c := e.client(t, opSecret)
	ctx := context.Background()
	q, err := e.admin.AddQueue(ctx, instanceID, "sales")
	if err != nil {
		t.Fatal(err)
	}
	good := refContent(`{"QueueId":"` + q.Arn + `"}`)
	bad := refContent(`{"QueueId":"arn:aws:connect:` + region + `:000000000000:instance/` + instanceID + `/queue/gone"}`)

	// Saving never checks references; publishing does, and a refusal is ClassInvalid with the
	// platform's problems.
	id, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "router", Definition: bad})
	if err != nil {
		t.Fatalf("CreateFlow (saved) with an unknown queue: %v", err)
	}
	key := cloud.FlowKey{InstanceID: instanceID, FlowID: id}
	err = c.Publish(ctx, key, connect.DraftID)
	ce := mustClass(t, err, cloud.ClassInvalid)
	if ce.Code != connect.CodeInvalidContactFlow || len(ce.Problems) != 1 ||
		!strings.Contains(ce.Problems[0], `"route"`) || !strings.Contains(ce.Problems[0], "QueueId") || !strings.Contains(ce.Problems[0], "/queue/gone") {
		t.Errorf("refusal = %+v", ce)
	}
	if _, err := c.PublishContent(ctx, key, connect.DefaultFlowType, good, ""); err != nil {
		t.Fatalf("publishing a known queue: %v", err)
	}
	_, err = c.PublishContent(ctx, key, connect.DefaultFlowType, bad, "")
	mustClass(t, err, cloud.ClassInvalid)
	f, err := c.GetFlow(ctx, key)
	if err != nil || f.PublishedDefinition != good || f.Draft != nil {
		t.Errorf("after a refused publish = %+v, %v", f, err)
	}

	// A transfer to another flow by the ARN the adapter reports.
	target, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "target", Definition: defA})
	if err != nil {
		t.Fatal(err)
	}
	tf, err := c.GetFlow(ctx, cloud.FlowKey{InstanceID: instanceID, FlowID: target})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PublishContent(ctx, key, connect.DefaultFlowType, refContent(`{"ContactFlowId":"`+tf.Ref()+`"}`), ""); err != nil {
		t.Errorf("publishing a transfer to %s: %v", tf.Ref(), err)
	}
}
