package classic

import (
	"context"

	sdkcc "github.com/aliyun/alibaba-cloud-sdk-go/services/cloudcallcenter"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
)

// GetFlow observes one flow with a single GetContactFlow, whose answer carries every version's
// Content: the applied version's is PublishedDefinition, the locked version's the Draft's.
// CreatedTime is left empty (the platform reports none); UpdatedTime is the newest version's
// LastModified.
func (c *Client) GetFlow(ctx context.Context, key cloud.FlowKey) (*cloud.Flow, error) {
	cf, err := c.getContactFlow(ctx, key)
	if err != nil {
		return nil, err
	}
	return flowFromClassic(cf), nil
}

func (c *Client) getContactFlow(ctx context.Context, key cloud.FlowKey) (*sdkcc.ContactFlow, error) {
	const action = "GetContactFlow"
	var resp *sdkcc.GetContactFlowResponse
	err := c.call(ctx, action, func(api *sdkcc.Client) (err error) {
		req := sdkcc.CreateGetContactFlowRequest()
		req.InstanceId = key.InstanceID
		// The SDK's request struct has no ContactFlowId field although the action needs it.
		req.QueryParams["ContactFlowId"] = key.FlowID
		resp, err = api.GetContactFlow(req)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := c.checkBody(action, resp.GetHttpStatus(), resp.Success, resp.Code, resp.Message, resp.RequestId); err != nil {
		return nil, err
	}
	if resp.ContactFlow.ContactFlowId == "" {
		return nil, unexpected(action, resp.RequestId, "names no contact flow")
	}
	return &resp.ContactFlow, nil
}

// appliedVersion finds the running version. AppliedVersion names it by ContactFlowVersionId;
// a Version label is accepted too, in case the platform answers with that.
func appliedVersion(cf *sdkcc.ContactFlow) *sdkcc.ContactFlowVersion {
	if cf.AppliedVersion == "" {
		return nil
	}
	vs := cf.Versions.ContactFlowVersion
	for i := range vs {
		if vs[i].ContactFlowVersionId == cf.AppliedVersion {
			return &vs[i]
		}
	}
	for i := range vs {
		if vs[i].Version == cf.AppliedVersion {
			return &vs[i]
		}
	}
	return nil
}

// lockedVersion finds the version open for modification; the platform keeps at most one.
func lockedVersion(cf *sdkcc.ContactFlow) *sdkcc.ContactFlowVersion {
	vs := cf.Versions.ContactFlowVersion
	for i := range vs {
		if vs[i].LockedBy != "" {
			return &vs[i]
		}
	}
	return nil
}

func flowFromClassic(cf *sdkcc.ContactFlow) *cloud.Flow {
	f := &cloud.Flow{
		InstanceID:  cf.InstanceId,
		ID:          cf.ContactFlowId,
		Name:        cf.ContactFlowName,
		Type:        cf.Type,
		Description: cf.ContactFlowDescription,
		Published:   cf.AppliedVersion != "",
	}
	if v := appliedVersion(cf); v != nil {
		f.PublishedDefinition, f.PublishedVersion = v.Content, v.ContactFlowVersionId
	}
	if v := lockedVersion(cf); v != nil {
		f.Draft = &cloud.Draft{ID: v.ContactFlowVersionId, Editor: v.LockedBy, Definition: v.Content, UpdatedTime: v.LastModified}
	}
	for _, v := range cf.Versions.ContactFlowVersion {
		// "2006-01-02 15:04:05" sorts as text.
		if v.LastModified > f.UpdatedTime {
			f.UpdatedTime = v.LastModified
		}
	}
	for _, n := range cf.PhoneNumbers.PhoneNumber {
		f.NumberList = append(f.NumberList, n.Number)
	}
	return f
}

// ListFlows returns one page of flows. The 2017-07-05 action answers every flow of the
// instance at once, so the page is cut here; pageNumber and pageSize must be at least 1 (a
// ClassInvalid error otherwise). Flows carry their draft definitions too.
func (c *Client) ListFlows(ctx context.Context, instanceID string, pageNumber, pageSize int) (*cloud.Page, error) {
	const action = "ListContactFlows"
	if pageNumber < 1 || pageSize < 1 {
		return nil, &cloud.Error{Class: cloud.ClassInvalid, Platform: cloud.PlatformAlibabaCloudCallCenter, Action: action,
			Message: "page number and page size must be at least 1"}
	}
	var resp *sdkcc.ListContactFlowsResponse
	err := c.call(ctx, action, func(api *sdkcc.Client) (err error) {
		req := sdkcc.CreateListContactFlowsRequest()
		req.InstanceId = instanceID
		resp, err = api.ListContactFlows(req)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := c.checkBody(action, resp.GetHttpStatus(), resp.Success, resp.Code, resp.Message, resp.RequestId); err != nil {
		return nil, err
	}
	all := resp.ContactFlows.ContactFlow
	page := &cloud.Page{PageNumber: pageNumber, PageSize: pageSize, TotalCount: len(all), Flows: []cloud.Flow{}}
	start := (pageNumber - 1) * pageSize
	if start/pageSize != pageNumber-1 { // overflow: far past the end
		return page, nil
	}
	for i := start; i >= 0 && i < len(all) && i < start+pageSize; i++ {
		page.Flows = append(page.Flows, *flowFromClassic(&all[i]))
	}
	return page, nil
}

// CreateFlow creates a flow whose version 1 holds the definition with an empty canvas, locked
// by the caller and not applied, and returns its ID.
func (c *Client) CreateFlow(ctx context.Context, in cloud.CreateFlowInput) (string, error) {
	const action = "CreateContactFlow"
	var resp *sdkcc.CreateContactFlowResponse
	err := c.call(ctx, action, func(api *sdkcc.Client) (err error) {
		req := sdkcc.CreateCreateContactFlowRequest()
		req.InstanceId, req.Name, req.Type, req.Description = in.InstanceID, in.Name, in.Type, in.Description
		req.Canvas, req.Content = emptyCanvas, in.Definition
		resp, err = api.CreateContactFlow(req)
		return err
	})
	if err != nil {
		return "", err
	}
	if err := c.checkBody(action, resp.GetHttpStatus(), resp.Success, resp.Code, resp.Message, resp.RequestId); err != nil {
		return "", err
	}
	if resp.ContactFlow.ContactFlowId == "" {
		return "", unexpected(action, resp.RequestId, "names no contact flow")
	}
	return resp.ContactFlow.ContactFlowId, nil
}

// StartEdit opens a version for modification (or finds the caller's open one) and returns its
// ContactFlowVersionId. A version held by another user returns ClassLocked with LockedBy.
func (c *Client) StartEdit(ctx context.Context, key cloud.FlowKey) (string, error) {
	const action = "BeginContactFlowVersionModification"
	var resp *sdkcc.BeginContactFlowVersionModificationResponse
	err := c.call(ctx, action, func(api *sdkcc.Client) (err error) {
		req := sdkcc.CreateBeginContactFlowVersionModificationRequest()
		req.InstanceId, req.ContactFlowId = key.InstanceID, key.FlowID
		resp, err = api.BeginContactFlowVersionModification(req)
		return err
	})
	if err != nil {
		return "", err
	}
	if err := c.checkBody(action, resp.GetHttpStatus(), resp.Success, resp.Code, resp.Message, resp.RequestId); err != nil {
		return "", err
	}
	v := lockedVersion(&resp.ContactFlow)
	if v == nil || v.ContactFlowVersionId == "" {
		return "", unexpected(action, resp.RequestId, "shows no version open for modification")
	}
	return v.ContactFlowVersionId, nil
}

// CommitDraft saves definition into the open version draftID, keeping that version's canvas
// (the console's layout; an empty object when it has none). The classic commit carries no
// description, so description is not sent anywhere.
func (c *Client) CommitDraft(ctx context.Context, key cloud.FlowKey, draftID, definition, _ string) error {
	return c.CommitDraftWithCanvas(ctx, key, draftID, definition, "")
}

// CommitDraftWithCanvas saves definition and canvas into the open version draftID. An empty
// canvas keeps the version's own, which GetContactFlowVersion reads first; that read also checks
// that draftID is a version of key's flow (ClassNotFound otherwise).
func (c *Client) CommitDraftWithCanvas(ctx context.Context, key cloud.FlowKey, draftID, definition, canvas string) error {
	if canvas == "" {
		live, err := c.versionOf(ctx, key, draftID)
		if err != nil {
			return err
		}
		canvas = live.Canvas
		if canvas == "" {
			canvas = emptyCanvas
		}
	}
	const action = "CommitContactFlowVersionModification"
	var resp *sdkcc.CommitContactFlowVersionModificationResponse
	err := c.call(ctx, action, func(api *sdkcc.Client) (err error) {
		req := sdkcc.CreateCommitContactFlowVersionModificationRequest()
		req.InstanceId, req.ContactFlowVersionId = key.InstanceID, draftID
		req.Canvas, req.Content = canvas, definition
		resp, err = api.CommitContactFlowVersionModification(req)
		return err
	})
	if err != nil {
		return err
	}
	return c.checkBody(action, resp.GetHttpStatus(), resp.Success, resp.Code, resp.Message, resp.RequestId)
}

// versionOf reads one version and checks that it belongs to key's flow.
func (c *Client) versionOf(ctx context.Context, key cloud.FlowKey, versionID string) (*sdkcc.ContactFlowVersion, error) {
	const action = "GetContactFlowVersion"
	var resp *sdkcc.GetContactFlowVersionResponse
	err := c.call(ctx, action, func(api *sdkcc.Client) (err error) {
		req := sdkcc.CreateGetContactFlowVersionRequest()
		req.InstanceId, req.ContactFlowVersionId = key.InstanceID, versionID
		resp, err = api.GetContactFlowVersion(req)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := c.checkBody(action, resp.GetHttpStatus(), resp.Success, resp.Code, resp.Message, resp.RequestId); err != nil {
		return nil, err
	}
	if id := resp.ContactFlow.ContactFlowId; id != "" && id != key.FlowID {
		return nil, &cloud.Error{Class: cloud.ClassNotFound, Platform: cloud.PlatformAlibabaCloudCallCenter, Action: action,
			RequestID: resp.RequestId, Message: "version " + versionID + " is not a version of contact flow " + key.FlowID}
	}
	for i, v := range resp.ContactFlow.Versions.ContactFlowVersion {
		if v.ContactFlowVersionId == versionID {
			return &resp.ContactFlow.Versions.ContactFlowVersion[i], nil
		}
	}
	return nil, unexpected(action, resp.RequestId, "does not contain version "+versionID)
}

// Publish applies the open version draftID and releases its lock. Publishing the version that
// already runs is success.
func (c *Client) Publish(ctx context.Context, key cloud.FlowKey, draftID string) error {
	const action = "PublishContactFlowVersion"
	var resp *sdkcc.PublishContactFlowVersionResponse
	err := c.call(ctx, action, func(api *sdkcc.Client) (err error) {
		req := sdkcc.CreatePublishContactFlowVersionRequest()
		req.InstanceId, req.ContactFlowVersionId = key.InstanceID, draftID
		resp, err = api.PublishContactFlowVersion(req)
		return err
	})
	if err != nil {
		return err
	}
	return c.checkBody(action, resp.GetHttpStatus(), resp.Success, resp.Code, resp.Message, resp.RequestId)
}

// DiscardDraft cancels the open version draftID, whoever holds it: the platform lets whoever
// names the version revoke it, which is what lockPolicy TakeOver relies on. A version, flow or
// instance that no longer exists, and a version no longer open (published meanwhile), mean the
// draft is gone: success.
func (c *Client) DiscardDraft(ctx context.Context, key cloud.FlowKey, draftID string) error {
	const action = "CancelContactFlowVersionModification"
	var resp *sdkcc.CancelContactFlowVersionModificationResponse
	err := c.call(ctx, action, func(api *sdkcc.Client) (err error) {
		req := sdkcc.CreateCancelContactFlowVersionModificationRequest()
		req.InstanceId, req.ContactFlowVersionId = key.InstanceID, draftID
		resp, err = api.CancelContactFlowVersionModification(req)
		return err
	})
	if err == nil {
		err = c.checkBody(action, resp.GetHttpStatus(), resp.Success, resp.Code, resp.Message, resp.RequestId)
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
	var resp *sdkcc.DeleteContactFlowResponse
	err := c.call(ctx, action, func(api *sdkcc.Client) (err error) {
		req := sdkcc.CreateDeleteContactFlowRequest()
		req.InstanceId, req.ContactFlowId = key.InstanceID, key.FlowID
		resp, err = api.DeleteContactFlow(req)
		return err
	})
	if err == nil {
		err = c.checkBody(action, resp.GetHttpStatus(), resp.Success, resp.Code, resp.Message, resp.RequestId)
	}
	if cloud.IsNotFound(err) {
		return nil
	}
	return err
}
