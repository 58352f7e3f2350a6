package outboundbot_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/alibaba/outboundbot"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/providers"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	emuob "github.com/contactflow-operator/contactflow-operator/internal/emulator/outboundbot"
)

const (
	presetID  = "ob-preset"
	opSecret  = "operator-secret-Kd93"
	nluSecret = "nlu-secret-Mw28"
	limit     = 20
)

type testEnv struct {
	emu   *emulator.Emulator
	srv   *httptest.Server
	admin *emulator.OutboundBotAdminClient
}

func start(t *testing.T, latency time.Duration) *testEnv {
	t.Helper()
	emu, err := emulator.New(emulator.Config{
		AccessKeys:               []emulator.AccessKey{{ID: "op-id", Secret: opSecret}},
		Instances:                []emulator.Instance{{Platform: emulator.PlatformOutboundBot, ID: presetID}},
		Latency:                  latency,
		OutboundConcurrencyLimit: limit,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(func() {
		srv.Close()
		emu.Close()
	})
	return &testEnv{emu: emu, srv: srv, admin: emulator.NewAdminClient(srv.URL, srv.Client()).OutboundBot()}
}

func (e *testEnv) client(t *testing.T, secret string, opts ...outboundbot.Option) *outboundbot.Client {
	t.Helper()
	c, err := outboundbot.New(cloud.Config{
		Platform:    cloud.PlatformAlibabaOutboundBot,
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
	if ce.Platform != cloud.PlatformAlibabaOutboundBot || ce.Action == "" {
		t.Errorf("platform/action = %q/%q", ce.Platform, ce.Action)
	}
	return ce
}

// noSecrets fails when any rendering of err carries a secret or signing material.
func noSecrets(t *testing.T, err error, secrets ...string) {
	t.Helper()
	ce := cloud.AsError(err)
	texts := []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err)}
	if ce != nil {
		texts = append(texts, fmt.Sprintf("%#v", ce), ce.Message)
		if ce.Err != nil {
			texts = append(texts, ce.Err.Error())
		}
	}
	for _, text := range texts {
		for _, secret := range secrets {
			if strings.Contains(text, secret) {
				t.Errorf("error text leaks %q: %s", secret, text)
			}
		}
		if strings.Contains(text, "string to sign") || strings.Contains(text, "Signature=") {
			t.Errorf("error text carries signing material: %s", text)
		}
	}
}

func TestInstanceLifecycle(t *testing.T) {
	e := start(t, 0)
	c := e.client(t, opSecret)
	ctx := context.Background()
	if c.Platform() != cloud.PlatformAlibabaOutboundBot {
		t.Errorf("Platform = %q", c.Platform())
	}

	spec := cloud.OutboundInstanceSpec{
		Name: "sales-bot", Description: "outbound sales", MaxConcurrentConversation: 5,
		CallingNumbers: []string{"4001", "4002"}, CallCenterInstanceID: "ccc-1", NluServiceType: "Authorized",
		NLUEndpoint: "nlu.internal", NLUCredentials: &cloud.Credentials{AccessKeyID: "nlu-id", AccessKeySecret: nluSecret},
		ResourceGroupID: "rg-1",
	}
	created, err := c.CreateInstance(ctx, spec)
	if err != nil {
		t.Fatalf("CreateInstance: %v", err)
	}
	want := &cloud.OutboundInstance{
		ID: created.ID, Name: "sales-bot", Description: "outbound sales", MaxConcurrentConversation: 5,
		CallCenterInstanceID: "ccc-1", NluServiceType: "Authorized", NLUEndpoint: "nlu.internal", ResourceGroupID: "rg-1",
		CreatorName: "operator", OwnerName: "operator", CreationTime: created.CreationTime,
	}
	if diff := cmp.Diff(want, created); diff != "" || created.ID == "" || created.CreationTime.IsZero() {
		t.Errorf("created (-want +got):\n%s", diff)
	}
	got, err := c.GetInstance(ctx, created.ID)
	if err != nil {
		t.Fatalf("GetInstance: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("observed (-want +got):\n%s", diff)
	}
	// What the platform keeps but does not report.
	admin, err := e.admin.Instances(ctx)
	if err != nil || len(admin) != 2 || !cmp.Equal(admin[1].CallingNumbers, []string{"4001", "4002"}) ||
		admin[1].NluAccessKey != "nlu-id" || admin[1].NluSecretKey != "[redacted]" {
		t.Errorf("admin instances = %+v, %v", admin, err)
	}

	found, err := c.FindInstanceByName(ctx, "sales-bot")
	if err != nil || found == nil || found.ID != created.ID {
		t.Errorf("FindInstanceByName = %+v, %v", found, err)
	}
	if none, err := c.FindInstanceByName(ctx, "nobody"); none != nil || err != nil {
		t.Errorf("FindInstanceByName(missing) = %+v, %v; want nil, nil", none, err)
	}

	spec.Name, spec.MaxConcurrentConversation, spec.CallingNumbers = "sales-bot-2", 8, []string{"4003"}
	spec.Description = "" // not sent: the platform keeps its description
	modified, err := c.ModifyInstance(ctx, created.ID, spec)
	if err != nil {
		t.Fatalf("ModifyInstance: %v", err)
	}
	if modified.Name != "sales-bot-2" || modified.MaxConcurrentConversation != 8 || modified.Description != "outbound sales" {
		t.Errorf("modified = %+v", modified)
	}
	if admin, _ := e.admin.Instances(ctx); !cmp.Equal(admin[1].CallingNumbers, []string{"4003"}) {
		t.Errorf("calling numbers after modify = %v", admin[1].CallingNumbers)
	}

	if err := c.DeleteInstance(ctx, created.ID); err != nil {
		t.Fatalf("DeleteInstance: %v", err)
	}
	if err := c.DeleteInstance(ctx, created.ID); err != nil {
		t.Errorf("DeleteInstance of a deleted instance = %v, want success", err)
	}
	_, err = c.GetInstance(ctx, created.ID)
	if ce := mustCloudError(t, err, cloud.ClassNotFound); ce.Code != emuob.CodeInstanceNotExist || ce.RequestID == "" {
		t.Errorf("GetInstance after delete = %+v", ce)
	}
}

// scriptState is what the script life-cycle test checks after each step.
type scriptState struct {
	Status, DebugStatus, AppliedVersion, RejectReason, Scene string
	IsDrafted, IsDebugDrafted                                bool
}

func stateOf(s *cloud.Script) scriptState {
	return scriptState{
		Status: s.Status, DebugStatus: s.DebugStatus, AppliedVersion: s.AppliedVersion, RejectReason: s.RejectReason,
		Scene: s.Scene, IsDrafted: s.IsDrafted, IsDebugDrafted: s.IsDebugDrafted,
	}
}

func TestScriptLifecycle(t *testing.T) {
	e := start(t, 0)
	c := e.client(t, opSecret)
	ctx := context.Background()

	spec := cloud.ScriptSpec{
		Name: "renewal", Industry: "insurance", Scene: "v1", Description: "renewal calls", ChatbotID: "chatbot-1",
		Content: []string{`{"dialog":"v1"}`}, Waveforms: []string{"wave-1"}, TTSConfig: `{"voice":"xiaobei"}`,
		ASRConfig: `{"AppKey":"k"}`, NLSConfig: "ignored-on-create", EmotionEnabled: true, LongWaitEnabled: true,
	}
	created, err := c.CreateScript(ctx, presetID, spec)
	if err != nil {
		t.Fatalf("CreateScript: %v", err)
	}
	key := cloud.ScriptKey{InstanceID: presetID, ScriptID: created.ID}
	got, err := c.GetScript(ctx, key)
	if err != nil {
		t.Fatalf("GetScript: %v", err)
	}
	want := &cloud.Script{
		InstanceID: presetID, ID: created.ID, Name: "renewal", Industry: "insurance", Scene: "v1",
		Description: "renewal calls", ChatbotID: "chatbot-1", TTSConfig: `{"voice":"xiaobei"}`, ASRConfig: `{"AppKey":"k"}`,
		EmotionEnabled: true, LongWaitEnabled: true,
		Status: cloud.ScriptStatusDrafted, IsDrafted: true, DebugStatus: "DRAFTED", IsDebugDrafted: true,
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(cloud.Script{}, "UpdateTime")); diff != "" || got.UpdateTime.IsZero() {
		t.Errorf("new script (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, created, cmpopts.IgnoreFields(cloud.Script{}, "UpdateTime")); diff != "" {
		t.Errorf("CreateScript answer (-want +got):\n%s", diff)
	}
	full, err := e.admin.Script(ctx, presetID, created.ID)
	if err != nil || !cmp.Equal(full.ScriptContent, spec.Content) || !cmp.Equal(full.ScriptWaveform, spec.Waveforms) || full.NlsConfig != "" {
		t.Errorf("stored script = %+v, %v", full, err)
	}

	modify := func(scene string) func() (*cloud.Script, error) {
		return func() (*cloud.Script, error) {
			s := spec
			s.Scene, s.Content = scene, []string{`{"dialog":"` + scene + `"}`}
			return c.ModifyScript(ctx, key, s)
		}
	}
	get := func() (*cloud.Script, error) { return c.GetScript(ctx, key) }
	then := func(do func() error) func() (*cloud.Script, error) {
		return func() (*cloud.Script, error) {
			if err := do(); err != nil {
				return nil, err
			}
			return get()
		}
	}
	drafted := func(status, applied, scene, reject string) scriptState {
		return scriptState{Status: status, DebugStatus: "DRAFTED", AppliedVersion: applied, Scene: scene, RejectReason: reject, IsDrafted: true, IsDebugDrafted: true}
	}
	published := func(applied, scene string) scriptState {
		return scriptState{Status: cloud.ScriptStatusPublished, DebugStatus: "PUBLISHED", AppliedVersion: applied, Scene: scene}
	}
	steps := []struct {
		name string
		do   func() (*cloud.Script, error)
		want scriptState
	}{
		{"submit", then(func() error { return c.SubmitScriptReview(ctx, key, "first") }), drafted(cloud.ScriptStatusInReview, "", "v1", "")},
		{"withdraw", func() (*cloud.Script, error) { return c.WithdrawScriptReview(ctx, key) }, drafted(cloud.ScriptStatusDrafted, "", "v1", "")},
		{"modify", modify("v2"), drafted(cloud.ScriptStatusDrafted, "", "v2", "")},
		{"submit again", then(func() error { return c.SubmitScriptReview(ctx, key, "second") }), drafted(cloud.ScriptStatusInReview, "", "v2", "")},
		{"reviewer approves", then(func() error { _, err := e.admin.ApproveReview(ctx, presetID, created.ID); return err }),
			drafted(cloud.ScriptStatusApproved, "", "v2", "")},
		{"publish", then(func() error { return c.PublishScript(ctx, key, "release 1") }), published("1", "v2")},
		{"modify the published script", modify("v3"), drafted(cloud.ScriptStatusPublished, "1", "v3", "")},
		{"submit the change", then(func() error { return c.SubmitScriptReview(ctx, key, "third") }), drafted(cloud.ScriptStatusPublishedInReview, "1", "v3", "")},
		{"reviewer rejects", then(func() error {
			_, err := e.admin.RejectReview(ctx, presetID, created.ID, "mentions a competitor")
			return err
		}), drafted(cloud.ScriptStatusPublished, "1", "v3", "mentions a competitor")},
		{"resubmit", then(func() error { return c.SubmitScriptReview(ctx, key, "fixed") }), drafted(cloud.ScriptStatusPublishedInReview, "1", "v3", "")},
		{"reviewer approves the fix", then(func() error { _, err := e.admin.ApproveReview(ctx, presetID, created.ID); return err }),
			drafted(cloud.ScriptStatusPublishedApproved, "1", "v3", "")},
		{"publish version 2", then(func() error { return c.PublishScript(ctx, key, "release 2") }), published("2", "v3")},
		{"rollback to version 1", then(func() error { return c.RollbackScript(ctx, key, "1") }), published("1", "v2")},
	}
	for _, st := range steps {
		s, err := st.do()
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if diff := cmp.Diff(st.want, stateOf(s)); diff != "" {
			t.Fatalf("%s: state (-want +got):\n%s", st.name, diff)
		}
		if st.name == "reviewer approves" && !s.Approved() {
			t.Errorf("%s: Approved() = false", st.name)
		}
		if st.name == "submit the change" && !s.InReview() {
			t.Errorf("%s: InReview() = false", st.name)
		}
	}

	page, err := c.ListScriptPublishHistory(ctx, key, 1, 2)
	if err != nil {
		t.Fatalf("ListScriptPublishHistory: %v", err)
	}
	if page.TotalCount != 3 || page.PageNumber != 1 || page.PageSize != 2 || len(page.Records) != 2 {
		t.Fatalf("history page 1 = %+v", page)
	}
	if r := page.Records[0]; r.Version != "1" || r.ScriptID != created.ID || r.InstanceID != presetID || r.PublishTime.IsZero() ||
		!strings.Contains(r.Description, "Rollback") {
		t.Errorf("newest record = %+v", r)
	}
	page2, err := c.ListScriptPublishHistory(ctx, key, 2, 2)
	if err != nil || len(page2.Records) != 1 || page2.Records[0].Version != "1" || page2.Records[0].Description != "release 1" {
		t.Errorf("history page 2 = %+v, %v", page2, err)
	}

	if err := c.DeleteScript(ctx, key); err != nil {
		t.Fatalf("DeleteScript: %v", err)
	}
	if err := c.DeleteScript(ctx, key); err != nil {
		t.Errorf("DeleteScript of a deleted script = %v, want success", err)
	}
	if err := c.DeleteScript(ctx, cloud.ScriptKey{InstanceID: "nope", ScriptID: created.ID}); err != nil {
		t.Errorf("DeleteScript in a deleted instance = %v, want success", err)
	}
	_, err = c.GetScript(ctx, key)
	if ce := mustCloudError(t, err, cloud.ClassNotFound); ce.Code != emuob.CodeScriptNotExist {
		t.Errorf("GetScript after delete = %+v", ce)
	}
}

func TestFindScriptByNamePages(t *testing.T) {
	e := start(t, 0)
	c := e.client(t, opSecret)
	ctx := context.Background()
	svc := e.emu.OutboundBot()
	var last string
	for i := range 150 {
		sc, err := svc.CreateScript(presetID, "operator", emuob.ScriptFields{ScriptName: "script-" + strconv.Itoa(i)})
		if err != nil {
			t.Fatal(err)
		}
		last = sc.ScriptID
	}
	e.emu.ResetStats()
	found, err := c.FindScriptByName(ctx, presetID, "script-149")
	if err != nil || found == nil || found.ID != last || found.InstanceID != presetID {
		t.Fatalf("FindScriptByName on page 2 = %+v, %v", found, err)
	}
	if n := e.emu.Stats().Count(emulator.PlatformOutboundBot, "ListScripts"); n != 2 {
		t.Errorf("found on page 2 with %d ListScripts calls, want 2", n)
	}
	e.emu.ResetStats()
	if none, err := c.FindScriptByName(ctx, presetID, "missing"); none != nil || err != nil {
		t.Errorf("FindScriptByName(missing) = %+v, %v; want nil, nil", none, err)
	}
	if n := e.emu.Stats().Count(emulator.PlatformOutboundBot, "ListScripts"); n != 2 {
		t.Errorf("missing name cost %d ListScripts calls, want 2 (stop at the last page)", n)
	}
	_, err = c.FindScriptByName(ctx, "nope", "x")
	mustCloudError(t, err, cloud.ClassNotFound)
}

func TestErrorMapping(t *testing.T) {
	e := start(t, 0)
	c := e.client(t, opSecret)
	ctx := context.Background()
	inst, err := c.CreateInstance(ctx, cloud.OutboundInstanceSpec{Name: "taken", MaxConcurrentConversation: 10})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := c.CreateScript(ctx, presetID, cloud.ScriptSpec{Name: "taken", Industry: "i", Scene: "s"})
	if err != nil {
		t.Fatal(err)
	}
	key := cloud.ScriptKey{InstanceID: presetID, ScriptID: sc.ID}
	inReview, err := c.CreateScript(ctx, presetID, cloud.ScriptSpec{Name: "in-review", Industry: "i", Scene: "s"})
	if err != nil {
		t.Fatal(err)
	}
	reviewKey := cloud.ScriptKey{InstanceID: presetID, ScriptID: inReview.ID}
	if err := c.SubmitScriptReview(ctx, reviewKey, ""); err != nil {
		t.Fatal(err)
	}

	tests := map[string]struct {
		call      func() error
		wantClass cloud.Class
		wantCode  string
		wantBy    string
	}{
		"duplicate instance name": {
			call: func() error {
				_, err := c.CreateInstance(ctx, cloud.OutboundInstanceSpec{Name: "taken", MaxConcurrentConversation: 1})
				return err
			},
			wantClass: cloud.ClassAlreadyExists, wantCode: emuob.CodeInstanceNameDuplicated,
		},
		"over the concurrency quota": {
			call: func() error {
				// The preset instance holds 1 and "taken" 10 of the limit of 20.
				_, err := c.CreateInstance(ctx, cloud.OutboundInstanceSpec{Name: "big", MaxConcurrentConversation: 10})
				return err
			},
			wantClass: cloud.ClassQuotaExceeded, wantCode: emuob.CodeConcurrencyExceeded,
		},
		"modify over the quota": {
			call: func() error {
				_, err := c.ModifyInstance(ctx, inst.ID, cloud.OutboundInstanceSpec{MaxConcurrentConversation: 20})
				return err
			},
			wantClass: cloud.ClassQuotaExceeded, wantCode: emuob.CodeConcurrencyExceeded,
		},
		"modify an unknown instance": {
			call: func() error {
				_, err := c.ModifyInstance(ctx, "nope", cloud.OutboundInstanceSpec{MaxConcurrentConversation: 1})
				return err
			},
			wantClass: cloud.ClassNotFound, wantCode: emuob.CodeInstanceNotExist,
		},
		"zero concurrency": {
			call: func() error {
				_, err := c.CreateInstance(ctx, cloud.OutboundInstanceSpec{Name: "zero"})
				return err
			},
			wantClass: cloud.ClassInvalid, wantCode: "InvalidParameter.MaxConcurrentConversation",
		},
		"duplicate script name": {
			call: func() error {
				_, err := c.CreateScript(ctx, presetID, cloud.ScriptSpec{Name: "taken", Industry: "i", Scene: "s"})
				return err
			},
			wantClass: cloud.ClassAlreadyExists, wantCode: emuob.CodeScriptNameDuplicated,
		},
		"script in an unknown instance": {
			call: func() error {
				_, err := c.GetScript(ctx, cloud.ScriptKey{InstanceID: "nope", ScriptID: sc.ID})
				return err
			},
			wantClass: cloud.ClassNotFound, wantCode: emuob.CodeInstanceNotExist,
		},
		"unknown script": {
			call: func() error {
				_, err := c.WithdrawScriptReview(ctx, cloud.ScriptKey{InstanceID: presetID, ScriptID: "nope"})
				return err
			},
			wantClass: cloud.ClassNotFound, wantCode: emuob.CodeScriptNotExist,
		},
		"modify a script in review": {
			call: func() error {
				_, err := c.ModifyScript(ctx, reviewKey, cloud.ScriptSpec{Scene: "x"})
				return err
			},
			wantClass: cloud.ClassLocked, wantCode: emuob.CodeScriptInReview, wantBy: outboundbot.LockedByReview,
		},
		"publish a script in review": {
			call:      func() error { return c.PublishScript(ctx, reviewKey, "") },
			wantClass: cloud.ClassLocked, wantCode: emuob.CodeScriptInReview, wantBy: outboundbot.LockedByReview,
		},
		"publish without review": {
			call:      func() error { return c.PublishScript(ctx, key, "") },
			wantClass: cloud.ClassInvalid, wantCode: emuob.CodeScriptStatus,
		},
		"withdraw with nothing in review": {
			call: func() error {
				_, err := c.WithdrawScriptReview(ctx, key)
				return err
			},
			wantClass: cloud.ClassInvalid, wantCode: emuob.CodeScriptStatus,
		},
		"rollback to a version never published": {
			call:      func() error { return c.RollbackScript(ctx, key, "3") },
			wantClass: cloud.ClassInvalid, wantCode: emuob.CodeInvalidRollbackVersion,
		},
		"history page size out of range": {
			call: func() error {
				_, err := c.ListScriptPublishHistory(ctx, key, 1, 500)
				return err
			},
			wantClass: cloud.ClassInvalid, wantCode: "InvalidParameter.PageSize",
		},
		"platform internal error": {
			call: func() error {
				if err := e.admin.InjectFault(ctx, emulator.OutboundBotFault{Action: "DescribeInstance", Count: 1}); err != nil {
					return err
				}
				_, err := c.GetInstance(ctx, presetID)
				return err
			},
			wantClass: cloud.ClassTransient, wantCode: emuob.CodeInternalError,
		},
		"throttled": {
			call: func() error {
				if err := e.admin.InjectFault(ctx, emulator.OutboundBotFault{Action: "ListInstances", Count: 1, Code: "Throttling.User", HTTPStatus: 400}); err != nil {
					return err
				}
				_, err := c.FindInstanceByName(ctx, "x")
				return err
			},
			wantClass: cloud.ClassThrottled, wantCode: "Throttling.User",
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
			if tc.wantClass == cloud.ClassTransient || tc.wantClass == cloud.ClassThrottled || tc.wantClass == cloud.ClassLocked {
				if ce.Class.Terminal() {
					t.Errorf("%s must not be terminal", ce.Class)
				}
			} else if tc.wantClass != cloud.ClassNotFound && !ce.Class.Terminal() {
				t.Errorf("%s must be terminal", ce.Class)
			}
			noSecrets(t, err, opSecret)
		})
	}
}

func TestUnauthorizedNeverLeaksTheSecret(t *testing.T) {
	e := start(t, 0)
	const wrong = "wrong-secret-Tn55"
	c := e.client(t, wrong)
	// The request carries an NLU secret too: the platform's signature error echoes every
	// request value in its string to sign.
	_, err := c.CreateInstance(context.Background(), cloud.OutboundInstanceSpec{
		Name: "x", MaxConcurrentConversation: 1,
		NLUCredentials: &cloud.Credentials{AccessKeyID: "nlu-id", AccessKeySecret: nluSecret},
	})
	ce := mustCloudError(t, err, cloud.ClassUnauthorized)
	if ce.Code != "SignatureDoesNotMatch" || ce.RequestID == "" || !ce.Class.Terminal() {
		t.Errorf("error = %+v", ce)
	}
	noSecrets(t, err, wrong, opSecret, nluSecret)
	if got := e.emu.OutboundBot().Instances(); len(got) != 1 {
		t.Errorf("a refused call created an instance: %+v", got)
	}

	unknown, err := outboundbot.New(cloud.Config{Endpoint: e.srv.URL, Credentials: &cloud.Credentials{AccessKeyID: "nobody", AccessKeySecret: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = unknown.GetInstance(context.Background(), presetID)
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

	c, err := outboundbot.New(cloud.Config{Endpoint: addr, Credentials: &cloud.Credentials{AccessKeyID: "op-id", AccessKeySecret: opSecret, SecurityToken: "sts-token-Zr4"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ModifyInstance(context.Background(), presetID, cloud.OutboundInstanceSpec{
		MaxConcurrentConversation: 1, NLUCredentials: &cloud.Credentials{AccessKeyID: "nlu-id", AccessKeySecret: nluSecret},
	})
	mustCloudError(t, err, cloud.ClassTransient)
	noSecrets(t, err, opSecret, "sts-token-Zr4", nluSecret, "SecurityToken")
}

func TestContextAndTimeouts(t *testing.T) {
	e := start(t, 2*time.Second)
	c := e.client(t, opSecret)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	begin := time.Now()
	_, err := c.GetInstance(ctx, presetID)
	mustCloudError(t, err, cloud.ClassTransient)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want it to wrap context.DeadlineExceeded", err)
	}
	if d := time.Since(begin); d > time.Second {
		t.Errorf("cancelled call took %v", d)
	}

	short := e.client(t, opSecret, outboundbot.WithTimeouts(0, 100*time.Millisecond))
	_, err = short.GetInstance(context.Background(), presetID)
	mustCloudError(t, err, cloud.ClassTransient)

	done, cancelDone := context.WithCancel(context.Background())
	cancelDone()
	_, err = c.GetInstance(done, presetID)
	if !errors.Is(mustCloudError(t, err, cloud.ClassTransient), context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// TestNoSDKRetriesAndOddAnswers checks that a 5xx is one call, and that answers that are not
// plain successes are never taken for one.
func TestNoSDKRetriesAndOddAnswers(t *testing.T) {
	var calls atomic.Int32
	var answer atomic.Value
	answer.Store([2]string{"503", `{"Code":"ServiceUnavailable","Message":"The request has failed due to a temporary failure of the server.","RequestId":"R1"}`})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		a := answer.Load().([2]string)
		status, _ := strconv.Atoi(a[0])
		w.WriteHeader(status)
		_, _ = w.Write([]byte(a[1]))
	}))
	defer srv.Close()
	c, err := outboundbot.New(cloud.Config{Endpoint: srv.URL, Credentials: &cloud.Credentials{AccessKeyID: "id", AccessKeySecret: "s"}})
	if err != nil {
		t.Fatal(err)
	}
	key := cloud.ScriptKey{InstanceID: presetID, ScriptID: "s"}

	err = c.DeleteScript(context.Background(), key)
	if ce := mustCloudError(t, err, cloud.ClassTransient); ce.Code != "ServiceUnavailable" || ce.RequestID != "R1" {
		t.Errorf("503 = %+v", ce)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("a 503 cost %d HTTP calls, want 1 (no SDK retries)", n)
	}

	// A 404 page from something that is not the platform must not read as "script deleted".
	answer.Store([2]string{"404", `<html>not found</html>`})
	err = c.DeleteScript(context.Background(), key)
	if ce := mustCloudError(t, err, cloud.ClassTransient); strings.Contains(ce.Message, "html") {
		t.Errorf("non-platform 404 = %+v", ce)
	}

	// OutboundBot may answer a refusal inside a 200 envelope.
	answer.Store([2]string{"200", `{"Code":"NotExist.Script","Message":"The specified Script does not exist.","HttpStatusCode":404,"Success":false,"RequestId":"R3"}`})
	_, err = c.GetScript(context.Background(), key)
	if ce := mustCloudError(t, err, cloud.ClassNotFound); ce.RequestID != "R3" || ce.Code != "NotExist.Script" {
		t.Errorf("error in 200 = %+v", ce)
	}
	answer.Store([2]string{"200", `{"Code":"OK","HttpStatusCode":200,"Success":false,"RequestId":"R4"}`})
	err = c.PublishScript(context.Background(), key, "")
	if ce := mustCloudError(t, err, cloud.ClassTransient); ce.RequestID != "R4" {
		t.Errorf("Success false = %+v", ce)
	}
	answer.Store([2]string{"200", `{"Code":"Forbidden.RAM","Message":"no permission","HttpStatusCode":403,"Success":false,"RequestId":"R5"}`})
	_, err = c.FindInstanceByName(context.Background(), "x")
	mustCloudError(t, err, cloud.ClassUnauthorized)
}

func TestConcurrentCalls(t *testing.T) {
	e := start(t, 0)
	c := e.client(t, opSecret)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.GetInstance(context.Background(), presetID); err != nil {
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

func TestNewRefusesBadConfig(t *testing.T) {
	tests := map[string]cloud.Config{
		"other platform":     {Platform: cloud.PlatformAlibabaCCC},
		"bad region":         {Region: "cn shanghai"},
		"ftp endpoint":       {Endpoint: "ftp://127.0.0.1:21"},
		"endpoint with path": {Endpoint: "http://127.0.0.1:1/api"},
		"half credentials":   {Credentials: &cloud.Credentials{AccessKeyID: "id"}},
	}
	for name, cfg := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := outboundbot.New(cfg)
			if ce := mustCloudError(t, err, cloud.ClassInvalid); ce.Message == "" {
				t.Errorf("no message: %+v", ce)
			}
		})
	}
	var _ cloud.OutboundClientFactory = outboundbot.NewOutboundClient
}

func TestProviderSwitch(t *testing.T) {
	e := start(t, 0)
	ctx := context.Background()
	c, err := providers.NewOutboundClient(ctx, cloud.Config{
		Platform: cloud.PlatformAlibabaOutboundBot, Endpoint: e.srv.URL,
		Credentials: &cloud.Credentials{AccessKeyID: "op-id", AccessKeySecret: opSecret},
	})
	if err != nil || c.Platform() != cloud.PlatformAlibabaOutboundBot {
		t.Fatalf("NewOutboundClient = %v, %v", c, err)
	}
	if _, err := c.GetInstance(ctx, presetID); err != nil {
		t.Errorf("GetInstance through the provider switch: %v", err)
	}
	if _, err := providers.NewOutboundClient(ctx, cloud.Config{Platform: cloud.PlatformAlibabaCCC}); err == nil {
		t.Error("NewOutboundClient for CCC succeeded")
	}
}
