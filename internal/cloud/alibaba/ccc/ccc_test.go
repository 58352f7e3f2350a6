package ccc_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/alibaba/ccc"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	emuccc "github.com/contactflow-operator/contactflow-operator/internal/emulator/ccc"
)

const (
	instanceID = "ccc-test"
	opSecret   = "operator-secret-Zq81"
	defA       = `{"activities":[{"type":"INCOMING_CALL","id":"a"}],"description":""}`
	defB       = `{"activities":[{"type":"PLAY_SAY","id":"b","properties":{"say":"您好"}}],"description":""}`
	defC       = `{"activities":[{"type":"HANGUP","id":"c"}],"description":""}`
)

type testEnv struct {
	emu   *emulator.Emulator
	srv   *httptest.Server
	admin *emulator.CCCAdminClient
}

func start(t *testing.T, latency time.Duration) *testEnv {
	t.Helper()
	emu, err := emulator.New(emulator.Config{
		AccessKeys: []emulator.AccessKey{{ID: "op-id", Secret: opSecret}},
		Instances:  []emulator.Instance{{Platform: emulator.PlatformCCC, ID: instanceID}},
		Latency:    latency,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(func() {
		srv.Close()
		emu.Close()
	})
	return &testEnv{emu: emu, srv: srv, admin: emulator.NewAdminClient(srv.URL, srv.Client()).CCC()}
}

func (e *testEnv) client(t *testing.T, secret string, opts ...ccc.Option) *ccc.Client {
	t.Helper()
	c, err := ccc.New(cloud.Config{
		Platform:    cloud.PlatformAlibabaCCC,
		Region:      "cn-shanghai",
		Endpoint:    e.srv.URL,
		Credentials: &cloud.Credentials{AccessKeyID: "op-id", AccessKeySecret: secret},
	}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustCloudError(t *testing.T, err error, class cloud.Class) *cloud.Error {
	t.Helper()
	ce := cloud.AsError(err)
	if ce == nil {
		t.Fatalf("err = %v, want a *cloud.Error", err)
	}
	if ce.Class != class {
		t.Fatalf("class = %s (%v), want %s", ce.Class, err, class)
	}
	if ce.Platform != cloud.PlatformAlibabaCCC || ce.Action == "" {
		t.Errorf("platform/action = %q/%q", ce.Platform, ce.Action)
	}
	return ce
}

func TestLifecycle(t *testing.T) {
	e := start(t, 0)
	c := e.client(t, opSecret)
	ctx := context.Background()
	if c.Platform() != cloud.PlatformAlibabaCCC {
		t.Errorf("Platform = %q", c.Platform())
	}

	id, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "main", Type: "MAIN_FLOW", Description: "v1", Definition: defA})
	if err != nil {
		t.Fatalf("CreateFlow: %v", err)
	}
	key := cloud.FlowKey{InstanceID: instanceID, FlowID: id}

	f, err := c.GetFlow(ctx, key)
	if err != nil {
		t.Fatalf("GetFlow: %v", err)
	}
	if f.Published || f.PublishedDefinition != "" || f.Draft == nil || f.Draft.Definition != defA || f.Draft.Editor != "operator" || f.Draft.UpdatedTime == "" {
		t.Fatalf("new flow = %+v draft %+v", f, f.Draft)
	}
	firstDraft := f.Draft.ID

	draftID, err := c.StartEdit(ctx, key)
	if err != nil || draftID != firstDraft {
		t.Fatalf("StartEdit = %q, %v; want the held draft %q", draftID, err, firstDraft)
	}
	if err := c.CommitDraft(ctx, key, draftID, defB, "v2"); err != nil {
		t.Fatalf("CommitDraft: %v", err)
	}
	if err := c.Publish(ctx, key, draftID); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	f, err = c.GetFlow(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	want := &cloud.Flow{
		InstanceID: instanceID, ID: id, Name: "main", Type: "MAIN_FLOW", Description: "v2",
		Published: true, PublishedDefinition: defB, CreatedTime: f.CreatedTime, UpdatedTime: f.UpdatedTime,
	}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("published flow (-want +got):\n%s", diff)
	}

	// A draft over a published flow: both definitions are observed.
	draft2, err := c.StartEdit(ctx, key)
	if err != nil || draft2 == draftID {
		t.Fatalf("second StartEdit = %q, %v", draft2, err)
	}
	if err := c.CommitDraft(ctx, key, draft2, defC, ""); err != nil {
		t.Fatal(err)
	}
	e.emu.ResetStats()
	f, err = c.GetFlow(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if f.PublishedDefinition != defB || f.Draft == nil || f.Draft.ID != draft2 || f.Draft.Definition != defC || f.Draft.Editor != "operator" {
		t.Errorf("flow with draft = %+v draft %+v", f, f.Draft)
	}
	if n := e.emu.Stats().Count("ccc", "GetContactFlow"); n != 2 {
		t.Errorf("GetFlow with a draft made %d GetContactFlow calls, want 2", n)
	}

	page, err := c.ListFlows(ctx, instanceID, 1, 10)
	if err != nil {
		t.Fatalf("ListFlows: %v", err)
	}
	if page.TotalCount != 1 || page.PageNumber != 1 || page.PageSize != 10 || len(page.Flows) != 1 {
		t.Fatalf("page = %+v", page)
	}
	if lf := page.Flows[0]; lf.ID != id || lf.PublishedDefinition != defB || lf.Draft == nil || lf.Draft.ID != draft2 || lf.Draft.Editor != "operator" {
		t.Errorf("listed flow = %+v draft %+v", lf, lf.Draft)
	}

	if err := c.DiscardDraft(ctx, key, draft2); err != nil {
		t.Fatalf("DiscardDraft: %v", err)
	}
	if err := c.DiscardDraft(ctx, key, draft2); err != nil {
		t.Errorf("DiscardDraft of a discarded draft = %v, want success", err)
	}
	if err := c.DeleteFlow(ctx, key); err != nil {
		t.Fatalf("DeleteFlow: %v", err)
	}
	if err := c.DeleteFlow(ctx, key); err != nil {
		t.Errorf("DeleteFlow of a deleted flow = %v, want success", err)
	}
	_, err = c.GetFlow(ctx, key)
	ce := mustCloudError(t, err, cloud.ClassNotFound)
	if ce.Code != emuccc.CodeFlowNotExists || ce.RequestID == "" || !cloud.IsNotFound(err) {
		t.Errorf("GetFlow after delete = %+v", ce)
	}
}

func TestUnpublishedFlowInList(t *testing.T) {
	e := start(t, 0)
	c := e.client(t, opSecret)
	ctx := context.Background()
	id, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "draft-only", Type: "MAIN_FLOW", Definition: defA})
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.ListFlows(ctx, instanceID, 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	lf := page.Flows[0]
	if lf.ID != id || lf.Published || lf.PublishedDefinition != "" || lf.Draft == nil || lf.Draft.Definition != defA {
		t.Errorf("unpublished flow in list = %+v draft %+v", lf, lf.Draft)
	}
}

func TestErrorMapping(t *testing.T) {
	e := start(t, 0)
	c := e.client(t, opSecret)
	ctx := context.Background()
	id, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "main", Type: "MAIN_FLOW", Definition: defA})
	if err != nil {
		t.Fatal(err)
	}
	key := cloud.FlowKey{InstanceID: instanceID, FlowID: id}
	draftID, _ := c.StartEdit(ctx, key)
	if err := c.Publish(ctx, key, draftID); err != nil {
		t.Fatal(err)
	}
	aliceDraft, err := e.admin.StartEdit(ctx, instanceID, id, "alice")
	if err != nil {
		t.Fatal(err)
	}

	tests := map[string]struct {
		call      func() error
		wantClass cloud.Class
		wantCode  string
		wantBy    string
	}{
		"start edit of a flow alice edits": {
			call:      func() error { _, err := c.StartEdit(ctx, key); return err },
			wantClass: cloud.ClassLocked, wantCode: emuccc.CodeFlowLocked, wantBy: "alice",
		},
		"commit into alice's draft": {
			call:      func() error { return c.CommitDraft(ctx, key, aliceDraft, defB, "") },
			wantClass: cloud.ClassLocked, wantCode: emuccc.CodeFlowLocked, wantBy: "alice",
		},
		"publish alice's draft": {
			call:      func() error { return c.Publish(ctx, key, aliceDraft) },
			wantClass: cloud.ClassLocked, wantCode: emuccc.CodeFlowLocked, wantBy: "alice",
		},
		"duplicate name": {
			call: func() error {
				_, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "main", Type: "MAIN_FLOW", Definition: defA})
				return err
			},
			wantClass: cloud.ClassAlreadyExists, wantCode: emuccc.CodeDuplicatedName,
		},
		"invalid definition": {
			call: func() error {
				_, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "x", Type: "MAIN_FLOW", Definition: "not json"})
				return err
			},
			wantClass: cloud.ClassInvalid, wantCode: emuccc.CodeInvalidDefinition,
		},
		"page size out of range": {
			call:      func() error { _, err := c.ListFlows(ctx, instanceID, 1, 1000); return err },
			wantClass: cloud.ClassInvalid, wantCode: "InvalidParameter.PageSize",
		},
		"missing page number": {
			call:      func() error { _, err := c.ListFlows(ctx, instanceID, 0, 10); return err },
			wantClass: cloud.ClassInvalid, wantCode: "InvalidParameter.PageNumber",
		},
		"unknown instance": {
			call:      func() error { _, err := c.ListFlows(ctx, "nope", 1, 10); return err },
			wantClass: cloud.ClassNotFound, wantCode: emuccc.CodeInstanceNotExists,
		},
		"unknown flow": {
			call: func() error {
				_, err := c.GetFlow(ctx, cloud.FlowKey{InstanceID: instanceID, FlowID: "nope"})
				return err
			},
			wantClass: cloud.ClassNotFound, wantCode: emuccc.CodeFlowNotExists,
		},
		"commit into an unknown draft": {
			call:      func() error { return c.CommitDraft(ctx, key, "nope", defB, "") },
			wantClass: cloud.ClassNotFound, wantCode: emuccc.CodeDraftNotExists,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := tc.call()
			ce := mustCloudError(t, err, tc.wantClass)
			if ce.Code != tc.wantCode || ce.RequestID == "" || ce.Message == "" {
				t.Errorf("error = %+v, want code %s with a request ID and message", ce, tc.wantCode)
			}
			if ce.LockedBy != tc.wantBy {
				t.Errorf("LockedBy = %q, want %q", ce.LockedBy, tc.wantBy)
			}
			if tc.wantClass == cloud.ClassLocked && !cloud.IsLocked(err) {
				t.Error("IsLocked = false")
			}
		})
	}
}

func TestUnauthorizedNeverLeaksTheSecret(t *testing.T) {
	e := start(t, 0)
	const wrong = "wrong-secret-Xy42"
	c := e.client(t, wrong)
	_, err := c.ListFlows(context.Background(), instanceID, 1, 10)
	ce := mustCloudError(t, err, cloud.ClassUnauthorized)
	if ce.Code != "SignatureDoesNotMatch" || ce.RequestID == "" {
		t.Errorf("error = %+v", ce)
	}
	for _, text := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", ce), ce.Message} {
		for _, secret := range []string{wrong, opSecret} {
			if strings.Contains(text, secret) {
				t.Errorf("error text leaks a secret: %s", text)
			}
		}
		if strings.Contains(text, "string to sign") || strings.Contains(text, "Signature=") {
			t.Errorf("error text carries signing material: %s", text)
		}
	}
	if !ce.Class.Terminal() {
		t.Error("Unauthorized must be terminal")
	}

	unknown, err := ccc.New(cloud.Config{Endpoint: e.srv.URL, Credentials: &cloud.Credentials{AccessKeyID: "nobody", AccessKeySecret: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = unknown.GetFlow(context.Background(), cloud.FlowKey{InstanceID: instanceID, FlowID: "f"})
	if ce := mustCloudError(t, err, cloud.ClassUnauthorized); ce.Code != "InvalidAccessKeyId.NotFound" {
		t.Errorf("unknown key = %+v", ce)
	}
}

func TestTransportErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now

	c, err := ccc.New(cloud.Config{Endpoint: addr, Credentials: &cloud.Credentials{AccessKeyID: "op-id", AccessKeySecret: opSecret, SecurityToken: "sts-token-Qw7"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetFlow(context.Background(), cloud.FlowKey{InstanceID: instanceID, FlowID: "f"})
	ce := mustCloudError(t, err, cloud.ClassTransient)
	for _, text := range []string{err.Error(), fmt.Sprintf("%v", ce.Err)} {
		for _, bad := range []string{opSecret, "sts-token-Qw7", "Signature=", "SecurityToken"} {
			if strings.Contains(text, bad) {
				t.Errorf("transport error leaks %q: %s", bad, text)
			}
		}
	}
}

func TestContextAndTimeouts(t *testing.T) {
	e := start(t, 2*time.Second)
	c := e.client(t, opSecret)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	begin := time.Now()
	_, err := c.ListFlows(ctx, instanceID, 1, 10)
	ce := mustCloudError(t, err, cloud.ClassTransient)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v (%v), want it to wrap context.DeadlineExceeded", err, ce.Err)
	}
	if d := time.Since(begin); d > time.Second {
		t.Errorf("cancelled call took %v", d)
	}

	short := e.client(t, opSecret, ccc.WithTimeouts(0, 100*time.Millisecond))
	_, err = short.ListFlows(context.Background(), instanceID, 1, 10)
	mustCloudError(t, err, cloud.ClassTransient)

	done, cancelDone := context.WithCancel(context.Background())
	cancelDone()
	_, err = c.ListFlows(done, instanceID, 1, 10)
	if !errors.Is(mustCloudError(t, err, cloud.ClassTransient), context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// TestNoSDKRetries checks that a 5xx is one call, and that odd answers are classified safely.
func TestNoSDKRetries(t *testing.T) {
	var calls atomic.Int32
	var answer atomic.Value
	answer.Store([2]string{"503", `{"Code":"ServiceUnavailable","Message":"The request has failed due to a temporary failure of the server.","RequestId":"R1"}`})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		a := answer.Load().([2]string)
		var status int
		fmt.Sscan(a[0], &status)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(a[1]))
	}))
	defer srv.Close()
	c, err := ccc.New(cloud.Config{Endpoint: srv.URL, Credentials: &cloud.Credentials{AccessKeyID: "id", AccessKeySecret: "s"}})
	if err != nil {
		t.Fatal(err)
	}
	key := cloud.FlowKey{InstanceID: instanceID, FlowID: "f"}

	err = c.DeleteFlow(context.Background(), key)
	if ce := mustCloudError(t, err, cloud.ClassTransient); ce.Code != "ServiceUnavailable" || ce.RequestID != "R1" {
		t.Errorf("503 = %+v", ce)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("a 503 cost %d HTTP calls, want 1 (no SDK retries)", n)
	}

	// A 404 page from something that is not the platform must not read as "flow deleted".
	answer.Store([2]string{"404", `<html>not found</html>`})
	err = c.DeleteFlow(context.Background(), key)
	if ce := mustCloudError(t, err, cloud.ClassTransient); strings.Contains(ce.Message, "html") {
		t.Errorf("non-platform 404 = %+v", ce)
	}

	answer.Store([2]string{"429", `{"Code":"Throttling.User","Message":"Request was denied due to user flow control.","RequestId":"R2"}`})
	_, err = c.StartEdit(context.Background(), key)
	mustCloudError(t, err, cloud.ClassThrottled)

	// An error code inside a 200 envelope is an error, not a success.
	answer.Store([2]string{"200", `{"Code":"Forbidden.RAM","Message":"no permission","HttpStatusCode":403,"RequestId":"R3"}`})
	_, err = c.StartEdit(context.Background(), key)
	if ce := mustCloudError(t, err, cloud.ClassUnauthorized); ce.RequestID != "R3" {
		t.Errorf("error in 200 = %+v", ce)
	}
}

func TestConcurrentCalls(t *testing.T) {
	e := start(t, 0)
	c := e.client(t, opSecret)
	ctx := context.Background()
	id, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "main", Type: "MAIN_FLOW", Definition: defA})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.GetFlow(ctx, cloud.FlowKey{InstanceID: instanceID, FlowID: id}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestEndpointForms(t *testing.T) {
	e := start(t, 0)
	hostPort := strings.TrimPrefix(e.srv.URL, "http://")
	for _, ep := range []string{hostPort, e.srv.URL, e.srv.URL + "/"} {
		c, err := ccc.New(cloud.Config{Endpoint: ep, Credentials: &cloud.Credentials{AccessKeyID: "op-id", AccessKeySecret: opSecret}})
		if err != nil {
			t.Fatalf("New(%q): %v", ep, err)
		}
		if _, err := c.ListFlows(context.Background(), instanceID, 1, 1); err != nil {
			t.Errorf("endpoint %q: %v", ep, err)
		}
	}
}

func TestAmbientCredentialsFromEnvironment(t *testing.T) {
	e := start(t, 0)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "op-id")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", opSecret)
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	c, err := ccc.New(cloud.Config{Endpoint: e.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListFlows(context.Background(), instanceID, 1, 1); err != nil {
		t.Errorf("ambient credentials: %v", err)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	tests := map[string]cloud.Config{
		"other platform":        {Platform: cloud.PlatformAmazonConnect},
		"bad region":            {Region: "cn shanghai"},
		"ftp endpoint":          {Endpoint: "ftp://127.0.0.1:21"},
		"endpoint with path":    {Endpoint: "http://127.0.0.1:1/api"},
		"bare endpoint w/ path": {Endpoint: "127.0.0.1:1/api"},
		"half credentials":      {Credentials: &cloud.Credentials{AccessKeyID: "id"}},
	}
	for name, cfg := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ccc.New(cfg)
			if ce := mustCloudError(t, err, cloud.ClassInvalid); ce.Message == "" {
				t.Errorf("no message: %+v", ce)
			}
		})
	}
	var _ cloud.FlowClientFactory = ccc.NewFlowClient
}
