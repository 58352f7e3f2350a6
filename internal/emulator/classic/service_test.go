package classic

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

const (
	inst     = "cc-test"
	contentA = `{"start":"a","nodes":[{"id":"a","type":"Play","next":{"default":"h"}},{"id":"h","type":"Hangup"}]}`
	contentB = `{"start":"a","nodes":[{"id":"a","type":"Play","properties":{"text":"您好"},"next":{"default":"h"}},{"id":"h","type":"Hangup"}]}`
	contentC = `{"start":"h","nodes":[{"id":"h","type":"Hangup"}]}`
	canvasA  = `{"a":{"x":1,"y":2}}`
	canvasB  = `{"a":{"x":9,"y":9}}`
)

func newTestService(t *testing.T) *Service {
	t.Helper()
	now := time.Date(2020, 11, 14, 9, 47, 50, 0, time.UTC)
	s, err := New(Options{
		Instances: []string{inst},
		Now: func() time.Time {
			now = now.Add(time.Second)
			return now
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// code returns the platform code of err, "" for nil and "<go error>" for a non-API error.
func code(err error) string {
	if err == nil {
		return ""
	}
	var ae *core.APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return "<go error>"
}

func mustCreate(t *testing.T, s *Service, name, user string) Flow {
	t.Helper()
	f, err := s.CreateFlow(inst, user, NewFlow{Name: name, Type: "MAIN_FLOW", Canvas: canvasA, Content: contentA})
	if err != nil {
		t.Fatalf("CreateFlow(%s): %v", name, err)
	}
	return f
}

// published creates a flow and publishes version 1 as operator.
func published(t *testing.T, s *Service) Flow {
	t.Helper()
	f := mustCreate(t, s, "main", "operator")
	if err := s.Publish(inst, f.Versions[0].ContactFlowVersionID, "operator"); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Flow(inst, f.ContactFlowID)
	return got
}

func TestCreateMakesALockedUnappliedVersion(t *testing.T) {
	s := newTestService(t)
	f := mustCreate(t, s, "main", "operator")
	if f.AppliedVersion != "" || f.Applied() != nil || len(f.Versions) != 1 {
		t.Fatalf("created flow = %+v, want one unapplied version", f)
	}
	v := f.Versions[0]
	want := ContactFlowVersion{
		ContactFlowVersionID: v.ContactFlowVersionID,
		Version:              "20201114174751",
		Description:          "create-20201114174751",
		Canvas:               canvasA,
		Content:              contentA,
		Status:               StatusCreated,
		LockedBy:             "operator",
		LastModified:         "2020-11-14 17:47:51",
		LastModifiedBy:       "operator",
	}
	if diff := cmp.Diff(want, v); diff != "" {
		t.Errorf("version 1 (-want +got):\n%s", diff)
	}
	if len(v.ContactFlowVersionID) != 12 || strings.Trim(v.ContactFlowVersionID, idAlphabet) != "" {
		t.Errorf("version ID %q is not in the platform's style", v.ContactFlowVersionID)
	}
	if f.Locked() == nil || f.Locked().ContactFlowVersionID != v.ContactFlowVersionID {
		t.Errorf("Locked() = %+v", f.Locked())
	}
	noCanvas, err := s.CreateFlow(inst, "operator", NewFlow{Name: "bare", Type: "MAIN_FLOW", Content: contentA})
	if err != nil || noCanvas.Versions[0].Canvas != EmptyCanvas {
		t.Errorf("create without canvas = %+v, %v; want canvas %s", noCanvas.Versions, err, EmptyCanvas)
	}
}

func TestVersionLifecycle(t *testing.T) {
	s := newTestService(t)
	f := mustCreate(t, s, "main", "operator")
	v1 := f.Versions[0].ContactFlowVersionID

	// Begin by the holder returns the open version 1.
	_, id, err := s.BeginModification(inst, f.ContactFlowID, "operator")
	if err != nil || id != v1 {
		t.Fatalf("Begin = %q, %v; want the open version %q", id, err, v1)
	}
	committed, err := s.Commit(inst, v1, "operator", canvasB, contentB)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if committed.Status != StatusUpdated || committed.LockedBy != "operator" || committed.Content != contentB || committed.Canvas != canvasB {
		t.Errorf("committed = %+v", committed)
	}
	if err := s.Publish(inst, v1, "operator"); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if err := s.Publish(inst, v1, "operator"); err != nil {
		t.Errorf("second Publish of the applied version = %v, want no-op success", err)
	}
	f, _ = s.Flow(inst, f.ContactFlowID)
	if f.AppliedVersion != v1 || f.Locked() != nil || f.Applied().Status != StatusPublished || f.Applied().LockedBy != "" {
		t.Fatalf("after publish = %+v", f)
	}

	// A new modification copies the applied version.
	_, v2, err := s.BeginModification(inst, f.ContactFlowID, "operator")
	if err != nil || v2 == v1 {
		t.Fatalf("second Begin = %q, %v", v2, err)
	}
	f, _ = s.Flow(inst, f.ContactFlowID)
	if lv := f.Locked(); lv.Content != contentB || lv.Canvas != canvasB || lv.Status != StatusCreated || lv.Version == f.Applied().Version {
		t.Errorf("new version = %+v, want a copy of the applied one with its own label", lv)
	}
	if _, err := s.Modify(inst, v2, "operator", nil, ptr(contentC)); err != nil {
		t.Fatalf("Modify: %v", err)
	}
	if err := s.Publish(inst, v2, "operator"); err != nil {
		t.Fatal(err)
	}
	f, _ = s.Flow(inst, f.ContactFlowID)
	if f.AppliedVersion != v2 || f.Applied().Content != contentC || f.Applied().Canvas != canvasB {
		t.Fatalf("after second publish = %+v", f)
	}

	// Roll back to version 1.
	if err := s.Fallback(inst, v1); err != nil {
		t.Fatalf("Fallback: %v", err)
	}
	f, _ = s.Flow(inst, f.ContactFlowID)
	if f.AppliedVersion != v1 || f.Applied().Content != contentB {
		t.Errorf("after fallback = %+v", f)
	}
	if err := s.Fallback(inst, v1); err != nil {
		t.Errorf("fallback to the applied version = %v, want no-op success", err)
	}

	// Cancel drops a modification; the applied version is untouched.
	_, v3, _ := s.BeginModification(inst, f.ContactFlowID, "operator")
	if err := s.Cancel(inst, v3); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	if c := code(s.Cancel(inst, v3)); c != CodeVersionNotExists {
		t.Errorf("second Cancel code = %q, want %s", c, CodeVersionNotExists)
	}
	after, _ := s.Flow(inst, f.ContactFlowID)
	if diff := cmp.Diff(f, after, cmpopts.IgnoreFields(Flow{}, "UpdatedTime")); diff != "" {
		t.Errorf("begin + cancel changed the flow (-before +after):\n%s", diff)
	}

	if err := s.Delete(inst, f.ContactFlowID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if c := code(s.Delete(inst, f.ContactFlowID)); c != CodeFlowNotExists {
		t.Errorf("second Delete code = %q, want %s", c, CodeFlowNotExists)
	}
}

func ptr[T any](v T) *T { return &v }

func TestBeginOnAFlowWithoutVersions(t *testing.T) {
	s := newTestService(t)
	f := mustCreate(t, s, "main", "operator")
	if err := s.Cancel(inst, f.Versions[0].ContactFlowVersionID); err != nil {
		t.Fatal(err)
	}
	got, id, err := s.BeginModification(inst, f.ContactFlowID, "operator")
	if err != nil {
		t.Fatal(err)
	}
	if v := got.Version(id); v == nil || v.Content != EmptyContent || v.Canvas != EmptyCanvas {
		t.Errorf("version on an empty flow = %+v", v)
	}
}

// TestRefusals checks every refusal of the state machine, with another user ("alice") holding
// a modification of a published flow, and that a refusal changes nothing.
func TestRefusals(t *testing.T) {
	type fixture struct {
		f       Flow
		applied string // operator's published version 1
		alice   string // alice's open version
	}
	tests := map[string]struct {
		do       func(s *Service, x fixture) error
		wantCode string
		wantMsg  string
	}{
		"begin while alice holds a version": {
			do: func(s *Service, x fixture) error {
				_, _, err := s.BeginModification(inst, x.f.ContactFlowID, "operator")
				return err
			},
			wantCode: CodeVersionLocked,
			wantMsg:  "is locked by alice.",
		},
		"commit into alice's version": {
			do: func(s *Service, x fixture) error {
				_, err := s.Commit(inst, x.alice, "operator", canvasA, contentB)
				return err
			},
			wantCode: CodeVersionLocked,
		},
		"modify alice's version": {
			do: func(s *Service, x fixture) error {
				_, err := s.Modify(inst, x.alice, "operator", nil, ptr(contentB))
				return err
			},
			wantCode: CodeVersionLocked,
		},
		"publish alice's version": {
			do:       func(s *Service, x fixture) error { return s.Publish(inst, x.alice, "operator") },
			wantCode: CodeVersionLocked,
		},
		"commit into the published version": {
			do: func(s *Service, x fixture) error {
				_, err := s.Commit(inst, x.applied, "operator", canvasA, contentB)
				return err
			},
			wantCode: CodeVersionNotLocked,
		},
		"cancel the published version": {
			do:       func(s *Service, x fixture) error { return s.Cancel(inst, x.applied) },
			wantCode: CodeVersionNotLocked,
		},
		"fallback to alice's unpublished version": {
			do:       func(s *Service, x fixture) error { return s.Fallback(inst, x.alice) },
			wantCode: CodeVersionNotPublished,
		},
		"commit into an unknown version": {
			do: func(s *Service, x fixture) error {
				_, err := s.Commit(inst, "nope", "operator", canvasA, contentB)
				return err
			},
			wantCode: CodeVersionNotExists,
		},
		"publish in an unknown instance": {
			do:       func(s *Service, x fixture) error { return s.Publish("nope", x.alice, "alice") },
			wantCode: CodeInstanceNotExists,
			wantMsg:  "The specified instance nope does not exist.",
		},
		"commit content that is not JSON": {
			do: func(s *Service, x fixture) error {
				_, err := s.Commit(inst, x.alice, "alice", canvasA, "<xml/>")
				return err
			},
			wantCode: CodeInvalidContent,
		},
		"commit content without nodes": {
			do: func(s *Service, x fixture) error {
				_, err := s.Commit(inst, x.alice, "alice", canvasA, `{"activities":[]}`)
				return err
			},
			wantCode: CodeInvalidContent,
		},
		"commit nodes that are not an array": {
			do: func(s *Service, x fixture) error {
				_, err := s.Commit(inst, x.alice, "alice", canvasA, `{"nodes":{}}`)
				return err
			},
			wantCode: CodeInvalidContent,
		},
		"commit a canvas that is not an object": {
			do: func(s *Service, x fixture) error {
				_, err := s.Commit(inst, x.alice, "alice", "[]", contentB)
				return err
			},
			wantCode: CodeInvalidCanvas,
		},
		"create with a duplicate name": {
			do: func(s *Service, x fixture) error {
				_, err := s.CreateFlow(inst, "operator", NewFlow{Name: "main", Type: "MAIN_FLOW", Content: contentA})
				return err
			},
			wantCode: CodeDuplicatedName,
		},
		"create with a bad type": {
			do: func(s *Service, x fixture) error {
				_, err := s.CreateFlow(inst, "operator", NewFlow{Name: "x", Type: "main flow", Content: contentA})
				return err
			},
			wantCode: CodeInvalidType,
		},
		"create in an unknown instance": {
			do: func(s *Service, x fixture) error {
				_, err := s.CreateFlow("nope", "operator", NewFlow{Name: "x", Type: "MAIN_FLOW", Content: contentA})
				return err
			},
			wantCode: CodeInstanceNotExists,
		},
		"get an unknown flow": {
			do: func(s *Service, x fixture) error {
				_, err := s.Flow(inst, "nope")
				return err
			},
			wantCode: CodeFlowNotExists,
		},
		"console edit of alice's version by bob": {
			do: func(s *Service, x fixture) error {
				_, err := s.EditModification(inst, x.f.ContactFlowID, "bob", "", contentB)
				return err
			},
			wantCode: CodeVersionLocked,
		},
		"console close of alice's version by bob": {
			do:       func(s *Service, x fixture) error { return s.CloseModification(inst, x.f.ContactFlowID, "bob") },
			wantCode: CodeVersionLocked,
		},
		"assign an unknown number": {
			do:       func(s *Service, x fixture) error { return s.AssignPhoneNumber(inst, x.f.ContactFlowID, "nope") },
			wantCode: CodePhoneNumberNotExists,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := newTestService(t)
			f := published(t, s)
			_, alice, err := s.BeginModification(inst, f.ContactFlowID, "alice")
			if err != nil {
				t.Fatal(err)
			}
			before, _ := s.Flow(inst, f.ContactFlowID)
			err = tc.do(s, fixture{f: before, applied: f.AppliedVersion, alice: alice})
			if got := code(err); got != tc.wantCode {
				t.Fatalf("code = %q (%v), want %q", got, err, tc.wantCode)
			}
			if tc.wantMsg != "" {
				var ae *core.APIError
				errors.As(err, &ae)
				if !strings.Contains(ae.Message, tc.wantMsg) {
					t.Errorf("message = %q, want it to contain %q", ae.Message, tc.wantMsg)
				}
			}
			after, _ := s.Flow(inst, f.ContactFlowID)
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("refused operation changed the flow (-before +after):\n%s", diff)
			}
		})
	}
}

func TestLockedErrorStatusAndMessage(t *testing.T) {
	s := newTestService(t)
	f := mustCreate(t, s, "main", "alice.smith")
	_, _, err := s.BeginModification(inst, f.ContactFlowID, "operator")
	var ae *core.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want an APIError", err)
	}
	want := core.APIError{
		HTTPStatus: http.StatusForbidden,
		Code:       CodeVersionLocked,
		Message:    fmt.Sprintf(LockedMessageFormat, f.ContactFlowID, f.Versions[0].ContactFlowVersionID, "alice.smith"),
	}
	if diff := cmp.Diff(want, *ae); diff != "" {
		t.Errorf("locked error (-want +got):\n%s", diff)
	}
}

// TestRevocation checks the TakeOver path: the operator cancels alice's modification by its ID
// and then opens its own.
func TestRevocation(t *testing.T) {
	s := newTestService(t)
	f := published(t, s)
	_, alice, _ := s.BeginModification(inst, f.ContactFlowID, "alice")
	if err := s.Cancel(inst, alice); err != nil {
		t.Fatalf("operator cancelling alice's version: %v", err)
	}
	_, mine, err := s.BeginModification(inst, f.ContactFlowID, "operator")
	if err != nil || mine == alice {
		t.Fatalf("Begin after revocation = %q, %v", mine, err)
	}
}

func TestConsoleOperations(t *testing.T) {
	s := newTestService(t)
	f := published(t, s)
	applied := f.AppliedVersion
	_, alice, _ := s.BeginModification(inst, f.ContactFlowID, "alice")
	got, err := s.EditModification(inst, f.ContactFlowID, "alice", canvasB, contentC)
	if err != nil {
		t.Fatal(err)
	}
	if v := got.Version(alice); v.Content != contentC || v.Canvas != canvasB || v.Status != StatusUpdated {
		t.Errorf("edited version = %+v", v)
	}
	// Out-of-band publish: a new applied version, alice's lock untouched.
	got, err = s.SetPublished(inst, f.ContactFlowID, "bob", "", contentB)
	if err != nil {
		t.Fatal(err)
	}
	if a := got.Applied(); a.ContactFlowVersionID == applied || a.Content != contentB || a.Canvas != canvasA || a.LastModifiedBy != "bob" || a.Status != StatusPublished {
		t.Errorf("console-published version = %+v", a)
	}
	if got.Locked() == nil || got.Locked().ContactFlowVersionID != alice {
		t.Errorf("alice's lock was lost: %+v", got.Locked())
	}
	if err := s.CloseModification(inst, f.ContactFlowID, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := s.CloseModification(inst, f.ContactFlowID, "alice"); err != nil {
		t.Errorf("closing with nothing open = %v, want success", err)
	}
	if c := code(func() error { _, err := s.EditModification(inst, f.ContactFlowID, "alice", "", contentC); return err }()); c != CodeVersionNotLocked {
		t.Errorf("edit with nothing open = %q, want %s", c, CodeVersionNotLocked)
	}
}

func TestPhoneNumbers(t *testing.T) {
	s := newTestService(t)
	f := published(t, s)
	g := mustCreate(t, s, "other", "operator")
	n, created, err := s.AddPhoneNumber(inst, "057188990000")
	if err != nil || !created || n.PhoneNumberID == "" || n.CreateTime == 0 {
		t.Fatalf("AddPhoneNumber = %+v, %v, %v", n, created, err)
	}
	if again, created, _ := s.AddPhoneNumber(inst, "057188990000"); created || again.PhoneNumberID != n.PhoneNumberID {
		t.Errorf("adding the number again = %+v, %v", again, created)
	}
	if err := s.AssignPhoneNumber(inst, f.ContactFlowID, n.PhoneNumberID); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Flow(inst, f.ContactFlowID); !cmp.Equal(got.PhoneNumbers, []string{"057188990000"}) {
		t.Errorf("numbers of the flow = %v", got.PhoneNumbers)
	}
	if c := code(s.RemovePhoneNumber(inst, g.ContactFlowID, n.PhoneNumberID)); c != CodePhoneNumberAssigned {
		t.Errorf("removing from the wrong flow = %q, want %s", c, CodePhoneNumberAssigned)
	}
	// Reassigning moves the number.
	if err := s.AssignPhoneNumber(inst, g.ContactFlowID, n.PhoneNumberID); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Flow(inst, f.ContactFlowID); got.PhoneNumbers != nil {
		t.Errorf("number still on the old flow: %v", got.PhoneNumbers)
	}
	if err := s.RemovePhoneNumber(inst, g.ContactFlowID, n.PhoneNumberID); err != nil {
		t.Fatal(err)
	}
	if err := s.RemovePhoneNumber(inst, g.ContactFlowID, n.PhoneNumberID); err != nil {
		t.Errorf("removing an unassigned number = %v, want success", err)
	}
	// Deleting a flow unassigns its numbers.
	_ = s.AssignPhoneNumber(inst, g.ContactFlowID, n.PhoneNumberID)
	if err := s.Delete(inst, g.ContactFlowID); err != nil {
		t.Fatal(err)
	}
	if ns, _ := s.PhoneNumbers(inst); ns[0].ContactFlowID != "" {
		t.Errorf("number still assigned to a deleted flow: %+v", ns[0])
	}
}

func TestVersionLabelsStayUnique(t *testing.T) {
	fixed := time.Date(2020, 11, 14, 9, 47, 50, 0, time.UTC)
	s, err := New(Options{Instances: []string{inst}, Now: func() time.Time { return fixed }})
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.CreateFlow(inst, "operator", NewFlow{Name: "main", Type: "MAIN_FLOW", Content: contentA})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Publish(inst, f.Versions[0].ContactFlowVersionID, "operator")
	_, _, _ = s.BeginModification(inst, f.ContactFlowID, "operator")
	f, _ = s.Flow(inst, f.ContactFlowID)
	if got := []string{f.Versions[0].Version, f.Versions[1].Version}; !cmp.Equal(got, []string{"20201114174750", "20201114174751"}) {
		t.Errorf("labels = %v", got)
	}
}

func TestPersistence(t *testing.T) {
	path := t.TempDir() + "/state.json"
	store, err := core.OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Store: store, Instances: []string{inst}})
	if err != nil {
		t.Fatal(err)
	}
	f := mustCreate(t, s, "kept", "operator")
	n, _, _ := s.AddPhoneNumber(inst, "057100001111")
	if err := s.AssignPhoneNumber(inst, f.ContactFlowID, n.PhoneNumberID); err != nil {
		t.Fatal(err)
	}
	f, _ = s.Flow(inst, f.ContactFlowID)

	store2, err := core.OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := New(Options{Store: store2, Instances: []string{"other"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s2.Flow(inst, f.ContactFlowID)
	if err != nil {
		t.Fatalf("flow after reload: %v", err)
	}
	if diff := cmp.Diff(f, got); diff != "" {
		t.Errorf("reloaded flow (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"cc-test", "other"}, s2.Instances()); diff != "" {
		t.Errorf("instances after reload (-want +got):\n%s", diff)
	}
	if _, err := New(Options{Instances: []string{" "}}); err == nil {
		t.Error("a blank instance ID was accepted")
	}
}
