package outboundbot

import (
	"context"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	sdkob "github.com/aliyun/alibaba-cloud-sdk-go/services/outboundbot"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
)

// millisTime turns the platform's milliseconds since the epoch into a time; zero stays zero.
func millisTime(ms int64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

func instanceFromSDK(in *sdkob.Instance) *cloud.OutboundInstance {
	return &cloud.OutboundInstance{
		ID:                        in.InstanceId,
		Name:                      in.InstanceName,
		Description:               in.InstanceDescription,
		MaxConcurrentConversation: in.MaxConcurrentConversation,
		CallCenterInstanceID:      in.CallCenterInstanceId,
		NluServiceType:            in.NluServiceType,
		NLUEndpoint:               in.NluProfile.Endpoint,
		ResourceGroupID:           in.ResourceGroupId,
		CreatorName:               in.CreatorName,
		OwnerName:                 in.OwnerName,
		CreationTime:              millisTime(in.CreationTime),
	}
}

// optList is a repeated parameter (CallingNumber, ScriptContent, ...): nil, which the SDK does
// not send, for an empty list.
func optList(l []string) *[]string {
	if len(l) == 0 {
		return nil
	}
	c := append([]string(nil), l...)
	return &c
}

// nluKeys returns the NLU key pair of spec, empty when it has none; the secret is also what
// the call scrubs from its errors.
func nluKeys(spec cloud.OutboundInstanceSpec) (accessKey, secretKey string) {
	if spec.NLUCredentials == nil {
		return "", ""
	}
	return spec.NLUCredentials.AccessKeyID, spec.NLUCredentials.AccessKeySecret
}

// GetInstance observes one instance with DescribeInstance.
func (c *Client) GetInstance(ctx context.Context, instanceID string) (*cloud.OutboundInstance, error) {
	const action = "DescribeInstance"
	var resp *sdkob.DescribeInstanceResponse
	err := c.call(ctx, action, func(api *sdkob.Client) (err error) {
		req := sdkob.CreateDescribeInstanceRequest()
		req.InstanceId = instanceID
		resp, err = api.DescribeInstance(req)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := c.checkBody(action, envelope{resp.GetHttpStatus(), resp.HttpStatusCode, resp.Code, resp.Message, resp.RequestId, resp.Success}); err != nil {
		return nil, err
	}
	return instanceFromSDK(&resp.Instance), nil
}

// FindInstanceByName lists the account's instances (ListInstances is not paged) and returns
// the first one named name, nil when none is.
func (c *Client) FindInstanceByName(ctx context.Context, name string) (*cloud.OutboundInstance, error) {
	const action = "ListInstances"
	var resp *sdkob.ListInstancesResponse
	err := c.call(ctx, action, func(api *sdkob.Client) (err error) {
		resp, err = api.ListInstances(sdkob.CreateListInstancesRequest())
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := c.checkBody(action, envelope{resp.GetHttpStatus(), resp.HttpStatusCode, resp.Code, resp.Message, resp.RequestId, resp.Success}); err != nil {
		return nil, err
	}
	for i := range resp.Instances {
		if resp.Instances[i].InstanceName == name {
			return instanceFromSDK(&resp.Instances[i]), nil
		}
	}
	return nil, nil
}

// CreateInstance creates an instance with CreateInstance.
func (c *Client) CreateInstance(ctx context.Context, spec cloud.OutboundInstanceSpec) (*cloud.OutboundInstance, error) {
	const action = "CreateInstance"
	accessKey, secretKey := nluKeys(spec)
	var resp *sdkob.CreateInstanceResponse
	err := c.call(ctx, action, func(api *sdkob.Client) (err error) {
		req := sdkob.CreateCreateInstanceRequest()
		req.InstanceName, req.InstanceDescription = spec.Name, spec.Description
		req.MaxConcurrentConversation = requests.NewInteger(spec.MaxConcurrentConversation)
		req.CallingNumber = optList(spec.CallingNumbers)
		req.CallCenterInstanceId, req.NluServiceType = spec.CallCenterInstanceID, spec.NluServiceType
		req.Endpoint, req.AccessKey, req.SecretKey = spec.NLUEndpoint, accessKey, secretKey
		req.ResourceGroupId = spec.ResourceGroupID
		resp, err = api.CreateInstance(req)
		return err
	}, secretKey)
	if err != nil {
		return nil, err
	}
	if err := c.checkBody(action, envelope{resp.GetHttpStatus(), resp.HttpStatusCode, resp.Code, resp.Message, resp.RequestId, resp.Success}); err != nil {
		return nil, err
	}
	return instanceFromSDK(&resp.Instance), nil
}

// ModifyInstance changes an instance with ModifyInstance; empty values are not sent by the
// SDK, so the platform keeps them.
func (c *Client) ModifyInstance(ctx context.Context, instanceID string, spec cloud.OutboundInstanceSpec) (*cloud.OutboundInstance, error) {
	const action = "ModifyInstance"
	accessKey, secretKey := nluKeys(spec)
	var resp *sdkob.ModifyInstanceResponse
	err := c.call(ctx, action, func(api *sdkob.Client) (err error) {
		req := sdkob.CreateModifyInstanceRequest()
		req.InstanceId = instanceID
		req.InstanceName, req.InstanceDescription = spec.Name, spec.Description
		req.MaxConcurrentConversation = requests.NewInteger(spec.MaxConcurrentConversation)
		req.CallingNumber = optList(spec.CallingNumbers)
		req.CallCenterInstanceId, req.NluServiceType = spec.CallCenterInstanceID, spec.NluServiceType
		req.Endpoint, req.AccessKey, req.SecretKey = spec.NLUEndpoint, accessKey, secretKey
		resp, err = api.ModifyInstance(req)
		return err
	}, secretKey)
	if err != nil {
		return nil, err
	}
	if err := c.checkBody(action, envelope{resp.GetHttpStatus(), resp.HttpStatusCode, resp.Code, resp.Message, resp.RequestId, resp.Success}); err != nil {
		return nil, err
	}
	return instanceFromSDK(&resp.Instance), nil
}

// DeleteInstance deletes an instance. An instance that does not exist is success, so that a
// finalizer can always complete.
func (c *Client) DeleteInstance(ctx context.Context, instanceID string) error {
	const action = "DeleteInstance"
	var resp *sdkob.DeleteInstanceResponse
	err := c.call(ctx, action, func(api *sdkob.Client) (err error) {
		req := sdkob.CreateDeleteInstanceRequest()
		req.InstanceId = instanceID
		resp, err = api.DeleteInstance(req)
		return err
	})
	if err == nil {
		err = c.checkBody(action, envelope{resp.GetHttpStatus(), resp.HttpStatusCode, resp.Code, resp.Message, resp.RequestId, resp.Success})
	}
	if cloud.IsNotFound(err) {
		return nil
	}
	return err
}
