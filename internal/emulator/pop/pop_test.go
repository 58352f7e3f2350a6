package pop

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	sdkccc "github.com/aliyun/alibaba-cloud-sdk-go/services/ccc"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

// TestStringToSignMatchesSDK signs a request with the SDK's own signer and checks that the
// emulator rebuilds the same string to sign and signature from the parameters alone.
func TestStringToSignMatchesSDK(t *testing.T) {
	req := sdkccc.CreateCommitContactFlowRequest()
	req.InstanceId, req.ContactFlowId, req.DraftId = "ccc-test", "f-1", "d-1"
	req.Definition = `{"activities":[{"name":"开始 *~+ &=","x":1}]}`
	req.FormParams = map[string]string{"Extra": "a b*c~"}
	if err := requests.InitParams(req); err != nil {
		t.Fatal(err)
	}
	provider := credentials.NewStaticAKCredentialsProvider("id", "s3cret")
	if err := auth.Sign(req, nil, "cn-shanghai", provider); err != nil {
		t.Fatal(err)
	}
	params := map[string]string{}
	for k, v := range req.GetQueryParams() {
		params[k] = v
	}
	for k, v := range req.GetFormParams() {
		params[k] = v
	}
	sts := StringToSign(req.GetMethod(), params)
	if sts != req.GetStringToSign() {
		t.Fatalf("string to sign differs:\n emulator %s\n sdk      %s", sts, req.GetStringToSign())
	}
	if got := Sign(sts, "s3cret"); got != params["Signature"] {
		t.Errorf("signature = %s, SDK sent %s", got, params["Signature"])
	}
}

func newTestServer(t *testing.T) (*Server, *httptest.Server) {
	t.Helper()
	keys, err := core.NewKeyStore([]core.AccessKey{{ID: "id", Secret: "s3cret", User: "alice"}})
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(Options{Keys: keys})
	s.Register(Route{Platform: "test", Version: "2020-01-01", Action: "Echo", Handler: func(_ context.Context, c *core.Call) (any, error) {
		return map[string]string{"User": c.Caller.User, "Value": c.Params.Get("Value")}, nil
	}})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

func signed(method string, extra map[string]string) url.Values {
	p := map[string]string{
		"Action": "Echo", "Version": "2020-01-01", "Format": "JSON", "AccessKeyId": "id",
		"SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": core.NewUUID(),
		"Timestamp": time.Now().UTC().Format(timestampLayout),
	}
	for k, v := range extra {
		p[k] = v
	}
	p["Signature"] = Sign(StringToSign(method, p), "s3cret")
	v := url.Values{}
	for k, x := range p {
		v.Set(k, x)
	}
	return v
}

func TestFormBodyAndCaller(t *testing.T) {
	_, srv := newTestServer(t)
	resp, err := http.PostForm(srv.URL+"/", signed(http.MethodPost, map[string]string{"Value": "a b+c"}))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Code string
		Data map[string]string
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || body.Code != "OK" || body.Data["User"] != "alice" || body.Data["Value"] != "a b+c" {
		t.Errorf("form POST = %d %+v", resp.StatusCode, body)
	}
	if resp.Header.Get("x-acs-request-id") == "" {
		t.Error("no x-acs-request-id header")
	}
}

func TestRefusals(t *testing.T) {
	s, srv := newTestServer(t)
	tamper := signed(http.MethodGet, map[string]string{"Value": "x"})
	tamper.Set("Value", "y")
	wrongMethod := signed(http.MethodPost, nil)
	tests := map[string]struct {
		method, query string
		wantStatus    int
		wantCode      string
	}{
		"tampered parameter":      {http.MethodGet, tamper.Encode(), 400, "SignatureDoesNotMatch"},
		"signed for another verb": {http.MethodGet, wrongMethod.Encode(), 400, "SignatureDoesNotMatch"},
		"no action":               {http.MethodGet, "Version=2020-01-01", 400, "MissingAction"},
		"no signature":            {http.MethodGet, "Action=Echo&Version=2020-01-01&AccessKeyId=id", 400, "MissingSignature"},
		"unsupported method":      {http.MethodPut, "Action=Echo&Version=2020-01-01", 405, "UnsupportedHTTPMethod"},
		"unsupported sign method": {http.MethodGet, func() string {
			v := signed(http.MethodGet, nil)
			v.Set("SignatureMethod", "HMAC-SHA256")
			return v.Encode()
		}(), 400, "IncompleteSignature"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.URL+"/?"+tc.query, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body errorBody
			_ = json.NewDecoder(resp.Body).Decode(&body)
			if resp.StatusCode != tc.wantStatus || body.Code != tc.wantCode || body.HTTPStatusCode != tc.wantStatus {
				t.Errorf("got %d %+v, want %d %s", resp.StatusCode, body, tc.wantStatus, tc.wantCode)
			}
			if strings.Contains(body.Message, "s3cret") {
				t.Errorf("message leaks the secret: %s", body.Message)
			}
		})
	}
	st := s.stats.Snapshot()
	if st.ErrorCount("test", "Echo") == 0 || st.Count(UnknownPlatform, "(none)") != 2 {
		t.Errorf("stats = %+v", st)
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	s, _ := newTestServer(t)
	defer func() {
		if recover() == nil {
			t.Error("second Register of the same route did not panic")
		}
	}()
	s.Register(Route{Platform: "test", Version: "2020-01-01", Action: "Echo"})
}
