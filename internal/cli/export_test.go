package cli

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/providers"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	"github.com/contactflow-operator/contactflow-operator/internal/flowspec"
)

const exportDef = `{"activities":[{"type":"INCOMING_CALL","id":"start","events":[{"event":"complete","next":"agents"}]},` +
	`{"type":"TRANSFER_TO_SKILL_GROUP","id":"agents","properties":{"skillGroupId":"SG"},"events":[{"event":"complete","next":"xfer"}]},` +
	`{"type":"TRANSFER_TO_FLOW","id":"xfer","properties":{"contactFlowId":"TARGET"},"events":[{"event":"complete","next":"bye"}]},` +
	`{"type":"HANGUP","id":"bye","events":[{"event":"complete","next":null}]}]}`

// TestExportExtractsReferences exports two flows of an emulated CCC instance that transfer to
// each other and to a skill group, and checks that no ID is left: every one became a reference
// that the operator's own checks accept.
func TestExportExtractsReferences(t *testing.T) {
	ctx := context.Background()
	emu, err := emulator.New(emulator.Config{Instances: []emulator.Instance{{Platform: emulator.PlatformCCC, ID: "src"}},
		Seeds: []emulator.Seed{{Platform: emulator.PlatformCCC, InstanceID: "src", Kind: "SkillGroup", Name: "Sales Team"}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	admin := emulator.NewAdminClient(srv.URL, srv.Client())
	sgs, _ := emu.CCC().Resources("src", "SkillGroup")
	sg := sgs[0].ID
	a, err := admin.CCC().CreateFlow(ctx, "src", "alice", emulator.CCCNewFlow{Name: "Main Menu", Type: "MAIN_FLOW", Definition: exportDef})
	if err != nil {
		t.Fatal(err)
	}
	b, err := admin.CCC().CreateFlow(ctx, "src", "alice", emulator.CCCNewFlow{Name: "售后", Type: "SUB_FLOW", Published: true,
		Definition: strings.NewReplacer("SG", sg, "TARGET", a.ContactFlowID).Replace(exportDef)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CCC().SetPublished(ctx, "src", a.ContactFlowID, strings.NewReplacer("SG", sg, "TARGET", b.ContactFlowID).Replace(exportDef)); err != nil {
		t.Fatal(err)
	}

	fc, err := providers.NewFlowClient(ctx, cloud.Config{Platform: cloud.PlatformAlibabaCCC, Region: "cn-shanghai", Endpoint: srv.URL,
		Credentials: &cloud.Credentials{AccessKeyID: emulator.DemoAccessKeyID, AccessKeySecret: emulator.DemoAccessKeySecret}})
	if err != nil {
		t.Fatal(err)
	}
	flows, err := Export(ctx, fc, ExportTarget{Instance: "src", Namespace: "prod", AsInstance: "dst"})
	if err != nil {
		t.Fatal(err)
	}
	if len(flows) != 2 {
		t.Fatalf("exported %d flows, want 2", len(flows))
	}
	byName := map[string]cfv1.ContactFlow{}
	for _, f := range flows {
		byName[f.Name] = f
		out, _ := yaml.Marshal(f)
		for _, id := range []string{sg, a.ContactFlowID, b.ContactFlowID} {
			if bytes.Contains(out, []byte(id)) {
				t.Errorf("%s still holds ID %s:\n%s", f.Name, id, out)
			}
		}
		if f.Namespace != "prod" || f.Spec.InstanceID != "dst" || f.Spec.ProviderConfigRef.Name != "alibabaccc" || !f.Spec.AdoptByName {
			t.Errorf("%s: metadata/spec = %s %s %s %v", f.Name, f.Namespace, f.Spec.InstanceID, f.Spec.ProviderConfigRef.Name, f.Spec.AdoptByName)
		}
		if err := flowspec.CheckReferences(f.Spec, cloud.PlatformAlibabaCCC); err != nil {
			t.Errorf("%s: the operator would refuse the export: %v", f.Name, err)
		}
		if _, _, err := flowspec.Desired(f.Spec, cloud.PlatformAlibabaCCC); err != nil {
			t.Errorf("%s: %v", f.Name, err)
		}
	}
	menu, ok := byName["main-menu"]
	if !ok {
		t.Fatalf("no main-menu among %v", byName)
	}
	var other string
	for n := range byName {
		if n != "main-menu" {
			other = n
		}
	}
	if !strings.HasPrefix(other, "flow-") {
		t.Errorf("a name with nothing usable should become flow-<hash>, got %q", other)
	}
	wantRefs := map[string]string{other: "ContactFlow/" + other, "skillgroup-sales-team": "SkillGroup/Sales Team"}
	if len(menu.Spec.References) != 2 {
		t.Fatalf("main-menu references = %+v", menu.Spec.References)
	}
	for _, r := range menu.Spec.References {
		got := ""
		switch {
		case r.ContactFlow != nil:
			got = "ContactFlow/" + r.ContactFlow.Name
		case r.Platform != nil:
			got = string(r.Platform.Kind) + "/" + r.Platform.Name
		}
		if wantRefs[r.Name] != got {
			t.Errorf("reference %s -> %s, want %s", r.Name, got, wantRefs[r.Name])
		}
	}
	raw, _ := yaml.Marshal(menu.Spec.Definition)
	if !strings.Contains(string(raw), "${ref:skillgroup-sales-team}") || !strings.Contains(string(raw), "${ref:"+other+"}") {
		t.Errorf("definition lacks the references:\n%s", raw)
	}
}

func TestExportFlagsAreChecked(t *testing.T) {
	var out, errOut bytes.Buffer
	io := IO{Stdout: &out, Stderr: &errOut}
	if code := Run(io, []string{"export", "--instance", "x"}); code != ExitTrouble || !strings.Contains(errOut.String(), "--platform is required") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
	errOut.Reset()
	if code := Run(io, []string{"export", "--platform", "AlibabaOutboundBot", "--instance", "x"}); code != ExitTrouble || !strings.Contains(errOut.String(), "no contact-flow support") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}
