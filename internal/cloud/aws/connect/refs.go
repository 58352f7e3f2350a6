package connect

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
)

// References, phone numbers and renames. Every call goes through c.api, so the observer and
// the client-side limiter see it like any other operation.

var (
	_ cloud.ResourceLister = (*Client)(nil)
	_ cloud.NumberBinder   = (*Client)(nil)
	_ cloud.FlowRenamer    = (*Client)(nil)
)

// Largest pages of the list operations, as the API reference gives them: fewer calls per
// listing.
const (
	queuePageLimit       = 1000
	promptPageLimit      = 1000
	functionPageLimit    = 25
	flowPageLimit        = 1000
	numberPageLimit      = 1000
	associationPageLimit = 1000
)

// resourceKinds are the kinds ListResources serves on Amazon Connect.
var resourceKinds = []cloud.ResourceKind{cloud.KindContactFlow, cloud.KindQueue, cloud.KindPrompt, cloud.KindFunction}

// ResourceKinds lists the kinds ListResources serves: contact flows, queues, prompts and the
// Lambda functions associated with the instance.
func (c *Client) ResourceKinds() []cloud.ResourceKind {
	return append([]cloud.ResourceKind(nil), resourceKinds...)
}

// flowIDFromRef returns the flow ID of a flow ARN or ID, without a qualifier (":$SAVED", ":3").
func flowIDFromRef(ref string) string {
	if i := strings.LastIndex(ref, "/contact-flow/"); i >= 0 {
		ref = ref[i+len("/contact-flow/"):]
	}
	id, _, _ := strings.Cut(ref, ":")
	return id
}

// flowArn returns a flow ARN without the version or alias qualifier a described view may carry.
func flowArn(arn string) string {
	i := strings.LastIndex(arn, "/contact-flow/")
	if i < 0 {
		return arn
	}
	head, tail := arn[:i+len("/contact-flow/")], arn[i+len("/contact-flow/"):]
	id, _, _ := strings.Cut(tail, ":")
	return head + id
}

// functionName returns the function name of a Lambda function ARN
// (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]), or the value itself when it is
// not one.
func functionName(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) >= 7 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function" {
		return parts[6]
	}
	return arn
}

// phoneNumberIDFromRef returns the PhoneNumberId of a phone number ARN or ID.
func phoneNumberIDFromRef(ref string) string {
	if i := strings.LastIndex(ref, ":phone-number/"); i >= 0 {
		return ref[i+len(":phone-number/"):]
	}
	return ref
}

// page runs one list call bounded by the read timeout and maps its error.
func page[T any](ctx context.Context, c *Client, action string, call func(context.Context) (T, error)) (T, error) {
	cctx, cancel := c.callCtx(ctx)
	defer cancel()
	out, err := call(cctx)
	return out, c.mapError(action, err)
}

// ListResources returns every object of kind in the instance, all pages read: flows
// (ListContactFlows), queues (ListQueues), prompts (ListPrompts) and associated Lambda
// functions (ListLambdaFunctions). Ref is the ARN; a function's ID is its ARN too and its Name
// the function name. Another kind is ClassInvalid; an unknown instance is ClassNotFound.
func (c *Client) ListResources(ctx context.Context, instanceID string, kind cloud.ResourceKind) ([]cloud.Resource, error) {
	out := []cloud.Resource{}
	switch kind {
	case cloud.KindContactFlow:
		p := sdk.NewListContactFlowsPaginator(c.api, &sdk.ListContactFlowsInput{
			InstanceId: aws.String(instanceID), MaxResults: aws.Int32(flowPageLimit),
		})
		for p.HasMorePages() {
			res, err := page(ctx, c, "ListContactFlows", func(ctx context.Context) (*sdk.ListContactFlowsOutput, error) { return p.NextPage(ctx) })
			if err != nil {
				return nil, err
			}
			for _, f := range res.ContactFlowSummaryList {
				out = append(out, cloud.Resource{Kind: kind, ID: aws.ToString(f.Id), Name: aws.ToString(f.Name), Ref: aws.ToString(f.Arn)})
			}
		}
	case cloud.KindQueue:
		p := sdk.NewListQueuesPaginator(c.api, &sdk.ListQueuesInput{
			InstanceId: aws.String(instanceID), MaxResults: aws.Int32(queuePageLimit),
		})
		for p.HasMorePages() {
			res, err := page(ctx, c, "ListQueues", func(ctx context.Context) (*sdk.ListQueuesOutput, error) { return p.NextPage(ctx) })
			if err != nil {
				return nil, err
			}
			for _, q := range res.QueueSummaryList {
				out = append(out, cloud.Resource{Kind: kind, ID: aws.ToString(q.Id), Name: aws.ToString(q.Name), Ref: aws.ToString(q.Arn)})
			}
		}
	case cloud.KindPrompt:
		p := sdk.NewListPromptsPaginator(c.api, &sdk.ListPromptsInput{
			InstanceId: aws.String(instanceID), MaxResults: aws.Int32(promptPageLimit),
		})
		for p.HasMorePages() {
			res, err := page(ctx, c, "ListPrompts", func(ctx context.Context) (*sdk.ListPromptsOutput, error) { return p.NextPage(ctx) })
			if err != nil {
				return nil, err
			}
			for _, q := range res.PromptSummaryList {
				out = append(out, cloud.Resource{Kind: kind, ID: aws.ToString(q.Id), Name: aws.ToString(q.Name), Ref: aws.ToString(q.Arn)})
			}
		}
	case cloud.KindFunction:
		p := sdk.NewListLambdaFunctionsPaginator(c.api, &sdk.ListLambdaFunctionsInput{
			InstanceId: aws.String(instanceID), MaxResults: aws.Int32(functionPageLimit),
		})
		for p.HasMorePages() {
			res, err := page(ctx, c, "ListLambdaFunctions", func(ctx context.Context) (*sdk.ListLambdaFunctionsOutput, error) { return p.NextPage(ctx) })
			if err != nil {
				return nil, err
			}
			for _, arn := range res.LambdaFunctions {
				out = append(out, cloud.Resource{Kind: kind, ID: arn, Name: functionName(arn), Ref: arn})
			}
		}
	default:
		return nil, &cloud.Error{Class: cloud.ClassInvalid, Platform: cloud.PlatformAmazonConnect, Action: "ListResources",
			Code: "UnsupportedKind", Message: fmt.Sprintf("kind %q: Amazon Connect lists %s", kind, kindList())}
	}
	return out, nil
}

func kindList() string {
	names := make([]string, len(resourceKinds))
	for i, k := range resourceKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// numbers reads every phone number claimed to the instance (ListPhoneNumbersV2 by InstanceId).
func (c *Client) numbers(ctx context.Context, instanceID, prefix string) ([]types.ListPhoneNumbersSummary, error) {
	in := &sdk.ListPhoneNumbersV2Input{InstanceId: aws.String(instanceID), MaxResults: aws.Int32(numberPageLimit)}
	if prefix != "" {
		in.PhoneNumberPrefix = aws.String(prefix)
	}
	var out []types.ListPhoneNumbersSummary
	p := sdk.NewListPhoneNumbersV2Paginator(c.api, in)
	for p.HasMorePages() {
		res, err := page(ctx, c, "ListPhoneNumbersV2", func(ctx context.Context) (*sdk.ListPhoneNumbersV2Output, error) { return p.NextPage(ctx) })
		if err != nil {
			return nil, err
		}
		out = append(out, res.ListPhoneNumbersSummaryList...)
	}
	return out, nil
}

// associations reads the instance's phone-number flow associations (ListFlowAssociations,
// VOICE_PHONE_NUMBER) as PhoneNumberId → flow ID. The platform names both by ARN; IDs are
// accepted too.
func (c *Client) associations(ctx context.Context, instanceID string) (map[string]string, error) {
	out := map[string]string{}
	p := sdk.NewListFlowAssociationsPaginator(c.api, &sdk.ListFlowAssociationsInput{
		InstanceId: aws.String(instanceID), ResourceType: types.ListFlowAssociationResourceTypeVoicePhoneNumber,
		MaxResults: aws.Int32(associationPageLimit),
	})
	for p.HasMorePages() {
		res, err := page(ctx, c, "ListFlowAssociations", func(ctx context.Context) (*sdk.ListFlowAssociationsOutput, error) { return p.NextPage(ctx) })
		if err != nil {
			return nil, err
		}
		for _, a := range res.FlowAssociationSummaryList {
			if a.ResourceType != "" && a.ResourceType != types.ListFlowAssociationResourceTypeVoicePhoneNumber {
				continue
			}
			out[phoneNumberIDFromRef(aws.ToString(a.ResourceId))] = flowIDFromRef(aws.ToString(a.FlowId))
		}
	}
	return out, nil
}

// ListNumbers returns the phone numbers claimed to the instance, all pages read, each with the
// ID of the flow it is associated with: ListPhoneNumbersV2 joined with ListFlowAssociations.
// FlowName is left empty: neither call says it.
func (c *Client) ListNumbers(ctx context.Context, instanceID string) ([]cloud.PhoneNumber, error) {
	nums, err := c.numbers(ctx, instanceID, "")
	if err != nil {
		return nil, err
	}
	assoc, err := c.associations(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	out := make([]cloud.PhoneNumber, 0, len(nums))
	for _, n := range nums {
		id := aws.ToString(n.PhoneNumberId)
		if id == "" {
			id = phoneNumberIDFromRef(aws.ToString(n.PhoneNumberArn))
		}
		out = append(out, cloud.PhoneNumber{Number: aws.ToString(n.PhoneNumber), ID: id, FlowID: assoc[id]})
	}
	return out, nil
}

// numberID returns the PhoneNumberId of n: n.ID, else the ID of the claimed number equal to
// n.Number (one listing). A number the instance does not have is ClassNotFound.
func (c *Client) numberID(ctx context.Context, instanceID string, n cloud.PhoneNumber) (string, error) {
	if n.ID != "" {
		return n.ID, nil
	}
	if n.Number == "" {
		return "", &cloud.Error{Class: cloud.ClassInvalid, Platform: cloud.PlatformAmazonConnect, Action: "ListPhoneNumbersV2",
			Code: "InvalidParameter", Message: "phone number: neither its ID nor the number is given"}
	}
	nums, err := c.numbers(ctx, instanceID, n.Number)
	if err != nil {
		return "", err
	}
	for _, x := range nums {
		if aws.ToString(x.PhoneNumber) == n.Number {
			return aws.ToString(x.PhoneNumberId), nil
		}
	}
	return "", &cloud.Error{Class: cloud.ClassNotFound, Platform: cloud.PlatformAmazonConnect, Action: "ListPhoneNumbersV2",
		Code: "PhoneNumberNotFound", Message: fmt.Sprintf("phone number %s is not claimed to instance %s", n.Number, instanceID)}
}

// BindNumber associates the number (by n.ID, the PhoneNumberId, else by n.Number) with flow
// flowID through AssociatePhoneNumberContactFlow, which replaces any association it had. An
// unknown number or flow is ClassNotFound.
func (c *Client) BindNumber(ctx context.Context, instanceID string, n cloud.PhoneNumber, flowID string) error {
	const action = "AssociatePhoneNumberContactFlow"
	id, err := c.numberID(ctx, instanceID, n)
	if err != nil {
		return err
	}
	_, err = page(ctx, c, action, func(ctx context.Context) (*sdk.AssociatePhoneNumberContactFlowOutput, error) {
		return c.api.AssociatePhoneNumberContactFlow(ctx, &sdk.AssociatePhoneNumberContactFlowInput{
			InstanceId: aws.String(instanceID), PhoneNumberId: aws.String(id), ContactFlowId: aws.String(flowIDFromRef(flowID)),
		})
	})
	return err
}

// UnbindNumber removes the number's association when it is with flow flowID: it reads the
// associations (ListFlowAssociations) and calls DisassociatePhoneNumberContactFlow only then,
// because that call removes whatever flow the number has. A number associated with another
// flow, with none, or no longer claimed to the instance is success. (A binding someone makes
// between the read and the call would be removed: the platform has no conditional call.)
func (c *Client) UnbindNumber(ctx context.Context, instanceID string, n cloud.PhoneNumber, flowID string) error {
	const action = "DisassociatePhoneNumberContactFlow"
	id, err := c.numberID(ctx, instanceID, n)
	if cloud.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	assoc, err := c.associations(ctx, instanceID)
	if err != nil {
		return err
	}
	if bound, ok := assoc[phoneNumberIDFromRef(id)]; !ok || bound != flowIDFromRef(flowID) {
		return nil
	}
	_, err = page(ctx, c, action, func(ctx context.Context) (*sdk.DisassociatePhoneNumberContactFlowOutput, error) {
		return c.api.DisassociatePhoneNumberContactFlow(ctx, &sdk.DisassociatePhoneNumberContactFlowInput{
			InstanceId: aws.String(instanceID), PhoneNumberId: aws.String(id),
		})
	})
	if cloud.IsNotFound(err) {
		return nil
	}
	return err
}

// RenameFlow gives the flow a new name in place (UpdateContactFlowName), keeping its ID and
// ARN. A name another flow of the instance has is ClassAlreadyExists.
func (c *Client) RenameFlow(ctx context.Context, key cloud.FlowKey, name string) error {
	const action = "UpdateContactFlowName"
	_, err := page(ctx, c, action, func(ctx context.Context) (*sdk.UpdateContactFlowNameOutput, error) {
		return c.api.UpdateContactFlowName(ctx, &sdk.UpdateContactFlowNameInput{
			InstanceId: aws.String(key.InstanceID), ContactFlowId: aws.String(key.FlowID), Name: aws.String(name),
		})
	})
	return err
}

// FlowsReportNumbers is false: DescribeContactFlow and SearchContactFlows say nothing of numbers.
func (c *Client) FlowsReportNumbers() bool { return false }
