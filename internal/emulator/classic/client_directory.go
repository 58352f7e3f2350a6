package classic

import (
	"context"
	"net/http"
)

// AddResource adds a skill group or media to the instance and returns it with its ID (one of
// that kind and name already there is returned as it is).
func (c *AdminClient) AddResource(ctx context.Context, instanceID string, in NewResource) (*Resource, error) {
	var out Resource
	if err := c.do(ctx, http.MethodPost, instancePath(instanceID)+"/resources", in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Resources lists the instance's skill groups and medias, in creation order.
func (c *AdminClient) Resources(ctx context.Context, instanceID string) ([]Resource, error) {
	var out ResourcesResponse
	err := c.do(ctx, http.MethodGet, instancePath(instanceID)+"/resources", nil, &out)
	return out.Resources, err
}
