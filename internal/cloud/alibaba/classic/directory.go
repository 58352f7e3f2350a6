package classic

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	sdkcc "github.com/aliyun/alibaba-cloud-sdk-go/services/cloudcallcenter"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/alibaba/acs"
)

var (
	_ cloud.ResourceLister = (*Client)(nil)
	_ cloud.NumberBinder   = (*Client)(nil)
	_ cloud.FlowRenamer    = (*Client)(nil)
)

// ResourceKinds lists what ListResources serves on the classic platform: skill groups, medias
// (prompts) and contact flows.
func (c *Client) ResourceKinds() []cloud.ResourceKind {
	return []cloud.ResourceKind{cloud.KindSkillGroup, cloud.KindPrompt, cloud.KindContactFlow}
}

// ListResources reads every object of kind in the instance (ListSkillGroups and
// ListContactFlows, which have no paging; ListMedias, all pages). Ref is the ID: the
// SkillGroupId, the media's Id in decimal, the ContactFlowId.
func (c *Client) ListResources(ctx context.Context, instanceID string, kind cloud.ResourceKind) ([]cloud.Resource, error) {
	switch kind {
	case cloud.KindSkillGroup:
		return c.listSkillGroups(ctx, instanceID)
	case cloud.KindPrompt:
		return c.listMedias(ctx, instanceID)
	case cloud.KindContactFlow:
		// ListContactFlows answers every flow at once; one page as large as an int holds.
		page, err := c.ListFlows(ctx, instanceID, 1, int(^uint32(0)>>1))
		if err != nil {
			return nil, err
		}
		out := make([]cloud.Resource, 0, len(page.Flows))
		for _, f := range page.Flows {
			out = append(out, cloud.Resource{Kind: kind, ID: f.ID, Name: f.Name, Ref: f.ID})
		}
		return out, nil
	}
	return nil, &cloud.Error{Class: cloud.ClassInvalid, Platform: cloud.PlatformAlibabaCloudCallCenter, Action: "ListResources",
		Message: fmt.Sprintf("resource kind %q is not served on %s (kinds: SkillGroup, Prompt, ContactFlow)", kind, cloud.PlatformAlibabaCloudCallCenter)}
}

func (c *Client) listSkillGroups(ctx context.Context, instanceID string) ([]cloud.Resource, error) {
	const action = "ListSkillGroups"
	var resp *sdkcc.ListSkillGroupsResponse
	err := c.call(ctx, action, func(api *sdkcc.Client) (err error) {
		req := sdkcc.CreateListSkillGroupsRequest()
		req.InstanceId = instanceID
		resp, err = api.ListSkillGroups(req)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := c.checkBody(action, resp.GetHttpStatus(), resp.Success, resp.Code, resp.Message, resp.RequestId); err != nil {
		return nil, err
	}
	out := make([]cloud.Resource, 0, len(resp.SkillGroups))
	for _, g := range resp.SkillGroups {
		out = append(out, cloud.Resource{Kind: cloud.KindSkillGroup, ID: g.SkillGroupId, Name: g.SkillGroupName, Ref: g.SkillGroupId})
	}
	return out, nil
}

func (c *Client) listMedias(ctx context.Context, instanceID string) ([]cloud.Resource, error) {
	const action = "ListMedias"
	out := []cloud.Resource{}
	err := acs.ReadPages(cloud.PlatformAlibabaCloudCallCenter, action, func(page int) (int, int, error) {
		var resp *sdkcc.ListMediasResponse
		err := c.call(ctx, action, func(api *sdkcc.Client) (err error) {
			req := sdkcc.CreateListMediasRequest()
			req.InstanceId = instanceID
			req.PageNumber = requests.NewInteger(page)
			req.PageSize = requests.NewInteger(acs.PageSize)
			resp, err = api.ListMedias(req)
			return err
		})
		if err != nil {
			return 0, 0, err
		}
		if err := c.checkBody(action, resp.GetHttpStatus(), resp.Success, resp.Code, resp.Message, resp.RequestId); err != nil {
			return 0, 0, err
		}
		list := resp.Medias.List.Media
		for _, m := range list {
			id := strconv.FormatInt(m.Id, 10)
			out = append(out, cloud.Resource{Kind: cloud.KindPrompt, ID: id, Name: m.Name, Ref: id})
		}
		return len(list), resp.Medias.TotalCount, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (c *Client) listPhoneNumbers(ctx context.Context, instanceID string) ([]sdkcc.PhoneNumber, error) {
	const action = "ListPhoneNumbers"
	var resp *sdkcc.ListPhoneNumbersResponse
	err := c.call(ctx, action, func(api *sdkcc.Client) (err error) {
		req := sdkcc.CreateListPhoneNumbersRequest()
		req.InstanceId = instanceID
		resp, err = api.ListPhoneNumbers(req)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := c.checkBody(action, resp.GetHttpStatus(), resp.Success, resp.Code, resp.Message, resp.RequestId); err != nil {
		return nil, err
	}
	return resp.PhoneNumbers.PhoneNumber, nil
}

// ListNumbers returns the instance's phone numbers (ListPhoneNumbers answers them all at once)
// with the flows they are assigned to. ID is the PhoneNumberId the assignment calls take.
func (c *Client) ListNumbers(ctx context.Context, instanceID string) ([]cloud.PhoneNumber, error) {
	numbers, err := c.listPhoneNumbers(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	out := make([]cloud.PhoneNumber, 0, len(numbers))
	for _, n := range numbers {
		flowID := n.ContactFlowId
		if flowID == "" {
			flowID = n.ContactFlow.ContactFlowId
		}
		out = append(out, cloud.PhoneNumber{Number: n.Number, ID: n.PhoneNumberId, FlowID: flowID, FlowName: n.ContactFlow.ContactFlowName})
	}
	return out, nil
}

// phoneNumberID returns n's PhoneNumberId, looking the number up by its text when the caller
// only knows that (phoneNumber).
func (c *Client) phoneNumberID(ctx context.Context, instanceID string, n cloud.PhoneNumber) (string, error) {
	if n.ID != "" {
		return n.ID, nil
	}
	found, err := c.phoneNumber(ctx, instanceID, n.Number)
	if err != nil {
		return "", err
	}
	return found.PhoneNumberId, nil
}

// BindNumber assigns the number to flowID (AssignContactFlowToPhoneNumber), which moves it from
// any other flow. An unknown number is ClassNotFound with Code CodePhoneNumberNotExists; an
// unknown flow ClassNotFound with the flow's code.
func (c *Client) BindNumber(ctx context.Context, instanceID string, n cloud.PhoneNumber, flowID string) error {
	const action = "AssignContactFlowToPhoneNumber"
	id, err := c.phoneNumberID(ctx, instanceID, n)
	if err != nil {
		return err
	}
	var resp *sdkcc.AssignContactFlowToPhoneNumberResponse
	err = c.call(ctx, action, func(api *sdkcc.Client) (err error) {
		req := sdkcc.CreateAssignContactFlowToPhoneNumberRequest()
		req.InstanceId, req.ContactFlowId, req.PhoneNumberId = instanceID, flowID, id
		resp, err = api.AssignContactFlowToPhoneNumber(req)
		return err
	})
	if err != nil {
		return err
	}
	return c.checkBody(action, resp.GetHttpStatus(), resp.Success, resp.Code, resp.Message, resp.RequestId)
}

// UnbindNumber removes the number from flowID (RemoveContactFlowFromPhoneNumber). A number
// assigned to another flow or to none, or a number or flow the instance does not have, is not
// assigned to flowID: success.
func (c *Client) UnbindNumber(ctx context.Context, instanceID string, n cloud.PhoneNumber, flowID string) error {
	const action = "RemoveContactFlowFromPhoneNumber"
	id, err := c.phoneNumberID(ctx, instanceID, n)
	if err == nil {
		var resp *sdkcc.RemoveContactFlowFromPhoneNumberResponse
		err = c.call(ctx, action, func(api *sdkcc.Client) (err error) {
			req := sdkcc.CreateRemoveContactFlowFromPhoneNumberRequest()
			req.InstanceId, req.ContactFlowId, req.PhoneNumberId = instanceID, flowID, id
			resp, err = api.RemoveContactFlowFromPhoneNumber(req)
			return err
		})
		if err == nil {
			err = c.checkBody(action, resp.GetHttpStatus(), resp.Success, resp.Code, resp.Message, resp.RequestId)
		}
	}
	if ce := cloud.AsError(err); ce != nil && (ce.Code == CodePhoneNumberAssigned ||
		ce.Code == CodePhoneNumberNotExists || ce.Code == "NotExists.ContactFlowId") {
		return nil
	}
	return err
}

// RenameFlow renames the flow in place with ModifyContactFlow, keeping its ID, type and
// description (read first with GetContactFlow: the call sets what it is given). A name taken by
// another flow of the instance is ClassAlreadyExists.
func (c *Client) RenameFlow(ctx context.Context, key cloud.FlowKey, name string) error {
	const action = "ModifyContactFlow"
	cur, err := c.getContactFlow(ctx, key)
	if err != nil {
		return err
	}
	if cur.ContactFlowName == name {
		return nil
	}
	var resp *sdkcc.ModifyContactFlowResponse
	err = c.call(ctx, action, func(api *sdkcc.Client) (err error) {
		req := sdkcc.CreateModifyContactFlowRequest()
		req.InstanceId, req.ContactFlowId, req.Name = key.InstanceID, key.FlowID, name
		req.Type, req.Description = cur.Type, cur.ContactFlowDescription
		resp, err = api.ModifyContactFlow(req)
		return err
	})
	if err != nil {
		return err
	}
	return c.checkBody(action, resp.GetHttpStatus(), resp.Success, resp.Code, resp.Message, resp.RequestId)
}

// FlowsReportNumbers is true: GetContactFlow and ListContactFlows carry the bound PhoneNumbers.
func (c *Client) FlowsReportNumbers() bool { return true }
