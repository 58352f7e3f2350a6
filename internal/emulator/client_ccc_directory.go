package emulator

import (
	"context"
	"net/http"
	"net/url"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/ccc"
)

// CCC directory admin types: what flow definitions refer to and the numbers flows answer.
type (
	// CCCResource is a skill group or audio file of a CCC instance.
	CCCResource = ccc.Resource
	// CCCNewResource describes a skill group or audio file to add (Kind ccc.KindSkillGroup or
	// ccc.KindPrompt).
	CCCNewResource = ccc.NewResource
	// CCCPhoneNumber is a number of a CCC instance, its usage and the flow bound to it.
	CCCPhoneNumber = ccc.NumberView
)

func cccInstancePath(instanceID string) string {
	return ccc.AdminPrefix + "/instances/" + url.PathEscape(instanceID)
}

// AddResource adds a skill group or audio file to the instance and returns it with its ID (one
// of that kind and name already there is returned as it is).
func (c *CCCAdminClient) AddResource(ctx context.Context, instanceID string, in CCCNewResource) (*CCCResource, error) {
	var out CCCResource
	if err := c.c.do(ctx, http.MethodPost, cccInstancePath(instanceID)+"/resources", in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Resources lists the instance's skill groups and audio files, in creation order.
func (c *CCCAdminClient) Resources(ctx context.Context, instanceID string) ([]CCCResource, error) {
	var out ccc.ResourcesResponse
	err := c.c.do(ctx, http.MethodGet, cccInstancePath(instanceID)+"/resources", nil, &out)
	return out.Resources, err
}

// AddPhoneNumber adds number to the instance, bound to no flow (an existing one is returned as
// it is).
func (c *CCCAdminClient) AddPhoneNumber(ctx context.Context, instanceID, number string) (*CCCPhoneNumber, error) {
	var out CCCPhoneNumber
	if err := c.c.do(ctx, http.MethodPost, cccInstancePath(instanceID)+"/numbers", ccc.AddPhoneNumberRequest{Number: number}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// PhoneNumbers lists the instance's numbers and the flows bound to them.
func (c *CCCAdminClient) PhoneNumbers(ctx context.Context, instanceID string) ([]CCCPhoneNumber, error) {
	var out ccc.PhoneNumbersResponse
	err := c.c.do(ctx, http.MethodGet, cccInstancePath(instanceID)+"/numbers", nil, &out)
	return out.PhoneNumbers, err
}
