package outboundbot_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	sdkob "github.com/aliyun/alibaba-cloud-sdk-go/services/outboundbot"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/outboundbot"
)

// startEmulator runs the whole emulator with an OutboundBot instance, as cmd/emulator does.
func startEmulator(t *testing.T, cfg emulator.Config) (*emulator.Emulator, *httptest.Server) {
	t.Helper()
	if cfg.Instances == nil {
		cfg.Instances = []emulator.Instance{{Platform: emulator.PlatformOutboundBot, ID: presetID}}
	}
	emu, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(func() {
		srv.Close()
		emu.Close()
	})
	return emu, srv
}

func sdkClient(t *testing.T, srv *httptest.Server) *sdkob.Client {
	t.Helper()
	c, err := sdkob.NewClientWithAccessKey("cn-shanghai", emulator.DemoAccessKeyID, emulator.DemoAccessKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = strings.TrimPrefix(srv.URL, "http://")
	return c
}

func TestAdminClientThroughEmulator(t *testing.T) {
	emu, srv := startEmulator(t, emulator.Config{OutboundConcurrencyLimit: 3})
	ctx := context.Background()
	admin := emulator.NewAdminClient(srv.URL, srv.Client()).OutboundBot()
	c := sdkClient(t, srv)

	settings, err := admin.Settings(ctx)
	if err != nil || settings.ConcurrencyLimit != 3 || settings.AutoApprove {
		t.Fatalf("settings = %+v, %v", settings, err)
	}
	create := func(name string, n int) error {
		r := sdkob.CreateCreateInstanceRequest()
		r.InstanceName, r.MaxConcurrentConversation = name, requests.NewInteger(n)
		r.SecretKey = "nlu-secret-Gh61"
		_, err := c.CreateInstance(r)
		return err
	}
	// The preset instance holds 1 of the 3.
	wantError(t, "over the configured limit", create("big", 3), 400, outboundbot.CodeConcurrencyExceeded)
	if err := admin.SetConcurrencyLimit(ctx, 10); err != nil {
		t.Fatal(err)
	}
	if err := create("big", 3); err != nil {
		t.Fatalf("create after raising the limit: %v", err)
	}
	var ae *emulator.AdminError
	if err := admin.SetConcurrencyLimit(ctx, 0); !errors.As(err, &ae) || ae.StatusCode != 400 {
		t.Errorf("limit 0 = %v, want a 400 AdminError", err)
	}

	instances, err := admin.Instances(ctx)
	if err != nil || len(instances) != 2 || instances[0].InstanceID != presetID || !instances[0].Preset ||
		instances[1].InstanceName != "big" || instances[1].NluSecretKey != "[redacted]" {
		t.Fatalf("admin instances = %+v, %v", instances, err)
	}

	sr := sdkob.CreateCreateScriptRequest()
	sr.InstanceId, sr.ScriptName, sr.Industry, sr.Scene = presetID, "s", "i", "c"
	sr.ScriptContent = &[]string{"hello"}
	cs, err := c.CreateScript(sr)
	if err != nil {
		t.Fatal(err)
	}
	id := cs.Script.ScriptId
	if _, err := admin.ApproveReview(ctx, presetID, id); !errors.As(err, &ae) || ae.Code != outboundbot.CodeScriptStatus {
		t.Errorf("approve with nothing in review = %v", err)
	}
	sub := sdkob.CreateSubmitScriptReviewRequest()
	sub.InstanceId, sub.ScriptId = presetID, id
	if _, err := c.SubmitScriptReview(sub); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.RejectReview(ctx, presetID, id, ""); !errors.As(err, &ae) || ae.Code != "MissingReason" {
		t.Errorf("reject without a reason = %v", err)
	}
	rejected, err := admin.RejectReview(ctx, presetID, id, "too pushy")
	if err != nil || rejected.RejectReason != "too pushy" || rejected.Status != outboundbot.StatusDrafted {
		t.Fatalf("reject = %+v, %v", rejected, err)
	}
	dr := sdkob.CreateDescribeScriptRequest()
	dr.InstanceId, dr.ScriptId = presetID, id
	if d, err := c.DescribeScript(dr); err != nil || d.Script.RejectReason != "too pushy" {
		t.Errorf("DescribeScript after reject = %+v, %v", d, err)
	}
	if _, err := c.SubmitScriptReview(sub); err != nil {
		t.Fatal(err)
	}
	approved, err := admin.ApproveReview(ctx, presetID, id)
	if err != nil || approved.Status != outboundbot.StatusApproved {
		t.Fatalf("approve = %+v, %v", approved, err)
	}

	if err := admin.SetAutoApprove(ctx, true); err != nil {
		t.Fatal(err)
	}
	if s, _ := admin.Settings(ctx); !s.AutoApprove || s.ConcurrencyLimit != 10 {
		t.Errorf("settings after auto-approve = %+v", s)
	}

	if err := admin.InjectFault(ctx, emulator.OutboundBotFault{Action: "DescribeScript", Count: 1}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeScript(dr)
	wantError(t, "faulted DescribeScript", err, 500, outboundbot.CodeInternalError)

	scripts, err := admin.Scripts(ctx, presetID)
	if err != nil || len(scripts) != 1 || scripts[0].ScriptContent[0] != "hello" {
		t.Errorf("admin scripts = %+v, %v", scripts, err)
	}
	if one, err := admin.Script(ctx, presetID, id); err != nil || one.ScriptID != id {
		t.Errorf("admin script = %+v, %v", one, err)
	}
	if _, err := admin.Scripts(ctx, "nope"); !errors.As(err, &ae) || ae.StatusCode != 404 || ae.Code != outboundbot.CodeInstanceNotExist {
		t.Errorf("scripts of an unknown instance = %v", err)
	}

	st := emu.Stats()
	if st.Count(emulator.PlatformOutboundBot, "CreateInstance") != 2 || st.ErrorCount(emulator.PlatformOutboundBot, "CreateInstance") != 1 ||
		st.Count(emulator.PlatformOutboundBot, "DescribeScript") != 2 || st.PlatformTotal(emulator.PlatformCCC) != 0 {
		t.Errorf("stats = %+v (admin calls must not count)", st)
	}
}

func TestStateSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	_, srv1 := startEmulator(t, emulator.Config{StatePath: path})
	r := sdkob.CreateCreateInstanceRequest()
	r.InstanceName, r.MaxConcurrentConversation = "kept", requests.NewInteger(2)
	created, err := sdkClient(t, srv1).CreateInstance(r)
	if err != nil {
		t.Fatal(err)
	}
	srv1.Close()

	_, srv2 := startEmulator(t, emulator.Config{StatePath: path})
	d := sdkob.CreateDescribeInstanceRequest()
	d.InstanceId = created.Instance.InstanceId
	got, err := sdkClient(t, srv2).DescribeInstance(d)
	if err != nil || got.Instance.InstanceName != "kept" || got.Instance.MaxConcurrentConversation != 2 {
		t.Errorf("instance after restart = %+v, %v", got, err)
	}
}

func TestParseInstance(t *testing.T) {
	in, err := emulator.ParseInstance("outboundbot:ob-1")
	if err != nil || in.Platform != emulator.PlatformOutboundBot || in.ID != "ob-1" {
		t.Errorf("ParseInstance = %+v, %v", in, err)
	}
	if _, err := emulator.New(emulator.Config{OutboundConcurrencyLimit: -1}); err == nil {
		t.Error("negative concurrency limit accepted")
	}
}
