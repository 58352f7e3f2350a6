package classic

import (
	"context"
	"net/http"
	"net/url"
)

// DoFunc sends an admin request: body (nil for none) as JSON, a 2xx answer decoded into out
// (nil to ignore), anything else returned as an error. emulator.AdminClient provides it, so
// that every platform's admin client shares its HTTP handling and error type.
type DoFunc func(ctx context.Context, method, path string, body, out any) error

// AdminClient performs console-style operations on the emulated classic CloudCallCenter: what
// a person does in the console while the operator works (hold a version lock, edit or publish
// out of band, add phone numbers), so tests can provoke locks and drift. Refusals are whatever
// the DoFunc returns; through emulator.AdminClient they are *emulator.AdminError carrying the
// platform code (e.g. CodeVersionLocked).
type AdminClient struct {
	do DoFunc
}

// NewAdminClient returns a client that sends its requests with do.
func NewAdminClient(do DoFunc) *AdminClient { return &AdminClient{do: do} }

func instancePath(instanceID string) string {
	return AdminPrefix + "/instances/" + url.PathEscape(instanceID)
}

func flowPath(instanceID, flowID string) string {
	return instancePath(instanceID) + "/flows/" + url.PathEscape(flowID)
}

// AddInstance creates an instance; an existing one is left as it is (no error).
func (c *AdminClient) AddInstance(ctx context.Context, instanceID string) error {
	return c.do(ctx, http.MethodPost, AdminPrefix+"/instances", AddInstanceRequest{InstanceID: instanceID}, nil)
}

// Instances lists the instance IDs, sorted.
func (c *AdminClient) Instances(ctx context.Context) ([]string, error) {
	var out InstancesResponse
	err := c.do(ctx, http.MethodGet, AdminPrefix+"/instances", nil, &out)
	return out.Instances, err
}

// Flows returns the full state of every flow of an instance (versions, applied version, lock,
// numbers), in creation order.
func (c *AdminClient) Flows(ctx context.Context, instanceID string) ([]Flow, error) {
	var out FlowsResponse
	err := c.do(ctx, http.MethodGet, instancePath(instanceID)+"/flows", nil, &out)
	return out.Flows, err
}

// Flow returns the full state of one flow.
func (c *AdminClient) Flow(ctx context.Context, instanceID, flowID string) (*Flow, error) {
	var out Flow
	if err := c.do(ctx, http.MethodGet, flowPath(instanceID, flowID), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateFlow creates a flow out of band (for adoption and by-name lookup tests). Unless
// in.Published, its version 1 is locked by user ("" means DefaultConsoleUser).
func (c *AdminClient) CreateFlow(ctx context.Context, instanceID, user string, in NewFlow) (*Flow, error) {
	var out Flow
	if err := c.do(ctx, http.MethodPost, instancePath(instanceID)+"/flows", CreateFlowRequest{NewFlow: in, User: user}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// BeginModification opens a version locked by console user user and returns its
// ContactFlowVersionId (the same one when user already holds it). The operator's
// BeginContactFlowVersionModification then fails with CodeVersionLocked.
func (c *AdminClient) BeginModification(ctx context.Context, instanceID, flowID, user string) (string, error) {
	var out BeginModificationResponse
	err := c.do(ctx, http.MethodPost, flowPath(instanceID, flowID)+"/modification", BeginModificationRequest{User: user}, &out)
	return out.ContactFlowVersionID, err
}

// EditModification replaces the content (and a non-empty canvas) of the version user holds
// open and returns the flow.
func (c *AdminClient) EditModification(ctx context.Context, instanceID, flowID, user, canvas, content string) (*Flow, error) {
	var out Flow
	err := c.do(ctx, http.MethodPut, flowPath(instanceID, flowID)+"/modification",
		EditModificationRequest{User: user, Canvas: canvas, Content: content}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// CloseModification drops the version user holds open (releasing the lock); nothing open is
// success.
func (c *AdminClient) CloseModification(ctx context.Context, instanceID, flowID, user string) error {
	return c.do(ctx, http.MethodDelete, flowPath(instanceID, flowID)+"/modification", CloseModificationRequest{User: user}, nil)
}

// SetPublished publishes content out of band as a new applied version (a console edit and
// publish; an empty canvas copies the applied one's) and returns the flow; an open
// modification is left alone.
func (c *AdminClient) SetPublished(ctx context.Context, instanceID, flowID, user, canvas, content string) (*Flow, error) {
	var out Flow
	err := c.do(ctx, http.MethodPut, flowPath(instanceID, flowID)+"/published",
		PublishedRequest{User: user, Canvas: canvas, Content: content}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteFlow deletes a flow out of band.
func (c *AdminClient) DeleteFlow(ctx context.Context, instanceID, flowID string) error {
	return c.do(ctx, http.MethodDelete, flowPath(instanceID, flowID), nil, nil)
}

// AddPhoneNumber adds number to the instance (an existing one is returned as it is) and
// returns it with its PhoneNumberId.
func (c *AdminClient) AddPhoneNumber(ctx context.Context, instanceID, number string) (*PhoneNumber, error) {
	var out PhoneNumber
	if err := c.do(ctx, http.MethodPost, instancePath(instanceID)+"/numbers", AddPhoneNumberRequest{Number: number}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// PhoneNumbers lists the instance's numbers and the flows they are assigned to.
func (c *AdminClient) PhoneNumbers(ctx context.Context, instanceID string) ([]PhoneNumber, error) {
	var out PhoneNumbersResponse
	err := c.do(ctx, http.MethodGet, instancePath(instanceID)+"/numbers", nil, &out)
	return out.PhoneNumbers, err
}
