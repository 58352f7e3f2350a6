package ccc

import (
	"context"
	"fmt"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/responses"
	sdkccc "github.com/aliyun/alibaba-cloud-sdk-go/services/ccc"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/alibaba/acs"
)

// Number usages (ModifyPhoneNumber Usage).
const (
	usageOutbound    = "Outbound"
	usageBidirection = "Bidirection"
)

var (
	_ cloud.ResourceLister = (*Client)(nil)
	_ cloud.NumberBinder   = (*Client)(nil)
)

// ResourceKinds lists what ListResources serves on CCC 2020-07-01: skill groups, audio files
// (prompts) and contact flows.
func (c *Client) ResourceKinds() []cloud.ResourceKind {
	return []cloud.ResourceKind{cloud.KindSkillGroup, cloud.KindPrompt, cloud.KindContactFlow}
}

// ListResources reads every object of kind in the instance (ListSkillGroups, ListAudioFiles,
// ListContactFlows, all pages). Ref is the ID, which is what definitions use.
func (c *Client) ListResources(ctx context.Context, instanceID string, kind cloud.ResourceKind) ([]cloud.Resource, error) {
	switch kind {
	case cloud.KindSkillGroup:
		return c.listSkillGroups(ctx, instanceID)
	case cloud.KindPrompt:
		return c.listAudioFiles(ctx, instanceID)
	case cloud.KindContactFlow:
		out := []cloud.Resource{}
		err := readPages("ListContactFlows", func(page int) (int, int, error) {
			p, err := c.ListFlows(ctx, instanceID, page, acs.PageSize)
			if err != nil {
				return 0, 0, err
			}
			for _, f := range p.Flows {
				out = append(out, cloud.Resource{Kind: kind, ID: f.ID, Name: f.Name, Ref: f.ID})
			}
			return len(p.Flows), p.TotalCount, nil
		})
		return out, err
	}
	return nil, &cloud.Error{Class: cloud.ClassInvalid, Platform: cloud.PlatformAlibabaCCC, Action: "ListResources",
		Message: fmt.Sprintf("resource kind %q is not served on %s (kinds: SkillGroup, Prompt, ContactFlow)", kind, cloud.PlatformAlibabaCCC)}
}

// readPages reads every page of a CCC list action (acs.ReadPages).
func readPages(action string, page func(n int) (got, total int, err error)) error {
	return acs.ReadPages(cloud.PlatformAlibabaCCC, action, page)
}

func (c *Client) listSkillGroups(ctx context.Context, instanceID string) ([]cloud.Resource, error) {
	const action = "ListSkillGroups"
	out := []cloud.Resource{}
	err := readPages(action, func(page int) (int, int, error) {
		var resp *sdkccc.ListSkillGroupsResponse
		err := c.call(ctx, action, func(api *sdkccc.Client) (_ responses.AcsResponse, err error) {
			req := sdkccc.CreateListSkillGroupsRequest()
			req.InstanceId = instanceID
			req.PageNumber = requests.NewInteger(page)
			req.PageSize = requests.NewInteger(acs.PageSize)
			resp, err = api.ListSkillGroups(req)
			return resp, err
		})
		if err == nil {
			err = c.checkBody(action, resp.GetHttpStatus(), resp.Code, resp.Message, resp.RequestId)
		}
		if err != nil {
			return 0, 0, err
		}
		for _, g := range resp.Data.List {
			name := firstNonEmpty(g.Name, g.SkillGroupName, g.DisplayName)
			out = append(out, cloud.Resource{Kind: cloud.KindSkillGroup, ID: g.SkillGroupId, Name: name, Ref: g.SkillGroupId})
		}
		return len(resp.Data.List), resp.Data.TotalCount, nil
	})
	return out, err
}

func (c *Client) listAudioFiles(ctx context.Context, instanceID string) ([]cloud.Resource, error) {
	const action = "ListAudioFiles"
	out := []cloud.Resource{}
	err := readPages(action, func(page int) (int, int, error) {
		var resp *sdkccc.ListAudioFilesResponse
		err := c.call(ctx, action, func(api *sdkccc.Client) (_ responses.AcsResponse, err error) {
			req := sdkccc.CreateListAudioFilesRequest()
			req.InstanceId = instanceID
			req.PageNumber = requests.NewInteger(page)
			req.PageSize = requests.NewInteger(acs.PageSize)
			resp, err = api.ListAudioFiles(req)
			return resp, err
		})
		if err == nil {
			err = c.checkBody(action, resp.GetHttpStatus(), resp.Code, resp.Message, resp.RequestId)
		}
		if err != nil {
			return 0, 0, err
		}
		for _, a := range resp.Data.List {
			name := firstNonEmpty(a.Name, a.AudioFileName)
			out = append(out, cloud.Resource{Kind: cloud.KindPrompt, ID: a.AudioResourceId, Name: name, Ref: a.AudioResourceId})
		}
		return len(resp.Data.List), resp.Data.TotalCount, nil
	})
	return out, err
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// listPhoneNumbers reads every number of the instance whose text contains pattern ("" for all).
func (c *Client) listPhoneNumbers(ctx context.Context, instanceID, pattern string) ([]sdkccc.PhoneNumber, error) {
	const action = "ListPhoneNumbers"
	var out []sdkccc.PhoneNumber
	err := readPages(action, func(page int) (int, int, error) {
		var resp *sdkccc.ListPhoneNumbersResponse
		err := c.call(ctx, action, func(api *sdkccc.Client) (_ responses.AcsResponse, err error) {
			req := sdkccc.CreateListPhoneNumbersRequest()
			req.InstanceId, req.SearchPattern = instanceID, pattern
			req.PageNumber = requests.NewInteger(page)
			req.PageSize = requests.NewInteger(acs.PageSize)
			resp, err = api.ListPhoneNumbers(req)
			return resp, err
		})
		if err == nil {
			err = c.checkBody(action, resp.GetHttpStatus(), resp.Code, resp.Message, resp.RequestId)
		}
		if err != nil {
			return 0, 0, err
		}
		out = append(out, resp.Data.List...)
		return len(resp.Data.List), resp.Data.TotalCount, nil
	})
	return out, err
}

// ListNumbers returns the instance's phone numbers with the flows bound to them. ID is the
// number itself: that is what ModifyPhoneNumber takes.
func (c *Client) ListNumbers(ctx context.Context, instanceID string) ([]cloud.PhoneNumber, error) {
	numbers, err := c.listPhoneNumbers(ctx, instanceID, "")
	if err != nil {
		return nil, err
	}
	out := make([]cloud.PhoneNumber, 0, len(numbers))
	for _, n := range numbers {
		out = append(out, cloud.PhoneNumber{Number: n.Number, ID: n.Number, FlowID: n.ContactFlowId, FlowName: n.ContactFlowName})
	}
	return out, nil
}

// findNumber looks the number up (ListPhoneNumbers searched by it); nil when the instance does
// not list it.
func (c *Client) findNumber(ctx context.Context, instanceID, number string) (*sdkccc.PhoneNumber, error) {
	numbers, err := c.listPhoneNumbers(ctx, instanceID, number)
	if err != nil {
		return nil, err
	}
	for i := range numbers {
		if numbers[i].Number == number {
			return &numbers[i], nil
		}
	}
	return nil, nil
}

func numberOf(n cloud.PhoneNumber) string {
	if n.ID != "" {
		return n.ID
	}
	return n.Number
}

// BindNumber makes the number answer with flowID through ModifyPhoneNumber. ModifyPhoneNumber
// requires the number's Usage, so the number is read first and its usage kept; an
// outbound-only number becomes Bidirection, since a flow answers inbound calls only. An unknown
// number is ClassNotFound with Code CodeNumberNotExists; an unknown flow ClassNotFound with the
// flow's code.
func (c *Client) BindNumber(ctx context.Context, instanceID string, n cloud.PhoneNumber, flowID string) error {
	number := numberOf(n)
	cur, err := c.findNumber(ctx, instanceID, number)
	if err != nil {
		return err
	}
	usage := usageBidirection
	if cur != nil {
		if cur.ContactFlowId == flowID && cur.Usage != usageOutbound {
			return nil
		}
		if cur.Usage != "" && cur.Usage != usageOutbound {
			usage = cur.Usage
		}
	}
	return c.modifyPhoneNumber(ctx, instanceID, number, usage, flowID)
}

// UnbindNumber removes the number's binding to flowID (ModifyPhoneNumber with no
// ContactFlowId, keeping the number's usage). A number bound to another flow or to none, or one
// the instance does not have, is left alone: it is not bound to flowID.
func (c *Client) UnbindNumber(ctx context.Context, instanceID string, n cloud.PhoneNumber, flowID string) error {
	number := numberOf(n)
	cur, err := c.findNumber(ctx, instanceID, number)
	if err != nil {
		return err
	}
	if cur == nil || cur.ContactFlowId != flowID || flowID == "" {
		return nil
	}
	usage := cur.Usage
	if usage == "" {
		usage = usageBidirection
	}
	err = c.modifyPhoneNumber(ctx, instanceID, number, usage, "")
	if ce := cloud.AsError(err); ce != nil && ce.Code == CodeNumberNotExists {
		return nil
	}
	return err
}

func (c *Client) modifyPhoneNumber(ctx context.Context, instanceID, number, usage, flowID string) error {
	const action = "ModifyPhoneNumber"
	var resp *sdkccc.ModifyPhoneNumberResponse
	err := c.call(ctx, action, func(api *sdkccc.Client) (_ responses.AcsResponse, err error) {
		req := sdkccc.CreateModifyPhoneNumberRequest()
		req.InstanceId, req.Number, req.Usage, req.ContactFlowId = instanceID, number, usage, flowID
		resp, err = api.ModifyPhoneNumber(req)
		return resp, err
	})
	if err != nil {
		return err
	}
	return c.checkBody(action, resp.GetHttpStatus(), resp.Code, resp.Message, resp.RequestId)
}

// FlowsReportNumbers is true: GetContactFlow and ListContactFlows carry NumberList.
func (c *Client) FlowsReportNumbers() bool { return true }
