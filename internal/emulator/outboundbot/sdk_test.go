package outboundbot_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/responses"
	sdkob "github.com/aliyun/alibaba-cloud-sdk-go/services/outboundbot"
	"github.com/google/go-cmp/cmp"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/outboundbot"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/pop"
)

const (
	opSecret    = "op-secret-value-7Hq"
	presetID    = "ob-preset"
	presetLimit = 10
)

// recorder keeps the body of every answer, so tests can check the wire format exactly.
type recorder struct {
	mu     sync.Mutex
	bodies map[string][]byte // by Action
	base   http.RoundTripper
}

// RoundTrip forwards r and keeps the answer's body under the request's Action.
func (rec *recorder) RoundTrip(r *http.Request) (*http.Response, error) {
	action := r.URL.Query().Get("Action")
	resp, err := rec.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	rec.mu.Lock()
	rec.bodies[action] = body
	rec.mu.Unlock()
	return resp, nil
}

func (rec *recorder) body(action string) []byte {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.bodies[action]
}

type env struct {
	svc   *outboundbot.Service
	stats *core.Stats
	srv   *httptest.Server
	rec   *recorder
}

func newEnv(t *testing.T) *env {
	t.Helper()
	keys, err := core.NewKeyStore([]core.AccessKey{{ID: "op-id", Secret: opSecret, User: "alice"}})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := outboundbot.New(outboundbot.Options{Instances: []string{presetID}, ConcurrencyLimit: presetLimit})
	if err != nil {
		t.Fatal(err)
	}
	stats := core.NewStats()
	rpc := pop.NewServer(pop.Options{Keys: keys, Stats: stats})
	svc.Register(rpc)
	srv := httptest.NewServer(rpc)
	t.Cleanup(srv.Close)
	return &env{svc: svc, stats: stats, srv: srv, rec: &recorder{bodies: map[string][]byte{}, base: http.DefaultTransport}}
}

// client is the official SDK client, configured as the adapter configures it.
func (e *env) client(t *testing.T, secret string) *sdkob.Client {
	t.Helper()
	conf := sdk.NewConfig()
	conf.AutoRetry = false
	conf.Scheme = "HTTP"
	conf.Transport = e.rec
	c, err := sdkob.NewClientWithOptions("cn-shanghai", conf, credentials.NewStaticAKCredentialsProvider("op-id", secret))
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

// wantError checks that err is the platform error code with HTTP status.
func wantError(t *testing.T, what string, err error, status int, code string) {
	t.Helper()
	se := serverError(t, err)
	if se.HttpStatus() != status || se.ErrorCode() != code || se.RequestId() == "" || se.Message() == "" {
		t.Errorf("%s = %d %s %q, want %d %s", what, se.HttpStatus(), se.ErrorCode(), se.Message(), status, code)
	}
}

// jsonFields lists the JSON names of a struct type's fields, skipping the SDK's embedded
// *responses.BaseResponse.
func jsonFields(typ reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Anonymous {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		out[name] = f.Type
	}
	return out
}

// checkExact fails unless the JSON value carries exactly the fields of typ (recursively for
// objects and arrays of objects), so that the emulator's answers match the SDK structs both
// ways: nothing missing, nothing extra.
func checkExact(t *testing.T, path string, raw json.RawMessage, typ reflect.Type) {
	t.Helper()
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	switch typ.Kind() {
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			t.Errorf("%s: not an object: %s", path, raw)
			return
		}
		fields := jsonFields(typ)
		var got, want []string
		for k := range obj {
			got = append(got, k)
		}
		for k := range fields {
			want = append(want, k)
		}
		sort.Strings(got)
		sort.Strings(want)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: fields (-sdk +emulator):\n%s", path, diff)
		}
		for k, ft := range fields {
			if v, ok := obj[k]; ok {
				checkExact(t, path+"."+k, v, ft)
			}
		}
	case reflect.Slice:
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			t.Errorf("%s: not an array: %s", path, raw)
			return
		}
		for i, it := range items {
			checkExact(t, path+"["+strconv.Itoa(i)+"]", it, typ.Elem())
		}
	}
}

// strictDecode decodes the recorded answer of action into a fresh SDK response of the same
// type as resp, refusing unknown fields and mismatched types.
func (e *env) strictDecode(t *testing.T, action string, resp responses.AcsResponse) {
	t.Helper()
	body := e.rec.body(action)
	if body == nil {
		t.Fatalf("no answer recorded for %s", action)
	}
	typ := reflect.TypeOf(resp).Elem()
	checkExact(t, action, body, typ)
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(reflect.New(typ).Interface()); err != nil {
		t.Errorf("%s: strict decode into %s: %v", action, typ, err)
	}
}

func TestLifecycleThroughSDK(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, opSecret)

	// Instances.
	cr := sdkob.CreateCreateInstanceRequest()
	cr.InstanceName, cr.InstanceDescription = "bot", "first"
	cr.MaxConcurrentConversation = requests.NewInteger(4)
	cr.CallingNumber = &[]string{"4001", "4002"}
	cr.CallCenterInstanceId, cr.NluServiceType = "ccc-1", "Managed"
	created, err := c.CreateInstance(cr)
	if err != nil {
		t.Fatalf("CreateInstance: %v", err)
	}
	e.strictDecode(t, "CreateInstance", created)
	inst := created.Instance
	if !created.Success || created.Code != "OK" || created.HttpStatusCode != 200 || created.RequestId == "" ||
		inst.InstanceId == "" || inst.InstanceName != "bot" || inst.InstanceDescription != "first" ||
		inst.MaxConcurrentConversation != 4 || inst.CallCenterInstanceId != "ccc-1" ||
		inst.CreatorName != "alice" || inst.OwnerName != "alice" || inst.CreationTime == 0 || inst.CreatorId == 0 {
		t.Errorf("CreateInstance = %+v", created)
	}
	if got, _ := e.svc.Instance(inst.InstanceId); !cmp.Equal(got.CallingNumbers, []string{"4001", "4002"}) {
		t.Errorf("calling numbers = %v", got.CallingNumbers)
	}

	mr := sdkob.CreateModifyInstanceRequest()
	mr.InstanceId, mr.InstanceName = inst.InstanceId, "bot-2"
	mr.MaxConcurrentConversation = requests.NewInteger(5)
	mr.CallingNumber = &[]string{"4003"}
	modified, err := c.ModifyInstance(mr)
	if err != nil {
		t.Fatalf("ModifyInstance: %v", err)
	}
	e.strictDecode(t, "ModifyInstance", modified)
	if m := modified.Instance; m.InstanceName != "bot-2" || m.MaxConcurrentConversation != 5 || m.InstanceDescription != "first" {
		t.Errorf("ModifyInstance = %+v", m)
	}

	dr := sdkob.CreateDescribeInstanceRequest()
	dr.InstanceId = inst.InstanceId
	described, err := c.DescribeInstance(dr)
	if err != nil || described.Instance.InstanceName != "bot-2" {
		t.Fatalf("DescribeInstance = %+v, %v", described, err)
	}
	e.strictDecode(t, "DescribeInstance", described)

	listed, err := c.ListInstances(sdkob.CreateListInstancesRequest())
	if err != nil || len(listed.Instances) != 2 || listed.Instances[0].InstanceId != presetID || listed.Instances[1].InstanceName != "bot-2" {
		t.Fatalf("ListInstances = %+v, %v", listed, err)
	}
	e.strictDecode(t, "ListInstances", listed)

	// Scripts.
	sr := sdkob.CreateCreateScriptRequest()
	sr.InstanceId, sr.ScriptName, sr.Industry, sr.Scene = inst.InstanceId, "sales", "finance", "telesales"
	sr.ScriptDescription, sr.ChatbotId = "sales script", "chatbot-1"
	sr.ScriptContent = &[]string{`{"nodes":[]}`, "second part"}
	sr.TtsConfig, sr.AsrConfig = `{"voice":"xiaobei"}`, `{"AppKey":"k"}`
	sr.EmotionEnable, sr.LongWaitEnable = requests.NewBoolean(true), requests.NewBoolean(false)
	cs, err := c.CreateScript(sr)
	if err != nil {
		t.Fatalf("CreateScript: %v", err)
	}
	e.strictDecode(t, "CreateScript", cs)
	script := cs.Script
	if script.ScriptId == "" || script.ScriptName != "sales" || script.Name != "sales" || script.Industry != "finance" ||
		script.Status != outboundbot.StatusDrafted || !script.IsDrafted || script.DebugStatus != outboundbot.DebugStatusDrafted ||
		!script.EmotionEnable || script.LongWaitEnable || script.TtsConfig != `{"voice":"xiaobei"}` || cs.ChatbotId != "chatbot-1" {
		t.Errorf("CreateScript = %+v", cs)
	}
	if got, _ := e.svc.Script(inst.InstanceId, script.ScriptId); !cmp.Equal(got.ScriptContent, []string{`{"nodes":[]}`, "second part"}) {
		t.Errorf("script content = %q", got.ScriptContent)
	}

	msr := sdkob.CreateModifyScriptRequest()
	msr.InstanceId, msr.ScriptId, msr.Scene, msr.NlsConfig = inst.InstanceId, script.ScriptId, "renewal", "nls"
	msr.EmotionEnable = requests.NewBoolean(false)
	ms, err := c.ModifyScript(msr)
	if err != nil || ms.Script.Scene != "renewal" || ms.Script.EmotionEnable || ms.Script.Industry != "finance" {
		t.Fatalf("ModifyScript = %+v, %v", ms, err)
	}
	e.strictDecode(t, "ModifyScript", ms)

	dsr := sdkob.CreateDescribeScriptRequest()
	dsr.InstanceId, dsr.ScriptId = inst.InstanceId, script.ScriptId
	ds, err := c.DescribeScript(dsr)
	if err != nil || ds.Script.Scene != "renewal" || ds.NlsConfig != "nls" || ds.AsrConfig != `{"AppKey":"k"}` || ds.ChatbotId != "chatbot-1" {
		t.Fatalf("DescribeScript = %+v, %v", ds, err)
	}
	e.strictDecode(t, "DescribeScript", ds)

	lsr := sdkob.CreateListScriptsRequest()
	lsr.InstanceId, lsr.PageNumber, lsr.PageSize = inst.InstanceId, requests.NewInteger(1), requests.NewInteger(10)
	ls, err := c.ListScripts(lsr)
	if err != nil || ls.Scripts.TotalCount != 1 || ls.Scripts.PageSize != 10 || len(ls.Scripts.List) != 1 || ls.Scripts.List[0].ScriptId != script.ScriptId {
		t.Fatalf("ListScripts = %+v, %v", ls, err)
	}
	e.strictDecode(t, "ListScripts", ls)

	sub := sdkob.CreateSubmitScriptReviewRequest()
	sub.InstanceId, sub.ScriptId, sub.Description = inst.InstanceId, script.ScriptId, "please review"
	subResp, err := c.SubmitScriptReview(sub)
	if err != nil {
		t.Fatalf("SubmitScriptReview: %v", err)
	}
	e.strictDecode(t, "SubmitScriptReview", subResp)

	wr := sdkob.CreateWithdrawScriptReviewRequest()
	wr.InstanceId, wr.ScriptId = inst.InstanceId, script.ScriptId
	wd, err := c.WithdrawScriptReview(wr)
	if err != nil || wd.Script.Status != outboundbot.StatusDrafted || !wd.Script.IsDrafted || wd.Script.DebugStatus != outboundbot.DebugStatusDrafted {
		t.Fatalf("WithdrawScriptReview = %+v, %v", wd, err)
	}
	e.strictDecode(t, "WithdrawScriptReview", wd)

	if _, err := c.SubmitScriptReview(sub); err != nil {
		t.Fatal(err)
	}
	pr := sdkob.CreatePublishScriptRequest()
	pr.InstanceId, pr.ScriptId, pr.Description = inst.InstanceId, script.ScriptId, "first release"
	_, err = c.PublishScript(pr)
	wantError(t, "publish in review", err, 400, outboundbot.CodeScriptInReview)
	if _, err := e.svc.ApproveReview(inst.InstanceId, script.ScriptId); err != nil {
		t.Fatal(err)
	}
	pub, err := c.PublishScript(pr)
	if err != nil {
		t.Fatalf("PublishScript: %v", err)
	}
	e.strictDecode(t, "PublishScript", pub)
	if ds, _ := c.DescribeScript(dsr); ds.Script.Status != outboundbot.StatusPublished || ds.Script.AppliedVersion != "1" || ds.Script.IsDrafted {
		t.Errorf("after publish = %+v", ds.Script)
	}

	hr := sdkob.CreateListScriptPublishHistoriesRequest()
	hr.InstanceId, hr.ScriptId = inst.InstanceId, script.ScriptId
	hr.PageNumber, hr.PageSize = requests.NewInteger(1), requests.NewInteger(5)
	hist, err := c.ListScriptPublishHistories(hr)
	if err != nil || hist.ScriptPublishHistories.TotalCount != 1 || len(hist.ScriptPublishHistories.List) != 1 {
		t.Fatalf("ListScriptPublishHistories = %+v, %v", hist, err)
	}
	if h := hist.ScriptPublishHistories.List[0]; h.ScriptVersion != "1" || h.Description != "first release" ||
		h.ScriptId != script.ScriptId || h.InstanceId != inst.InstanceId || h.PublishTime == 0 {
		t.Errorf("history entry = %+v", h)
	}
	e.strictDecode(t, "ListScriptPublishHistories", hist)

	rr := sdkob.CreateRollbackScriptRequest()
	rr.InstanceId, rr.ScriptId, rr.RollbackVersion = inst.InstanceId, script.ScriptId, "1"
	rb, err := c.RollbackScript(rr)
	if err != nil {
		t.Fatalf("RollbackScript: %v", err)
	}
	e.strictDecode(t, "RollbackScript", rb)
	rr.RollbackVersion = "7"
	_, err = c.RollbackScript(rr)
	wantError(t, "rollback to an unknown version", err, 400, outboundbot.CodeInvalidRollbackVersion)

	del := sdkob.CreateDeleteScriptRequest()
	del.InstanceId, del.ScriptId = inst.InstanceId, script.ScriptId
	delResp, err := c.DeleteScript(del)
	if err != nil {
		t.Fatalf("DeleteScript: %v", err)
	}
	e.strictDecode(t, "DeleteScript", delResp)
	_, err = c.DeleteScript(del)
	wantError(t, "second DeleteScript", err, 404, outboundbot.CodeScriptNotExist)

	di := sdkob.CreateDeleteInstanceRequest()
	di.InstanceId = inst.InstanceId
	diResp, err := c.DeleteInstance(di)
	if err != nil {
		t.Fatalf("DeleteInstance: %v", err)
	}
	e.strictDecode(t, "DeleteInstance", diResp)
	_, err = c.DescribeInstance(dr)
	wantError(t, "DescribeInstance after delete", err, 404, outboundbot.CodeInstanceNotExist)

	st := e.stats.Snapshot()
	if st.Count(outboundbot.Platform, "CreateInstance") != 1 || st.Count(outboundbot.Platform, "DescribeScript") != 2 ||
		st.ErrorCount(outboundbot.Platform, "DeleteScript") != 1 || st.ErrorCount(outboundbot.Platform, "PublishScript") != 1 {
		t.Errorf("stats = %+v", st)
	}
}

func TestErrorsThroughSDK(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, opSecret)
	create := func(name string, conc int) error {
		r := sdkob.CreateCreateInstanceRequest()
		r.InstanceName, r.MaxConcurrentConversation = name, requests.NewInteger(conc)
		_, err := c.CreateInstance(r)
		return err
	}
	if err := create("a", 5); err != nil {
		t.Fatal(err)
	}
	sr := sdkob.CreateCreateScriptRequest()
	sr.InstanceId, sr.ScriptName, sr.Industry, sr.Scene = presetID, "s", "i", "c"
	if _, err := c.CreateScript(sr); err != nil {
		t.Fatal(err)
	}

	tests := map[string]struct {
		call       func() error
		wantStatus int
		wantCode   string
	}{
		"duplicate instance name": {func() error { return create("a", 1) }, 400, outboundbot.CodeInstanceNameDuplicated},
		"over the concurrency limit": {func() error {
			// The preset instance holds 1 and "a" 5 of the limit of 10.
			return create("b", presetLimit-5)
		}, 400, outboundbot.CodeConcurrencyExceeded},
		"modify an unknown instance": {func() error {
			r := sdkob.CreateModifyInstanceRequest()
			r.InstanceId, r.MaxConcurrentConversation = "nope", requests.NewInteger(1)
			_, err := c.ModifyInstance(r)
			return err
		}, 404, outboundbot.CodeInstanceNotExist},
		"modify without concurrency": {func() error {
			r := sdkob.CreateModifyInstanceRequest()
			r.InstanceId = presetID
			_, err := c.ModifyInstance(r)
			return err
		}, 400, "MissingMaxConcurrentConversation"},
		"create without a name": {func() error {
			r := sdkob.CreateCreateInstanceRequest()
			r.MaxConcurrentConversation = requests.NewInteger(1)
			_, err := c.CreateInstance(r)
			return err
		}, 400, "MissingInstanceName"},
		"duplicate script name": {func() error { _, err := c.CreateScript(sr); return err }, 400, outboundbot.CodeScriptNameDuplicated},
		"script in an unknown instance": {func() error {
			r := sdkob.CreateWithdrawScriptReviewRequest()
			r.InstanceId, r.ScriptId = "nope", "x"
			_, err := c.WithdrawScriptReview(r)
			return err
		}, 404, outboundbot.CodeInstanceNotExist},
		"unknown script": {func() error {
			r := sdkob.CreateWithdrawScriptReviewRequest()
			r.InstanceId, r.ScriptId = presetID, "nope"
			_, err := c.WithdrawScriptReview(r)
			return err
		}, 404, outboundbot.CodeScriptNotExist},
		"page size out of range": {func() error {
			r := sdkob.CreateListScriptsRequest()
			r.InstanceId, r.PageNumber, r.PageSize = presetID, requests.NewInteger(1), requests.NewInteger(101)
			_, err := c.ListScripts(r)
			return err
		}, 400, "InvalidParameter.PageSize"},
		"missing page number": {func() error {
			r := sdkob.CreateListScriptPublishHistoriesRequest()
			r.InstanceId, r.ScriptId, r.PageSize = presetID, "x", requests.NewInteger(1)
			_, err := c.ListScriptPublishHistories(r)
			return err
		}, 400, "MissingPageNumber"},
		"bad boolean": {func() error {
			r := sdkob.CreateModifyScriptRequest()
			r.InstanceId, r.ScriptId, r.EmotionEnable = presetID, "x", "maybe"
			_, err := c.ModifyScript(r)
			return err
		}, 400, "InvalidParameter.EmotionEnable"},
		"rollback without a version": {func() error {
			r := sdkob.CreateRollbackScriptRequest()
			r.InstanceId, r.ScriptId = presetID, "x"
			_, err := c.RollbackScript(r)
			return err
		}, 400, "MissingRollbackVersion"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			wantError(t, name, tc.call(), tc.wantStatus, tc.wantCode)
		})
	}
}

func TestInjectedFaultThroughSDK(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, opSecret)
	if err := e.svc.InjectFault(outboundbot.Fault{Action: "ListInstances", Count: 1}); err != nil {
		t.Fatal(err)
	}
	_, err := c.ListInstances(sdkob.CreateListInstancesRequest())
	wantError(t, "faulted ListInstances", err, 500, outboundbot.CodeInternalError)
	if _, err := c.ListInstances(sdkob.CreateListInstancesRequest()); err != nil {
		t.Errorf("ListInstances after the fault: %v", err)
	}
	if n := e.stats.Snapshot().ErrorCount(outboundbot.Platform, "ListInstances"); n != 1 {
		t.Errorf("faulted calls counted as errors: %d, want 1", n)
	}
}

func TestSignatureThroughSDK(t *testing.T) {
	e := newEnv(t)
	const wrong = "wrong-secret-value-Pz3"
	_, err := e.client(t, wrong).ListInstances(sdkob.CreateListInstancesRequest())
	se := serverError(t, err)
	if se.HttpStatus() != 400 || se.ErrorCode() != "SignatureDoesNotMatch" {
		t.Errorf("wrong secret = %d %s, want 400 SignatureDoesNotMatch", se.HttpStatus(), se.ErrorCode())
	}
	// The server rebuilt the SDK's own string to sign, so the SDK blames the secret.
	if !strings.Contains(se.Recommend(), "InvalidAccessKeySecret") {
		t.Errorf("SDK recommend = %q, want it to blame the secret", se.Recommend())
	}
	for _, secret := range []string{opSecret, wrong} {
		if strings.Contains(se.Error(), secret) {
			t.Errorf("error text leaks a secret: %s", se.Error())
		}
	}
	if n := e.stats.Snapshot().ErrorCount(outboundbot.Platform, "ListInstances"); n != 1 {
		t.Errorf("refused call counted %d times under %s, want 1", n, outboundbot.Platform)
	}
	if got := e.svc.Instances(); len(got) != 1 {
		t.Errorf("refused call changed state: %+v", got)
	}

	conf := sdk.NewConfig()
	conf.AutoRetry = false
	conf.Scheme = "HTTP"
	unknown, err := sdkob.NewClientWithOptions("cn-shanghai", conf, credentials.NewStaticAKCredentialsProvider("nobody", "x"))
	if err != nil {
		t.Fatal(err)
	}
	unknown.Domain = strings.TrimPrefix(e.srv.URL, "http://")
	_, err = unknown.ListInstances(sdkob.CreateListInstancesRequest())
	wantError(t, "unknown key", err, 404, "InvalidAccessKeyId.NotFound")
}
