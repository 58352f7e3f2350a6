package outboundbot

import (
	"errors"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

func newTestService(t *testing.T, opts Options) *Service {
	t.Helper()
	now := time.Date(2020, 1, 8, 7, 37, 22, 0, time.UTC)
	if opts.Now == nil {
		opts.Now = func() time.Time {
			now = now.Add(time.Second)
			return now
		}
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// apiError returns the status and code of err, (0, "") for nil and (0, "<go error>") for an
// error that is not an APIError.
func apiError(err error) (int, string) {
	if err == nil {
		return 0, ""
	}
	var ae *core.APIError
	if errors.As(err, &ae) {
		return ae.HTTPStatus, ae.Code
	}
	return 0, "<go error>"
}

func ptr[T any](v T) *T { return &v }

func TestInstanceRules(t *testing.T) {
	tests := map[string]struct {
		// do runs against a service with limit 10 holding instance "first" (concurrency 4).
		do         func(s *Service, first Instance) error
		wantStatus int
		wantCode   string
	}{
		"create within the limit": {
			do: func(s *Service, _ Instance) error {
				_, err := s.CreateInstance("operator", NewInstance{InstanceName: "second", MaxConcurrentConversation: 6})
				return err
			},
		},
		"create with a taken name": {
			do: func(s *Service, _ Instance) error {
				_, err := s.CreateInstance("operator", NewInstance{InstanceName: "first", MaxConcurrentConversation: 1})
				return err
			},
			wantStatus: 400, wantCode: CodeInstanceNameDuplicated,
		},
		"create over the limit": {
			do: func(s *Service, _ Instance) error {
				_, err := s.CreateInstance("operator", NewInstance{InstanceName: "second", MaxConcurrentConversation: 7})
				return err
			},
			wantStatus: 400, wantCode: CodeConcurrencyExceeded,
		},
		"create with no concurrency": {
			do: func(s *Service, _ Instance) error {
				_, err := s.CreateInstance("operator", NewInstance{InstanceName: "second"})
				return err
			},
			wantStatus: 400, wantCode: "InvalidParameter.MaxConcurrentConversation",
		},
		"create without a name": {
			do: func(s *Service, _ Instance) error {
				_, err := s.CreateInstance("operator", NewInstance{MaxConcurrentConversation: 1})
				return err
			},
			wantStatus: 400, wantCode: "MissingInstanceName",
		},
		"modify up to the limit": {
			do: func(s *Service, f Instance) error {
				_, err := s.ModifyInstance(f.InstanceID, InstanceUpdate{MaxConcurrentConversation: ptr(10)})
				return err
			},
		},
		"modify over the limit": {
			do: func(s *Service, f Instance) error {
				_, err := s.ModifyInstance(f.InstanceID, InstanceUpdate{MaxConcurrentConversation: ptr(11)})
				return err
			},
			wantStatus: 400, wantCode: CodeConcurrencyExceeded,
		},
		"modify down below a lowered limit": {
			do: func(s *Service, f Instance) error {
				if err := s.SetConcurrencyLimit(2); err != nil {
					return err
				}
				_, err := s.ModifyInstance(f.InstanceID, InstanceUpdate{MaxConcurrentConversation: ptr(3)})
				return err
			},
		},
		"modify to another instance's name": {
			do: func(s *Service, f Instance) error {
				if _, err := s.CreateInstance("operator", NewInstance{InstanceName: "second", MaxConcurrentConversation: 1}); err != nil {
					return err
				}
				_, err := s.ModifyInstance(f.InstanceID, InstanceUpdate{InstanceName: ptr("second")})
				return err
			},
			wantStatus: 400, wantCode: CodeInstanceNameDuplicated,
		},
		"modify keeping its own name": {
			do: func(s *Service, f Instance) error {
				_, err := s.ModifyInstance(f.InstanceID, InstanceUpdate{InstanceName: ptr("first"), MaxConcurrentConversation: ptr(4)})
				return err
			},
		},
		"modify an unknown instance": {
			do: func(s *Service, _ Instance) error {
				_, err := s.ModifyInstance("nope", InstanceUpdate{MaxConcurrentConversation: ptr(1)})
				return err
			},
			wantStatus: 404, wantCode: CodeInstanceNotExist,
		},
		"describe an unknown instance": {
			do: func(s *Service, _ Instance) error {
				_, err := s.Instance("nope")
				return err
			},
			wantStatus: 404, wantCode: CodeInstanceNotExist,
		},
		"delete frees its concurrency": {
			do: func(s *Service, f Instance) error {
				if err := s.DeleteInstance(f.InstanceID); err != nil {
					return err
				}
				_, err := s.CreateInstance("operator", NewInstance{InstanceName: "first", MaxConcurrentConversation: 10})
				return err
			},
		},
		"delete twice": {
			do: func(s *Service, f Instance) error {
				if err := s.DeleteInstance(f.InstanceID); err != nil {
					return err
				}
				return s.DeleteInstance(f.InstanceID)
			},
			wantStatus: 404, wantCode: CodeInstanceNotExist,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := newTestService(t, Options{ConcurrencyLimit: 10})
			first, err := s.CreateInstance("operator", NewInstance{InstanceName: "first", MaxConcurrentConversation: 4})
			if err != nil {
				t.Fatal(err)
			}
			status, code := apiError(tc.do(s, first))
			if status != tc.wantStatus || code != tc.wantCode {
				t.Errorf("got %d %q, want %d %q", status, code, tc.wantStatus, tc.wantCode)
			}
		})
	}
}

func TestInstanceCreateAndModifyFields(t *testing.T) {
	s := newTestService(t, Options{})
	in, err := s.CreateInstance("alice", NewInstance{
		InstanceName: "bot", InstanceDescription: "first", MaxConcurrentConversation: 5,
		CallingNumbers: []string{"4001", "4002"}, CallCenterInstanceID: "ccc-1",
		NluServiceType: "Authorized", NluEndpoint: "nlu.example", NluAccessKey: "ak", NluSecretKey: "sk-hidden",
	})
	if err != nil {
		t.Fatal(err)
	}
	if in.InstanceID == "" || in.CreatorName != "alice" || in.OwnerName != "alice" || in.CreatorID == 0 ||
		in.CreationTime != time.Date(2020, 1, 8, 7, 37, 23, 0, time.UTC).UnixMilli() {
		t.Errorf("created = %+v", in)
	}
	got, err := s.ModifyInstance(in.InstanceID, InstanceUpdate{
		InstanceName: ptr("bot-2"), MaxConcurrentConversation: ptr(6), CallingNumbers: []string{"4003"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.InstanceName, want.MaxConcurrentConversation, want.CallingNumbers = "bot-2", 6, []string{"4003"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("modified (-want +got):\n%s", diff)
	}
	if v := s.Instances()[0]; v.NluSecretKey != "sk-hidden" {
		t.Errorf("service copy must keep the secret, got %q", v.NluSecretKey)
	}
	if v := (&instanceRecord{Instance: got}).adminView(); v.NluSecretKey != redacted {
		t.Errorf("admin view shows the NLU secret: %q", v.NluSecretKey)
	}
	if j := toInstanceJSON(got); j.NluProfile.SecretKey != maskedSecret || j.NluProfile.AccessKey != "ak" {
		t.Errorf("API view of the NLU profile = %+v", j.NluProfile)
	}
}

// scriptState is what a step of the script life cycle checks.
type scriptState struct {
	Status         string
	IsDrafted      bool
	DebugStatus    string
	IsDebugDrafted bool
	AppliedVersion string
	RejectReason   string
	Scene          string
}

func stateOf(sc Script) scriptState {
	return scriptState{
		Status: sc.Status, IsDrafted: sc.IsDrafted, DebugStatus: sc.DebugStatus, IsDebugDrafted: sc.IsDebugDrafted,
		AppliedVersion: sc.AppliedVersion, RejectReason: sc.RejectReason, Scene: sc.Scene,
	}
}

func TestScriptLifecycle(t *testing.T) {
	s := newTestService(t, Options{Instances: []string{"ob-1"}})
	created, err := s.CreateScript("ob-1", "operator", ScriptFields{
		ScriptName: "sales", Industry: "finance", Scene: "v1", ScriptContent: []string{"hello"},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := created.ScriptID
	scene := func(v string) ScriptUpdate {
		return ScriptUpdate{Scene: ptr(v), ScriptContent: []string{"content " + v}}
	}
	drafted := func(status, applied, scene, reject string) scriptState {
		return scriptState{Status: status, IsDrafted: true, DebugStatus: DebugStatusDrafted, IsDebugDrafted: true, AppliedVersion: applied, Scene: scene, RejectReason: reject}
	}
	published := func(applied, scene string) scriptState {
		return scriptState{Status: StatusPublished, DebugStatus: DebugStatusPublished, AppliedVersion: applied, Scene: scene}
	}

	steps := []struct {
		name     string
		do       func() (Script, error)
		wantCode string
		want     scriptState
	}{
		{"created", func() (Script, error) { return s.Script("ob-1", id) },
			"", drafted(StatusDrafted, "", "v1", "")},
		{"publish before review", func() (Script, error) { return s.Publish("ob-1", id, "") },
			CodeScriptStatus, drafted(StatusDrafted, "", "v1", "")},
		{"withdraw with nothing in review", func() (Script, error) { return s.WithdrawReview("ob-1", id) },
			CodeScriptStatus, drafted(StatusDrafted, "", "v1", "")},
		{"submit", func() (Script, error) { return s.SubmitReview("ob-1", id, "first") },
			"", drafted(StatusInReview, "", "v1", "")},
		{"submit again", func() (Script, error) { return s.SubmitReview("ob-1", id, "again") },
			CodeScriptInReview, drafted(StatusInReview, "", "v1", "")},
		{"modify in review", func() (Script, error) { return s.ModifyScript("ob-1", id, scene("x")) },
			CodeScriptInReview, drafted(StatusInReview, "", "v1", "")},
		{"publish in review", func() (Script, error) { return s.Publish("ob-1", id, "") },
			CodeScriptInReview, drafted(StatusInReview, "", "v1", "")},
		{"withdraw", func() (Script, error) { return s.WithdrawReview("ob-1", id) },
			"", drafted(StatusDrafted, "", "v1", "")},
		{"modify", func() (Script, error) { return s.ModifyScript("ob-1", id, scene("v2")) },
			"", drafted(StatusDrafted, "", "v2", "")},
		{"submit the change", func() (Script, error) { return s.SubmitReview("ob-1", id, "second") },
			"", drafted(StatusInReview, "", "v2", "")},
		{"approve", func() (Script, error) { return s.ApproveReview("ob-1", id) },
			"", drafted(StatusApproved, "", "v2", "")},
		{"submit when approved", func() (Script, error) { return s.SubmitReview("ob-1", id, "") },
			CodeScriptStatus, drafted(StatusApproved, "", "v2", "")},
		{"publish", func() (Script, error) { return s.Publish("ob-1", id, "go live") },
			"", published("1", "v2")},
		{"submit with nothing drafted", func() (Script, error) { return s.SubmitReview("ob-1", id, "") },
			CodeScriptStatus, published("1", "v2")},
		{"modify the published script", func() (Script, error) { return s.ModifyScript("ob-1", id, scene("v3")) },
			"", drafted(StatusPublished, "1", "v3", "")},
		{"submit over the published version", func() (Script, error) { return s.SubmitReview("ob-1", id, "third") },
			"", drafted(StatusPublishedInReview, "1", "v3", "")},
		{"reject with a reason", func() (Script, error) { return s.RejectReview("ob-1", id, "wording not compliant") },
			"", drafted(StatusPublished, "1", "v3", "wording not compliant")},
		{"reject when not in review", func() (Script, error) { return s.RejectReview("ob-1", id, "again") },
			CodeScriptStatus, drafted(StatusPublished, "1", "v3", "wording not compliant")},
		{"resubmit clears the reason", func() (Script, error) { return s.SubmitReview("ob-1", id, "fixed") },
			"", drafted(StatusPublishedInReview, "1", "v3", "")},
		{"rollback in review", func() (Script, error) { return s.Rollback("ob-1", id, "1") },
			CodeScriptInReview, drafted(StatusPublishedInReview, "1", "v3", "")},
		{"approve over the published version", func() (Script, error) { return s.ApproveReview("ob-1", id) },
			"", drafted(StatusPublishedApproved, "1", "v3", "")},
		{"publish version 2", func() (Script, error) { return s.Publish("ob-1", id, "v2") },
			"", published("2", "v3")},
		{"rollback to an unknown version", func() (Script, error) { return s.Rollback("ob-1", id, "9") },
			CodeInvalidRollbackVersion, published("2", "v3")},
		{"modify after publish", func() (Script, error) { return s.ModifyScript("ob-1", id, scene("v4")) },
			"", drafted(StatusPublished, "2", "v4", "")},
		{"rollback to version 1 drops the change", func() (Script, error) { return s.Rollback("ob-1", id, "1") },
			"", published("1", "v2")},
	}
	for _, st := range steps {
		got, err := st.do()
		if _, code := apiError(err); code != st.wantCode {
			t.Fatalf("%s: code %q (%v), want %q", st.name, code, err, st.wantCode)
		}
		if err != nil {
			got, _ = s.Script("ob-1", id)
		}
		if diff := cmp.Diff(st.want, stateOf(got)); diff != "" {
			t.Fatalf("%s: state (-want +got):\n%s", st.name, diff)
		}
	}

	final, _ := s.Script("ob-1", id)
	if diff := cmp.Diff([]string{"content v2"}, final.ScriptContent); diff != "" {
		t.Errorf("content after rollback (-want +got):\n%s", diff)
	}
	if final.ScriptName != "sales" || len(final.Versions) != 2 {
		t.Errorf("after rollback: name %q, %d versions", final.ScriptName, len(final.Versions))
	}
	var versions []string
	for _, h := range final.History {
		versions = append(versions, h.ScriptVersion+":"+h.Description)
	}
	if diff := cmp.Diff([]string{"1:go live", "2:v2", "1:Rollback to version 1"}, versions); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	// A publish after a rollback takes the next number, never a used one.
	if _, err := s.ModifyScript("ob-1", id, scene("v5")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SubmitReview("ob-1", id, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApproveReview("ob-1", id); err != nil {
		t.Fatal(err)
	}
	if sc, err := s.Publish("ob-1", id, ""); err != nil || sc.AppliedVersion != "3" {
		t.Errorf("publish after rollback = %q, %v; want version 3", sc.AppliedVersion, err)
	}
}

func TestScriptRefusals(t *testing.T) {
	tests := map[string]struct {
		do         func(s *Service, sc Script) error
		wantStatus int
		wantCode   string
	}{
		"create with a taken name": {
			do: func(s *Service, _ Script) error {
				_, err := s.CreateScript("ob-1", "operator", ScriptFields{ScriptName: "sales"})
				return err
			},
			wantStatus: 400, wantCode: CodeScriptNameDuplicated,
		},
		"same name in another instance": {
			do: func(s *Service, _ Script) error {
				_, err := s.CreateScript("ob-2", "operator", ScriptFields{ScriptName: "sales"})
				return err
			},
		},
		"rename to a taken name": {
			do: func(s *Service, sc Script) error {
				if _, err := s.CreateScript("ob-1", "operator", ScriptFields{ScriptName: "other"}); err != nil {
					return err
				}
				_, err := s.ModifyScript("ob-1", sc.ScriptID, ScriptUpdate{ScriptName: ptr("other")})
				return err
			},
			wantStatus: 400, wantCode: CodeScriptNameDuplicated,
		},
		"create in an unknown instance": {
			do: func(s *Service, _ Script) error {
				_, err := s.CreateScript("nope", "operator", ScriptFields{ScriptName: "x"})
				return err
			},
			wantStatus: 404, wantCode: CodeInstanceNotExist,
		},
		"describe an unknown script": {
			do: func(s *Service, _ Script) error {
				_, err := s.Script("ob-1", "nope")
				return err
			},
			wantStatus: 404, wantCode: CodeScriptNotExist,
		},
		"script of another instance": {
			do: func(s *Service, sc Script) error {
				_, err := s.Script("ob-2", sc.ScriptID)
				return err
			},
			wantStatus: 404, wantCode: CodeScriptNotExist,
		},
		"withdraw an unknown script": {
			do: func(s *Service, _ Script) error {
				_, err := s.WithdrawReview("ob-1", "nope")
				return err
			},
			wantStatus: 404, wantCode: CodeScriptNotExist,
		},
		"withdraw in an unknown instance": {
			do: func(s *Service, sc Script) error {
				_, err := s.WithdrawReview("nope", sc.ScriptID)
				return err
			},
			wantStatus: 404, wantCode: CodeInstanceNotExist,
		},
		"reject without a reason": {
			do: func(s *Service, sc Script) error {
				if _, err := s.SubmitReview("ob-1", sc.ScriptID, ""); err != nil {
					return err
				}
				_, err := s.RejectReview("ob-1", sc.ScriptID, " ")
				return err
			},
			wantStatus: 400, wantCode: "MissingReason",
		},
		"delete in review": {
			do: func(s *Service, sc Script) error {
				if _, err := s.SubmitReview("ob-1", sc.ScriptID, ""); err != nil {
					return err
				}
				return s.DeleteScript("ob-1", sc.ScriptID)
			},
		},
		"delete twice": {
			do: func(s *Service, sc Script) error {
				if err := s.DeleteScript("ob-1", sc.ScriptID); err != nil {
					return err
				}
				return s.DeleteScript("ob-1", sc.ScriptID)
			},
			wantStatus: 404, wantCode: CodeScriptNotExist,
		},
		"deleting the instance deletes its scripts": {
			do: func(s *Service, sc Script) error {
				if err := s.DeleteInstance("ob-1"); err != nil {
					return err
				}
				_, err := s.Script("ob-1", sc.ScriptID)
				return err
			},
			wantStatus: 404, wantCode: CodeInstanceNotExist,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := newTestService(t, Options{Instances: []string{"ob-1", "ob-2"}})
			sc, err := s.CreateScript("ob-1", "operator", ScriptFields{ScriptName: "sales", Industry: "finance", Scene: "sales"})
			if err != nil {
				t.Fatal(err)
			}
			status, code := apiError(tc.do(s, sc))
			if status != tc.wantStatus || code != tc.wantCode {
				t.Errorf("got %d %q, want %d %q", status, code, tc.wantStatus, tc.wantCode)
			}
		})
	}
}

func TestAutoApprove(t *testing.T) {
	s := newTestService(t, Options{Instances: []string{"ob-1"}})
	s.SetAutoApprove(true)
	sc, _ := s.CreateScript("ob-1", "operator", ScriptFields{ScriptName: "x"})
	got, err := s.SubmitReview("ob-1", sc.ScriptID, "")
	if err != nil || got.Status != StatusApproved {
		t.Fatalf("submit with auto-approve = %s, %v", got.Status, err)
	}
	if got, err := s.Publish("ob-1", sc.ScriptID, ""); err != nil || got.Status != StatusPublished {
		t.Errorf("publish = %s, %v", got.Status, err)
	}
}

func TestPublishHistoryPaging(t *testing.T) {
	s := newTestService(t, Options{Instances: []string{"ob-1"}, Now: func() time.Time { return time.UnixMilli(1578881227000) }})
	sc, _ := s.CreateScript("ob-1", "operator", ScriptFields{ScriptName: "x"})
	for i := range 5 {
		if i > 0 {
			if _, err := s.ModifyScript("ob-1", sc.ScriptID, ScriptUpdate{Scene: ptr("s")}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.SubmitReview("ob-1", sc.ScriptID, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ApproveReview("ob-1", sc.ScriptID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Publish("ob-1", sc.ScriptID, "p"); err != nil {
			t.Fatal(err)
		}
	}
	tests := map[string]struct {
		pageNumber, pageSize int
		want                 []string
	}{
		"first page, newest first": {1, 2, []string{"5", "4"}},
		"middle page":              {2, 2, []string{"3", "2"}},
		"last partial page":        {3, 2, []string{"1"}},
		"beyond the end":           {4, 2, []string{}},
		"one page holds all":       {1, 100, []string{"5", "4", "3", "2", "1"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			recs, total, err := s.PublishHistory("ob-1", sc.ScriptID, tc.pageNumber, tc.pageSize)
			if err != nil || total != 5 {
				t.Fatalf("PublishHistory = total %d, %v", total, err)
			}
			got := []string{}
			for _, r := range recs {
				got = append(got, r.ScriptVersion)
				if r.PublishTime != 1578881227000 || r.Description != "p" {
					t.Errorf("record = %+v", r)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("versions (-want +got):\n%s", diff)
			}
		})
	}
	if _, _, err := s.PublishHistory("ob-1", "nope", 1, 10); err == nil {
		t.Error("history of an unknown script succeeded")
	}
}

func TestFaults(t *testing.T) {
	s := newTestService(t, Options{})
	if err := s.InjectFault(Fault{Action: "CreateInstance", Count: 2}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if ae := s.takeFault("CreateInstance"); ae == nil || ae.Code != CodeInternalError || ae.HTTPStatus != http.StatusInternalServerError {
			t.Fatalf("fault = %+v", ae)
		}
	}
	if ae := s.takeFault("CreateInstance"); ae != nil {
		t.Errorf("third call still faulted: %+v", ae)
	}
	if err := s.InjectFault(Fault{Action: "ListScripts", Count: 1, Code: "Throttling.User", HTTPStatus: 400}); err != nil {
		t.Fatal(err)
	}
	if err := s.InjectFault(Fault{Action: "ListScripts", Count: 0}); err != nil {
		t.Fatal(err)
	}
	if ae := s.takeFault("ListScripts"); ae != nil {
		t.Errorf("disarmed fault fired: %+v", ae)
	}
	for _, bad := range []Fault{{Count: 1}, {Action: "X", Count: -1}, {Action: "X", Count: 1, HTTPStatus: 200}} {
		if err := s.InjectFault(bad); err == nil {
			t.Errorf("InjectFault(%+v) accepted", bad)
		}
	}
}

func TestStatePersistsAndPresets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	store, err := core.OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	s := newTestService(t, Options{Store: store, Instances: []string{"preset"}})
	in, err := s.CreateInstance("operator", NewInstance{InstanceName: "bot", MaxConcurrentConversation: 3, CallingNumbers: []string{"1"}})
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := s.CreateScript(in.InstanceID, "operator", ScriptFields{ScriptName: "x", ScriptContent: []string{"a"}})
	if _, err := s.SubmitReview(in.InstanceID, sc.ScriptID, ""); err != nil {
		t.Fatal(err)
	}

	store2, err := core.OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	s2 := newTestService(t, Options{Store: store2, Instances: []string{"preset", "preset-2"}})
	got := s2.Instances()
	if len(got) != 3 || got[0].InstanceID != "preset" || !got[0].Preset || got[0].MaxConcurrentConversation != PresetConcurrency ||
		got[1].InstanceName != "bot" || got[2].InstanceID != "preset-2" {
		t.Fatalf("instances after reload = %+v", got)
	}
	sc2, err := s2.Script(in.InstanceID, sc.ScriptID)
	if err != nil || sc2.Status != StatusInReview || sc2.ScriptContent[0] != "a" {
		t.Errorf("script after reload = %+v, %v", sc2, err)
	}
	if _, err := New(Options{ConcurrencyLimit: -1}); err == nil {
		t.Error("negative limit accepted")
	}
	if _, err := New(Options{Instances: []string{" "}}); err == nil {
		t.Error("blank preset instance accepted")
	}
	if got := s2.Settings(); got.ConcurrencyLimit != DefaultConcurrencyLimit || got.AutoApprove {
		t.Errorf("default settings = %+v", got)
	}
	if err := s2.SetConcurrencyLimit(0); err == nil {
		t.Error("limit 0 accepted")
	}
}
