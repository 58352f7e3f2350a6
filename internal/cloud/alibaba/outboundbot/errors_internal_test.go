package outboundbot

import (
	"testing"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
)

func TestClassify(t *testing.T) {
	tests := map[string]struct {
		status int
		code   string
		want   cloud.Class
	}{
		"unknown instance":         {404, "NotExist.Instance", cloud.ClassNotFound},
		"unknown script":           {404, "NotExist.Script", cloud.ClassNotFound},
		"suffix not found":         {404, "Script.NotFound", cloud.ClassNotFound},
		"duplicate instance name":  {400, "InvalidInstanceName.Duplicated", cloud.ClassAlreadyExists},
		"duplicate script name":    {400, "InvalidScriptName.Duplicated", cloud.ClassAlreadyExists},
		"concurrency limit":        {400, "LimitExceeded.ConcurrentConversation", cloud.ClassQuotaExceeded},
		"quota suffix":             {400, "Instance.QuotaExceeded", cloud.ClassQuotaExceeded},
		"internal error":           {500, "InternalError", cloud.ClassTransient},
		"service unavailable":      {503, "ServiceUnavailable", cloud.ClassTransient},
		"throttling":               {400, "Throttling.User", cloud.ClassThrottled},
		"plain throttling":         {503, "Throttling", cloud.ClassThrottled},
		"http 429 without code":    {429, "", cloud.ClassThrottled},
		"no code":                  {404, "", cloud.ClassTransient},
		"unknown key":              {404, "InvalidAccessKeyId.NotFound", cloud.ClassUnauthorized},
		"bad signature":            {400, "SignatureDoesNotMatch", cloud.ClassUnauthorized},
		"expired sts token":        {400, "InvalidSecurityToken.Expired", cloud.ClassUnauthorized},
		"RAM denied":               {403, "Forbidden.RAM", cloud.ClassUnauthorized},
		"no permission":            {403, "NoPermission", cloud.ClassUnauthorized},
		"clock skew":               {400, "InvalidTimeStamp.Expired", cloud.ClassUnauthorized},
		"script in review":         {400, CodeScriptInReview, cloud.ClassLocked},
		"wrong script status":      {400, "OperationDenied.ScriptStatus", cloud.ClassInvalid},
		"unknown rollback version": {400, "InvalidParameter.RollbackVersion", cloud.ClassInvalid},
		"missing parameter":        {400, "MissingInstanceName", cloud.ClassInvalid},
		"unknown action":           {404, "InvalidAction.NotFound", cloud.ClassInvalid},
		"nonce reused":             {400, "SignatureNonceUsed", cloud.ClassTransient},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := classify(tc.status, tc.code); got != tc.want {
				t.Errorf("classify(%d, %q) = %s, want %s", tc.status, tc.code, got, tc.want)
			}
		})
	}
}

func TestFromServerAndScrub(t *testing.T) {
	c := &Client{secrets: []string{"hush"}}
	ce := &cloud.Error{}
	c.fromServer(ce, 400, CodeScriptInReview, "The script s-1 is in review.", "R", nil)
	if ce.Class != cloud.ClassLocked || ce.LockedBy != LockedByReview || ce.RequestID != "R" {
		t.Errorf("in review = %+v", ce)
	}
	ce = &cloud.Error{}
	c.fromServer(ce, 400, "SignatureDoesNotMatch",
		"Specified signature is not matched with our calculation. server string to sign is:POST&%2F&SecretKey%3Dnlu", "R", []string{"nlu"})
	if ce.Message != "Specified signature is not matched with our calculation." {
		t.Errorf("signature message = %q", ce.Message)
	}
	if got := c.scrub(`Post "http://h/?Signature=abc&x=1": hush and nlu-key`, []string{"nlu-key"}); got != `Post "http://h/?[redacted]": [redacted] and [redacted]` {
		t.Errorf("scrub = %q", got)
	}
	long := make([]byte, 2*maxMessageLen)
	for i := range long {
		long[i] = 'x'
	}
	if got := c.scrub(string(long), nil); len(got) != maxMessageLen+3 {
		t.Errorf("scrub did not bound the message: %d bytes", len(got))
	}
}

func TestCheckBody(t *testing.T) {
	c := &Client{}
	if err := c.checkBody("A", envelope{httpStatus: 200, bodyStatus: 200, code: "OK", success: true}); err != nil {
		t.Errorf("success = %v", err)
	}
	err := c.checkBody("A", envelope{httpStatus: 200, bodyStatus: 404, code: "NotExist.Script", message: "m", requestID: "R", success: false})
	if ce := cloud.AsError(err); ce == nil || ce.Class != cloud.ClassNotFound || ce.RequestID != "R" || ce.Action != "A" {
		t.Errorf("error in a 200 = %+v", err)
	}
	err = c.checkBody("A", envelope{httpStatus: 200, code: "OK", success: false})
	if ce := cloud.AsError(err); ce == nil || ce.Class != cloud.ClassTransient {
		t.Errorf("Success false = %+v", err)
	}
}

func TestParseEndpoint(t *testing.T) {
	tests := map[string]struct {
		in, domain, scheme string
	}{
		"empty":              {"", "", "HTTPS"},
		"emulator host:port": {"127.0.0.1:18080", "127.0.0.1:18080", "HTTP"},
		"service host:port":  {"emulator.demo.svc:18080", "emulator.demo.svc:18080", "HTTP"},
		"alibaba host":       {"outboundbot.cn-shanghai.aliyuncs.com", "outboundbot.cn-shanghai.aliyuncs.com", "HTTPS"},
		"port 443":           {"proxy.internal:443", "proxy.internal:443", "HTTPS"},
		"http URL":           {"http://127.0.0.1:18080", "127.0.0.1:18080", "HTTP"},
		"https URL":          {"https://proxy.internal:8443/", "proxy.internal:8443", "HTTPS"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			d, s, err := parseEndpoint(tc.in)
			if err != nil || d != tc.domain || s != tc.scheme {
				t.Errorf("parseEndpoint(%q) = %q, %q, %v; want %q, %q", tc.in, d, s, err, tc.domain, tc.scheme)
			}
		})
	}
	for _, bad := range []string{"ftp://h:1", "http://h:1/path", "h:1/path", "user@h:1"} {
		if _, _, err := parseEndpoint(bad); err == nil {
			t.Errorf("parseEndpoint(%q) accepted", bad)
		}
	}
}
