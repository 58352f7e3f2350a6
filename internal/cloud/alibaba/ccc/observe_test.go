package ccc_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/alibaba/ccc"
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

func TestObserverSeesEveryCallWithItsRequestID(t *testing.T) {
	e := start(t, 0)
	rec := &recorder{}
	c, err := ccc.New(cloud.Config{
		Endpoint:    e.srv.URL,
		Credentials: &cloud.Credentials{AccessKeyID: "op-id", AccessKeySecret: opSecret},
		Observer:    rec,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.CreateFlow(ctx, cloud.CreateFlowInput{InstanceID: instanceID, Name: "observed", Type: "MAIN_FLOW", Definition: `{"activities":[]}`}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetFlow(ctx, cloud.FlowKey{InstanceID: instanceID, FlowID: "missing"}); err == nil {
		t.Fatal("GetFlow of a missing flow succeeded")
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.calls) != 2 {
		t.Fatalf("observed %d calls, want 2: %+v", len(rec.calls), rec.calls)
	}
	ok, missing := rec.calls[0], rec.calls[1]
	if ok.Action != "CreateContactFlow" || ok.Code != "OK" || ok.RequestID == "" || ok.Platform != cloud.PlatformAlibabaCCC {
		t.Errorf("success call = %+v, want CreateContactFlow OK with a request ID", ok)
	}
	if missing.Action != "GetContactFlow" || missing.Code != "NotExists.ContactFlowId" || missing.Class != cloud.ClassNotFound || missing.RequestID == "" {
		t.Errorf("failed call = %+v, want GetContactFlow NotExists.ContactFlowId NotFound with a request ID", missing)
	}
	if strings.Contains(ok.RequestID+missing.RequestID, opSecret) {
		t.Error("a request ID carries the secret")
	}
}
