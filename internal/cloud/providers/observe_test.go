package providers_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/providers"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
)

type recorder struct {
	mu    sync.Mutex
	calls []cloud.Call
}

func (r *recorder) ObserveCall(_ context.Context, c cloud.Call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c)
}

// TestEveryAdapterReportsItsCalls drives each platform's adapter, built the way the manager
// builds it, against the emulator: every call reaches the observer with its action, the
// platform's answer code and request ID, and passes the client-side rate limiter.
func TestEveryAdapterReportsItsCalls(t *testing.T) {
	const secret = "observe-secret-5f2c"
	emu, err := emulator.New(emulator.Config{
		AccessKeys: []emulator.AccessKey{{ID: "observe-id", Secret: secret}},
		Instances: []emulator.Instance{
			{Platform: emulator.PlatformCCC, ID: "ccc-o"}, {Platform: emulator.PlatformCloudCallCenter, ID: "classic-o"},
			{Platform: emulator.PlatformConnect, ID: "connect-o"}, {Platform: emulator.PlatformOutboundBot, ID: "ob-o"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	ctx := context.Background()

	tests := map[string]struct {
		platform, instance string
		// ok and failing are one call that succeeds and one that fails.
		ok, failing          func(cfg cloud.Config) error
		okAction, failAction string
		failCode             string
	}{
		"AlibabaCCC": {
			platform: cloud.PlatformAlibabaCCC, instance: "ccc-o",
			okAction: "ListContactFlows", failAction: "GetContactFlow", failCode: "NotExists.ContactFlowId",
		},
		"AlibabaCloudCallCenter": {
			platform: cloud.PlatformAlibabaCloudCallCenter, instance: "classic-o",
			okAction: "ListContactFlows", failAction: "GetContactFlow", failCode: "NotExists.ContactFlowId",
		},
		"AmazonConnect": {
			platform: cloud.PlatformAmazonConnect, instance: "connect-o",
			okAction: "SearchContactFlows", failAction: "DescribeContactFlow", failCode: "ResourceNotFoundException",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			rec := &recorder{}
			cfg := cloud.Config{Platform: tc.platform, Region: "cn-shanghai", Endpoint: srv.URL, Observer: rec,
				Credentials: &cloud.Credentials{AccessKeyID: "observe-id", AccessKeySecret: secret},
				Limiter:     cloud.NewLimiter(cloud.RateLimits{Account: cloud.RateLimit{QPS: 100, Burst: 10}})}
			if tc.platform == cloud.PlatformAmazonConnect {
				cfg.Region = "us-east-1"
			}
			fc, err := providers.NewFlowClient(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := fc.ListFlows(ctx, tc.instance, 1, 10); err != nil {
				t.Fatalf("ListFlows: %v", err)
			}
			if _, err := fc.GetFlow(ctx, cloud.FlowKey{InstanceID: tc.instance, FlowID: "missing"}); err == nil {
				t.Fatal("GetFlow of a missing flow succeeded")
			}
			check(t, rec, tc.platform, tc.okAction, tc.failAction, tc.failCode, secret)
		})
	}

	t.Run("AlibabaOutboundBot", func(t *testing.T) {
		rec := &recorder{}
		oc, err := providers.NewOutboundClient(ctx, cloud.Config{Platform: cloud.PlatformAlibabaOutboundBot, Region: "cn-shanghai",
			Endpoint: srv.URL, Observer: rec, Credentials: &cloud.Credentials{AccessKeyID: "observe-id", AccessKeySecret: secret}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := oc.FindInstanceByName(ctx, "nobody"); err != nil {
			t.Fatalf("FindInstanceByName: %v", err)
		}
		if _, err := oc.GetInstance(ctx, "missing"); err == nil {
			t.Fatal("GetInstance of a missing instance succeeded")
		}
		check(t, rec, cloud.PlatformAlibabaOutboundBot, "ListInstances", "DescribeInstance", "NotExist.Instance", secret)
	})
}

func check(t *testing.T, rec *recorder, platform, okAction, failAction, failCode, secret string) {
	t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var sawOK, sawFail bool
	for _, c := range rec.calls {
		if c.Platform != platform || c.RequestID == "" {
			t.Errorf("call %+v: want platform %s and a request ID", c, platform)
		}
		if strings.Contains(c.RequestID+c.Code, secret) {
			t.Errorf("call %+v carries the secret", c)
		}
		switch {
		case c.Action == okAction && c.Code == "OK":
			sawOK = true
		case c.Action == failAction && c.Code == failCode:
			sawFail = true
		}
	}
	if !sawOK || !sawFail {
		t.Errorf("observed %+v; want %s OK and %s %s", rec.calls, okAction, failAction, failCode)
	}
	t.Logf("%s: %d calls observed, e.g. %s %s %s", platform, len(rec.calls), rec.calls[len(rec.calls)-1].Action, rec.calls[len(rec.calls)-1].Code, rec.calls[len(rec.calls)-1].RequestID)
}
