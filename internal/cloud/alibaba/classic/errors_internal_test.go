package classic

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
		"version locked":          {403, "Forbidden.ContactFlowVersionLocked", cloud.ClassLocked},
		"2020 flow locked":        {403, "Forbidden.ContactFlowLocked", cloud.ClassLocked},
		"version not open":        {400, "IncorrectStatus.ContactFlowVersion", cloud.ClassNotFound},
		"unknown key":             {404, "InvalidAccessKeyId.NotFound", cloud.ClassUnauthorized},
		"bad signature":           {400, "SignatureDoesNotMatch", cloud.ClassUnauthorized},
		"RAM denied":              {403, "Forbidden.RAM", cloud.ClassUnauthorized},
		"expired sts token":       {400, "InvalidSecurityToken.Expired", cloud.ClassUnauthorized},
		"clock skew":              {400, "InvalidTimeStamp.Expired", cloud.ClassUnauthorized},
		"unknown instance":        {404, "NotExists.InstanceId", cloud.ClassNotFound},
		"unknown flow":            {404, "NotExists.ContactFlowId", cloud.ClassNotFound},
		"unknown version":         {404, "NotExists.ContactFlowVersionId", cloud.ClassNotFound},
		"unknown number":          {404, "NotExists.PhoneNumberId", cloud.ClassNotFound},
		"suffix not found":        {404, "Instance.NotFound", cloud.ClassNotFound},
		"unknown action":          {404, "InvalidAction.NotFound", cloud.ClassInvalid},
		"throttling":              {400, "Throttling.User", cloud.ClassThrottled},
		"http 429 without code":   {429, "", cloud.ClassThrottled},
		"invalid content":         {400, "InvalidParameter.Content", cloud.ClassInvalid},
		"fallback not published":  {400, "InvalidParameter.ContactFlowVersionId", cloud.ClassInvalid},
		"missing named parameter": {400, "MissingCanvas", cloud.ClassInvalid},
		"duplicated name":         {400, "Duplicated.ContactFlowName", cloud.ClassAlreadyExists},
		"limit exceeded":          {400, "LimitExceeded.Flows", cloud.ClassQuotaExceeded},
		"internal error":          {500, "InternalError", cloud.ClassTransient},
		"nonce reused":            {400, "SignatureNonceUsed", cloud.ClassTransient},
		"no code":                 {404, "", cloud.ClassTransient},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := classify(tc.status, tc.code); got != tc.want {
				t.Errorf("classify(%d, %q) = %s, want %s", tc.status, tc.code, got, tc.want)
			}
		})
	}
}

func TestFromServer(t *testing.T) {
	c := &Client{secrets: []string{"hush"}}
	tests := map[string]struct {
		code, message string
		wantClass     cloud.Class
		wantBy        string
		wantMessage   string
	}{
		"locked names the holder": {
			code: CodeVersionLocked, message: "The contact flow f-1 is being modified: version v-1 is locked by alice.smith.",
			wantClass: cloud.ClassLocked, wantBy: "alice.smith",
			wantMessage: "The contact flow f-1 is being modified: version v-1 is locked by alice.smith.",
		},
		"signature message loses the string to sign": {
			code:      "SignatureDoesNotMatch",
			message:   "Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3Did%26SecurityToken%3Dhush",
			wantClass: cloud.ClassUnauthorized, wantMessage: "Specified signature is not matched with our calculation.",
		},
		"secret scrubbed": {
			code: "InternalError", message: "boom hush", wantClass: cloud.ClassTransient, wantMessage: "boom [redacted]",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ce := &cloud.Error{}
			c.fromServer(ce, 400, tc.code, tc.message, "R")
			if ce.Class != tc.wantClass || ce.LockedBy != tc.wantBy || ce.Message != tc.wantMessage || ce.RequestID != "R" {
				t.Errorf("fromServer = %+v", ce)
			}
		})
	}
	if got := c.scrub(`Post "http://h/?Signature=abc&x=1": hush`); got != `Post "http://h/?[redacted]": [redacted]` {
		t.Errorf("scrub = %q", got)
	}
}

func TestParseEndpointAndDefaultDomain(t *testing.T) {
	tests := map[string]struct {
		in, domain, scheme string
	}{
		"empty is the regional endpoint": {"", "ccc.cn-hangzhou.aliyuncs.com", "HTTPS"},
		"emulator host:port":             {"127.0.0.1:18080", "127.0.0.1:18080", "HTTP"},
		"alibaba host":                   {"ccc-vpc.cn-shanghai.aliyuncs.com", "ccc-vpc.cn-shanghai.aliyuncs.com", "HTTPS"},
		"port 443":                       {"proxy.internal:443", "proxy.internal:443", "HTTPS"},
		"http URL":                       {"http://127.0.0.1:18080", "127.0.0.1:18080", "HTTP"},
		"https URL":                      {"https://proxy.internal:8443/", "proxy.internal:8443", "HTTPS"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c, err := New(cloud.Config{Region: "cn-hangzhou", Endpoint: tc.in, Credentials: &cloud.Credentials{AccessKeyID: "a", AccessKeySecret: "b"}})
			if err != nil {
				t.Fatalf("New(endpoint %q): %v", tc.in, err)
			}
			if c.domain != tc.domain || c.scheme != tc.scheme {
				t.Errorf("New(endpoint %q) domain %q scheme %q; want %q, %q", tc.in, c.domain, c.scheme, tc.domain, tc.scheme)
			}
		})
	}
}
