package core

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestChainOrderAndLatency(t *testing.T) {
	var order []string
	mw := func(name string) Middleware {
		return func(next Handler) Handler {
			return func(ctx context.Context, c *Call) (any, error) {
				order = append(order, name)
				return next(ctx, c)
			}
		}
	}
	h := Chain(func(context.Context, *Call) (any, error) { return "done", nil }, mw("outer"), nil, mw("inner"), Latency(20*time.Millisecond))
	begin := time.Now()
	got, err := h(context.Background(), &Call{})
	if err != nil || got != "done" {
		t.Fatalf("h = %v, %v", got, err)
	}
	if d := time.Since(begin); d < 20*time.Millisecond {
		t.Errorf("latency not applied: %v", d)
	}
	if diff := cmp.Diff([]string{"outer", "inner"}, order); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Latency(time.Hour)(h)(ctx, &Call{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled latency = %v", err)
	}
}

func TestStoreRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put("ccc", map[string]int{"a": 1}); err != nil {
		t.Fatal(err)
	}
	if err := s.Put("other", []string{"x"}); err != nil {
		t.Fatal(err)
	}
	s2, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]int
	if err := json.Unmarshal(s2.Section("ccc"), &got); err != nil || got["a"] != 1 {
		t.Errorf("section = %s, %v", s2.Section("ccc"), err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenStore(path); err == nil {
		t.Error("OpenStore of a corrupt file succeeded")
	}
}

func TestKeyStore(t *testing.T) {
	ks, err := NewKeyStore(nil)
	if err != nil {
		t.Fatal(err)
	}
	if k, ok := ks.Lookup(DemoAccessKeyID); !ok || k.Secret != DemoAccessKeySecret || k.User != DefaultUser {
		t.Errorf("demo key = %+v, %v", k, ok)
	}
	if _, err := NewKeyStore([]AccessKey{{ID: "a", Secret: "x"}, {ID: "a", Secret: "y"}}); err == nil {
		t.Error("duplicate key IDs accepted")
	}
}

func TestAsAPIErrorHidesGoErrors(t *testing.T) {
	ae := AsAPIError(errors.New("secret internal detail"))
	if ae.HTTPStatus != 500 || ae.Code != "InternalError" || ae.Message == "secret internal detail" {
		t.Errorf("AsAPIError = %+v", ae)
	}
}

func TestCallLogKeepsOrderAndBound(t *testing.T) {
	s := NewStats()
	s.RecordCall("ccc", "CreateContactFlow", "a", false)
	s.RecordCall("ccc", "PublishContactFlow", "id-a", true)
	log := s.Log()
	if len(log) != 2 || log[0].Action != "CreateContactFlow" || log[0].Target != "a" || log[1].Seq != 2 || !log[1].Failed {
		t.Fatalf("log = %+v", log)
	}
	for i := 0; i < logSize+10; i++ {
		s.Record("ccc", "GetContactFlow", false)
	}
	log = s.Log()
	if len(log) != logSize || log[0].Seq != 13 || log[len(log)-1].Seq != int64(logSize+12) {
		t.Fatalf("ring: len %d first %d last %d", len(log), log[0].Seq, log[len(log)-1].Seq)
	}
	s.Reset()
	if len(s.Log()) != 0 {
		t.Fatal("Reset keeps the log")
	}
}
