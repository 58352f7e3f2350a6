package connect_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/aws/connect"
	emuconnect "github.com/contactflow-operator/contactflow-operator/internal/emulator/connect"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

// TestPublishContent: one content write per publish; a CAMPAIGN flow also gets exactly one
// version, guarded by the checksum of the bytes sent; VersionDefinition reads it back.
func TestPublishContent(t *testing.T) {
	e := start(t)
	c := e.client(t, opSecret)
	ctx := context.Background()
	tests := map[string]struct {
		flowType    string
		wantVersion string
		wantCreates int64
	}{
		"CONTACT_FLOW: no version":     {flowType: "CONTACT_FLOW", wantVersion: "", wantCreates: 0},
		"CAMPAIGN: version 1, guarded": {flowType: connect.TypeCampaign, wantVersion: "1", wantCreates: 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			id, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "publish " + tc.flowType, Type: tc.flowType, Definition: defA})
			if err != nil {
				t.Fatal(err)
			}
			key := cloud.FlowKey{InstanceID: instanceID, FlowID: id}
			e.emu.ResetStats()
			v, err := c.PublishContent(ctx, key, tc.flowType, defB, "from the spec")
			if err != nil || v != tc.wantVersion {
				t.Fatalf("PublishContent = %q, %v; want %q", v, err, tc.wantVersion)
			}
			if n := calls(e, "UpdateContactFlowContent"); n != 1 {
				t.Errorf("UpdateContactFlowContent calls = %d, want 1", n)
			}
			if n := calls(e, "CreateContactFlowVersion"); n != tc.wantCreates {
				t.Errorf("CreateContactFlowVersion calls = %d, want %d", n, tc.wantCreates)
			}
			f, err := e.admin.Flow(ctx, instanceID, id)
			if err != nil {
				t.Fatal(err)
			}
			if f.PublishedContent != defB || f.SavedContent != defB {
				t.Errorf("published/saved = %q/%q, want defB in both", f.PublishedContent, f.SavedContent)
			}
			if tc.wantVersion == "" {
				return
			}
			if got := f.Versions[0].FlowContentSha256; got != connect.ContentSha256(defB) {
				t.Errorf("version checksum = %s, want the checksum of the bytes sent", got)
			}
			content, err := c.VersionDefinition(ctx, key, tc.wantVersion)
			if err != nil || content != defB {
				t.Errorf("VersionDefinition = %q, %v", content, err)
			}
			_, err = c.VersionDefinition(ctx, key, "7")
			mustClass(t, err, cloud.ClassNotFound)
			_, err = c.VersionDefinition(ctx, key, "latest")
			mustClass(t, err, cloud.ClassNotFound)
		})
	}
}

// TestPublishContentNeverVersionsForeignContent: someone publishes between the adapter's
// content write and its CreateContactFlowVersion. The platform refuses the version (the
// checksum of what the adapter sent is stale), the adapter reports a concurrent edit, and no
// version of either content exists.
func TestPublishContentNeverVersionsForeignContent(t *testing.T) {
	keys, err := core.NewKeyStore([]core.AccessKey{{ID: opKeyID, Secret: opSecret}})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := emuconnect.New(emuconnect.Options{Instances: []string{instanceID}})
	if err != nil {
		t.Fatal(err)
	}
	var flowID string
	interloper := func(next core.Handler) core.Handler {
		return func(ctx context.Context, call *core.Call) (any, error) {
			if call.Action == "CreateContactFlowVersion" && flowID != "" {
				if err := svc.UpdateContent(instanceID, flowID, defC, ""); err != nil {
					return nil, err
				}
			}
			return next(ctx, call)
		}
	}
	srv := httptest.NewServer(emuconnect.NewServer(svc, emuconnect.ServerOptions{Keys: keys, Middleware: []core.Middleware{interloper}}))
	t.Cleanup(srv.Close)
	c := newClient(t, srv.URL, opKeyID, opSecret)
	ctx := context.Background()

	id, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "raced", Type: connect.TypeCampaign, Definition: defA})
	if err != nil {
		t.Fatal(err)
	}
	flowID = id
	_, err = c.PublishContent(ctx, cloud.FlowKey{InstanceID: instanceID, FlowID: id}, connect.TypeCampaign, defB, "")
	ce := mustClass(t, err, cloud.ClassTransient)
	if ce.Code != cloud.CodeConcurrentEdit || !strings.Contains(ce.Message, "changed") {
		t.Errorf("error = %+v, want a concurrent edit", ce)
	}
	f, err := svc.Flow(instanceID, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Versions) != 0 {
		t.Errorf("versions = %+v, want none: the caller never diffed what was published at version time", f.Versions)
	}
	if f.PublishedContent != defC {
		t.Errorf("published = %q, want the interloper's", f.PublishedContent)
	}
}
