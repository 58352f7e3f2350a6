package connect_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/aws/connect"
	emuconnect "github.com/contactflow-operator/contactflow-operator/internal/emulator/connect"
)

// ignoreRevision leaves Revision out of a comparison: its value is the platform's clock.
var ignoreRevision = cmpopts.IgnoreFields(cloud.Flow{}, "Revision")

// TestBatchedObservation drives cloud.BatchedFlows over the adapter and the emulator through
// the SDK, as the operator does: a list serves a flow only at a revision a direct read saw
// without a draft, so steady state costs the search pages, a change saved on the console
// between resyncs is read directly and seen, and a restart that remembers the recorded
// revisions reads directly only what changed.
func TestBatchedObservation(t *testing.T) {
	e := start(t)
	c := e.client(t, opSecret)
	ctx := context.Background()
	const n = 150
	const window = 400 * time.Millisecond
	keys := make([]cloud.FlowKey, n)
	for i := range keys {
		id, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: fmt.Sprintf("flow-%03d", i), Definition: defA})
		if err != nil {
			t.Fatal(err)
		}
		keys[i] = cloud.FlowKey{InstanceID: instanceID, FlowID: id}
		if _, err := c.PublishContent(ctx, keys[i], connect.DefaultFlowType, defA, ""); err != nil {
			t.Fatal(err)
		}
	}

	// status stands for what the controller records: the revision of an observation without a
	// draft.
	status := map[cloud.FlowKey]string{}
	type cost struct{ search, describe int64 }
	resync := func(b *cloud.BatchedFlows) (cost, map[cloud.FlowKey]*cloud.Flow) {
		t.Helper()
		time.Sleep(window + 50*time.Millisecond)
		e.emu.ResetStats()
		seen := map[cloud.FlowKey]*cloud.Flow{}
		for _, key := range keys {
			b.RememberRevision(key, status[key])
			f, err := b.GetFlow(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			seen[key] = f
			status[key] = ""
			if f.Draft == nil {
				status[key] = f.Revision
			}
		}
		return cost{calls(e, "SearchContactFlows"), calls(e, "DescribeContactFlow")}, seen
	}

	b := cloud.NewBatchedFlows(c, window, 100)
	if got, _ := resync(b); got != (cost{2, n}) {
		t.Errorf("first resync: %+v, want 2 searches and %d describes (no revision known yet)", got, n)
	}
	got, seen := resync(b)
	if got != (cost{2, 0}) {
		t.Errorf("steady state: %+v, want 2 searches and no describe", got)
	}
	for _, key := range keys {
		if f := seen[key]; !f.Listed || f.Revision == "" || f.PublishedDefinition != defA {
			t.Fatalf("steady state %s: %+v", key.FlowID, f)
		}
	}

	// A console user saves a change into $SAVED between two resyncs: no search shows it.
	edited := keys[5]
	console := flowContent("Console")
	if _, err := e.admin.SaveContent(ctx, instanceID, edited.FlowID, console); err != nil {
		t.Fatal(err)
	}
	got, seen = resync(b)
	if f := seen[edited]; f.Listed || f.Draft == nil || f.Draft.Definition != console || f.PublishedDefinition != defA {
		t.Errorf("console save: %+v draft %+v, want a direct read showing the saved change", f, f.Draft)
	}
	if got != (cost{2, 2}) {
		t.Errorf("resync after a console save: %+v, want 2 searches and the 2 describes of the changed flow", got)
	}
	direct, _ := c.GetFlow(ctx, keys[6])
	if seen[keys[6]].Revision != direct.Revision {
		t.Errorf("listed revision %q, direct read %q of the same state", seen[keys[6]].Revision, direct.Revision)
	}

	// Restart: a new client that knows only the recorded revisions.
	restarted := cloud.NewBatchedFlows(c, window, 100)
	got, seen = resync(restarted)
	if got != (cost{2, 2}) {
		t.Errorf("after a restart: %+v, want 2 searches and only the flow with a saved change read (2 describes)", got)
	}
	if f := seen[edited]; f.Draft == nil || f.Draft.Definition != console {
		t.Errorf("after a restart the saved change is %+v", f.Draft)
	}
}

// TestCreatedFlowIsWhatAReadShows: the observation BatchedFlows serves right after a create,
// without a call, is what a direct read shows, but for the times (and the revision, which stays
// unknown so that no list serves the flow before a direct read).
func TestCreatedFlowIsWhatAReadShows(t *testing.T) {
	e := start(t)
	c := e.client(t, opSecret)
	ctx := context.Background()
	b := cloud.NewBatchedFlows(c, time.Minute, 100)
	in := cloud.CreateFlowInput{InstanceID: instanceID, Name: "fresh", Description: "d", Definition: defA}
	id, err := b.CreateFlow(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	key := cloud.FlowKey{InstanceID: instanceID, FlowID: id}
	e.emu.ResetStats()
	served, err := b.GetFlow(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if n := e.emu.Stats().PlatformTotal(emuconnect.Platform); n != 0 {
		t.Errorf("the first read after the create made %d calls, want 0", n)
	}
	read, err := c.GetFlow(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	emuFlow, err := e.admin.Flow(ctx, instanceID, id)
	if err != nil {
		t.Fatal(err)
	}
	if served.ARN == "" || served.ARN != emuFlow.Arn {
		t.Errorf("served ARN %q, the flow's is %q", served.ARN, emuFlow.Arn)
	}
	read.UpdatedTime, read.Revision, read.Draft.UpdatedTime = "", "", ""
	if read.ARN == "" {
		read.ARN = served.ARN // reads that do not carry the ARN yet
	}
	if diff := cmp.Diff(read, served); diff != "" {
		t.Errorf("served after create (-read +served):\n%s", diff)
	}
	e.emu.ResetStats()
	if f, err := b.GetFlow(ctx, key); err != nil || f.Draft == nil || calls(e, "DescribeContactFlow") != 2 {
		t.Errorf("the second read: %+v, %v, %d describes; want a direct read", f, err, calls(e, "DescribeContactFlow"))
	}
}
