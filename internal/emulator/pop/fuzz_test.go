package pop

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

// FuzzDecodeRequest sends arbitrary query strings and form bodies, signed and unsigned, to the
// POP front end: it must never panic, and always answer JSON with a code, never a Go error text.
func FuzzDecodeRequest(f *testing.F) {
	good := signed(http.MethodPost, map[string]string{"Value": "x"}).Encode()
	f.Add("", good)
	f.Add(good, "")
	f.Add("Action=Echo&Version=2020-01-01", "")
	f.Add("%zz=%", "Signature=&Signature=a")
	f.Add(strings.Repeat("a=b&", 200), "Timestamp=2020-13-45T99:99:99Z")
	f.Add("AccessKeyId=id&Action=Echo&Version=2020-01-01&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0", "Format=XML")

	keys, err := core.NewKeyStore([]core.AccessKey{{ID: "id", Secret: "s3cret", User: "alice"}})
	if err != nil {
		f.Fatal(err)
	}
	s := NewServer(Options{Keys: keys})
	s.Register(Route{Platform: "test", Version: "2020-01-01", Action: "Echo", Handler: func(_ context.Context, c *core.Call) (any, error) {
		return map[string]string{"Value": c.Params.Get("Value")}, nil
	}})

	f.Fuzz(func(t *testing.T, query, body string) {
		// Built by hand: httptest.NewRequest refuses what a raw socket would still deliver.
		req := &http.Request{
			Method: http.MethodPost, URL: &url.URL{Path: "/", RawQuery: query}, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
			Body:   io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Host: "emulator",
		}
		req = req.WithContext(context.Background())
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		var answer struct {
			Code string
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
			t.Fatalf("answer is not JSON (%d): %q", rec.Code, rec.Body.String())
		}
		if answer.Code == "" {
			t.Fatalf("answer has no Code (%d): %q", rec.Code, rec.Body.String())
		}
		if strings.Contains(rec.Body.String(), "s3cret") {
			t.Fatalf("answer leaks the secret: %q", rec.Body.String())
		}
	})
}
