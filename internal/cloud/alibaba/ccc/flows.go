package ccc

import (
	"context"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/responses"
	sdkccc "github.com/aliyun/alibaba-cloud-sdk-go/services/ccc"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
)

// draftReadAttempts bounds how often GetFlow starts over when the draft it saw is published or
// discarded before its definition could be read.
const draftReadAttempts = 3

// GetFlow observes one flow and, when a draft is open, reads the draft's definition with a
// second GetContactFlow naming the DraftId. Without a DraftId the platform shows the draft's
// definition as Definition while the flow was never published, so PublishedDefinition is set
// only for a published flow.
func (c *Client) GetFlow(ctx context.Context, key cloud.FlowKey) (*cloud.Flow, error) {
	var lastErr error
	for range draftReadAttempts {
		data, err := c.getContactFlow(ctx, key, "")
		if err != nil {
			return nil, err
		}
		f := flowFromData(data)
		if data.DraftId == "" {
			return f, nil
		}
		draft, err := c.getContactFlow(ctx, key, data.DraftId)
		if err != nil {
			if cloud.IsNotFound(err) {
				// The draft was published or discarded meanwhile (or the flow deleted):
				// look again rather than report a state that never existed.
				lastErr = err
				continue
			}
			return nil, err
		}
		f.Draft = &cloud.Draft{
			ID:          data.DraftId,
			Editor:      draft.Editor,
			Definition:  draft.Definition,
			UpdatedTime: draft.UpdatedTime,
		}
		if f.Draft.Editor == "" {
			f.Draft.Editor = data.Editor
		}
		return f, nil
	}
	ce := cloud.AsError(lastErr)
	return nil, &cloud.Error{
		Class:     cloud.ClassTransient,
		Platform:  cloud.PlatformAlibabaCCC,
		Action:    "GetContactFlow",
		Code:      ce.Code,
		Message:   "the flow's draft kept changing while it was read",
		RequestID: ce.RequestID,
		Err:       lastErr,
	}
}

func (c *Client) getContactFlow(ctx context.Context, key cloud.FlowKey, draftID string) (*sdkccc.Data, error) {
	const action = "GetContactFlow"
	var resp *sdkccc.GetContactFlowResponse
	err := c.call(ctx, action, func(api *sdkccc.Client) (_ responses.AcsResponse, err error) {
		req := sdkccc.CreateGetContactFlowRequest()
		req.InstanceId, req.ContactFlowId, req.DraftId = key.InstanceID, key.FlowID, draftID
		resp, err = api.GetContactFlow(req)
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	if err := c.checkBody(action, resp.GetHttpStatus(), resp.Code, resp.Message, resp.RequestId); err != nil {
		return nil, err
	}
	return &resp.Data, nil
}

func flowFromData(d *sdkccc.Data) *cloud.Flow {
	f := &cloud.Flow{
		InstanceID:  d.InstanceId,
		ID:          d.ContactFlowId,
		Name:        d.Name,
		Type:        d.Type,
		Description: d.Description,
		Published:   d.Published,
		CreatedTime: d.CreatedTime,
		UpdatedTime: d.UpdatedTime,
	}
	if d.Published {
		f.PublishedDefinition = d.Definition
	}
	for _, n := range d.NumberList {
		f.NumberList = append(f.NumberList, n.Number)
	}
	return f
}

// ListFlows returns one page of flows. A draft's definition is filled only while the flow was
// never published, because only then is it what the list shows as Definition.
func (c *Client) ListFlows(ctx context.Context, instanceID string, pageNumber, pageSize int) (*cloud.Page, error) {
	const action = "ListContactFlows"
	var resp *sdkccc.ListContactFlowsResponse
	err := c.call(ctx, action, func(api *sdkccc.Client) (_ responses.AcsResponse, err error) {
		req := sdkccc.CreateListContactFlowsRequest()
		req.InstanceId = instanceID
		req.PageNumber = requests.NewInteger(pageNumber)
		req.PageSize = requests.NewInteger(pageSize)
		resp, err = api.ListContactFlows(req)
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	if err := c.checkBody(action, resp.GetHttpStatus(), resp.Code, resp.Message, resp.RequestId); err != nil {
		return nil, err
	}
	page := &cloud.Page{
		PageNumber: resp.Data.PageNumber,
		PageSize:   resp.Data.PageSize,
		TotalCount: resp.Data.TotalCount,
		Flows:      make([]cloud.Flow, 0, len(resp.Data.List)),
	}
	for _, it := range resp.Data.List {
		f := cloud.Flow{
			InstanceID:  it.InstanceId,
			ID:          it.ContactFlowId,
			Name:        it.Name,
			Type:        it.Type,
			Description: it.Description,
			Published:   it.Published,
			NumberList:  it.NumberList,
			CreatedTime: it.CreatedTime,
			UpdatedTime: it.UpdatedTime,
		}
		if it.Published {
			f.PublishedDefinition = it.Definition
		}
		if it.DraftId != "" {
			f.Draft = &cloud.Draft{ID: it.DraftId, Editor: it.Editor}
			if !it.Published {
				f.Draft.Definition = it.Definition
			}
		}
		page.Flows = append(page.Flows, f)
	}
	return page, nil
}

// CreateFlow creates an unpublished flow (the platform opens a draft with the definition) and
// returns its ID.
func (c *Client) CreateFlow(ctx context.Context, in cloud.CreateFlowInput) (string, error) {
	const action = "CreateContactFlow"
	var resp *sdkccc.CreateContactFlowResponse
	err := c.call(ctx, action, func(api *sdkccc.Client) (_ responses.AcsResponse, err error) {
		req := sdkccc.CreateCreateContactFlowRequest()
		req.InstanceId, req.Name, req.Type = in.InstanceID, in.Name, in.Type
		req.Description, req.Definition = in.Description, in.Definition
		resp, err = api.CreateContactFlow(req)
		return resp, err
	})
	if err != nil {
		return "", err
	}
	if err := c.checkBody(action, resp.GetHttpStatus(), resp.Code, resp.Message, resp.RequestId); err != nil {
		return "", err
	}
	return resp.Data, nil
}

// StartEdit opens (or returns the caller's open) draft and returns its DraftId.
func (c *Client) StartEdit(ctx context.Context, key cloud.FlowKey) (string, error) {
	const action = "StartEditContactFlow"
	var resp *sdkccc.StartEditContactFlowResponse
	err := c.call(ctx, action, func(api *sdkccc.Client) (_ responses.AcsResponse, err error) {
		req := sdkccc.CreateStartEditContactFlowRequest()
		req.InstanceId, req.ContactFlowId = key.InstanceID, key.FlowID
		resp, err = api.StartEditContactFlow(req)
		return resp, err
	})
	if err != nil {
		return "", err
	}
	if err := c.checkBody(action, resp.GetHttpStatus(), resp.Code, resp.Message, resp.RequestId); err != nil {
		return "", err
	}
	return resp.Data, nil
}

// CommitDraft saves definition and description into draft draftID. An empty description is
// not sent, which leaves the flow's description as it is.
func (c *Client) CommitDraft(ctx context.Context, key cloud.FlowKey, draftID, definition, description string) error {
	const action = "CommitContactFlow"
	var resp *sdkccc.CommitContactFlowResponse
	err := c.call(ctx, action, func(api *sdkccc.Client) (_ responses.AcsResponse, err error) {
		req := sdkccc.CreateCommitContactFlowRequest()
		req.InstanceId, req.ContactFlowId, req.DraftId = key.InstanceID, key.FlowID, draftID
		req.Definition, req.Description = definition, description
		resp, err = api.CommitContactFlow(req)
		return resp, err
	})
	if err != nil {
		return err
	}
	return c.checkBody(action, resp.GetHttpStatus(), resp.Code, resp.Message, resp.RequestId)
}

// Publish makes draft draftID the published definition.
func (c *Client) Publish(ctx context.Context, key cloud.FlowKey, draftID string) error {
	const action = "PublishContactFlow"
	var resp *sdkccc.PublishContactFlowResponse
	err := c.call(ctx, action, func(api *sdkccc.Client) (_ responses.AcsResponse, err error) {
		req := sdkccc.CreatePublishContactFlowRequest()
		req.InstanceId, req.ContactFlowId, req.DraftId = key.InstanceID, key.FlowID, draftID
		resp, err = api.PublishContactFlow(req)
		return resp, err
	})
	if err != nil {
		return err
	}
	return c.checkBody(action, resp.GetHttpStatus(), resp.Code, resp.Message, resp.RequestId)
}

// DiscardDraft drops draft draftID. A draft, flow or instance that no longer exists means the
// draft is gone, which is what the caller wanted: success.
func (c *Client) DiscardDraft(ctx context.Context, key cloud.FlowKey, draftID string) error {
	const action = "DiscardEditingContactFlow"
	var resp *sdkccc.DiscardEditingContactFlowResponse
	err := c.call(ctx, action, func(api *sdkccc.Client) (_ responses.AcsResponse, err error) {
		req := sdkccc.CreateDiscardEditingContactFlowRequest()
		req.InstanceId, req.ContactFlowId, req.DraftId = key.InstanceID, key.FlowID, draftID
		resp, err = api.DiscardEditingContactFlow(req)
		return resp, err
	})
	if err == nil {
		err = c.checkBody(action, resp.GetHttpStatus(), resp.Code, resp.Message, resp.RequestId)
	}
	if cloud.IsNotFound(err) {
		return nil
	}
	return err
}

// DeleteFlow deletes the flow. A flow (or instance) that does not exist is success, so that a
// finalizer can always complete.
func (c *Client) DeleteFlow(ctx context.Context, key cloud.FlowKey) error {
	const action = "DeleteContactFlow"
	var resp *sdkccc.DeleteContactFlowResponse
	err := c.call(ctx, action, func(api *sdkccc.Client) (_ responses.AcsResponse, err error) {
		req := sdkccc.CreateDeleteContactFlowRequest()
		req.InstanceId, req.ContactFlowId = key.InstanceID, key.FlowID
		resp, err = api.DeleteContactFlow(req)
		return resp, err
	})
	if err == nil {
		err = c.checkBody(action, resp.GetHttpStatus(), resp.Code, resp.Message, resp.RequestId)
	}
	if cloud.IsNotFound(err) {
		return nil
	}
	return err
}
