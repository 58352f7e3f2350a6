package classic_test

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
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/alibaba/classic"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/providers"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	emuclassic "github.com/contactflow-operator/contactflow-operator/internal/emulator/classic"
)

const (
	instanceID = "cc-test"
	opSecret   = "operator-secret-Zq81"
	contentA   = `{"start":"a","nodes":[{"id":"a","type":"Play","next":{"default":"h"}},{"id":"h","type":"Hangup"}]}`
	contentB   = `{"start":"a","nodes":[{"id":"a","type":"Play","properties":{"text":"您好"},"next":{"default":"h"}},{"id":"h","type":"Hangup"}]}`
	contentC   = `{"start":"h","nodes":[{"id":"h","type":"Hangup"}]}`
	canvasX    = `{"a":{"x":100,"y":40}}`
)

type testEnv struct {
	emu   *emulator.Emulator
	srv   *httptest.Server
	admin *emulator.CloudCallCenterAdminClient
}

func start(t *testing.T, latency time.Duration) *testEnv {
	t.Helper()
	in, err := emulator.ParseInstance(emulator.PlatformCloudCallCenter + ":" + instanceID)
	if err != nil {
		t.Fatal(err)
	}
	emu, err := emulator.New(emulator.Config{
		AccessKeys: []emulator.AccessKey{{ID: "op-id", Secret: opSecret}},
		Instances:  []emulator.Instance{in},
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
	return &testEnv{emu: emu, srv: srv, admin: emulator.NewAdminClient(srv.URL, srv.Client()).CloudCallCenter()}
}

func (e *testEnv) client(t *testing.T, secret string, opts ...classic.Option) *classic.Client {
	t.Helper()
	c, err := classic.New(cloud.Config{
		Platform:    cloud.PlatformAlibabaCloudCallCenter,
		Region:      "cn-shanghai",
		Endpoint:    e.srv.URL,
		Credentials: &cloud.Credentials{AccessKeyID: "op-id", AccessKeySecret: secret},
	}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *testEnv) calls(action string) int64 {
	return e.emu.Stats().Count(emulator.PlatformCloudCallCenter, action)
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
	if ce.Platform != cloud.PlatformAlibabaCloudCallCenter || ce.Action == "" {
		t.Errorf("platform/action = %q/%q", ce.Platform, ce.Action)
	}
	return ce
}

func TestLifecycle(t *testing.T) {
	e := start(t, 0)
	c := e.client(t, opSecret)
	ctx := context.Background()
	if c.Platform() != cloud.PlatformAlibabaCloudCallCenter {
		t.Errorf("Platform = %q", c.Platform())
	}

	id, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "main", Type: "MAIN_FLOW", Description: "d", Definition: contentA})
	if err != nil {
		t.Fatalf("CreateFlow: %v", err)
	}
	key := cloud.FlowKey{InstanceID: instanceID, FlowID: id}

	e.emu.ResetStats()
	f, err := c.GetFlow(ctx, key)
	if err != nil {
		t.Fatalf("GetFlow: %v", err)
	}
	if n := e.calls("GetContactFlow"); n != 1 || e.emu.Stats().Total != 1 {
		t.Errorf("GetFlow cost %d calls (%d GetContactFlow), want 1", e.emu.Stats().Total, n)
	}
	if f.Published || f.PublishedDefinition != "" || f.Draft == nil || f.Draft.Definition != contentA ||
		f.Draft.Editor != "operator" || f.Draft.UpdatedTime == "" || f.Name != "main" || f.Description != "d" || f.Type != "MAIN_FLOW" {
		t.Fatalf("new flow = %+v draft %+v", f, f.Draft)
	}
	v1 := f.Draft.ID

	draftID, err := c.StartEdit(ctx, key)
	if err != nil || draftID != v1 {
		t.Fatalf("StartEdit = %q, %v; want the held version %q", draftID, err, v1)
	}
	if err := c.CommitDraft(ctx, key, draftID, contentB, "ignored"); err != nil {
		t.Fatalf("CommitDraft: %v", err)
	}
	if err := c.Publish(ctx, key, draftID); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if err := c.Publish(ctx, key, draftID); err != nil {
		t.Errorf("Publish of the running version again = %v, want success", err)
	}
	f, err = c.GetFlow(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	want := &cloud.Flow{
		InstanceID: instanceID, ID: id, Name: "main", Type: "MAIN_FLOW", Description: "d",
		Published: true, PublishedDefinition: contentB, PublishedVersion: v1, UpdatedTime: f.UpdatedTime,
	}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("published flow (-want +got):\n%s", diff)
	}

	// A modification over a published flow: both contents are observed.
	v2, err := c.StartEdit(ctx, key)
	if err != nil || v2 == v1 {
		t.Fatalf("second StartEdit = %q, %v", v2, err)
	}
	if err := c.CommitDraft(ctx, key, v2, contentC, ""); err != nil {
		t.Fatal(err)
	}
	f, err = c.GetFlow(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if f.PublishedDefinition != contentB || f.Draft == nil || f.Draft.ID != v2 || f.Draft.Definition != contentC || f.Draft.Editor != "operator" {
		t.Errorf("flow with draft = %+v draft %+v", f, f.Draft)
	}

	page, err := c.ListFlows(ctx, instanceID, 1, 10)
	if err != nil {
		t.Fatalf("ListFlows: %v", err)
	}
	if page.TotalCount != 1 || page.PageNumber != 1 || page.PageSize != 10 || len(page.Flows) != 1 {
		t.Fatalf("page = %+v", page)
	}
	if lf := page.Flows[0]; lf.ID != id || lf.PublishedDefinition != contentB || lf.Draft == nil || lf.Draft.ID != v2 || lf.Draft.Definition != contentC {
		t.Errorf("listed flow = %+v draft %+v", lf, lf.Draft)
	}

	// Publish v2, then roll back to v1.
	if err := c.Publish(ctx, key, v2); err != nil {
		t.Fatal(err)
	}
	versions, err := c.Versions(ctx, key)
	if err != nil {
		t.Fatalf("Versions: %v", err)
	}
	if len(versions) != 2 || versions[0].ID != v1 || versions[1].ID != v2 || versions[0].Applied || !versions[1].Applied ||
		versions[1].Definition != contentC || versions[1].Layout != "{}" || versions[1].Status != emuclassic.StatusPublished ||
		versions[0].Label == "" || versions[1].LastModifiedBy != "operator" || versions[1].LockedBy != "" {
		t.Fatalf("versions = %+v", versions)
	}
	if err := c.Rollback(ctx, key, v1); err != nil {
		t.Fatalf("Rollback: %v", err)
	}
	if err := c.Rollback(ctx, key, v1); err != nil {
		t.Errorf("Rollback to the running version = %v, want success", err)
	}
	if f, _ := c.GetFlow(ctx, key); f.PublishedDefinition != contentB {
		t.Errorf("after rollback PublishedDefinition = %s", f.PublishedDefinition)
	}

	v3, _ := c.StartEdit(ctx, key)
	if err := c.DiscardDraft(ctx, key, v3); err != nil {
		t.Fatalf("DiscardDraft: %v", err)
	}
	if err := c.DiscardDraft(ctx, key, v3); err != nil {
		t.Errorf("DiscardDraft of a discarded version = %v, want success", err)
	}
	if err := c.DiscardDraft(ctx, key, v2); err != nil {
		t.Errorf("DiscardDraft of a published version = %v, want success (the draft is gone)", err)
	}
	if err := c.DeleteFlow(ctx, key); err != nil {
		t.Fatalf("DeleteFlow: %v", err)
	}
	if err := c.DeleteFlow(ctx, key); err != nil {
		t.Errorf("DeleteFlow of a deleted flow = %v, want success", err)
	}
	if err := c.DiscardDraft(ctx, key, v3); err != nil {
		t.Errorf("DiscardDraft on a deleted flow = %v, want success", err)
	}
	_, err = c.GetFlow(ctx, key)
	ce := mustCloudError(t, err, cloud.ClassNotFound)
	if ce.Code != emuclassic.CodeFlowNotExists || ce.RequestID == "" || !cloud.IsNotFound(err) {
		t.Errorf("GetFlow after delete = %+v", ce)
	}
}

// TestCanvasIsKept checks that a commit keeps the console's layout unless the caller sends one.
func TestCanvasIsKept(t *testing.T) {
	e := start(t, 0)
	c := e.client(t, opSecret)
	ctx := context.Background()
	f, err := e.admin.CreateFlow(ctx, instanceID, "", emulator.CloudCallCenterNewFlow{Name: "drawn", Type: "MAIN_FLOW", Canvas: canvasX, Content: contentA, Published: true})
	if err != nil {
		t.Fatal(err)
	}
	key := cloud.FlowKey{InstanceID: instanceID, FlowID: f.ContactFlowID}
	v, err := c.StartEdit(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	e.emu.ResetStats()
	if err := c.CommitDraft(ctx, key, v, contentB, ""); err != nil {
		t.Fatal(err)
	}
	if n := e.calls("GetContactFlowVersion"); n != 1 {
		t.Errorf("CommitDraft read the version %d times, want 1", n)
	}
	got, err := e.admin.Flow(ctx, instanceID, f.ContactFlowID)
	if err != nil {
		t.Fatal(err)
	}
	if lv := got.Locked(); lv.Canvas != canvasX || lv.Content != contentB {
		t.Errorf("committed version = %+v, want the console's canvas kept", lv)
	}
	const mine = `{"a":{"x":1,"y":1}}`
	e.emu.ResetStats()
	if err := c.CommitDraftWithCanvas(ctx, key, v, contentC, mine); err != nil {
		t.Fatal(err)
	}
	if n := e.calls("GetContactFlowVersion"); n != 0 {
		t.Errorf("CommitDraftWithCanvas read the version %d times, want 0", n)
	}
	got, _ = e.admin.Flow(ctx, instanceID, f.ContactFlowID)
	if lv := got.Locked(); lv.Canvas != mine || lv.Content != contentC {
		t.Errorf("committed version = %+v, want the caller's canvas", lv)
	}
}

func TestErrorMapping(t *testing.T) {
	e := start(t, 0)
	c := e.client(t, opSecret)
	ctx := context.Background()
	id, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "main", Type: "MAIN_FLOW", Definition: contentA})
	if err != nil {
		t.Fatal(err)
	}
	key := cloud.FlowKey{InstanceID: instanceID, FlowID: id}
	v1, _ := c.StartEdit(ctx, key)
	if err := c.Publish(ctx, key, v1); err != nil {
		t.Fatal(err)
	}
	aliceVersion, err := e.admin.BeginModification(ctx, instanceID, id, "alice.smith")
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.admin.CreateFlow(ctx, instanceID, "", emulator.CloudCallCenterNewFlow{Name: "other", Type: "MAIN_FLOW", Content: contentA})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.admin.AddPhoneNumber(ctx, instanceID, "057100000001"); err != nil {
		t.Fatal(err)
	}

	tests := map[string]struct {
		call      func() error
		wantClass cloud.Class
		wantCode  string
		wantBy    string
	}{
		"start edit of a flow alice modifies": {
			call:      func() error { _, err := c.StartEdit(ctx, key); return err },
			wantClass: cloud.ClassLocked, wantCode: emuclassic.CodeVersionLocked, wantBy: "alice.smith",
		},
		"commit into alice's version": {
			call:      func() error { return c.CommitDraftWithCanvas(ctx, key, aliceVersion, contentB, "{}") },
			wantClass: cloud.ClassLocked, wantCode: emuclassic.CodeVersionLocked, wantBy: "alice.smith",
		},
		"publish alice's version": {
			call:      func() error { return c.Publish(ctx, key, aliceVersion) },
			wantClass: cloud.ClassLocked, wantCode: emuclassic.CodeVersionLocked, wantBy: "alice.smith",
		},
		"commit into the published version": {
			call:      func() error { return c.CommitDraft(ctx, key, v1, contentB, "") },
			wantClass: cloud.ClassNotFound, wantCode: emuclassic.CodeVersionNotLocked,
		},
		"commit into an unknown version": {
			call:      func() error { return c.CommitDraft(ctx, key, "nope", contentB, "") },
			wantClass: cloud.ClassNotFound, wantCode: emuclassic.CodeVersionNotExists,
		},
		"commit into a version of another flow": {
			call: func() error {
				return c.CommitDraft(ctx, cloud.FlowKey{InstanceID: instanceID, FlowID: other.ContactFlowID}, aliceVersion, contentB, "")
			},
			wantClass: cloud.ClassNotFound,
		},
		"roll back to a version never published": {
			call:      func() error { return c.Rollback(ctx, key, aliceVersion) },
			wantClass: cloud.ClassInvalid, wantCode: emuclassic.CodeVersionNotPublished,
		},
		"duplicate name": {
			call: func() error {
				_, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "main", Type: "MAIN_FLOW", Definition: contentA})
				return err
			},
			wantClass: cloud.ClassAlreadyExists, wantCode: emuclassic.CodeDuplicatedName,
		},
		"invalid content": {
			call: func() error {
				_, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "x", Type: "MAIN_FLOW", Definition: "not json"})
				return err
			},
			wantClass: cloud.ClassInvalid, wantCode: emuclassic.CodeInvalidContent,
		},
		"missing content": {
			call: func() error {
				_, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "x", Type: "MAIN_FLOW"})
				return err
			},
			wantClass: cloud.ClassInvalid, wantCode: "MissingContent",
		},
		"page number 0": {
			call:      func() error { _, err := c.ListFlows(ctx, instanceID, 0, 10); return err },
			wantClass: cloud.ClassInvalid,
		},
		"unknown instance": {
			call:      func() error { _, err := c.ListFlows(ctx, "nope", 1, 10); return err },
			wantClass: cloud.ClassNotFound, wantCode: emuclassic.CodeInstanceNotExists,
		},
		"unknown flow": {
			call: func() error {
				_, err := c.GetFlow(ctx, cloud.FlowKey{InstanceID: instanceID, FlowID: "nope"})
				return err
			},
			wantClass: cloud.ClassNotFound, wantCode: emuclassic.CodeFlowNotExists,
		},
		"versions of an unknown flow": {
			call: func() error {
				_, err := c.Versions(ctx, cloud.FlowKey{InstanceID: instanceID, FlowID: "nope"})
				return err
			},
			wantClass: cloud.ClassNotFound, wantCode: emuclassic.CodeFlowNotExists,
		},
		"assign a number the instance does not have": {
			call:      func() error { return c.AssignPhoneNumber(ctx, key, "0000") },
			wantClass: cloud.ClassNotFound,
		},
		"assign a number to an unknown flow": {
			call: func() error {
				return c.AssignPhoneNumber(ctx, cloud.FlowKey{InstanceID: instanceID, FlowID: "nope"}, "057100000001")
			},
			wantClass: cloud.ClassNotFound, wantCode: emuclassic.CodeFlowNotExists,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := tc.call()
			ce := mustCloudError(t, err, tc.wantClass)
			if tc.wantCode != "" && (ce.Code != tc.wantCode || ce.RequestID == "") {
				t.Errorf("error = %+v, want code %s with a request ID", ce, tc.wantCode)
			}
			if ce.Message == "" {
				t.Errorf("error without a message: %+v", ce)
			}
			if ce.LockedBy != tc.wantBy {
				t.Errorf("LockedBy = %q, want %q", ce.LockedBy, tc.wantBy)
			}
			if tc.wantClass == cloud.ClassLocked {
				if !cloud.IsLocked(err) || !strings.Contains(err.Error(), "held by alice.smith") {
					t.Errorf("locked error = %v", err)
				}
			}
		})
	}
}

// TestTakeOver checks the path lockPolicy TakeOver takes: the operator discards the console
// user's version by its ID and opens its own.
func TestTakeOver(t *testing.T) {
	e := start(t, 0)
	c := e.client(t, opSecret)
	ctx := context.Background()
	f, err := e.admin.CreateFlow(ctx, instanceID, "", emulator.CloudCallCenterNewFlow{Name: "main", Type: "MAIN_FLOW", Content: contentA, Published: true})
	if err != nil {
		t.Fatal(err)
	}
	key := cloud.FlowKey{InstanceID: instanceID, FlowID: f.ContactFlowID}
	if _, err := e.admin.BeginModification(ctx, instanceID, f.ContactFlowID, "alice"); err != nil {
		t.Fatal(err)
	}
	live, err := c.GetFlow(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if live.Draft == nil || live.Draft.Editor != "alice" {
		t.Fatalf("draft = %+v, want alice's", live.Draft)
	}
	if _, err := c.StartEdit(ctx, key); !cloud.IsLocked(err) {
		t.Fatalf("StartEdit = %v, want locked", err)
	}
	if err := c.DiscardDraft(ctx, key, live.Draft.ID); err != nil {
		t.Fatalf("DiscardDraft of alice's version: %v", err)
	}
	mine, err := c.StartEdit(ctx, key)
	if err != nil || mine == live.Draft.ID {
		t.Fatalf("StartEdit after take-over = %q, %v", mine, err)
	}
}

func TestPhoneNumbers(t *testing.T) {
	e := start(t, 0)
	c := e.client(t, opSecret)
	ctx := context.Background()
	id, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "main", Type: "MAIN_FLOW", Definition: contentA})
	if err != nil {
		t.Fatal(err)
	}
	key := cloud.FlowKey{InstanceID: instanceID, FlowID: id}
	n, err := e.admin.AddPhoneNumber(ctx, instanceID, "057188880000")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AssignPhoneNumber(ctx, key, "057188880000"); err != nil {
		t.Fatalf("AssignPhoneNumber by number: %v", err)
	}
	f, err := c.GetFlow(ctx, key)
	if err != nil || !cmp.Equal(f.NumberList, []string{"057188880000"}) {
		t.Fatalf("NumberList = %v, %v", f.NumberList, err)
	}
	e.emu.ResetStats()
	if err := c.AssignPhoneNumber(ctx, key, n.PhoneNumberID); err != nil {
		t.Fatalf("AssignPhoneNumber by ID: %v", err)
	}
	if n := e.calls("AssignContactFlowToPhoneNumber"); n != 0 {
		t.Errorf("assigning an assigned number wrote %d times, want 0", n)
	}
	if err := c.RemovePhoneNumber(ctx, key, "057188880000"); err != nil {
		t.Fatalf("RemovePhoneNumber: %v", err)
	}
	if err := c.RemovePhoneNumber(ctx, key, "057188880000"); err != nil {
		t.Errorf("RemovePhoneNumber of an unassigned number = %v, want success", err)
	}
	if n := e.calls("RemoveContactFlowFromPhoneNumber"); n != 1 {
		t.Errorf("RemoveContactFlowFromPhoneNumber called %d times, want 1", n)
	}
	ns, _ := e.admin.PhoneNumbers(ctx, instanceID)
	if len(ns) != 1 || ns[0].ContactFlowID != "" {
		t.Errorf("numbers = %+v", ns)
	}
}

func TestListPaging(t *testing.T) {
	e := start(t, 0)
	c := e.client(t, opSecret)
	ctx := context.Background()
	for i := range 5 {
		if _, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: fmt.Sprintf("f%d", i), Type: "MAIN_FLOW", Definition: contentA}); err != nil {
			t.Fatal(err)
		}
	}
	tests := map[string]struct {
		number, size int
		want         []string
	}{
		"first page":   {1, 2, []string{"f0", "f1"}},
		"last page":    {3, 2, []string{"f4"}},
		"past the end": {4, 2, nil},
		"all":          {1, 100, []string{"f0", "f1", "f2", "f3", "f4"}},
		"huge number":  {1 << 62, 1 << 20, nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			page, err := c.ListFlows(ctx, instanceID, tc.number, tc.size)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, f := range page.Flows {
				names = append(names, f.Name)
			}
			if diff := cmp.Diff(tc.want, names); diff != "" || page.TotalCount != 5 {
				t.Errorf("names (-want +got):\n%s total %d", diff, page.TotalCount)
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
	unknown, err := classic.New(cloud.Config{Endpoint: e.srv.URL, Credentials: &cloud.Credentials{AccessKeyID: "nobody", AccessKeySecret: "x"}})
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

	c, err := classic.New(cloud.Config{Endpoint: addr, Credentials: &cloud.Credentials{AccessKeyID: "op-id", AccessKeySecret: opSecret, SecurityToken: "sts-token-Qw7"}})
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

	short := e.client(t, opSecret, classic.WithTimeouts(0, 100*time.Millisecond))
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
	c, err := classic.New(cloud.Config{Endpoint: srv.URL, Credentials: &cloud.Credentials{AccessKeyID: "id", AccessKeySecret: "s"}})
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
	answer.Store([2]string{"200", `{"Code":"Forbidden.RAM","Message":"no permission","HttpStatusCode":403,"Success":false,"RequestId":"R3"}`})
	_, err = c.StartEdit(context.Background(), key)
	if ce := mustCloudError(t, err, cloud.ClassUnauthorized); ce.RequestID != "R3" {
		t.Errorf("error in 200 = %+v", ce)
	}
	// Neither a code nor success: not trusted.
	answer.Store([2]string{"200", `{"RequestId":"R4"}`})
	err = c.Publish(context.Background(), key, "v")
	if ce := mustCloudError(t, err, cloud.ClassTransient); ce.RequestID != "R4" {
		t.Errorf("empty 200 = %+v", ce)
	}
	// Success without the object the action returns.
	answer.Store([2]string{"200", `{"Code":"OK","Success":true,"RequestId":"R5"}`})
	_, err = c.StartEdit(context.Background(), key)
	mustCloudError(t, err, cloud.ClassTransient)
	_, err = c.CreateFlow(context.Background(), cloud.CreateFlowInput{InstanceID: instanceID, Name: "x", Type: "MAIN_FLOW", Definition: "{}"})
	mustCloudError(t, err, cloud.ClassTransient)
	_, err = c.GetFlow(context.Background(), key)
	mustCloudError(t, err, cloud.ClassTransient)
}

func TestConcurrentCalls(t *testing.T) {
	e := start(t, 0)
	c := e.client(t, opSecret)
	ctx := context.Background()
	id, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "main", Type: "MAIN_FLOW", Definition: contentA})
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
		c, err := classic.New(cloud.Config{Endpoint: ep, Credentials: &cloud.Credentials{AccessKeyID: "op-id", AccessKeySecret: opSecret}})
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
	c, err := classic.New(cloud.Config{Endpoint: e.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListFlows(context.Background(), instanceID, 1, 1); err != nil {
		t.Errorf("ambient credentials: %v", err)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	tests := map[string]cloud.Config{
		"other platform":        {Platform: cloud.PlatformAlibabaCCC},
		"bad region":            {Region: "cn shanghai"},
		"ftp endpoint":          {Endpoint: "ftp://127.0.0.1:21"},
		"endpoint with path":    {Endpoint: "http://127.0.0.1:1/api"},
		"bare endpoint w/ path": {Endpoint: "127.0.0.1:1/api"},
		"half credentials":      {Credentials: &cloud.Credentials{AccessKeyID: "id"}},
	}
	for name, cfg := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := classic.New(cfg)
			if ce := mustCloudError(t, err, cloud.ClassInvalid); ce.Message == "" {
				t.Errorf("no message: %+v", ce)
			}
		})
	}
	var _ cloud.FlowClientFactory = classic.NewFlowClient
}

// TestProviderDispatch checks that the providers switch builds this adapter for the platform,
// and that controllers can reach its versions through cloud.FlowVersioner.
func TestProviderDispatch(t *testing.T) {
	e := start(t, 0)
	fc, err := providers.NewFlowClient(context.Background(), cloud.Config{
		Platform:    cloud.PlatformAlibabaCloudCallCenter,
		Endpoint:    e.srv.URL,
		Credentials: &cloud.Credentials{AccessKeyID: "op-id", AccessKeySecret: opSecret},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := fc.(*classic.Client); !ok || fc.Platform() != cloud.PlatformAlibabaCloudCallCenter {
		t.Fatalf("NewFlowClient = %T", fc)
	}
	if _, ok := fc.(cloud.FlowVersioner); !ok {
		t.Error("the classic client is not a cloud.FlowVersioner")
	}
	if _, err := fc.ListFlows(context.Background(), instanceID, 1, 1); err != nil {
		t.Errorf("ListFlows through the provider: %v", err)
	}
}
