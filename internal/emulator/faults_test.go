package emulator_test

import (
	"context"
	"testing"
	"time"

	sdkccc "github.com/aliyun/alibaba-cloud-sdk-go/services/ccc"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

func listFlows(c *sdkccc.Client) error {
	req := sdkccc.CreateListContactFlowsRequest()
	req.InstanceId = instanceID
	req.PageNumber = "1"
	req.PageSize = "10"
	_, err := c.ListContactFlows(req)
	return err
}

func TestFaultsThroughSDK(t *testing.T) {
	tests := map[string]struct {
		faults emulator.FaultConfig
		calls  int
		// wantCodes counts the error codes the SDK saw
		wantOK        int
		wantCodes     map[string]int
		wantThrottled int64
	}{
		"a quota of burst 3 throttles the rest with Throttling.User": {
			faults: emulator.FaultConfig{Quotas: map[string]core.Quota{"ccc:ListContactFlows": {QPS: 0.01, Burst: 3}}},
			calls:  5, wantOK: 3, wantCodes: map[string]int{"Throttling.User": 2}, wantThrottled: 2,
		},
		"a platform-wide quota counts every action": {
			faults: emulator.FaultConfig{Quotas: map[string]core.Quota{"ccc:*": {QPS: 0.01, Burst: 1}}},
			calls:  3, wantOK: 1, wantCodes: map[string]int{"Throttling.User": 2}, wantThrottled: 2,
		},
		"an error rate of 1 answers InternalError": {
			faults: emulator.FaultConfig{ErrorRate: 1},
			calls:  2, wantCodes: map[string]int{"InternalError": 2},
		},
		"no faults": {calls: 3, wantOK: 3, wantCodes: map[string]int{}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			e := start(t, emulator.Config{Faults: tc.faults})
			c := e.client(t, keys[0].ID, keys[0].Secret)
			ok, codes := 0, map[string]int{}
			for i := 0; i < tc.calls; i++ {
				if err := listFlows(c); err != nil {
					codes[serverError(t, err).ErrorCode()]++
				} else {
					ok++
				}
			}
			if ok != tc.wantOK {
				t.Errorf("%d calls succeeded, want %d (codes %v)", ok, tc.wantOK, codes)
			}
			for code, n := range tc.wantCodes {
				if codes[code] != n {
					t.Errorf("code %s seen %d times, want %d (all: %v)", code, codes[code], n, codes)
				}
			}
			if got := e.emu.Stats().Throttled["ccc"]["ListContactFlows"]; got != tc.wantThrottled {
				t.Errorf("throttled count %d, want %d", got, tc.wantThrottled)
			}
		})
	}
}

func TestFaultsChangeAtRunTimeThroughTheAdminAPI(t *testing.T) {
	e := start(t, emulator.Config{})
	c := e.client(t, keys[0].ID, keys[0].Secret)
	ctx := context.Background()
	if err := e.admin.SetFaults(ctx, emulator.FaultConfig{ErrorRate: 1}); err != nil {
		t.Fatal(err)
	}
	if err := listFlows(c); err == nil || serverError(t, err).ErrorCode() != "InternalError" {
		t.Fatalf("with errorRate 1: %v, want InternalError", err)
	}
	got, err := e.admin.Faults(ctx)
	if err != nil || got.ErrorRate != 1 {
		t.Fatalf("Faults() = %+v, %v", got, err)
	}
	if err := e.admin.SetFaults(ctx, emulator.FaultConfig{}); err != nil {
		t.Fatal(err)
	}
	if err := listFlows(c); err != nil {
		t.Fatalf("after clearing faults: %v", err)
	}
}

func TestDroppedConnectionsAndStalls(t *testing.T) {
	e := start(t, emulator.Config{Faults: emulator.FaultConfig{DropRate: 1}})
	c := e.client(t, keys[0].ID, keys[0].Secret)
	if err := listFlows(c); err == nil {
		t.Fatal("a dropped connection answered")
	}
	e.emu.SetFaults(emulator.FaultConfig{TimeoutRate: 1, StallFor: core.Duration(300 * time.Millisecond)})
	start := time.Now()
	err := listFlows(c)
	if err == nil || serverError(t, err).ErrorCode() != "InternalError" {
		t.Fatalf("stalled call: %v, want InternalError after the stall", err)
	}
	if took := time.Since(start); took < 300*time.Millisecond {
		t.Errorf("stalled call answered after %s, want at least 300ms", took)
	}
}

func TestParseQuota(t *testing.T) {
	tests := map[string]struct {
		in      string
		key     string
		quota   core.Quota
		wantErr bool
	}{
		"qps and burst":  {in: "connect:*=2/5", key: "connect:*", quota: core.Quota{QPS: 2, Burst: 5}},
		"qps only":       {in: "ccc:PublishContactFlow=0.5", key: "ccc:PublishContactFlow", quota: core.Quota{QPS: 0.5, Burst: 1}},
		"no platform":    {in: "Publish=1", wantErr: true},
		"bad qps":        {in: "ccc:X=fast", wantErr: true},
		"zero burst":     {in: "ccc:X=1/0", wantErr: true},
		"negative rate":  {in: "ccc:X=-1", wantErr: true},
		"missing equals": {in: "ccc:X", wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			key, q, err := core.ParseQuota(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %t", err, tc.wantErr)
			}
			if !tc.wantErr && (key != tc.key || q != tc.quota) {
				t.Errorf("ParseQuota(%q) = %q %+v, want %q %+v", tc.in, key, q, tc.key, tc.quota)
			}
		})
	}
}
