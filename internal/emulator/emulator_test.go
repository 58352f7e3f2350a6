package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	sdkccc "github.com/aliyun/alibaba-cloud-sdk-go/services/ccc"
	"github.com/google/go-cmp/cmp"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/ccc"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/pop"
)

const (
	instanceID = "ccc-test"
	defA       = `{"activities":[{"type":"INCOMING_CALL","id":"a","events":[{"event":"complete","next":null}]}],"description":""}`
	defB       = `{"activities":[{"type":"PLAY_SAY","id":"b","properties":{"say":"您好"}}],"description":""}`
)

var keys = []emulator.AccessKey{
	{ID: "op-id", Secret: "op-secret-value"},
	{ID: "bob-id", Secret: "bob-secret-value", User: "bob"},
}

type testEnv struct {
	emu   *emulator.Emulator
	srv   *httptest.Server
	admin *emulator.AdminClient
}

func start(t *testing.T, cfg emulator.Config) *testEnv {
	t.Helper()
	if cfg.AccessKeys == nil {
		cfg.AccessKeys = keys
	}
	if cfg.Instances == nil {
		cfg.Instances = []emulator.Instance{{Platform: emulator.PlatformCCC, ID: instanceID}}
	}
	emu, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(func() {
		srv.Close()
		emu.Close()
	})
	return &testEnv{emu: emu, srv: srv, admin: emulator.NewAdminClient(srv.URL, srv.Client())}
}

// client is the official SDK client, pointed at the emulator like the adapter points it.
func (e *testEnv) client(t *testing.T, id, secret string) *sdkccc.Client {
	t.Helper()
	c, err := sdkccc.NewClientWithAccessKey("cn-shanghai", id, secret)
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = strings.TrimPrefix(e.srv.URL, "http://")
	return c
}

func serverError(t *testing.T, err error) *sdkerrors.ServerError {
	t.Helper()
	var se *sdkerrors.ServerError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want an SDK ServerError", err)
	}
	return se
}

func createFlow(t *testing.T, c *sdkccc.Client, name, def string) string {
	t.Helper()
	req := sdkccc.CreateCreateContactFlowRequest()
	req.InstanceId, req.Name, req.Type, req.Definition, req.Description = instanceID, name, "MAIN_FLOW", def, "v1"
	resp, err := c.CreateContactFlow(req)
	if err != nil {
		t.Fatalf("CreateContactFlow: %v", err)
	}
	if resp.Code != "OK" || resp.HttpStatusCode != 200 || resp.RequestId == "" || resp.Data == "" {
		t.Fatalf("CreateContactFlow response = %+v", resp)
	}
	return resp.Data
}

func getFlow(t *testing.T, c *sdkccc.Client, flowID, draftID string) sdkccc.Data {
	t.Helper()
	req := sdkccc.CreateGetContactFlowRequest()
	req.InstanceId, req.ContactFlowId, req.DraftId = instanceID, flowID, draftID
	resp, err := c.GetContactFlow(req)
	if err != nil {
		t.Fatalf("GetContactFlow: %v", err)
	}
	return resp.Data
}

func startEdit(c *sdkccc.Client, flowID string) (string, error) {
	req := sdkccc.CreateStartEditContactFlowRequest()
	req.InstanceId, req.ContactFlowId = instanceID, flowID
	resp, err := c.StartEditContactFlow(req)
	if err != nil {
		return "", err
	}
	return resp.Data, nil
}

func TestFlowLifecycleThroughSDK(t *testing.T) {
	e := start(t, emulator.Config{})
	op := e.client(t, "op-id", "op-secret-value")

	flowID := createFlow(t, op, "默认流程", defA)
	d := getFlow(t, op, flowID, "")
	if d.ContactFlowId != flowID || d.Name != "默认流程" || d.Published || d.DraftId == "" || d.Editor != "operator" || d.Definition != defA {
		t.Fatalf("after create: %+v", d)
	}
	if _, err := time.Parse(ccc.TimeLayout, d.CreatedTime); err != nil {
		t.Errorf("CreatedTime %q not in the platform format: %v", d.CreatedTime, err)
	}

	draftID, err := startEdit(op, flowID)
	if err != nil || draftID != d.DraftId {
		t.Fatalf("StartEdit = %q, %v; want the caller's open draft %q", draftID, err, d.DraftId)
	}

	commit := sdkccc.CreateCommitContactFlowRequest()
	commit.InstanceId, commit.ContactFlowId, commit.DraftId, commit.Definition, commit.Description = instanceID, flowID, draftID, defB, "v2"
	if resp, err := op.CommitContactFlow(commit); err != nil || resp.Code != "OK" {
		t.Fatalf("CommitContactFlow = %+v, %v", resp, err)
	}
	if d := getFlow(t, op, flowID, draftID); d.Definition != defB {
		t.Errorf("draft definition after commit = %q", d.Definition)
	}

	publish := sdkccc.CreatePublishContactFlowRequest()
	publish.InstanceId, publish.ContactFlowId, publish.DraftId = instanceID, flowID, draftID
	if _, err := op.PublishContactFlow(publish); err != nil {
		t.Fatalf("PublishContactFlow: %v", err)
	}
	d = getFlow(t, op, flowID, "")
	if !d.Published || d.Definition != defB || d.DraftId != "" || d.Editor != "" || d.Description != "v2" {
		t.Errorf("after publish: %+v", d)
	}

	list := sdkccc.CreateListContactFlowsRequest()
	list.InstanceId, list.PageNumber, list.PageSize = instanceID, requests.NewInteger(1), requests.NewInteger(10)
	lresp, err := op.ListContactFlows(list)
	if err != nil {
		t.Fatalf("ListContactFlows: %v", err)
	}
	if lresp.Data.TotalCount != 1 || lresp.Data.PageNumber != 1 || lresp.Data.PageSize != 10 || len(lresp.Data.List) != 1 {
		t.Fatalf("list page = %+v", lresp.Data)
	}
	if it := lresp.Data.List[0]; it.ContactFlowId != flowID || it.Definition != defB || !it.Published || it.NumberList == nil {
		t.Errorf("list item = %+v", it)
	}

	// Edit again, then discard: the draft goes, a second discard names the missing draft.
	draft2, err := startEdit(op, flowID)
	if err != nil {
		t.Fatal(err)
	}
	discard := sdkccc.CreateDiscardEditingContactFlowRequest()
	discard.InstanceId, discard.ContactFlowId, discard.DraftId = instanceID, flowID, draft2
	if _, err := op.DiscardEditingContactFlow(discard); err != nil {
		t.Fatalf("DiscardEditingContactFlow: %v", err)
	}
	_, err = op.DiscardEditingContactFlow(discard)
	if se := serverError(t, err); se.ErrorCode() != ccc.CodeDraftNotExists || se.HttpStatus() != 404 {
		t.Errorf("second discard = %s %d", se.ErrorCode(), se.HttpStatus())
	}

	del := sdkccc.CreateDeleteContactFlowRequest()
	del.InstanceId, del.ContactFlowId = instanceID, flowID
	if _, err := op.DeleteContactFlow(del); err != nil {
		t.Fatalf("DeleteContactFlow: %v", err)
	}
	get := sdkccc.CreateGetContactFlowRequest()
	get.InstanceId, get.ContactFlowId = instanceID, flowID
	_, err = op.GetContactFlow(get)
	if se := serverError(t, err); se.ErrorCode() != ccc.CodeFlowNotExists || se.HttpStatus() != 404 || se.RequestId() == "" {
		t.Errorf("get after delete = %s %d %q", se.ErrorCode(), se.HttpStatus(), se.RequestId())
	}
}

func TestLockedByAnotherUser(t *testing.T) {
	e := start(t, emulator.Config{})
	op := e.client(t, "op-id", "op-secret-value")
	bob := e.client(t, "bob-id", "bob-secret-value")
	flowID := createFlow(t, op, "main", defA)

	_, err := startEdit(bob, flowID)
	se := serverError(t, err)
	want := "The contact flow " + flowID + " is being edited by operator."
	if se.ErrorCode() != ccc.CodeFlowLocked || se.HttpStatus() != http.StatusForbidden || se.Message() != want {
		t.Errorf("bob's StartEdit = %d %s %q; want 403 %s %q", se.HttpStatus(), se.ErrorCode(), se.Message(), ccc.CodeFlowLocked, want)
	}
}

func TestErrorsThroughSDK(t *testing.T) {
	e := start(t, emulator.Config{})
	op := e.client(t, "op-id", "op-secret-value")
	createFlow(t, op, "main", defA)

	tests := map[string]struct {
		call       func() error
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		"unknown instance": {
			call: func() error {
				r := sdkccc.CreateListContactFlowsRequest()
				r.InstanceId, r.PageNumber, r.PageSize = "nope", "1", "10"
				_, err := op.ListContactFlows(r)
				return err
			},
			wantStatus: 404, wantCode: "NotExists.InstanceId", wantMsg: "The specified instance nope does not exist.",
		},
		"duplicate name": {
			call: func() error {
				r := sdkccc.CreateCreateContactFlowRequest()
				r.InstanceId, r.Name, r.Type, r.Definition = instanceID, "main", "MAIN_FLOW", defA
				_, err := op.CreateContactFlow(r)
				return err
			},
			wantStatus: 400, wantCode: ccc.CodeDuplicatedName,
		},
		"invalid definition": {
			call: func() error {
				r := sdkccc.CreateCreateContactFlowRequest()
				r.InstanceId, r.Name, r.Type, r.Definition = instanceID, "other", "MAIN_FLOW", `{"foo":1}`
				_, err := op.CreateContactFlow(r)
				return err
			},
			wantStatus: 400, wantCode: ccc.CodeInvalidDefinition,
		},
		"missing instance id": {
			call: func() error {
				r := sdkccc.CreateGetContactFlowRequest()
				r.ContactFlowId = "x"
				_, err := op.GetContactFlow(r)
				return err
			},
			wantStatus: 400, wantCode: "MissingInstanceId", wantMsg: "InstanceId is mandatory for this action.",
		},
		"page size out of range": {
			call: func() error {
				r := sdkccc.CreateListContactFlowsRequest()
				r.InstanceId, r.PageNumber, r.PageSize = instanceID, "1", "500"
				_, err := op.ListContactFlows(r)
				return err
			},
			wantStatus: 400, wantCode: "InvalidParameter.PageSize",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			se := serverError(t, tc.call())
			if se.HttpStatus() != tc.wantStatus || se.ErrorCode() != tc.wantCode || se.RequestId() == "" {
				t.Errorf("got %d %s (request %q), want %d %s", se.HttpStatus(), se.ErrorCode(), se.RequestId(), tc.wantStatus, tc.wantCode)
			}
			if tc.wantMsg != "" && se.Message() != tc.wantMsg {
				t.Errorf("message = %q, want %q", se.Message(), tc.wantMsg)
			}
		})
	}
}

func TestSignature(t *testing.T) {
	e := start(t, emulator.Config{})
	list := func(c *sdkccc.Client) error {
		r := sdkccc.CreateListContactFlowsRequest()
		r.InstanceId, r.PageNumber, r.PageSize = instanceID, "1", "10"
		_, err := c.ListContactFlows(r)
		return err
	}

	if err := list(e.client(t, "op-id", "op-secret-value")); err != nil {
		t.Fatalf("right key: %v", err)
	}

	err := list(e.client(t, "op-id", "wrong-secret-value"))
	se := serverError(t, err)
	if se.HttpStatus() != 400 || se.ErrorCode() != "SignatureDoesNotMatch" {
		t.Errorf("wrong secret = %d %s, want 400 SignatureDoesNotMatch", se.HttpStatus(), se.ErrorCode())
	}
	// The server's string to sign equals the SDK's, so the SDK concludes the secret is wrong.
	if !strings.Contains(se.Recommend(), "InvalidAccessKeySecret") {
		t.Errorf("SDK recommend = %q, want it to blame the secret (string to sign must match)", se.Recommend())
	}
	for _, secret := range []string{"op-secret-value", "wrong-secret-value"} {
		if strings.Contains(se.Error(), secret) {
			t.Errorf("error text leaks a secret: %s", se.Error())
		}
	}

	se = serverError(t, list(e.client(t, "nobody", "whatever")))
	if se.HttpStatus() != 404 || se.ErrorCode() != "InvalidAccessKeyId.NotFound" {
		t.Errorf("unknown key = %d %s, want 404 InvalidAccessKeyId.NotFound", se.HttpStatus(), se.ErrorCode())
	}
}

// signedGet sends a hand-built, correctly signed GET, the other way the SDK may send RPC.
func signedGet(t *testing.T, e *testEnv, params map[string]string) (int, map[string]any) {
	t.Helper()
	params["Signature"] = pop.Sign(pop.StringToSign(http.MethodGet, params), "op-secret-value")
	q := url.Values{}
	for k, v := range params {
		q.Set(k, v)
	}
	resp, err := http.Get(e.srv.URL + "/?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func baseParams(nonce string, ts time.Time) map[string]string {
	return map[string]string{
		"Action": "ListContactFlows", "Version": ccc.Version, "Format": "JSON",
		"AccessKeyId": "op-id", "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
		"SignatureNonce": nonce, "Timestamp": ts.UTC().Format("2006-01-02T15:04:05Z"),
		"InstanceId": instanceID, "PageNumber": "1", "PageSize": "5",
	}
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestWireFormat(t *testing.T) {
	e := start(t, emulator.Config{})
	now := time.Now()

	status, body := signedGet(t, e, baseParams("nonce-1", now))
	if status != 200 {
		t.Fatalf("signed GET = %d %v", status, body)
	}
	if diff := cmp.Diff([]string{"Code", "Data", "HttpStatusCode", "Message", "RequestId"}, keysOf(body)); diff != "" {
		t.Errorf("success envelope keys (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"List", "PageNumber", "PageSize", "TotalCount"}, keysOf(body["Data"].(map[string]any))); diff != "" {
		t.Errorf("list data keys (-want +got):\n%s", diff)
	}

	status, body = signedGet(t, e, baseParams("nonce-1", now))
	if status != 400 || body["Code"] != "SignatureNonceUsed" {
		t.Errorf("replayed nonce = %d %v", status, body["Code"])
	}
	if diff := cmp.Diff([]string{"Code", "HostId", "HttpStatusCode", "Message", "RequestId"}, keysOf(body)); diff != "" {
		t.Errorf("error body keys (-want +got):\n%s", diff)
	}

	status, body = signedGet(t, e, baseParams("nonce-2", now.Add(-time.Hour)))
	if status != 400 || body["Code"] != "InvalidTimeStamp.Expired" {
		t.Errorf("old timestamp = %d %v", status, body["Code"])
	}

	p := baseParams("nonce-3", now)
	p["Action"] = "NoSuchAction"
	if status, body = signedGet(t, e, p); status != 404 || body["Code"] != "InvalidAction.NotFound" {
		t.Errorf("unknown action = %d %v", status, body["Code"])
	}
	p = baseParams("nonce-4", now)
	p["Version"] = "2000-01-01"
	if status, body = signedGet(t, e, p); status != 400 || body["Code"] != "InvalidVersion" {
		t.Errorf("unserved version = %d %v", status, body["Code"])
	}
	p = baseParams("nonce-5", now)
	delete(p, "Timestamp")
	if status, body = signedGet(t, e, p); status != 400 || body["Code"] != "MissingTimestamp" {
		t.Errorf("no timestamp = %d %v", status, body["Code"])
	}
}

func TestStats(t *testing.T) {
	e := start(t, emulator.Config{})
	ctx := context.Background()
	op := e.client(t, "op-id", "op-secret-value")
	bob := e.client(t, "bob-id", "bob-secret-value")
	flowID := createFlow(t, op, "main", defA)
	getFlow(t, op, flowID, "")
	getFlow(t, op, flowID, "")
	if _, err := startEdit(bob, flowID); err == nil {
		t.Fatal("bob's StartEdit succeeded, want locked")
	}

	st, err := e.admin.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := emulator.Stats{
		Calls:     map[string]map[string]int64{"ccc": {"CreateContactFlow": 1, "GetContactFlow": 2, "StartEditContactFlow": 1}},
		Errors:    map[string]map[string]int64{"ccc": {"StartEditContactFlow": 1}},
		Throttled: map[string]map[string]int64{},
		Total:     4,
	}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, e.emu.Stats()); diff != "" {
		t.Errorf("in-process stats (-want +got):\n%s", diff)
	}
	if err := e.admin.ResetStats(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.admin.Stats(ctx); st.Total != 0 || len(st.Calls) != 0 {
		t.Errorf("stats after reset = %+v", st)
	}
}

func TestLatency(t *testing.T) {
	e := start(t, emulator.Config{Latency: 60 * time.Millisecond})
	op := e.client(t, "op-id", "op-secret-value")
	begin := time.Now()
	createFlow(t, op, "slow", defA)
	if d := time.Since(begin); d < 60*time.Millisecond {
		t.Errorf("call took %v, want at least the configured latency", d)
	}
	if err := e.admin.Healthz(context.Background()); err != nil {
		t.Errorf("healthz: %v", err)
	}
}

func TestStatePersistsAcrossRestart(t *testing.T) {
	path := t.TempDir() + "/state.json"
	e1 := start(t, emulator.Config{StatePath: path})
	op := e1.client(t, "op-id", "op-secret-value")
	flowID := createFlow(t, op, "kept", defA)
	draftID, err := startEdit(op, flowID)
	if err != nil {
		t.Fatal(err)
	}
	e1.srv.Close()
	e1.emu.Close()

	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Fatalf("state file: %v", err)
	}
	e2 := start(t, emulator.Config{StatePath: path})
	d := getFlow(t, e2.client(t, "op-id", "op-secret-value"), flowID, "")
	if d.Name != "kept" || d.DraftId != draftID || d.Definition != defA {
		t.Errorf("flow after restart = %+v", d)
	}
}

func TestAdminAPI(t *testing.T) {
	e := start(t, emulator.Config{})
	ctx := context.Background()
	admin := e.admin.CCC()
	op := e.client(t, "op-id", "op-secret-value")
	flowID := createFlow(t, op, "main", defA)

	// Publish through the API so the flow has no draft, then let a console user take it.
	draftID, _ := startEdit(op, flowID)
	pub := sdkccc.CreatePublishContactFlowRequest()
	pub.InstanceId, pub.ContactFlowId, pub.DraftId = instanceID, flowID, draftID
	if _, err := op.PublishContactFlow(pub); err != nil {
		t.Fatal(err)
	}
	aliceDraft, err := admin.StartEdit(ctx, instanceID, flowID, "alice")
	if err != nil || aliceDraft == "" {
		t.Fatalf("console StartEdit = %q, %v", aliceDraft, err)
	}
	_, err = startEdit(op, flowID)
	if se := serverError(t, err); se.ErrorCode() != ccc.CodeFlowLocked || !strings.HasSuffix(se.Message(), "is being edited by alice.") {
		t.Errorf("operator's StartEdit while alice edits = %s %q", se.ErrorCode(), se.Message())
	}
	if err := admin.EditDraft(ctx, instanceID, flowID, "alice", defB); err != nil {
		t.Fatalf("console EditDraft: %v", err)
	}
	var ae *emulator.AdminError
	if err := admin.EditDraft(ctx, instanceID, flowID, "carol", defB); !errors.As(err, &ae) || ae.Code != ccc.CodeFlowLocked {
		t.Errorf("carol editing alice's draft = %v, want %s", err, ccc.CodeFlowLocked)
	}
	flows, err := admin.Flows(ctx, instanceID)
	if err != nil || len(flows) != 1 || flows[0].Draft == nil || flows[0].Draft.Editor != "alice" || flows[0].Draft.Definition != defB || flows[0].Definition != defA {
		t.Fatalf("admin flows = %+v, %v", flows, err)
	}
	if err := admin.DiscardDraft(ctx, instanceID, flowID, "alice"); err != nil {
		t.Fatalf("console DiscardDraft: %v", err)
	}

	// Out-of-band publish: the API shows the new published definition.
	if _, err := admin.SetPublished(ctx, instanceID, flowID, defB); err != nil {
		t.Fatalf("SetPublished: %v", err)
	}
	if d := getFlow(t, op, flowID, ""); d.Definition != defB || d.DraftId != "" {
		t.Errorf("after out-of-band publish: %+v", d)
	}

	// Seeded flows and new instances.
	if err := admin.AddInstance(ctx, "ccc-2"); err != nil {
		t.Fatal(err)
	}
	seeded, err := admin.CreateFlow(ctx, "ccc-2", "", emulator.CCCNewFlow{
		Name: "adopt-me", Type: "MAIN_FLOW", Definition: defA, Published: true, NumberList: []string{"4002890000"},
	})
	if err != nil || !seeded.Published || seeded.Draft != nil {
		t.Fatalf("seeded flow = %+v, %v", seeded, err)
	}
	get := sdkccc.CreateGetContactFlowRequest()
	get.InstanceId, get.ContactFlowId = "ccc-2", seeded.ContactFlowID
	resp, err := op.GetContactFlow(get)
	if err != nil || len(resp.Data.NumberList) != 1 || resp.Data.NumberList[0].Number != "4002890000" {
		t.Errorf("seeded flow through SDK = %+v, %v", resp, err)
	}
	ids, err := admin.Instances(ctx)
	if diff := cmp.Diff([]string{"ccc-2", instanceID}, ids); err != nil || diff != "" {
		t.Errorf("instances (-want +got):\n%s %v", diff, err)
	}

	// Out-of-band delete.
	if err := admin.DeleteFlow(ctx, instanceID, flowID); err != nil {
		t.Fatal(err)
	}
	if err := admin.DeleteFlow(ctx, instanceID, flowID); !errors.As(err, &ae) || ae.StatusCode != 404 || ae.Code != ccc.CodeFlowNotExists {
		t.Errorf("second admin delete = %v", err)
	}
	if _, err := admin.Flows(ctx, "nope"); !errors.As(err, &ae) || ae.Code != ccc.CodeInstanceNotExists {
		t.Errorf("flows of unknown instance = %v", err)
	}
	if st, _ := e.admin.Stats(ctx); st.Count("ccc", "GetContactFlow") != 2 {
		t.Errorf("admin calls must not be counted; stats = %+v", st)
	}
}

func TestClosedEmulatorRefuses(t *testing.T) {
	e := start(t, emulator.Config{})
	e.emu.Close()
	if err := e.admin.Healthz(context.Background()); err == nil {
		t.Error("healthz after Close succeeded, want 503")
	}
}

func TestDemoDefaults(t *testing.T) {
	emu, err := emulator.New(emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	c, err := sdkccc.NewClientWithAccessKey("cn-shanghai", emulator.DemoAccessKeyID, emulator.DemoAccessKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = strings.TrimPrefix(srv.URL, "http://")
	r := sdkccc.CreateListContactFlowsRequest()
	r.InstanceId, r.PageNumber, r.PageSize = "ccc-demo", "1", "10"
	if _, err := c.ListContactFlows(r); err != nil {
		t.Errorf("demo key on demo instance: %v", err)
	}
}

func TestParse(t *testing.T) {
	k, err := emulator.ParseAccessKey("id:secret:alice")
	if err != nil || k.ID != "id" || k.Secret != "secret" || k.User != "alice" {
		t.Errorf("ParseAccessKey = %+v, %v", k, err)
	}
	if strings.Contains(k.String(), "secret") {
		t.Errorf("AccessKey.String leaks the secret: %s", k)
	}
	for _, bad := range []string{"id", ":secret", "id:", "id:s:", "a:b:c:d"} {
		if _, err := emulator.ParseAccessKey(bad); err == nil {
			t.Errorf("ParseAccessKey(%q) succeeded", bad)
		}
	}
	if in, err := emulator.ParseInstance("ccc:x"); err != nil || in.ID != "x" {
		t.Errorf("ParseInstance = %+v, %v", in, err)
	}
	for _, bad := range []string{"ccc", "aws:x", "ccc:"} {
		if _, err := emulator.ParseInstance(bad); err == nil {
			t.Errorf("ParseInstance(%q) succeeded", bad)
		}
	}
}
