package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/ccc"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/classic"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/connect"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/outboundbot"
)

// CCC admin types, shared with the server so that both sides agree on the JSON.
type (
	// CCCFlow is the emulator's full record of a CCC flow.
	CCCFlow = ccc.Flow
	// CCCDraft is an open draft of a CCC flow.
	CCCDraft = ccc.Draft
	// CCCNewFlow describes a flow created out of band.
	CCCNewFlow = ccc.NewFlow
)

// OutboundBot admin types, shared with the server so that both sides agree on the JSON.
type (
	// OutboundBotAdminClient performs the reviewers' and the platform operator's operations on
	// the emulated OutboundBot (approve or reject a review, change the concurrency limit,
	// inject a platform error) and reads its full state.
	OutboundBotAdminClient = outboundbot.AdminClient
	// OutboundBotInstance is the emulator's full record of an OutboundBot instance.
	OutboundBotInstance = outboundbot.Instance
	// OutboundBotScript is the emulator's full record of an OutboundBot script.
	OutboundBotScript = outboundbot.Script
	// OutboundBotSettings are the OutboundBot concurrency limit and auto-approval switch.
	OutboundBotSettings = outboundbot.Settings
	// OutboundBotFault makes the next calls of an OutboundBot action fail.
	OutboundBotFault = outboundbot.Fault
)

// AdminError is a refusal from the admin API. Code is the platform error code when a platform
// rule refused the operation (e.g. ccc.CodeFlowLocked), so tests can match it.
type AdminError struct {
	StatusCode int
	Code       string
	Message    string
}

// Error renders the status, code and message.
func (e *AdminError) Error() string {
	return fmt.Sprintf("emulator admin: HTTP %d %s: %s", e.StatusCode, e.Code, e.Message)
}

// AdminClient drives the admin API of a running emulator (GET /_emulator/stats and friends),
// for tests, benchmarks and the demo. It needs no credentials: the admin API is unsigned.
type AdminClient struct {
	base string
	hc   *http.Client
}

// NewAdminClient returns a client for the emulator at baseURL ("http://127.0.0.1:18080", or
// "127.0.0.1:18080", which means http). hc nil means a client with a 30s timeout.
func NewAdminClient(baseURL string, hc *http.Client) *AdminClient {
	if !strings.Contains(baseURL, "://") {
		baseURL = "http://" + baseURL
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &AdminClient{base: strings.TrimRight(baseURL, "/"), hc: hc}
}

// do sends body (nil for none) as JSON and decodes a 2xx answer into out (nil to ignore);
// anything else becomes an *AdminError.
func (c *AdminClient) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		ae := &AdminError{StatusCode: resp.StatusCode}
		var eb struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		if json.Unmarshal(data, &eb) == nil {
			ae.Code, ae.Message = eb.Code, eb.Message
		} else {
			ae.Message = strings.TrimSpace(string(data))
		}
		return ae
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("emulator admin: decoding %s %s: %w", method, path, err)
		}
	}
	return nil
}

// Healthz returns nil when the emulator answers its health check.
func (c *AdminClient) Healthz(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/_emulator/healthz", nil, nil)
}

// Stats returns the call counters.
func (c *AdminClient) Stats(ctx context.Context) (Stats, error) {
	var s Stats
	err := c.do(ctx, http.MethodGet, "/_emulator/stats", nil, &s)
	return s, err
}

// Calls returns the call log (GET /_emulator/calls): the most recent calls since the last
// reset, in the order they arrived, each with the object it named.
func (c *AdminClient) Calls(ctx context.Context) ([]CallRecord, error) {
	var out []CallRecord
	err := c.do(ctx, http.MethodGet, "/_emulator/calls", nil, &out)
	return out, err
}

// ResetStats zeroes the call counters.
func (c *AdminClient) ResetStats(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/_emulator/stats/reset", nil, nil)
}

// Faults returns the injected faults.
func (c *AdminClient) Faults(ctx context.Context) (FaultConfig, error) {
	var fc FaultConfig
	err := c.do(ctx, http.MethodGet, "/_emulator/faults", nil, &fc)
	return fc, err
}

// SetFaults replaces the injected faults; the zero FaultConfig turns them all off.
func (c *AdminClient) SetFaults(ctx context.Context, fc FaultConfig) error {
	return c.do(ctx, http.MethodPut, "/_emulator/faults", fc, nil)
}

// CCC returns the client for the CCC 2020-07-01 admin operations.
func (c *AdminClient) CCC() *CCCAdminClient { return &CCCAdminClient{c: c} }

// OutboundBot returns the client for the OutboundBot 2019-12-26 admin operations; its refusals
// are *AdminError values too.
func (c *AdminClient) OutboundBot() *OutboundBotAdminClient { return outboundbot.NewAdminClient(c.do) }

// CCCAdminClient performs console-style operations on the emulated CCC: what a person does in
// the console while the operator works, so tests can provoke locks and drift.
type CCCAdminClient struct {
	c *AdminClient
}

func flowPath(instanceID, flowID string) string {
	return ccc.AdminPrefix + "/instances/" + url.PathEscape(instanceID) + "/flows/" + url.PathEscape(flowID)
}

// AddInstance creates an instance; an existing one is left as it is (no error).
func (c *CCCAdminClient) AddInstance(ctx context.Context, instanceID string) error {
	return c.c.do(ctx, http.MethodPost, ccc.AdminPrefix+"/instances", ccc.AddInstanceRequest{InstanceID: instanceID}, nil)
}

// Instances lists the instance IDs.
func (c *CCCAdminClient) Instances(ctx context.Context) ([]string, error) {
	var out ccc.InstancesResponse
	err := c.c.do(ctx, http.MethodGet, ccc.AdminPrefix+"/instances", nil, &out)
	return out.Instances, err
}

// Flows returns the full state of every flow of an instance, in creation order.
func (c *CCCAdminClient) Flows(ctx context.Context, instanceID string) ([]CCCFlow, error) {
	var out ccc.FlowsResponse
	err := c.c.do(ctx, http.MethodGet, ccc.AdminPrefix+"/instances/"+url.PathEscape(instanceID)+"/flows", nil, &out)
	return out.Flows, err
}

// Flow returns the full state of one flow.
func (c *CCCAdminClient) Flow(ctx context.Context, instanceID, flowID string) (*CCCFlow, error) {
	var out CCCFlow
	if err := c.c.do(ctx, http.MethodGet, flowPath(instanceID, flowID), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateFlow creates a flow out of band (for adoption and by-name lookup tests). Unless
// in.Published, its initial draft is held by user ("" means ccc.DefaultConsoleUser).
func (c *CCCAdminClient) CreateFlow(ctx context.Context, instanceID, user string, in CCCNewFlow) (*CCCFlow, error) {
	var out CCCFlow
	err := c.c.do(ctx, http.MethodPost, ccc.AdminPrefix+"/instances/"+url.PathEscape(instanceID)+"/flows",
		ccc.CreateFlowRequest{NewFlow: in, User: user}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// StartEdit opens a draft held by console user user and returns its ID (the same ID when user
// already holds it). The operator's StartEditContactFlow then fails with the locked error.
func (c *CCCAdminClient) StartEdit(ctx context.Context, instanceID, flowID, user string) (string, error) {
	var out ccc.EditResponse
	err := c.c.do(ctx, http.MethodPost, flowPath(instanceID, flowID)+"/edit", ccc.EditRequest{User: user}, &out)
	return out.DraftID, err
}

// EditDraft replaces the definition of the draft user holds.
func (c *CCCAdminClient) EditDraft(ctx context.Context, instanceID, flowID, user, definition string) error {
	return c.c.do(ctx, http.MethodPut, flowPath(instanceID, flowID)+"/draft",
		ccc.DraftRequest{User: user, Definition: definition}, nil)
}

// DiscardDraft closes the draft user holds (releasing the lock); no open draft is success.
func (c *CCCAdminClient) DiscardDraft(ctx context.Context, instanceID, flowID, user string) error {
	return c.c.do(ctx, http.MethodDelete, flowPath(instanceID, flowID)+"/draft", ccc.DiscardDraftRequest{User: user}, nil)
}

// SetPublished replaces the published definition out of band (a console edit and publish) and
// returns the flow; an open draft is left alone.
func (c *CCCAdminClient) SetPublished(ctx context.Context, instanceID, flowID, definition string) (*CCCFlow, error) {
	var out CCCFlow
	err := c.c.do(ctx, http.MethodPut, flowPath(instanceID, flowID)+"/published", ccc.PublishedRequest{Definition: definition}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteFlow deletes a flow out of band.
func (c *CCCAdminClient) DeleteFlow(ctx context.Context, instanceID, flowID string) error {
	return c.c.do(ctx, http.MethodDelete, flowPath(instanceID, flowID), nil, nil)
}

// Amazon Connect admin types, shared with the server so that both sides agree on the JSON.
type (
	// ConnectFlow is the emulator's full record of an Amazon Connect flow: saved and published
	// content with their checksums, versions, tags.
	ConnectFlow = connect.Flow
	// ConnectVersion is one immutable version of an Amazon Connect flow.
	ConnectVersion = connect.Version
	// ConnectNewFlow describes a flow created out of band; Status SAVED leaves it unpublished.
	ConnectNewFlow = connect.NewFlow
)

// Connect returns the client for the Amazon Connect admin operations.
func (c *AdminClient) Connect() *ConnectAdminClient { return &ConnectAdminClient{c: c} }

// ConnectAdminClient performs console-style operations on the emulated Amazon Connect: what a
// person does in the console while the operator works, so tests can provoke drift and pending
// saved changes. Refusals are *AdminError with the platform's code (e.g.
// connect.CodeInvalidContactFlow).
type ConnectAdminClient struct {
	c *AdminClient
}

func connectFlowsPath(instanceID string) string {
	return connect.AdminPrefix + "/instances/" + url.PathEscape(instanceID) + "/flows"
}

// AddInstance creates an instance; an existing one is left as it is (no error).
func (c *ConnectAdminClient) AddInstance(ctx context.Context, instanceID string) error {
	return c.c.do(ctx, http.MethodPost, connect.AdminPrefix+"/instances", connect.AddInstanceRequest{InstanceID: instanceID}, nil)
}

// Instances lists the instance IDs, sorted.
func (c *ConnectAdminClient) Instances(ctx context.Context) ([]string, error) {
	var out connect.InstancesResponse
	err := c.c.do(ctx, http.MethodGet, connect.AdminPrefix+"/instances", nil, &out)
	return out.Instances, err
}

// Flows returns the full state of every flow of an instance, in creation order.
func (c *ConnectAdminClient) Flows(ctx context.Context, instanceID string) ([]ConnectFlow, error) {
	var out connect.FlowsResponse
	err := c.c.do(ctx, http.MethodGet, connectFlowsPath(instanceID), nil, &out)
	return out.Flows, err
}

// Flow returns the full state of one flow.
func (c *ConnectAdminClient) Flow(ctx context.Context, instanceID, flowID string) (*ConnectFlow, error) {
	var out ConnectFlow
	if err := c.c.do(ctx, http.MethodGet, connectFlowsPath(instanceID)+"/"+url.PathEscape(flowID), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateFlow creates a flow out of band (for adoption and by-name lookup tests), validated as
// CreateContactFlow validates it.
func (c *ConnectAdminClient) CreateFlow(ctx context.Context, instanceID string, in ConnectNewFlow) (*ConnectFlow, error) {
	var out ConnectFlow
	if err := c.c.do(ctx, http.MethodPost, connectFlowsPath(instanceID), in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *ConnectAdminClient) setContent(ctx context.Context, instanceID, flowID, content string, publish bool) (*ConnectFlow, error) {
	var out ConnectFlow
	err := c.c.do(ctx, http.MethodPut, connectFlowsPath(instanceID)+"/"+url.PathEscape(flowID)+"/content",
		connect.ContentRequest{Content: content, Publish: publish}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// SaveContent saves content into the flow's $SAVED content without publishing it (a console
// save) and returns the flow.
func (c *ConnectAdminClient) SaveContent(ctx context.Context, instanceID, flowID, content string) (*ConnectFlow, error) {
	return c.setContent(ctx, instanceID, flowID, content, false)
}

// PublishContent saves and publishes content (a console publish, validated as the API
// validates it) and returns the flow.
func (c *ConnectAdminClient) PublishContent(ctx context.Context, instanceID, flowID, content string) (*ConnectFlow, error) {
	return c.setContent(ctx, instanceID, flowID, content, true)
}

// DeleteFlow deletes a flow out of band.
func (c *ConnectAdminClient) DeleteFlow(ctx context.Context, instanceID, flowID string) error {
	return c.c.do(ctx, http.MethodDelete, connectFlowsPath(instanceID)+"/"+url.PathEscape(flowID), nil, nil)
}

// Classic CloudCallCenter admin types, shared with the server so that both sides agree on the
// JSON.
type (
	// CloudCallCenterAdminClient performs console-style operations on the emulated classic
	// CloudCallCenter 2017-07-05: hold a version lock as a console user, edit or publish out of
	// band, add phone numbers, read the full state.
	CloudCallCenterAdminClient = classic.AdminClient
	// CloudCallCenterFlow is the emulator's full record of a classic flow: its versions, the
	// applied version, the lock and the assigned numbers.
	CloudCallCenterFlow = classic.Flow
	// CloudCallCenterVersion is one version of a classic flow.
	CloudCallCenterVersion = classic.ContactFlowVersion
	// CloudCallCenterNewFlow describes a classic flow created out of band.
	CloudCallCenterNewFlow = classic.NewFlow
	// CloudCallCenterPhoneNumber is a number of a classic instance and the flow it runs.
	CloudCallCenterPhoneNumber = classic.PhoneNumber
)

// CloudCallCenter returns the client for the classic CloudCallCenter 2017-07-05 admin
// operations; its refusals are *AdminError values with the platform's code (e.g.
// classic.CodeVersionLocked).
func (c *AdminClient) CloudCallCenter() *CloudCallCenterAdminClient {
	return classic.NewAdminClient(c.do)
}
