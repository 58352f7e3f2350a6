package connect_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/google/go-cmp/cmp"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/connect"
)

func (e *env) admin() *emulator.ConnectAdminClient {
	return emulator.NewAdminClient(e.srv.URL, e.srv.Client()).Connect()
}

func wantAdminCode(t *testing.T, err error, code string, status int) {
	t.Helper()
	var ae *emulator.AdminError
	if !errors.As(err, &ae) || ae.Code != code || ae.StatusCode != status {
		t.Errorf("admin error = %v, want %s / %d", err, code, status)
	}
}

// refFlow is a publishable flow whose first action has the given Parameters JSON.
func refFlow(params string) string {
	return `{"Version":"2019-10-30","StartAction":"route","Actions":[` +
		`{"Identifier":"route","Type":"UpdateContactTargetQueue","Parameters":` + params + `,"Transitions":{"NextAction":"bye"}},` +
		`{"Identifier":"bye","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`
}

func problemsOf(t *testing.T, err error) []string {
	t.Helper()
	var ice *types.InvalidContactFlowException
	if !errors.As(err, &ice) {
		t.Fatalf("err = %v, want *types.InvalidContactFlowException", err)
	}
	var got []string
	for _, p := range ice.Problems {
		got = append(got, aws.ToString(p.Message))
	}
	return got
}

func TestDirectoryLists(t *testing.T) {
	e := newEnv(t)
	c := e.client(keyID, secret)
	admin := e.admin()
	ctx := context.Background()

	var queues []*emulator.ConnectResource
	for i := range 3 {
		q, err := admin.AddQueue(ctx, instanceID, fmt.Sprintf("queue-%d", i))
		if err != nil {
			t.Fatal(err)
		}
		queues = append(queues, q)
	}
	wantArn := fmt.Sprintf("arn:aws:connect:%s:%s:instance/%s/queue/%s", connect.DefaultRegion, connect.AccountID, instanceID, queues[0].ID)
	if queues[0].Arn != wantArn || queues[0].Kind != connect.KindQueue || queues[0].QueueType != connect.QueueTypeStandard {
		t.Errorf("queue = %+v, want ARN %s", queues[0], wantArn)
	}
	_, err := admin.AddQueue(ctx, instanceID, "queue-1")
	wantAdminCode(t, err, connect.CodeDuplicateResource, 409)
	p, err := admin.AddResource(ctx, instanceID, emulator.ConnectNewResource{Kind: connect.KindPrompt, Name: "welcome", ID: "prompt-1", Region: region})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "prompt-1" || p.Arn != "arn:aws:connect:"+region+":"+connect.AccountID+":instance/"+instanceID+"/prompt/prompt-1" {
		t.Errorf("prompt = %+v", p)
	}
	for i := range 30 {
		if _, err := admin.AddFunction(ctx, instanceID, fmt.Sprintf("fn-%02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	_, err = admin.AddFunction(ctx, instanceID, "fn-00")
	wantAdminCode(t, err, connect.CodeDuplicateResource, 409)
	_, err = admin.AddFunction(ctx, instanceID, "not a name")
	wantAdminCode(t, err, connect.CodeInvalidParameter, 400)
	_, err = admin.AddResource(ctx, instanceID, emulator.ConnectNewResource{Kind: "SkillGroup", Name: "x"})
	wantAdminCode(t, err, connect.CodeInvalidParameter, 400)
	_, err = admin.AddQueue(ctx, "no-such-instance", "q")
	wantAdminCode(t, err, connect.CodeResourceNotFound, 404)
	all, err := admin.Resources(ctx, instanceID, "")
	if err != nil || len(all) != 3+1+30 {
		t.Fatalf("admin resources = %d, %v", len(all), err)
	}
	onlyPrompts, err := admin.Resources(ctx, instanceID, connect.KindPrompt)
	if err != nil || len(onlyPrompts) != 1 || onlyPrompts[0].Name != "welcome" {
		t.Errorf("admin prompts = %+v, %v", onlyPrompts, err)
	}

	// ListQueues pages by MaxResults.
	var names []string
	pager := sdk.NewListQueuesPaginator(c, &sdk.ListQueuesInput{InstanceId: aws.String(instanceID), MaxResults: aws.Int32(2)})
	pages := 0
	for pager.HasMorePages() {
		out, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, q := range out.QueueSummaryList {
			names = append(names, aws.ToString(q.Name))
			if q.QueueType != types.QueueTypeStandard || !strings.HasSuffix(aws.ToString(q.Arn), "/queue/"+aws.ToString(q.Id)) || q.LastModifiedTime == nil {
				t.Errorf("queue summary = %+v", q)
			}
		}
	}
	if diff := cmp.Diff([]string{"queue-0", "queue-1", "queue-2"}, names); diff != "" || pages != 2 {
		t.Errorf("queues in %d pages (-want +got):\n%s", pages, diff)
	}
	agents, err := c.ListQueues(ctx, &sdk.ListQueuesInput{InstanceId: aws.String(instanceID), QueueTypes: []types.QueueType{types.QueueTypeAgent}})
	if err != nil || len(agents.QueueSummaryList) != 0 {
		t.Errorf("agent queues = %+v, %v", agents, err)
	}

	prompts, err := c.ListPrompts(ctx, &sdk.ListPromptsInput{InstanceId: aws.String(instanceID)})
	if err != nil || len(prompts.PromptSummaryList) != 1 || aws.ToString(prompts.PromptSummaryList[0].Arn) != p.Arn {
		t.Errorf("ListPrompts = %+v, %v", prompts, err)
	}

	// ListLambdaFunctions pages by at most 25.
	var fns []string
	fpager := sdk.NewListLambdaFunctionsPaginator(c, &sdk.ListLambdaFunctionsInput{InstanceId: aws.String(instanceID)})
	for fpager.HasMorePages() {
		out, err := fpager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.LambdaFunctions) > 25 {
			t.Errorf("a page of %d functions", len(out.LambdaFunctions))
		}
		fns = append(fns, out.LambdaFunctions...)
	}
	if len(fns) != 30 || fns[0] != connect.FunctionArn(connect.DefaultRegion, "fn-00") {
		t.Errorf("functions = %d, first %v", len(fns), fns[:1])
	}
	_, err = c.ListLambdaFunctions(ctx, &sdk.ListLambdaFunctionsInput{InstanceId: aws.String(instanceID), MaxResults: aws.Int32(26)})
	wantCode(t, err, connect.CodeInvalidParameter, 400)
	_, err = c.ListQueues(ctx, &sdk.ListQueuesInput{InstanceId: aws.String("nope")})
	wantCode(t, err, connect.CodeResourceNotFound, 404)
	_, err = c.ListPrompts(ctx, &sdk.ListPromptsInput{InstanceId: aws.String(instanceID), NextToken: aws.String("garbage")})
	wantCode(t, err, connect.CodeInvalidParameter, 400)

	// Admin operations are not counted; the cloud calls are, under their operation names.
	st := e.stats.Snapshot()
	if st.Count(connect.Platform, "ListQueues") != 4 || st.Count(connect.Platform, "ListLambdaFunctions") != 3 ||
		st.PlatformTotal(connect.Platform) != 4+2+3 {
		t.Errorf("stats = %+v", st)
	}
}

func TestPhoneNumbersAndAssociations(t *testing.T) {
	e := newEnv(t)
	c := e.client(keyID, secret)
	admin := e.admin()
	ctx := context.Background()
	if _, err := e.svc.AddInstance("inst-2"); err != nil {
		t.Fatal(err)
	}

	n1, err := admin.AddNumber(ctx, instanceID, "+14155550100")
	if err != nil {
		t.Fatal(err)
	}
	if n1.CountryCode != "US" || n1.Type != connect.PhoneNumberTypeDID || n1.ContactFlowID != "" ||
		n1.PhoneNumberArn != "arn:aws:connect:"+connect.DefaultRegion+":"+connect.AccountID+":phone-number/"+n1.PhoneNumberID ||
		n1.TargetArn != connect.InstanceArn(connect.DefaultRegion, instanceID) {
		t.Errorf("number = %+v", n1)
	}
	n2, err := admin.ClaimNumber(ctx, instanceID, emulator.ConnectNewPhoneNumber{Number: "+442071838750", Type: "TOLL_FREE"})
	if err != nil || n2.CountryCode != "GB" {
		t.Fatalf("number 2 = %+v, %v", n2, err)
	}
	if _, err := admin.AddNumber(ctx, "inst-2", "+14155550199"); err != nil {
		t.Fatal(err)
	}
	_, err = admin.AddNumber(ctx, "inst-2", "+14155550100")
	wantAdminCode(t, err, connect.CodeDuplicateResource, 409)
	_, err = admin.AddNumber(ctx, instanceID, "4155550100")
	wantAdminCode(t, err, connect.CodeInvalidParameter, 400)

	list := func(in *sdk.ListPhoneNumbersV2Input) []string {
		t.Helper()
		var got []string
		pager := sdk.NewListPhoneNumbersV2Paginator(c, in)
		for pager.HasMorePages() {
			out, err := pager.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListPhoneNumbersV2: %v", err)
			}
			for _, n := range out.ListPhoneNumbersSummaryList {
				got = append(got, aws.ToString(n.PhoneNumber))
			}
		}
		return got
	}
	if diff := cmp.Diff([]string{"+14155550100", "+442071838750"}, list(&sdk.ListPhoneNumbersV2Input{InstanceId: aws.String(instanceID), MaxResults: aws.Int32(1)})); diff != "" {
		t.Errorf("by instance (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"+14155550199"}, list(&sdk.ListPhoneNumbersV2Input{TargetArn: aws.String(connect.InstanceArn(region, "inst-2"))})); diff != "" {
		t.Errorf("by target (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"+14155550100", "+442071838750", "+14155550199"}, list(&sdk.ListPhoneNumbersV2Input{})); diff != "" {
		t.Errorf("whole account (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"+14155550100", "+14155550199"}, list(&sdk.ListPhoneNumbersV2Input{PhoneNumberPrefix: aws.String("+1")})); diff != "" {
		t.Errorf("by prefix (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"+442071838750"}, list(&sdk.ListPhoneNumbersV2Input{PhoneNumberTypes: []types.PhoneNumberType{types.PhoneNumberTypeTollFree}})); diff != "" {
		t.Errorf("by type (-want +got):\n%s", diff)
	}
	full, err := c.ListPhoneNumbersV2(ctx, &sdk.ListPhoneNumbersV2Input{InstanceId: aws.String(instanceID), MaxResults: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	want := types.ListPhoneNumbersSummary{
		InstanceId: aws.String(instanceID), PhoneNumber: aws.String(n1.PhoneNumber), PhoneNumberArn: aws.String(n1.PhoneNumberArn),
		PhoneNumberCountryCode: types.PhoneNumberCountryCodeUs, PhoneNumberId: aws.String(n1.PhoneNumberID),
		PhoneNumberType: types.PhoneNumberTypeDid, TargetArn: aws.String(n1.TargetArn),
	}
	if diff := cmp.Diff(want, full.ListPhoneNumbersSummaryList[0], cmp.AllowUnexported(types.ListPhoneNumbersSummary{})); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	_, err = c.ListPhoneNumbersV2(ctx, &sdk.ListPhoneNumbersV2Input{InstanceId: aws.String("nope")})
	wantCode(t, err, connect.CodeResourceNotFound, 404)
	_, err = c.ListPhoneNumbersV2(ctx, &sdk.ListPhoneNumbersV2Input{PhoneNumberPrefix: aws.String("1415")})
	wantCode(t, err, connect.CodeInvalidParameter, 400)

	main := create(t, c, "main", "CONTACT_FLOW", contentA, "")
	other := create(t, c, "other", "CONTACT_FLOW", contentB, "")
	assoc := func(number, flow string) error {
		_, err := c.AssociatePhoneNumberContactFlow(ctx, &sdk.AssociatePhoneNumberContactFlowInput{
			InstanceId: aws.String(instanceID), PhoneNumberId: aws.String(number), ContactFlowId: aws.String(flow),
		})
		return err
	}
	associations := func() []types.FlowAssociationSummary {
		t.Helper()
		var got []types.FlowAssociationSummary
		pager := sdk.NewListFlowAssociationsPaginator(c, &sdk.ListFlowAssociationsInput{
			InstanceId: aws.String(instanceID), ResourceType: types.ListFlowAssociationResourceTypeVoicePhoneNumber, MaxResults: aws.Int32(1),
		})
		for pager.HasMorePages() {
			out, err := pager.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListFlowAssociations: %v", err)
			}
			got = append(got, out.FlowAssociationSummaryList...)
		}
		return got
	}
	if err := assoc(n1.PhoneNumberID, aws.ToString(main.ContactFlowId)); err != nil {
		t.Fatalf("associate by ID: %v", err)
	}
	// The number by ARN and the flow by ARN work too.
	if err := assoc(n2.PhoneNumberArn, aws.ToString(main.ContactFlowArn)); err != nil {
		t.Fatalf("associate by ARN: %v", err)
	}
	got := associations()
	if len(got) != 2 || aws.ToString(got[0].ResourceId) != n1.PhoneNumberArn || aws.ToString(got[0].FlowId) != aws.ToString(main.ContactFlowArn) ||
		got[0].ResourceType != types.ListFlowAssociationResourceTypeVoicePhoneNumber {
		t.Errorf("associations = %+v", got)
	}
	// Associating another flow replaces the association.
	if err := assoc(n1.PhoneNumberID, aws.ToString(other.ContactFlowId)); err != nil {
		t.Fatal(err)
	}
	if got := associations(); len(got) != 2 || aws.ToString(got[0].FlowId) != aws.ToString(other.ContactFlowArn) {
		t.Errorf("after re-association = %+v", got)
	}
	nums, _ := admin.Numbers(ctx, instanceID)
	if nums[0].ContactFlowID != aws.ToString(other.ContactFlowId) {
		t.Errorf("admin numbers = %+v", nums)
	}
	wantCode(t, assoc("no-such-number", aws.ToString(main.ContactFlowId)), connect.CodeResourceNotFound, 404)
	wantCode(t, assoc(n1.PhoneNumberID, "no-such-flow"), connect.CodeResourceNotFound, 404)
	wantCode(t, assoc(n1.PhoneNumberID, aws.ToString(main.ContactFlowId)+":$SAVED"), connect.CodeInvalidParameter, 400)
	others, _ := e.svc.Numbers("inst-2")
	// A number of another instance is not found through this one.
	wantCode(t, assoc(others[0].PhoneNumberID, aws.ToString(main.ContactFlowId)), connect.CodeResourceNotFound, 404)
	emails, err := c.ListFlowAssociations(ctx, &sdk.ListFlowAssociationsInput{InstanceId: aws.String(instanceID), ResourceType: types.ListFlowAssociationResourceTypeInboundEmail})
	if err != nil || len(emails.FlowAssociationSummaryList) != 0 {
		t.Errorf("email associations = %+v, %v", emails, err)
	}

	disassoc := func(number string) error {
		_, err := c.DisassociatePhoneNumberContactFlow(ctx, &sdk.DisassociatePhoneNumberContactFlowInput{
			InstanceId: aws.String(instanceID), PhoneNumberId: aws.String(number),
		})
		return err
	}
	if err := disassoc(n1.PhoneNumberID); err != nil {
		t.Fatal(err)
	}
	if err := disassoc(n1.PhoneNumberID); err != nil {
		t.Errorf("disassociating an unassociated number: %v", err)
	}
	wantCode(t, disassoc("no-such-number"), connect.CodeResourceNotFound, 404)
	if got := associations(); len(got) != 1 || aws.ToString(got[0].ResourceId) != n2.PhoneNumberArn {
		t.Errorf("after disassociation = %+v", got)
	}
	// Deleting a flow drops its numbers' associations.
	if _, err := c.DeleteContactFlow(ctx, &sdk.DeleteContactFlowInput{InstanceId: aws.String(instanceID), ContactFlowId: main.ContactFlowId}); err != nil {
		t.Fatal(err)
	}
	if got := associations(); len(got) != 0 {
		t.Errorf("after deleting the flow = %+v", got)
	}
}

func TestReferencesCheckedOnPublish(t *testing.T) {
	e := newEnv(t)
	c := e.client(keyID, secret)
	admin := e.admin()
	ctx := context.Background()
	q, err := admin.AddQueue(ctx, instanceID, "sales")
	if err != nil {
		t.Fatal(err)
	}
	p, err := admin.AddPrompt(ctx, instanceID, "welcome")
	if err != nil {
		t.Fatal(err)
	}
	fn, err := admin.AddFunction(ctx, instanceID, "lookup")
	if err != nil {
		t.Fatal(err)
	}
	target := create(t, c, "target", "CONTACT_FLOW", contentA, "")
	targetArn := aws.ToString(target.ContactFlowArn)

	good := refFlow(fmt.Sprintf(`{"QueueId":%q,"ContactFlowId":%q,"LambdaFunctionARN":%q,"PromptId":%q}`, q.Arn, targetArn, fn.Arn, p.ID))
	f := create(t, c, "router", "CONTACT_FLOW", good, types.ContactFlowStatusPublished)
	// IDs work for queues and flows; run-time values are not checked.
	if _, err := c.CreateContactFlow(ctx, &sdk.CreateContactFlowInput{
		InstanceId: aws.String(instanceID), Name: aws.String("by-id"), Type: types.ContactFlowTypeContactFlow,
		Content: aws.String(refFlow(fmt.Sprintf(`{"QueueId":%q,"ContactFlowId":%q,"PromptId":"$.Attributes.prompt"}`, q.ID, aws.ToString(target.ContactFlowId)))),
	}); err != nil {
		t.Errorf("references by ID: %v", err)
	}

	bad := refFlow(`{"QueueId":"arn:aws:connect:us-east-1:000000000000:instance/inst-1/queue/gone","ContactFlowId":"","LambdaFunctionARN":"lookup","PromptId":"nope"}`)
	wantProblems := []string{
		`Action "route": Parameters.ContactFlowId is empty: it must name a flow of instance inst-1.`,
		`Action "route": Parameters.QueueId "arn:aws:connect:us-east-1:000000000000:instance/inst-1/queue/gone" does not name a queue of instance inst-1.`,
		`Action "route": Parameters.LambdaFunctionARN "lookup" does not name a Lambda function associated with instance inst-1.`,
		`Action "route": Parameters.PromptId "nope" does not name a prompt of instance inst-1.`,
	}

	// CreateContactFlow PUBLISHED refuses; SAVED does not check.
	_, err = c.CreateContactFlow(ctx, &sdk.CreateContactFlowInput{
		InstanceId: aws.String(instanceID), Name: aws.String("bad"), Type: types.ContactFlowTypeContactFlow, Content: aws.String(bad),
	})
	wantCode(t, err, connect.CodeInvalidContactFlow, 400)
	if diff := cmp.Diff(wantProblems, problemsOf(t, err)); diff != "" {
		t.Errorf("create problems (-want +got):\n%s", diff)
	}
	if _, err := describe(t, c, "bad"); err == nil {
		t.Error("a refused create left a flow")
	}
	flows, _ := e.svc.Flows(instanceID)
	if len(flows) != 3 {
		t.Errorf("flows after a refused create = %d", len(flows))
	}
	saved := create(t, c, "saved", "CONTACT_FLOW", bad, types.ContactFlowStatusSaved)

	// UpdateContactFlowContent: $SAVED saves, the plain ID refuses and changes nothing.
	id := aws.ToString(f.ContactFlowId)
	before, _ := e.svc.Flow(instanceID, id)
	_, err = c.UpdateContactFlowContent(ctx, &sdk.UpdateContactFlowContentInput{InstanceId: aws.String(instanceID), ContactFlowId: aws.String(id), Content: aws.String(bad)})
	if diff := cmp.Diff(wantProblems, problemsOf(t, err)); diff != "" {
		t.Errorf("update problems (-want +got):\n%s", diff)
	}
	after, _ := e.svc.Flow(instanceID, id)
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("a refused publish changed the flow (-before +after):\n%s", diff)
	}
	if _, err := c.UpdateContactFlowContent(ctx, &sdk.UpdateContactFlowContentInput{InstanceId: aws.String(instanceID), ContactFlowId: aws.String(id + ":$SAVED"), Content: aws.String(bad)}); err != nil {
		t.Errorf("saving unchecked references: %v", err)
	}
	// Publishing the saved flow is refused too (the console publish goes the same way).
	_, err = admin.PublishContent(ctx, instanceID, aws.ToString(saved.ContactFlowId), bad)
	wantAdminCode(t, err, connect.CodeInvalidContactFlow, 400)

	// Only Parameters' own members are references: attribute names users choose are data. A
	// non-string value is refused.
	attrs := refFlow(`{"QueueId":"` + q.ID + `","Attributes":{"QueueId":"anything","ContactFlowId":""}}`)
	if _, err := c.UpdateContactFlowContent(ctx, &sdk.UpdateContactFlowContentInput{InstanceId: aws.String(instanceID), ContactFlowId: aws.String(id), Content: aws.String(attrs)}); err != nil {
		t.Errorf("nested attribute names were checked: %v", err)
	}
	_, err = c.UpdateContactFlowContent(ctx, &sdk.UpdateContactFlowContentInput{InstanceId: aws.String(instanceID), ContactFlowId: aws.String(id), Content: aws.String(refFlow(`{"QueueId":7}`))})
	if diff := cmp.Diff([]string{`Action "route": Parameters.QueueId 7 must be a string.`}, problemsOf(t, err)); diff != "" {
		t.Errorf("non-string problems (-want +got):\n%s", diff)
	}

	// Graph and reference problems come together, graph first.
	mixed := `{"Version":"2019-10-30","StartAction":"x","Actions":[{"Identifier":"a","Type":"T","Parameters":{"QueueId":"q"},"Transitions":{}}]}`
	_, err = c.UpdateContactFlowContent(ctx, &sdk.UpdateContactFlowContentInput{InstanceId: aws.String(instanceID), ContactFlowId: aws.String(id), Content: aws.String(mixed)})
	if diff := cmp.Diff([]string{`StartAction "x" does not name an action.`, `Action "a": Parameters.QueueId "q" does not name a queue of instance inst-1.`}, problemsOf(t, err)); diff != "" {
		t.Errorf("mixed problems (-want +got):\n%s", diff)
	}

	// Deleting a referenced flow is not refused; a publish that still refers to it is.
	if _, err := c.DeleteContactFlow(ctx, &sdk.DeleteContactFlowInput{InstanceId: aws.String(instanceID), ContactFlowId: target.ContactFlowId}); err != nil {
		t.Fatalf("deleting a referenced flow: %v", err)
	}
	_, err = c.UpdateContactFlowContent(ctx, &sdk.UpdateContactFlowContentInput{InstanceId: aws.String(instanceID), ContactFlowId: aws.String(id), Content: aws.String(good)})
	if diff := cmp.Diff([]string{fmt.Sprintf(`Action "route": Parameters.ContactFlowId %q does not name a flow of instance inst-1.`, targetArn)}, problemsOf(t, err)); diff != "" {
		t.Errorf("problems after the delete (-want +got):\n%s", diff)
	}
}

func TestUpdateContactFlowName(t *testing.T) {
	e := newEnv(t)
	c := e.client(keyID, secret)
	ctx := context.Background()
	a := create(t, c, "a", "CONTACT_FLOW", contentA, "")
	create(t, c, "b", "CONTACT_FLOW", contentB, "")

	if _, err := c.UpdateContactFlowName(ctx, &sdk.UpdateContactFlowNameInput{
		InstanceId: aws.String(instanceID), ContactFlowId: a.ContactFlowId, Name: aws.String("renamed"),
	}); err != nil {
		t.Fatalf("rename: %v", err)
	}
	f, err := describe(t, c, aws.ToString(a.ContactFlowId))
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(f.Name) != "renamed" || aws.ToString(f.Id) != aws.ToString(a.ContactFlowId) ||
		aws.ToString(f.Arn) != aws.ToString(a.ContactFlowArn) || aws.ToString(f.Description) != "d-a" || aws.ToString(f.Content) != contentA {
		t.Errorf("renamed flow = %+v", f)
	}
	_, err = c.UpdateContactFlowName(ctx, &sdk.UpdateContactFlowNameInput{
		InstanceId: aws.String(instanceID), ContactFlowId: a.ContactFlowId, Name: aws.String("b"),
	})
	wantCode(t, err, connect.CodeDuplicateResource, 409)
	// Renaming to its own name and changing only the description are fine.
	if _, err := c.UpdateContactFlowName(ctx, &sdk.UpdateContactFlowNameInput{
		InstanceId: aws.String(instanceID), ContactFlowId: a.ContactFlowId, Name: aws.String("renamed"), Description: aws.String("new"),
	}); err != nil {
		t.Errorf("same name: %v", err)
	}
	_, err = c.UpdateContactFlowName(ctx, &sdk.UpdateContactFlowNameInput{InstanceId: aws.String(instanceID), ContactFlowId: aws.String("nope"), Name: aws.String("x")})
	wantCode(t, err, connect.CodeResourceNotFound, 404)
	_, err = c.UpdateContactFlowName(ctx, &sdk.UpdateContactFlowNameInput{InstanceId: aws.String(instanceID), ContactFlowId: a.ContactFlowId, Name: aws.String(" ")})
	wantCode(t, err, connect.CodeInvalidParameter, 400)
	if n := e.stats.Snapshot().Count(connect.Platform, "UpdateContactFlowName"); n != 5 {
		t.Errorf("UpdateContactFlowName counted %d times", n)
	}
}
