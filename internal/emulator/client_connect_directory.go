package emulator

import (
	"context"
	"net/http"
	"net/url"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/connect"
)

// Amazon Connect directory admin types, shared with the server so that both sides agree on the
// JSON.
type (
	// ConnectResource is a queue, prompt or associated Lambda function of a Connect instance,
	// with its ID and ARN.
	ConnectResource = connect.Resource
	// ConnectNewResource describes a queue, prompt or function to create out of band.
	ConnectNewResource = connect.NewResource
	// ConnectPhoneNumber is a phone number claimed to a Connect instance and the flow it runs.
	ConnectPhoneNumber = connect.PhoneNumber
	// ConnectNewPhoneNumber describes a phone number to claim out of band.
	ConnectNewPhoneNumber = connect.NewPhoneNumber
)

func connectInstancePath(instanceID string) string {
	return connect.AdminPrefix + "/instances/" + url.PathEscape(instanceID)
}

// AddResource creates a queue, prompt or associated Lambda function (Kind connect.KindQueue,
// connect.KindPrompt or connect.KindFunction) and returns it with its ID and ARN. A name
// already used by that kind in the instance is an *AdminError with
// connect.CodeDuplicateResource.
func (c *ConnectAdminClient) AddResource(ctx context.Context, instanceID string, in ConnectNewResource) (*ConnectResource, error) {
	var out ConnectResource
	if err := c.c.do(ctx, http.MethodPost, connectInstancePath(instanceID)+"/resources", in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AddQueue creates a queue named name.
func (c *ConnectAdminClient) AddQueue(ctx context.Context, instanceID, name string) (*ConnectResource, error) {
	return c.AddResource(ctx, instanceID, ConnectNewResource{Kind: connect.KindQueue, Name: name})
}

// AddPrompt creates a prompt named name.
func (c *ConnectAdminClient) AddPrompt(ctx context.Context, instanceID, name string) (*ConnectResource, error) {
	return c.AddResource(ctx, instanceID, ConnectNewResource{Kind: connect.KindPrompt, Name: name})
}

// AddFunction associates the Lambda function named name with the instance; its ARN is made up
// in the emulator's account and the default Region.
func (c *ConnectAdminClient) AddFunction(ctx context.Context, instanceID, name string) (*ConnectResource, error) {
	return c.AddResource(ctx, instanceID, ConnectNewResource{Kind: connect.KindFunction, Name: name})
}

// Resources returns the instance's objects of kind ("" for every kind), queues, prompts then
// functions, each in creation order.
func (c *ConnectAdminClient) Resources(ctx context.Context, instanceID, kind string) ([]ConnectResource, error) {
	path := connectInstancePath(instanceID) + "/resources"
	if kind != "" {
		path += "?kind=" + url.QueryEscape(kind)
	}
	var out connect.ResourcesResponse
	err := c.c.do(ctx, http.MethodGet, path, nil, &out)
	return out.Resources, err
}

// AddNumber claims the E.164 number (+14155550100) to the instance, with no flow, and returns
// it with its PhoneNumberId and ARN.
func (c *ConnectAdminClient) AddNumber(ctx context.Context, instanceID, number string) (*ConnectPhoneNumber, error) {
	return c.ClaimNumber(ctx, instanceID, ConnectNewPhoneNumber{Number: number})
}

// ClaimNumber claims a number described in full (type, country code, ID, Region).
func (c *ConnectAdminClient) ClaimNumber(ctx context.Context, instanceID string, in ConnectNewPhoneNumber) (*ConnectPhoneNumber, error) {
	var out ConnectPhoneNumber
	if err := c.c.do(ctx, http.MethodPost, connectInstancePath(instanceID)+"/numbers", in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Numbers returns the numbers claimed to the instance, in claim order, each with the ID of
// its flow.
func (c *ConnectAdminClient) Numbers(ctx context.Context, instanceID string) ([]ConnectPhoneNumber, error) {
	var out connect.NumbersResponse
	err := c.c.do(ctx, http.MethodGet, connectInstancePath(instanceID)+"/numbers", nil, &out)
	return out.Numbers, err
}
