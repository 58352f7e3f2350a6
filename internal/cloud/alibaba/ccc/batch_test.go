package ccc_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
)

// TestBatchedObservationAgainstTheEmulator checks the read cost the batching promises on the
// real adapter and protocol: 150 published flows observed with two list pages, no Get.
func TestBatchedObservationAgainstTheEmulator(t *testing.T) {
	e := start(t, 0)
	ctx := context.Background()
	var ids []string
	for i := 0; i < 150; i++ {
		f, err := e.admin.CreateFlow(ctx, instanceID, "console", emulator.CCCNewFlow{
			Name: fmt.Sprintf("flow-%03d", i), Type: "MAIN_FLOW", Definition: `{"activities":[]}`, Published: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, f.ContactFlowID)
	}
	b := cloud.NewBatchedFlows(e.client(t, opSecret), time.Minute, 100)
	e.emu.ResetStats()
	for _, id := range ids {
		f, err := b.GetFlow(ctx, cloud.FlowKey{InstanceID: instanceID, FlowID: id})
		if err != nil || f.ID != id || !f.Published {
			t.Fatalf("GetFlow(%s) = %+v, %v", id, f, err)
		}
	}
	s := e.emu.Stats()
	if got, want := s.Count(emulator.PlatformCCC, "ListContactFlows"), int64(2); got != want {
		t.Errorf("ListContactFlows calls = %d, want %d", got, want)
	}
	if got := s.Count(emulator.PlatformCCC, "GetContactFlow"); got != 0 {
		t.Errorf("GetContactFlow calls = %d, want 0", got)
	}
	t.Logf("150 flows observed with %v", s.Calls[emulator.PlatformCCC])
}
