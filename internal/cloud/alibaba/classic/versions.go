package classic

import (
	"context"

	sdkcc "github.com/aliyun/alibaba-cloud-sdk-go/services/cloudcallcenter"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
)

// Versions lists the flow's versions in the platform's order, with their Content and Canvas,
// from one GetContactFlow. It never changes anything.
func (c *Client) Versions(ctx context.Context, key cloud.FlowKey) ([]cloud.FlowVersion, error) {
	cf, err := c.getContactFlow(ctx, key)
	if err != nil {
		return nil, err
	}
	applied := appliedVersion(cf)
	out := make([]cloud.FlowVersion, 0, len(cf.Versions.ContactFlowVersion))
	for _, v := range cf.Versions.ContactFlowVersion {
		out = append(out, cloud.FlowVersion{
			ID:             v.ContactFlowVersionId,
			Label:          v.Version,
			Description:    v.ContactFlowVersionDescription,
			Status:         v.Status,
			Applied:        applied != nil && applied.ContactFlowVersionId == v.ContactFlowVersionId,
			LockedBy:       v.LockedBy,
			Definition:     v.Content,
			Layout:         v.Canvas,
			LastModified:   v.LastModified,
			LastModifiedBy: v.LastModifiedBy,
		})
	}
	return out, nil
}

// Rollback applies the earlier published version versionID again with
// FallbackContactFlowVersion; an open modification is left alone. The action names the
// version only; key gives the instance. Rolling back to the running version is success; a
// version never published is ClassInvalid.
func (c *Client) Rollback(ctx context.Context, key cloud.FlowKey, versionID string) error {
	const action = "FallbackContactFlowVersion"
	var resp *sdkcc.FallbackContactFlowVersionResponse
	err := c.call(ctx, action, func(api *sdkcc.Client) (err error) {
		req := sdkcc.CreateFallbackContactFlowVersionRequest()
		req.InstanceId, req.ContactFlowVersionId = key.InstanceID, versionID
		resp, err = api.FallbackContactFlowVersion(req)
		return err
	})
	if err != nil {
		return err
	}
	return c.checkBody(action, resp.GetHttpStatus(), resp.Success, resp.Code, resp.Message, resp.RequestId)
}

// phoneNumber finds a number of the instance by its number or its PhoneNumberId; one the
// instance does not list is ClassNotFound with Code CodePhoneNumberNotExists.
func (c *Client) phoneNumber(ctx context.Context, instanceID, number string) (*sdkcc.PhoneNumber, error) {
	numbers, err := c.listPhoneNumbers(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	for i, n := range numbers {
		if n.Number == number || n.PhoneNumberId == number {
			return &numbers[i], nil
		}
	}
	return nil, &cloud.Error{Class: cloud.ClassNotFound, Platform: cloud.PlatformAlibabaCloudCallCenter, Action: "ListPhoneNumbers",
		Code: CodePhoneNumberNotExists, Message: "instance " + instanceID + " has no phone number " + number}
}

// AssignPhoneNumber makes calls to number (the number itself, or its PhoneNumberId) run the
// flow, replacing the flow it ran before. A number already assigned to the flow costs no write;
// a number the instance does not have is ClassNotFound.
func (c *Client) AssignPhoneNumber(ctx context.Context, key cloud.FlowKey, number string) error {
	n, err := c.phoneNumber(ctx, key.InstanceID, number)
	if err != nil {
		return err
	}
	if n.ContactFlowId == key.FlowID {
		return nil
	}
	const action = "AssignContactFlowToPhoneNumber"
	var resp *sdkcc.AssignContactFlowToPhoneNumberResponse
	err = c.call(ctx, action, func(api *sdkcc.Client) (err error) {
		req := sdkcc.CreateAssignContactFlowToPhoneNumberRequest()
		req.InstanceId, req.ContactFlowId, req.PhoneNumberId = key.InstanceID, key.FlowID, n.PhoneNumberId
		resp, err = api.AssignContactFlowToPhoneNumber(req)
		return err
	})
	if err != nil {
		return err
	}
	return c.checkBody(action, resp.GetHttpStatus(), resp.Success, resp.Code, resp.Message, resp.RequestId)
}

// RemovePhoneNumber unassigns number (the number, or its PhoneNumberId) from the flow. A number
// not assigned to this flow is left alone and is success; a number the instance does not have
// is ClassNotFound.
func (c *Client) RemovePhoneNumber(ctx context.Context, key cloud.FlowKey, number string) error {
	n, err := c.phoneNumber(ctx, key.InstanceID, number)
	if err != nil {
		return err
	}
	if n.ContactFlowId != key.FlowID {
		return nil
	}
	const action = "RemoveContactFlowFromPhoneNumber"
	var resp *sdkcc.RemoveContactFlowFromPhoneNumberResponse
	err = c.call(ctx, action, func(api *sdkcc.Client) (err error) {
		req := sdkcc.CreateRemoveContactFlowFromPhoneNumberRequest()
		req.InstanceId, req.ContactFlowId, req.PhoneNumberId = key.InstanceID, key.FlowID, n.PhoneNumberId
		resp, err = api.RemoveContactFlowFromPhoneNumber(req)
		return err
	})
	if err != nil {
		return err
	}
	return c.checkBody(action, resp.GetHttpStatus(), resp.Success, resp.Code, resp.Message, resp.RequestId)
}
