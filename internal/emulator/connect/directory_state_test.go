package connect

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

func TestDirectoryPersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	store, err := core.OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Store: store, Instances: []string{"i"}})
	if err != nil {
		t.Fatal(err)
	}
	content := `{"Version":"2019-10-30","StartAction":"a","Actions":[{"Identifier":"a","Type":"T","Transitions":{}}]}`
	f, err := s.CreateFlow("i", "", NewFlow{Name: "a", Type: "CONTACT_FLOW", Content: content})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []NewResource{{Kind: KindQueue, Name: "q"}, {Kind: KindPrompt, Name: "p"}, {Kind: KindFunction, Name: "fn"}} {
		if _, err := s.AddResource("i", r); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.AddNumber("i", NewPhoneNumber{Number: "+14155550100"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AssociateNumber("i", n.PhoneNumberID, f.ContactFlowID); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateMetadata("i", f.ContactFlowID, "", MetadataUpdate{Name: ptr("renamed")}); err != nil {
		t.Fatal(err)
	}

	store2, err := core.OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := New(Options{Store: store2})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := s.Resources("i", "")
	after, err := s2.Resources("i", "")
	if err != nil || len(after) != 3 {
		t.Fatalf("reloaded resources = %+v, %v", after, err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("reloaded resources (-before +after):\n%s", diff)
	}
	nums, err := s2.Numbers("i")
	if err != nil || len(nums) != 1 || nums[0].ContactFlowID != f.ContactFlowID {
		t.Errorf("reloaded numbers = %+v, %v", nums, err)
	}
	g, err := s2.Flow("i", f.ContactFlowID)
	if err != nil || g.Name != "renamed" || g.Arn != f.Arn {
		t.Errorf("reloaded flow = %+v, %v", g, err)
	}
	// Sequence numbers continue after the reload.
	q2, err := s2.AddResource("i", NewResource{Kind: KindQueue, Name: "q2"})
	if err != nil || q2.Seq <= nums[0].Seq {
		t.Errorf("new queue after reload = %+v, %v", q2, err)
	}
	// A reference to a reloaded queue passes the publish check.
	queues, _ := s2.Resources("i", KindQueue)
	ref := `{"Version":"2019-10-30","StartAction":"a","Actions":[{"Identifier":"a","Type":"T","Parameters":{"QueueId":"` + queues[0].Arn + `"},"Transitions":{}}]}`
	if err := s2.UpdateContent("i", f.ContactFlowID, ref, ""); err != nil {
		t.Errorf("publish with a reloaded queue: %v", err)
	}
}

func TestStateWithoutDirectoryLoads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	store, err := core.OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	// A state file written before the directory existed.
	if err := store.Put(Platform, map[string]any{"instances": map[string]any{"old": map[string]any{"flows": []any{}}}, "nextSeq": 3}); err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := s.Resources("old", ""); err != nil || len(r) != 0 || r == nil {
		t.Errorf("resources = %#v, %v", r, err)
	}
	if n, err := s.AddNumber("old", NewPhoneNumber{Number: "+14155550100"}); err != nil || n.Seq != 4 {
		t.Errorf("number = %+v, %v", n, err)
	}
}

func ptr[T any](v T) *T { return &v }
