package connect_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/aws/connect"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	emuconnect "github.com/contactflow-operator/contactflow-operator/internal/emulator/connect"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

const (
	instanceID = "connect-test"
	opKeyID    = "AKIDOPERATOR"
	opSecret   = "operator-secret-Xk93/+"
	region     = "eu-central-1"
)

func flowContent(greeting string) string {
	return `{"Version":"2019-10-30","StartAction":"greet","Actions":[` +
		`{"Identifier":"greet","Type":"MessageParticipant","Parameters":{"Text":"` + greeting + `"},"Transitions":{"NextAction":"bye"}},` +
		`{"Identifier":"bye","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`
}

var (
	defA     = flowContent("Hello")
	defB     = flowContent("Hola")
	defC     = flowContent("Ciao")
	badGraph = `{"Version":"2019-10-30","StartAction":"nowhere","Actions":[]}`
)

type testEnv struct {
	emu   *emulator.Emulator
	srv   *httptest.Server
	admin *emulator.ConnectAdminClient
}

func start(t *testing.T) *testEnv {
	t.Helper()
	emu, err := emulator.New(emulator.Config{
		AccessKeys: []emulator.AccessKey{{ID: opKeyID, Secret: opSecret}},
		Instances:  []emulator.Instance{{Platform: emulator.PlatformConnect, ID: instanceID}},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(func() {
		srv.Close()
		emu.Close()
	})
	return &testEnv{emu: emu, srv: srv, admin: emulator.NewAdminClient(srv.URL, srv.Client()).Connect()}
}

func newClient(t *testing.T, endpoint, keyID, secret string, opts ...connect.Option) *connect.Client {
	t.Helper()
	c, err := connect.New(context.Background(), cloud.Config{
		Platform:    cloud.PlatformAmazonConnect,
		Region:      region,
		Endpoint:    endpoint,
		Credentials: &cloud.Credentials{AccessKeyID: keyID, AccessKeySecret: secret},
	}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *testEnv) client(t *testing.T, secret string) *connect.Client {
	t.Helper()
	return newClient(t, e.srv.URL, opKeyID, secret)
}

func mustClass(t *testing.T, err error, class cloud.Class) *cloud.Error {
	t.Helper()
	ce := cloud.AsError(err)
	if ce == nil {
		t.Fatalf("err = %v, want a *cloud.Error", err)
	}
	if ce.Class != class {
		t.Fatalf("class = %s (%v), want %s", ce.Class, err, class)
	}
	if ce.Platform != cloud.PlatformAmazonConnect || ce.Action == "" {
		t.Errorf("platform/action = %q/%q", ce.Platform, ce.Action)
	}
	return ce
}

func calls(e *testEnv, action string) int64 { return e.emu.Stats().Count(emuconnect.Platform, action) }

func TestLifecycle(t *testing.T) {
	e := start(t)
	c := e.client(t, opSecret)
	ctx := context.Background()
	if c.Platform() != cloud.PlatformAmazonConnect || c.Region() != region {
		t.Errorf("Platform/Region = %q/%q", c.Platform(), c.Region())
	}

	id, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "main", Description: "v1", Definition: defA})
	if err != nil {
		t.Fatalf("CreateFlow: %v", err)
	}
	key := cloud.FlowKey{InstanceID: instanceID, FlowID: id}
	f, err := c.GetFlow(ctx, key)
	if err != nil {
		t.Fatalf("GetFlow: %v", err)
	}
	// Every read carries the flow's ARN: what another flow's definition transfers to.
	arn := "arn:aws:connect:" + region + ":" + emuconnect.AccountID + ":instance/" + instanceID + "/contact-flow/" + id
	want := &cloud.Flow{
		InstanceID: instanceID, ID: id, ARN: arn, Name: "main", Type: connect.DefaultFlowType, Description: "v1",
		Draft:       &cloud.Draft{ID: connect.DraftID, Definition: defA, UpdatedTime: f.UpdatedTime},
		UpdatedTime: f.UpdatedTime,
	}
	if diff := cmp.Diff(want, f, ignoreRevision); diff != "" {
		t.Errorf("new flow (-want +got):\n%s", diff)
	}
	if _, err := time.Parse(time.RFC3339, f.UpdatedTime); err != nil {
		t.Errorf("UpdatedTime = %q: %v", f.UpdatedTime, err)
	}

	draftID, err := c.StartEdit(ctx, key)
	if err != nil || draftID != connect.DraftID {
		t.Fatalf("StartEdit = %q, %v", draftID, err)
	}
	if err := c.CommitDraft(ctx, key, draftID, defB, "v2"); err != nil {
		t.Fatalf("CommitDraft: %v", err)
	}
	if err := c.Publish(ctx, key, draftID); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	e.emu.ResetStats()
	f, err = c.GetFlow(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	want = &cloud.Flow{
		InstanceID: instanceID, ID: id, ARN: arn, Name: "main", Type: connect.DefaultFlowType, Description: "v2",
		Published: true, PublishedDefinition: defB, UpdatedTime: f.UpdatedTime,
	}
	if diff := cmp.Diff(want, f, ignoreRevision); diff != "" {
		t.Errorf("published flow (-want +got):\n%s", diff)
	}
	if n := calls(e, "DescribeContactFlow"); n != 1 {
		t.Errorf("GetFlow of a flow without changes made %d DescribeContactFlow calls, want 1", n)
	}

	// A saved change over the published content is the draft.
	if err := c.CommitDraft(ctx, key, "", defC, ""); err != nil {
		t.Fatal(err)
	}
	e.emu.ResetStats()
	f, err = c.GetFlow(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Published || f.PublishedDefinition != defB || f.Draft == nil || f.Draft.ID != connect.DraftID ||
		f.Draft.Definition != defC || f.Draft.Editor != "" {
		t.Errorf("flow with a saved change = %+v draft %+v", f, f.Draft)
	}
	if n := calls(e, "DescribeContactFlow"); n != 2 {
		t.Errorf("GetFlow with a draft made %d DescribeContactFlow calls, want 2", n)
	}
	if n := calls(e, "UpdateContactFlowMetadata"); n != 0 {
		t.Errorf("CommitDraft without a description changed metadata")
	}

	if err := c.DiscardDraft(ctx, key, connect.DraftID); err != nil {
		t.Fatalf("DiscardDraft: %v", err)
	}
	f, err = c.GetFlow(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if f.Draft != nil || f.PublishedDefinition != defB {
		t.Errorf("after discard = %+v draft %+v", f, f.Draft)
	}
	if err := c.DeleteFlow(ctx, key); err != nil {
		t.Fatalf("DeleteFlow: %v", err)
	}
	if err := c.DeleteFlow(ctx, key); err != nil {
		t.Errorf("DeleteFlow of a deleted flow = %v, want success", err)
	}
	if err := c.DiscardDraft(ctx, key, connect.DraftID); err != nil {
		t.Errorf("DiscardDraft of a deleted flow = %v, want success", err)
	}
	_, err = c.GetFlow(ctx, key)
	ce := mustClass(t, err, cloud.ClassNotFound)
	if ce.Code != emuconnect.CodeResourceNotFound || ce.RequestID == "" || !cloud.IsNotFound(err) {
		t.Errorf("GetFlow after delete = %+v", ce)
	}
}

func TestDiscardOfNeverPublishedFlowKeepsContent(t *testing.T) {
	e := start(t)
	c := e.client(t, opSecret)
	ctx := context.Background()
	id, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "new", Type: "CUSTOMER_QUEUE", Definition: defA})
	if err != nil {
		t.Fatal(err)
	}
	key := cloud.FlowKey{InstanceID: instanceID, FlowID: id}
	if err := c.DiscardDraft(ctx, key, ""); err != nil {
		t.Fatalf("DiscardDraft: %v", err)
	}
	f, err := c.GetFlow(ctx, key)
	if err != nil || f.Published || f.Draft == nil || f.Draft.Definition != defA || f.Type != "CUSTOMER_QUEUE" {
		t.Errorf("GetFlow = %+v, %v", f, err)
	}
}

func TestCampaignPublishCreatesVersions(t *testing.T) {
	e := start(t)
	c := e.client(t, opSecret)
	ctx := context.Background()
	id, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "campaign", Type: connect.TypeCampaign, Definition: defA})
	if err != nil {
		t.Fatal(err)
	}
	key := cloud.FlowKey{InstanceID: instanceID, FlowID: id}
	if err := c.Publish(ctx, key, connect.DraftID); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	f, err := e.admin.Flow(ctx, instanceID, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Versions) != 1 || f.Versions[0].Content != defA || f.Versions[0].FlowContentSha256 != connect.ContentSha256(defA) {
		t.Fatalf("versions after publish = %+v", f.Versions)
	}
	if f.PublishedContentSha256 != connect.ContentSha256(defA) {
		t.Errorf("the adapter's checksum assumption differs from the emulator's: %s", f.PublishedContentSha256)
	}

	// A stale checksum is refused; the current one gives the next version.
	if err := c.CommitDraft(ctx, key, connect.DraftID, defB, ""); err != nil {
		t.Fatal(err)
	}
	if err := c.Publish(ctx, key, connect.DraftID); err != nil {
		t.Fatal(err)
	}
	// A stale checksum means the content changed under the caller: a concurrent edit to observe
	// again, not an invalid spec.
	_, err = c.CreateVersion(ctx, key, connect.ContentSha256(defA), "stale")
	ce := mustClass(t, err, cloud.ClassTransient)
	if ce.Code != cloud.CodeConcurrentEdit || ce.Action != "CreateContactFlowVersion" || !strings.Contains(ce.Message, emuconnect.CodeInvalidRequest) {
		t.Errorf("stale checksum = %+v", ce)
	}
	v, err := c.CreateVersion(ctx, key, connect.ContentSha256(defB), "release 3")
	if err != nil || v != 3 {
		t.Fatalf("CreateVersion = %d, %v; want 3", v, err)
	}
	f, _ = e.admin.Flow(ctx, instanceID, id)
	if len(f.Versions) != 3 || f.Versions[2].Description != "release 3" {
		t.Errorf("versions = %+v", f.Versions)
	}

	// Other flow types publish without versions, and refuse CreateVersion.
	other, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "ivr", Definition: defA})
	if err != nil {
		t.Fatal(err)
	}
	okey := cloud.FlowKey{InstanceID: instanceID, FlowID: other}
	e.emu.ResetStats()
	if err := c.Publish(ctx, okey, ""); err != nil {
		t.Fatal(err)
	}
	if n := calls(e, "CreateContactFlowVersion"); n != 0 {
		t.Errorf("publishing a CONTACT_FLOW created %d versions", n)
	}
	_, err = c.CreateVersion(ctx, okey, "", "")
	mustClass(t, err, cloud.ClassInvalid)
}

func TestListFlows(t *testing.T) {
	e := start(t)
	c := e.client(t, opSecret)
	ctx := context.Background()
	names := []string{"a", "b", "c", "d", "e"}
	for i, n := range names {
		id, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: n, Definition: defA})
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if err := c.Publish(ctx, cloud.FlowKey{InstanceID: instanceID, FlowID: id}, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	var got []string
	for p := 1; p <= 3; p++ {
		page, err := c.ListFlows(ctx, instanceID, p, 2)
		if err != nil {
			t.Fatalf("ListFlows page %d: %v", p, err)
		}
		if page.TotalCount != 5 || page.PageNumber != p || page.PageSize != 2 {
			t.Errorf("page %d = %+v", p, page)
		}
		for _, f := range page.Flows {
			got = append(got, f.Name)
			published := f.Name == "a" || f.Name == "c" || f.Name == "e"
			if f.Published != published || (published && (f.PublishedDefinition != defA || f.Draft != nil)) ||
				(!published && (f.Draft == nil || f.Draft.ID != connect.DraftID || f.Draft.Definition != defA)) {
				t.Errorf("listed %s = %+v draft %+v", f.Name, f, f.Draft)
			}
		}
	}
	if diff := cmp.Diff(names, got); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	page, err := c.ListFlows(ctx, instanceID, 4, 2)
	if err != nil || len(page.Flows) != 0 {
		t.Errorf("page past the end = %+v, %v", page, err)
	}

	// More than one search page: 105 flows, the second page of 100 walks one page first.
	for i := range 100 {
		if _, err := e.emu.Connect().CreateFlow(instanceID, "", emuconnect.NewFlow{
			Name: fmt.Sprintf("bulk-%03d", i), Type: "CONTACT_FLOW", Content: defA,
		}); err != nil {
			t.Fatal(err)
		}
	}
	e.emu.ResetStats()
	page, err = c.ListFlows(ctx, instanceID, 2, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Flows) != 5 || page.TotalCount != 105 || page.Flows[0].Name != "bulk-095" {
		t.Errorf("second page of 100 = %d flows, total %d, first %s", len(page.Flows), page.TotalCount, page.Flows[0].Name)
	}
	if n := calls(e, "SearchContactFlows"); n != 2 {
		t.Errorf("second page of 100 took %d searches, want 2", n)
	}
	_, err = c.ListFlows(ctx, instanceID, 0, 10)
	mustClass(t, err, cloud.ClassInvalid)
	_, err = c.ListFlows(ctx, "nope", 1, 10)
	mustClass(t, err, cloud.ClassNotFound)
}

func TestOutOfBandChangesThroughAdmin(t *testing.T) {
	e := start(t)
	c := e.client(t, opSecret)
	ctx := context.Background()
	if err := e.admin.AddInstance(ctx, "second"); err != nil {
		t.Fatal(err)
	}
	ids, err := e.admin.Instances(ctx)
	if err != nil || !cmp.Equal(ids, []string{instanceID, "second"}) {
		t.Errorf("Instances = %v, %v", ids, err)
	}
	seeded, err := e.admin.CreateFlow(ctx, "second", emulator.ConnectNewFlow{Name: "seeded", Type: "CONTACT_FLOW", Content: defA})
	if err != nil || !seeded.Published {
		t.Fatalf("admin CreateFlow = %+v, %v", seeded, err)
	}
	key := cloud.FlowKey{InstanceID: "second", FlowID: seeded.ContactFlowID}

	// A console save shows as a draft; a console publish as drift of the published content.
	if _, err := e.admin.SaveContent(ctx, "second", seeded.ContactFlowID, defB); err != nil {
		t.Fatal(err)
	}
	f, err := c.GetFlow(ctx, key)
	if err != nil || f.PublishedDefinition != defA || f.Draft == nil || f.Draft.Definition != defB {
		t.Errorf("after console save = %+v, %v", f, err)
	}
	if _, err := e.admin.PublishContent(ctx, "second", seeded.ContactFlowID, badGraph); err == nil {
		t.Error("admin published an invalid flow")
	} else {
		var ae *emulator.AdminError
		if !errors.As(err, &ae) || ae.Code != emuconnect.CodeInvalidContactFlow {
			t.Errorf("admin invalid publish = %v", err)
		}
	}
	rec, err := e.admin.PublishContent(ctx, "second", seeded.ContactFlowID, defC)
	if err != nil || rec.PublishedContent != defC {
		t.Fatalf("admin PublishContent = %+v, %v", rec, err)
	}
	f, err = c.GetFlow(ctx, key)
	if err != nil || f.PublishedDefinition != defC || f.Draft != nil {
		t.Errorf("after console publish = %+v, %v", f, err)
	}
	flows, err := e.admin.Flows(ctx, "second")
	if err != nil || len(flows) != 1 {
		t.Errorf("admin Flows = %+v, %v", flows, err)
	}
	if err := e.admin.DeleteFlow(ctx, "second", seeded.ContactFlowID); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetFlow(ctx, key)
	mustClass(t, err, cloud.ClassNotFound)
	if n := e.emu.Stats().PlatformTotal(emuconnect.Platform); n != 4 {
		t.Errorf("cloud calls = %d, want the 2+1+1 GetFlow describes only (admin calls are not counted)", n)
	}
}

// faultServer serves the Connect front end with its own service and middleware, for the error
// classes the full emulator does not inject yet.
func faultServer(t *testing.T, opts emuconnect.Options, mws ...core.Middleware) *httptest.Server {
	t.Helper()
	keys, err := core.NewKeyStore([]core.AccessKey{{ID: opKeyID, Secret: opSecret}})
	if err != nil {
		t.Fatal(err)
	}
	opts.Instances = []string{instanceID}
	svc, err := emuconnect.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emuconnect.NewServer(svc, emuconnect.ServerOptions{Keys: keys, Middleware: mws}))
	t.Cleanup(srv.Close)
	return srv
}

func TestErrorMapping(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	good := e.client(t, opSecret)
	existing, err := good.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "taken", Definition: defA})
	if err != nil {
		t.Fatal(err)
	}
	ekey := cloud.FlowKey{InstanceID: instanceID, FlowID: existing}

	fail := func(next core.Handler) core.Handler {
		return func(ctx context.Context, call *core.Call) (any, error) {
			switch call.Action {
			case "DescribeContactFlow":
				return nil, emuconnect.Throttled()
			case "DeleteContactFlow":
				return nil, errors.New("boom")
			}
			return next(ctx, call)
		}
	}
	faulty := newClient(t, faultServer(t, emuconnect.Options{}, fail).URL, opKeyID, opSecret)
	limited := newClient(t, faultServer(t, emuconnect.Options{MaxFlowsPerInstance: 1}).URL, opKeyID, opSecret)
	if _, err := limited.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "first", Definition: defA}); err != nil {
		t.Fatal(err)
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	notPlatform := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(notPlatform.Close)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()

	tests := map[string]struct {
		call      func() error
		wantClass cloud.Class
		wantCode  string
		check     func(t *testing.T, ce *cloud.Error)
	}{
		"unknown flow": {
			call: func() error {
				_, err := good.GetFlow(ctx, cloud.FlowKey{InstanceID: instanceID, FlowID: "nope"})
				return err
			},
			wantClass: cloud.ClassNotFound, wantCode: emuconnect.CodeResourceNotFound,
		},
		"unknown instance": {
			call: func() error {
				_, err := good.GetFlow(ctx, cloud.FlowKey{InstanceID: "nope", FlowID: existing})
				return err
			},
			wantClass: cloud.ClassNotFound, wantCode: emuconnect.CodeResourceNotFound,
		},
		"duplicate name": {
			call: func() error {
				_, err := good.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "taken", Definition: defA})
				return err
			},
			wantClass: cloud.ClassAlreadyExists, wantCode: emuconnect.CodeDuplicateResource,
		},
		"invalid flow on publish": {
			call: func() error {
				if err := good.CommitDraft(ctx, ekey, connect.DraftID, badGraph, ""); err != nil {
					return err
				}
				return good.Publish(ctx, ekey, connect.DraftID)
			},
			wantClass: cloud.ClassInvalid, wantCode: emuconnect.CodeInvalidContactFlow,
			check: func(t *testing.T, ce *cloud.Error) {
				if diff := cmp.Diff([]string{`StartAction "nowhere" does not name an action.`}, ce.Problems); diff != "" {
					t.Errorf("problems (-want +got):\n%s", diff)
				}
				if !strings.Contains(ce.Error(), "nowhere") || ce.Action != "UpdateContactFlowContent" {
					t.Errorf("error = %v", ce)
				}
			},
		},
		"invalid parameter": {
			call: func() error {
				_, err := good.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "x", Type: "NOPE", Definition: defA})
				return err
			},
			wantClass: cloud.ClassInvalid, wantCode: emuconnect.CodeInvalidParameter,
		},
		"foreign draft ID": {
			call:      func() error { return good.Publish(ctx, ekey, "draft-123") },
			wantClass: cloud.ClassInvalid, wantCode: "InvalidDraftId",
		},
		"missing required parameter": {
			call: func() error {
				_, err := good.CreateFlow(ctx, cloud.CreateFlowInput{Name: "x", Definition: defA})
				return err
			},
			wantClass: cloud.ClassInvalid, wantCode: "InvalidParameter",
		},
		"wrong secret": {
			call:      func() error { _, err := e.client(t, "not-the-secret").GetFlow(ctx, ekey); return err },
			wantClass: cloud.ClassUnauthorized, wantCode: emuconnect.CodeInvalidSignature,
		},
		"unknown key": {
			call: func() error {
				_, err := newClient(t, e.srv.URL, "AKIDNOBODY", opSecret).GetFlow(ctx, ekey)
				return err
			},
			wantClass: cloud.ClassUnauthorized, wantCode: emuconnect.CodeUnrecognizedClient,
		},
		"throttled": {
			call:      func() error { _, err := faulty.GetFlow(ctx, ekey); return err },
			wantClass: cloud.ClassThrottled, wantCode: emuconnect.CodeThrottling,
		},
		"limit exceeded": {
			call: func() error {
				_, err := limited.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "second", Definition: defA})
				return err
			},
			wantClass: cloud.ClassQuotaExceeded, wantCode: emuconnect.CodeLimitExceeded,
		},
		"server error": {
			call:      func() error { return faulty.DeleteFlow(ctx, ekey) },
			wantClass: cloud.ClassTransient, wantCode: emuconnect.CodeInternalService,
		},
		"connection refused": {
			call: func() error {
				_, err := newClient(t, closedURL, opKeyID, opSecret).GetFlow(ctx, ekey)
				return err
			},
			wantClass: cloud.ClassTransient, wantCode: "RequestFailed",
		},
		"not the platform": {
			call: func() error {
				_, err := newClient(t, notPlatform.URL, opKeyID, opSecret).GetFlow(ctx, ekey)
				return err
			},
			wantClass: cloud.ClassTransient, wantCode: "UnknownError",
		},
		"cancelled": {
			call:      func() error { _, err := good.GetFlow(cancelled, ekey); return err },
			wantClass: cloud.ClassTransient,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := tc.call()
			ce := mustClass(t, err, tc.wantClass)
			if tc.wantCode != "" && ce.Code != tc.wantCode {
				t.Errorf("code = %q (%v), want %q", ce.Code, err, tc.wantCode)
			}
			if strings.Contains(err.Error(), opSecret) {
				t.Errorf("error leaks the secret: %v", err)
			}
			if tc.check != nil {
				tc.check(t, ce)
			}
		})
	}
}

func TestSecretNeverInErrors(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	// The client signs with a secret the emulator does not know, and a session token.
	const secret = "Very-Secret-Value-123"
	const token = "Session-Token-Value-456"
	c, err := connect.New(ctx, cloud.Config{
		Platform: cloud.PlatformAmazonConnect, Region: region, Endpoint: e.srv.URL,
		Credentials: &cloud.Credentials{AccessKeyID: opKeyID, AccessKeySecret: secret, SecurityToken: token},
	})
	if err != nil {
		t.Fatal(err)
	}
	errs := []error{}
	_, err = c.GetFlow(ctx, cloud.FlowKey{InstanceID: instanceID, FlowID: "x"})
	errs = append(errs, err)
	_, err = c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: secret, Definition: defA})
	errs = append(errs, err)
	bad, err := connect.New(ctx, cloud.Config{
		Platform: cloud.PlatformAmazonConnect, Region: region, Endpoint: "http://127.0.0.1:1",
		Credentials: &cloud.Credentials{AccessKeyID: opKeyID, AccessKeySecret: secret, SecurityToken: token},
	}, connect.WithTimeouts(200*time.Millisecond, time.Second))
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.GetFlow(ctx, cloud.FlowKey{InstanceID: instanceID, FlowID: "x"})
	errs = append(errs, err)
	for i, err := range errs {
		if err == nil {
			t.Fatalf("call %d succeeded", i)
		}
		ce := cloud.AsError(err)
		for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", ce), ce.Message} {
			if strings.Contains(text, secret) || strings.Contains(text, token) {
				t.Errorf("error %d leaks a secret: %s", i, text)
			}
		}
	}
}

func TestAmbientCredentials(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	dir := t.TempDir()
	// Only the environment: no shared files, no instance metadata, no container or IRSA role.
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE":                        filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE":            filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":              "true",
		"AWS_PROFILE":                            "",
		"AWS_WEB_IDENTITY_TOKEN_FILE":            "",
		"AWS_ROLE_ARN":                           "",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI":     "",
		"AWS_SESSION_TOKEN":                      "",
		"AWS_REGION":                             "ap-southeast-2",
		"AWS_ACCESS_KEY_ID":                      opKeyID,
		"AWS_SECRET_ACCESS_KEY":                  opSecret,
	} {
		t.Setenv(k, v)
	}
	c, err := connect.New(ctx, cloud.Config{Platform: cloud.PlatformAmazonConnect, Endpoint: e.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if c.Region() != "ap-southeast-2" {
		t.Errorf("Region = %q, want the environment's", c.Region())
	}
	if _, err := c.ListFlows(ctx, instanceID, 1, 10); err != nil {
		t.Errorf("ListFlows with environment credentials: %v", err)
	}

	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	c, err = connect.New(ctx, cloud.Config{Platform: cloud.PlatformAmazonConnect, Region: region, Endpoint: e.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetFlow(ctx, cloud.FlowKey{InstanceID: instanceID, FlowID: "x"})
	ce := mustClass(t, err, cloud.ClassUnauthorized)
	if ce.Code != "CredentialsUnavailable" {
		t.Errorf("no credentials = %+v", ce)
	}
}

func TestConfigErrors(t *testing.T) {
	ctx := context.Background()
	creds := &cloud.Credentials{AccessKeyID: "a", AccessKeySecret: "b"}
	tests := map[string]cloud.Config{
		"other platform":   {Platform: cloud.PlatformAlibabaCCC, Credentials: creds},
		"bad region":       {Region: "EU West", Credentials: creds},
		"no secret":        {Credentials: &cloud.Credentials{AccessKeyID: "a"}},
		"endpoint scheme":  {Endpoint: "ftp://x", Credentials: creds},
		"endpoint path":    {Endpoint: "http://x/p", Credentials: creds},
		"endpoint garbage": {Endpoint: "a b", Credentials: creds},
	}
	for name, cfg := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := connect.New(ctx, cfg)
			ce := mustClass(t, err, cloud.ClassInvalid)
			if ce.Action != "Configure" {
				t.Errorf("action = %q", ce.Action)
			}
		})
	}
	for _, ep := range []string{"", "127.0.0.1:18080", "http://127.0.0.1:18080", "https://connect.example:8443/", "connect.eu-central-1.amazonaws.com"} {
		if _, err := connect.New(ctx, cloud.Config{Endpoint: ep, Credentials: creds}); err != nil {
			t.Errorf("endpoint %q refused: %v", ep, err)
		}
	}
}

func TestFactory(t *testing.T) {
	fc, err := connect.NewFlowClient(context.Background(), cloud.Config{
		Platform: cloud.PlatformAmazonConnect, Credentials: &cloud.Credentials{AccessKeyID: "a", AccessKeySecret: "b"},
	})
	if err != nil || fc.Platform() != cloud.PlatformAmazonConnect {
		t.Errorf("NewFlowClient = %v, %v", fc, err)
	}
}

func TestFindFlowIDIsOneSearch(t *testing.T) {
	e := start(t)
	c := e.client(t, opSecret)
	ctx := context.Background()
	var want string
	for i := range 250 {
		f, err := e.emu.Connect().CreateFlow(instanceID, "", emuconnect.NewFlow{
			Name: fmt.Sprintf("flow-%03d", i), Type: "CONTACT_FLOW", Content: defA,
		})
		if err != nil {
			t.Fatal(err)
		}
		if i == 242 {
			want = f.ContactFlowID
		}
	}
	// A name that others contain or start with is not confused with them.
	if _, err := e.emu.Connect().CreateFlow(instanceID, "", emuconnect.NewFlow{Name: "flow-24", Type: "CONTACT_FLOW", Content: defA}); err != nil {
		t.Fatal(err)
	}
	var _ cloud.FlowFinder = c
	e.emu.ResetStats()
	id, err := c.FindFlowID(ctx, instanceID, "flow-242")
	if err != nil || id != want {
		t.Fatalf("FindFlowID(flow-242) = %q, %v; want %q", id, err, want)
	}
	id, err = c.FindFlowID(ctx, instanceID, "no such flow")
	if err != nil || id != "" {
		t.Fatalf("FindFlowID(no such flow) = %q, %v; want none", id, err)
	}
	// Paging by ListFlows would have walked three pages of 100 for the 243rd flow.
	if n := calls(e, "SearchContactFlows"); n != 2 {
		t.Errorf("two lookups took %d searches, want 2", n)
	}
	_, err = c.FindFlowID(ctx, "nope", "flow-001")
	mustClass(t, err, cloud.ClassNotFound)
}
