package classic_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	sdkccc "github.com/aliyun/alibaba-cloud-sdk-go/services/ccc"
	sdkcc "github.com/aliyun/alibaba-cloud-sdk-go/services/cloudcallcenter"
	"github.com/google/go-cmp/cmp"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/ccc"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/classic"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/pop"
)

const (
	instanceID = "cc-sdk"
	opSecret   = "op-secret-Kx81"
	bobSecret  = "bob-secret-Lp22"
	contentA   = `{"start":"a","nodes":[{"id":"a","type":"Play","properties":{"text":"您好"},"next":{"default":"h"}},{"id":"h","type":"Hangup"}]}`
	contentB   = `{"start":"h","nodes":[{"id":"h","type":"Hangup"}]}`
	canvasA    = `{"cells":[{"id":"a","x":1,"y":2}]}`
)

type env struct {
	svc   *classic.Service
	stats *core.Stats
	srv   *httptest.Server
}

// start serves the classic platform and CCC 2020-07-01 side by side on one POP endpoint, as the
// emulator does: both are product "CCC" and differ only in Version.
func start(t *testing.T) *env {
	t.Helper()
	keys, err := core.NewKeyStore([]core.AccessKey{
		{ID: "op-id", Secret: opSecret},
		{ID: "bob-id", Secret: bobSecret, User: "bob"},
	})
	if err != nil {
		t.Fatal(err)
	}
	stats := core.NewStats()
	rpc := pop.NewServer(pop.Options{Keys: keys, Stats: stats})
	svc, err := classic.New(classic.Options{Instances: []string{instanceID}})
	if err != nil {
		t.Fatal(err)
	}
	svc.Register(rpc)
	c2020, err := ccc.New(ccc.Options{Instances: []string{instanceID}})
	if err != nil {
		t.Fatal(err)
	}
	c2020.Register(rpc)
	mux := http.NewServeMux()
	svc.RegisterAdmin(mux)
	mux.Handle("/", rpc)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &env{svc: svc, stats: stats, srv: srv}
}

func (e *env) client(t *testing.T, id, secret string) *sdkcc.Client {
	t.Helper()
	c, err := sdkcc.NewClientWithAccessKey("cn-shanghai", id, secret)
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

func createFlow(t *testing.T, c *sdkcc.Client, name string) sdkcc.ContactFlow {
	t.Helper()
	req := sdkcc.CreateCreateContactFlowRequest()
	req.InstanceId, req.Name, req.Type, req.Description = instanceID, name, "MAIN_FLOW", "first"
	req.Canvas, req.Content = canvasA, contentA
	resp, err := c.CreateContactFlow(req)
	if err != nil {
		t.Fatalf("CreateContactFlow: %v", err)
	}
	if !resp.Success || resp.Code != "OK" || resp.HttpStatusCode != 200 || resp.RequestId == "" {
		t.Fatalf("CreateContactFlow envelope = %+v", resp)
	}
	return resp.ContactFlow
}

func getFlow(t *testing.T, c *sdkcc.Client, flowID string) sdkcc.ContactFlow {
	t.Helper()
	req := sdkcc.CreateGetContactFlowRequest()
	req.InstanceId = instanceID
	// The SDK's request struct lacks ContactFlowId, which the action needs.
	req.QueryParams["ContactFlowId"] = flowID
	resp, err := c.GetContactFlow(req)
	if err != nil {
		t.Fatalf("GetContactFlow: %v", err)
	}
	return resp.ContactFlow
}

func locked(f sdkcc.ContactFlow) *sdkcc.ContactFlowVersion {
	for i, v := range f.Versions.ContactFlowVersion {
		if v.LockedBy != "" {
			return &f.Versions.ContactFlowVersion[i]
		}
	}
	return nil
}

func TestLifecycleThroughSDK(t *testing.T) {
	e := start(t)
	op := e.client(t, "op-id", opSecret)

	created := createFlow(t, op, "main")
	if created.ContactFlowId == "" || created.ContactFlowName != "main" || created.ContactFlowDescription != "first" ||
		created.Type != "MAIN_FLOW" || created.AppliedVersion != "" || created.InstanceId != instanceID {
		t.Fatalf("created flow = %+v", created)
	}
	v1 := locked(created)
	if v1 == nil || v1.LockedBy != "operator" || v1.Content != contentA || v1.Canvas != canvasA || v1.Status != classic.StatusCreated {
		t.Fatalf("version 1 = %+v", v1)
	}
	flowID := created.ContactFlowId

	// Begin by the holder answers the open version.
	begin := sdkcc.CreateBeginContactFlowVersionModificationRequest()
	begin.InstanceId, begin.ContactFlowId = instanceID, flowID
	bresp, err := op.BeginContactFlowVersionModification(begin)
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	if lv := locked(bresp.ContactFlow); lv == nil || lv.ContactFlowVersionId != v1.ContactFlowVersionId {
		t.Fatalf("Begin answered %+v, want the open version %s", bresp.ContactFlow.Versions, v1.ContactFlowVersionId)
	}

	// Commit answers the seed's ContactFlowVersion.
	commit := sdkcc.CreateCommitContactFlowVersionModificationRequest()
	commit.InstanceId, commit.ContactFlowVersionId, commit.Canvas, commit.Content = instanceID, v1.ContactFlowVersionId, canvasA, contentB
	cresp, err := op.CommitContactFlowVersionModification(commit)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	cv := cresp.ContactFlowVersion
	if cv.Status != "Updated" || cv.LockedBy != "operator" || cv.LastModifiedBy != "operator" || cv.LastModified == "" ||
		cv.Version == "" || cv.ContactFlowVersionDescription == "" || cv.Canvas != canvasA || cv.Content != contentB ||
		cv.ContactFlowVersionId != v1.ContactFlowVersionId {
		t.Errorf("committed version = %+v", cv)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(cresp.GetHttpContentBytes(), &raw); err != nil {
		t.Fatal(err)
	}
	var rawVersion map[string]any
	_ = json.Unmarshal(raw["ContactFlowVersion"], &rawVersion)
	gotKeys := func(m map[string]any) []string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return ks
	}
	wantKeys := []string{"Canvas", "ContactFlowVersionDescription", "ContactFlowVersionId", "Content", "LastModified", "LastModifiedBy", "LockedBy", "Status", "Version"}
	if diff := cmp.Diff(wantKeys, gotKeys(rawVersion)); diff != "" {
		t.Errorf("ContactFlowVersion fields (-seed +got):\n%s", diff)
	}
	for _, k := range []string{"Code", "HttpStatusCode", "Message", "RequestId", "Success", "ContactFlowVersion"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("envelope lacks %s: %s", k, cresp.GetHttpContentString())
		}
	}

	publish := sdkcc.CreatePublishContactFlowVersionRequest()
	publish.InstanceId, publish.ContactFlowVersionId = instanceID, v1.ContactFlowVersionId
	if _, err := op.PublishContactFlowVersion(publish); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	got := getFlow(t, op, flowID)
	if got.AppliedVersion != v1.ContactFlowVersionId || locked(got) != nil {
		t.Fatalf("after publish = %+v", got)
	}

	// Second version through Modify, published, then rolled back.
	bresp, err = op.BeginContactFlowVersionModification(begin)
	if err != nil {
		t.Fatal(err)
	}
	v2 := locked(bresp.ContactFlow)
	if v2 == nil || v2.ContactFlowVersionId == v1.ContactFlowVersionId || v2.Content != contentB {
		t.Fatalf("second version = %+v", v2)
	}
	modify := sdkcc.CreateModifyContactFlowVersionRequest()
	modify.InstanceId, modify.ContactFlowVersionId, modify.Content = instanceID, v2.ContactFlowVersionId, contentA
	mresp, err := op.ModifyContactFlowVersion(modify)
	if err != nil {
		t.Fatalf("Modify: %v", err)
	}
	if lv := locked(mresp.ContactFlow); lv == nil || lv.Content != contentA || lv.Status != "Updated" {
		t.Errorf("modified = %+v", mresp.ContactFlow.Versions)
	}
	getv := sdkcc.CreateGetContactFlowVersionRequest()
	getv.InstanceId, getv.ContactFlowVersionId = instanceID, v2.ContactFlowVersionId
	gvresp, err := op.GetContactFlowVersion(getv)
	if err != nil {
		t.Fatalf("GetContactFlowVersion: %v", err)
	}
	if vs := gvresp.ContactFlow.Versions.ContactFlowVersion; len(vs) != 1 || vs[0].ContactFlowVersionId != v2.ContactFlowVersionId || gvresp.ContactFlow.ContactFlowId != flowID {
		t.Errorf("GetContactFlowVersion = %+v", gvresp.ContactFlow)
	}
	publish.ContactFlowVersionId = v2.ContactFlowVersionId
	if _, err := op.PublishContactFlowVersion(publish); err != nil {
		t.Fatal(err)
	}
	fallback := sdkcc.CreateFallbackContactFlowVersionRequest()
	fallback.InstanceId, fallback.ContactFlowVersionId = instanceID, v1.ContactFlowVersionId
	if _, err := op.FallbackContactFlowVersion(fallback); err != nil {
		t.Fatalf("Fallback: %v", err)
	}
	if got := getFlow(t, op, flowID); got.AppliedVersion != v1.ContactFlowVersionId || len(got.Versions.ContactFlowVersion) != 2 {
		t.Errorf("after fallback = %+v", got)
	}

	// Cancel of a third version, by bob: revocation needs only the version ID.
	bresp, _ = op.BeginContactFlowVersionModification(begin)
	v3 := locked(bresp.ContactFlow)
	bob := e.client(t, "bob-id", bobSecret)
	cancel := sdkcc.CreateCancelContactFlowVersionModificationRequest()
	cancel.InstanceId, cancel.ContactFlowVersionId = instanceID, v3.ContactFlowVersionId
	if _, err := bob.CancelContactFlowVersionModification(cancel); err != nil {
		t.Fatalf("Cancel by bob: %v", err)
	}
	if _, err := bob.CancelContactFlowVersionModification(cancel); serverError(t, err).ErrorCode() != classic.CodeVersionNotExists {
		t.Errorf("second Cancel = %v", err)
	}

	// Phone numbers.
	n, _, err := e.svc.AddPhoneNumber(instanceID, "057100002222")
	if err != nil {
		t.Fatal(err)
	}
	assign := sdkcc.CreateAssignContactFlowToPhoneNumberRequest()
	assign.InstanceId, assign.ContactFlowId, assign.PhoneNumberId = instanceID, flowID, n.PhoneNumberID
	if _, err := op.AssignContactFlowToPhoneNumber(assign); err != nil {
		t.Fatalf("Assign: %v", err)
	}
	if got := getFlow(t, op, flowID); len(got.PhoneNumbers.PhoneNumber) != 1 || got.PhoneNumbers.PhoneNumber[0].Number != "057100002222" || got.PhoneNumbers.PhoneNumber[0].CreateTime == 0 {
		t.Errorf("numbers of the flow = %+v", got.PhoneNumbers)
	}
	lpn := sdkcc.CreateListPhoneNumbersRequest()
	lpn.InstanceId = instanceID
	lpresp, err := op.ListPhoneNumbers(lpn)
	if err != nil {
		t.Fatalf("ListPhoneNumbers: %v", err)
	}
	if pn := lpresp.PhoneNumbers.PhoneNumber; len(pn) != 1 || pn[0].PhoneNumberId != n.PhoneNumberID || pn[0].ContactFlowId != flowID || pn[0].ContactFlow.ContactFlowName != "main" {
		t.Errorf("ListPhoneNumbers = %+v", lpresp.PhoneNumbers)
	}
	remove := sdkcc.CreateRemoveContactFlowFromPhoneNumberRequest()
	remove.InstanceId, remove.ContactFlowId, remove.PhoneNumberId = instanceID, flowID, n.PhoneNumberID
	if _, err := op.RemoveContactFlowFromPhoneNumber(remove); err != nil {
		t.Fatalf("Remove: %v", err)
	}

	list := sdkcc.CreateListContactFlowsRequest()
	list.InstanceId = instanceID
	lresp, err := op.ListContactFlows(list)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if fs := lresp.ContactFlows.ContactFlow; len(fs) != 1 || fs[0].ContactFlowId != flowID || fs[0].AppliedVersion != v1.ContactFlowVersionId {
		t.Errorf("List = %+v", lresp.ContactFlows)
	}

	del := sdkcc.CreateDeleteContactFlowRequest()
	del.InstanceId, del.ContactFlowId = instanceID, flowID
	if _, err := op.DeleteContactFlow(del); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := op.DeleteContactFlow(del); serverError(t, err).ErrorCode() != classic.CodeFlowNotExists {
		t.Errorf("second Delete = %v", err)
	}

	s := e.stats.Snapshot()
	for action, want := range map[string]int64{"CreateContactFlow": 1, "BeginContactFlowVersionModification": 3, "PublishContactFlowVersion": 2, "DeleteContactFlow": 2} {
		if got := s.Count(classic.Platform, action); got != want {
			t.Errorf("stats %s = %d, want %d", action, got, want)
		}
	}
	if got := s.ErrorCount(classic.Platform, "DeleteContactFlow"); got != 1 {
		t.Errorf("DeleteContactFlow errors = %d, want 1", got)
	}
	if got := s.PlatformTotal(ccc.Platform); got != 0 {
		t.Errorf("classic calls were counted for CCC 2020-07-01: %d", got)
	}
}

func TestLockedThroughSDK(t *testing.T) {
	e := start(t)
	op := e.client(t, "op-id", opSecret)
	bob := e.client(t, "bob-id", bobSecret)
	f := createFlow(t, op, "main")
	v1 := locked(f)

	begin := sdkcc.CreateBeginContactFlowVersionModificationRequest()
	begin.InstanceId, begin.ContactFlowId = instanceID, f.ContactFlowId
	_, err := bob.BeginContactFlowVersionModification(begin)
	se := serverError(t, err)
	if se.HttpStatus() != http.StatusForbidden || se.ErrorCode() != classic.CodeVersionLocked ||
		!strings.HasSuffix(se.Message(), "is locked by operator.") || se.RequestId() == "" {
		t.Errorf("Begin by bob = %d %s %q", se.HttpStatus(), se.ErrorCode(), se.Message())
	}
	commit := sdkcc.CreateCommitContactFlowVersionModificationRequest()
	commit.InstanceId, commit.ContactFlowVersionId, commit.Canvas, commit.Content = instanceID, v1.ContactFlowVersionId, canvasA, contentB
	if _, err := bob.CommitContactFlowVersionModification(commit); serverError(t, err).ErrorCode() != classic.CodeVersionLocked {
		t.Errorf("Commit by bob = %v", err)
	}
	commit.Content = `{"nodes":"x"}`
	if _, err := op.CommitContactFlowVersionModification(commit); serverError(t, err).ErrorCode() != classic.CodeInvalidContent {
		t.Errorf("Commit of invalid content = %v", err)
	}
	// A fresh request: the SDK keeps the parameters of a request object that was sent before.
	commit = sdkcc.CreateCommitContactFlowVersionModificationRequest()
	commit.InstanceId, commit.ContactFlowVersionId, commit.Content = instanceID, v1.ContactFlowVersionId, contentB
	if _, err := op.CommitContactFlowVersionModification(commit); serverError(t, err).ErrorCode() != "MissingCanvas" {
		t.Errorf("Commit without Canvas = %v", err)
	}
	get := sdkcc.CreateGetContactFlowRequest()
	get.InstanceId = "nope"
	get.QueryParams["ContactFlowId"] = f.ContactFlowId
	if _, err := op.GetContactFlow(get); serverError(t, err).ErrorCode() != classic.CodeInstanceNotExists {
		t.Errorf("Get in unknown instance = %v", err)
	}
	get = sdkcc.CreateGetContactFlowRequest()
	get.InstanceId = instanceID
	if _, err := op.GetContactFlow(get); serverError(t, err).ErrorCode() != "MissingContactFlowId" {
		t.Errorf("Get without ContactFlowId = %v", err)
	}
}

// TestSignature checks the 2017-07-05 version's requests against the signature checks: the
// right key signs, a wrong secret or an unknown key is refused, and the refusal never carries
// the secret.
func TestSignature(t *testing.T) {
	e := start(t)
	list := func(c *sdkcc.Client) error {
		req := sdkcc.CreateListContactFlowsRequest()
		req.InstanceId = instanceID
		_, err := c.ListContactFlows(req)
		return err
	}
	if err := list(e.client(t, "op-id", opSecret)); err != nil {
		t.Fatalf("right key refused: %v", err)
	}
	const wrong = "wrong-secret-Qm55"
	err := list(e.client(t, "op-id", wrong))
	se := serverError(t, err)
	if se.ErrorCode() != "SignatureDoesNotMatch" || se.HttpStatus() != http.StatusBadRequest {
		t.Errorf("wrong secret = %d %s", se.HttpStatus(), se.ErrorCode())
	}
	for _, secret := range []string{wrong, opSecret} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("refusal leaks a secret: %v", err)
		}
	}
	if se := serverError(t, list(e.client(t, "nobody", "x"))); se.ErrorCode() != "InvalidAccessKeyId.NotFound" {
		t.Errorf("unknown key = %s", se.ErrorCode())
	}
	s := e.stats.Snapshot()
	if s.Count(classic.Platform, "ListContactFlows") != 3 || s.ErrorCount(classic.Platform, "ListContactFlows") != 2 {
		t.Errorf("stats = %+v", s)
	}
}

// TestVersionRouting checks that the two CCC versions share the endpoint without shadowing
// each other: the same action name reaches the platform of its Version.
func TestVersionRouting(t *testing.T) {
	e := start(t)
	createFlow(t, e.client(t, "op-id", opSecret), "classic-flow")

	c2020, err := sdkccc.NewClientWithAccessKey("cn-shanghai", "op-id", opSecret)
	if err != nil {
		t.Fatal(err)
	}
	c2020.Domain = strings.TrimPrefix(e.srv.URL, "http://")
	req := sdkccc.CreateCreateContactFlowRequest()
	req.InstanceId, req.Name, req.Type = instanceID, "new-flow", "MAIN_FLOW"
	req.Definition = `{"activities":[{"type":"INCOMING_CALL","id":"a","events":[{"event":"complete","next":null}]}]}`
	if _, err := c2020.CreateContactFlow(req); err != nil {
		t.Fatalf("CCC 2020-07-01 CreateContactFlow: %v", err)
	}
	s := e.stats.Snapshot()
	if s.Count(classic.Platform, "CreateContactFlow") != 1 || s.Count(ccc.Platform, "CreateContactFlow") != 1 {
		t.Errorf("stats = %+v", s.Calls)
	}
	flows, _ := e.svc.Flows(instanceID)
	if len(flows) != 1 || flows[0].Name != "classic-flow" {
		t.Errorf("classic flows = %+v", flows)
	}
	// A 2020-07-01 action under the 2017-07-05 version does not exist.
	cr := requests.NewCommonRequest()
	cr.Product, cr.Version, cr.ApiName = classic.Product, classic.Version, "StartEditContactFlow"
	cr.QueryParams["InstanceId"] = instanceID
	cr.QueryParams["ContactFlowId"] = flows[0].ContactFlowID
	if _, err := e.client(t, "op-id", opSecret).ProcessCommonRequest(cr); serverError(t, err).ErrorCode() != "InvalidAction.NotFound" {
		t.Errorf("2020 action under 2017 version = %v", err)
	}
}

func adminDo(t *testing.T, e *env, method, path string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, rd)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

func TestAdminAPI(t *testing.T) {
	e := start(t)
	base := classic.AdminPrefix + "/instances/" + instanceID
	var f classic.Flow
	if st := adminDo(t, e, http.MethodPost, base+"/flows", classic.CreateFlowRequest{NewFlow: classic.NewFlow{Name: "oob", Type: "MAIN_FLOW", Content: contentA, Published: true}}, &f); st != http.StatusCreated {
		t.Fatalf("create = %d", st)
	}
	if f.Applied() == nil || f.Locked() != nil || f.Versions[0].LastModifiedBy != classic.DefaultConsoleUser {
		t.Fatalf("admin-created published flow = %+v", f)
	}
	flow := base + "/flows/" + f.ContactFlowID
	var begun classic.BeginModificationResponse
	if st := adminDo(t, e, http.MethodPost, flow+"/modification", classic.BeginModificationRequest{User: "alice"}, &begun); st != http.StatusOK || begun.ContactFlowVersionID == "" {
		t.Fatalf("begin = %d %+v", st, begun)
	}
	var ae core.AdminError
	if st := adminDo(t, e, http.MethodPost, flow+"/modification", classic.BeginModificationRequest{User: "bob"}, &ae); st != http.StatusForbidden || ae.Code != classic.CodeVersionLocked {
		t.Errorf("begin by bob = %d %+v", st, ae)
	}
	if st := adminDo(t, e, http.MethodPut, flow+"/modification", classic.EditModificationRequest{User: "alice", Content: contentB}, &f); st != http.StatusOK || f.Locked().Content != contentB {
		t.Errorf("edit = %d %+v", st, f.Locked())
	}
	if st := adminDo(t, e, http.MethodPut, flow+"/published", classic.PublishedRequest{Content: contentB}, &f); st != http.StatusOK || f.Applied().Content != contentB {
		t.Errorf("set published = %d %+v", st, f)
	}
	if st := adminDo(t, e, http.MethodDelete, flow+"/modification", classic.CloseModificationRequest{User: "alice"}, nil); st != http.StatusNoContent {
		t.Errorf("close = %d", st)
	}
	var n classic.PhoneNumber
	if st := adminDo(t, e, http.MethodPost, base+"/numbers", classic.AddPhoneNumberRequest{Number: "0571"}, &n); st != http.StatusCreated || n.PhoneNumberID == "" {
		t.Errorf("add number = %d %+v", st, n)
	}
	var ns classic.PhoneNumbersResponse
	if st := adminDo(t, e, http.MethodGet, base+"/numbers", nil, &ns); st != http.StatusOK || len(ns.PhoneNumbers) != 1 {
		t.Errorf("numbers = %d %+v", st, ns)
	}
	var fs classic.FlowsResponse
	if st := adminDo(t, e, http.MethodGet, base+"/flows", nil, &fs); st != http.StatusOK || len(fs.Flows) != 1 || len(fs.Flows[0].Versions) != 2 {
		t.Errorf("flows = %d %+v", st, fs)
	}
	if st := adminDo(t, e, http.MethodPost, base+"/flows", map[string]any{"nmae": "typo"}, &ae); st != http.StatusBadRequest {
		t.Errorf("unknown field = %d", st)
	}
	if st := adminDo(t, e, http.MethodDelete, flow, nil, nil); st != http.StatusNoContent {
		t.Errorf("delete = %d", st)
	}
	if st := adminDo(t, e, http.MethodGet, flow, nil, &ae); st != http.StatusNotFound || ae.Code != classic.CodeFlowNotExists {
		t.Errorf("get deleted = %d %+v", st, ae)
	}
	var is classic.InstancesResponse
	if st := adminDo(t, e, http.MethodPost, classic.AdminPrefix+"/instances", classic.AddInstanceRequest{InstanceID: "second"}, nil); st != http.StatusCreated {
		t.Errorf("add instance = %d", st)
	}
	if adminDo(t, e, http.MethodGet, classic.AdminPrefix+"/instances", nil, &is); !cmp.Equal(is.Instances, []string{instanceID, "second"}) {
		t.Errorf("instances = %v", is.Instances)
	}
	if e.stats.Snapshot().Total != 0 {
		t.Errorf("admin calls were counted: %+v", e.stats.Snapshot())
	}
}
