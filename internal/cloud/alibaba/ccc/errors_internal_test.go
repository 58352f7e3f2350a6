package ccc

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
		"flow locked":             {403, "Forbidden.ContactFlowLocked", cloud.ClassLocked},
		"unknown key":             {404, "InvalidAccessKeyId.NotFound", cloud.ClassUnauthorized},
		"disabled key":            {400, "InvalidAccessKeyId.Inactive", cloud.ClassUnauthorized},
		"bad signature":           {400, "SignatureDoesNotMatch", cloud.ClassUnauthorized},
		"RAM denied":              {403, "Forbidden.RAM", cloud.ClassUnauthorized},
		"expired sts token":       {400, "InvalidSecurityToken.Expired", cloud.ClassUnauthorized},
		"clock skew":              {400, "InvalidTimeStamp.Expired", cloud.ClassUnauthorized},
		"unknown instance":        {404, "NotExists.InstanceId", cloud.ClassNotFound},
		"unknown flow":            {404, "NotExists.ContactFlowId", cloud.ClassNotFound},
		"unknown draft":           {404, "NotExists.DraftId", cloud.ClassNotFound},
		"outbound-bot not exist":  {404, "NotExist.Instance", cloud.ClassNotFound},
		"suffix not found":        {404, "Instance.NotFound", cloud.ClassNotFound},
		"unknown action":          {404, "InvalidAction.NotFound", cloud.ClassInvalid},
		"throttling":              {400, "Throttling.User", cloud.ClassThrottled},
		"plain throttling":        {503, "Throttling", cloud.ClassThrottled},
		"http 429 without code":   {429, "", cloud.ClassThrottled},
		"invalid parameter":       {400, "InvalidParameter.Definition", cloud.ClassInvalid},
		"missing parameter":       {400, "MissingParameter", cloud.ClassInvalid},
		"missing named parameter": {400, "MissingInstanceId", cloud.ClassInvalid},
		"duplicated name":         {400, "Duplicated.ContactFlowName", cloud.ClassAlreadyExists},
		"suffix duplicated":       {400, "InvalidInstanceName.Duplicated", cloud.ClassAlreadyExists},
		"limit exceeded":          {400, "LimitExceeded.ConcurrentConversation", cloud.ClassQuotaExceeded},
		"internal error":          {500, "InternalError", cloud.ClassTransient},
		"service unavailable":     {503, "ServiceUnavailable", cloud.ClassTransient},
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
	ce := &cloud.Error{}
	c.fromServer(ce, 403, "Forbidden.ContactFlowLocked", "The contact flow f-1 is being edited by alice.smith.", "R")
	if ce.Class != cloud.ClassLocked || ce.LockedBy != "alice.smith" || ce.RequestID != "R" {
		t.Errorf("locked = %+v", ce)
	}
	ce = &cloud.Error{}
	c.fromServer(ce, 400, "SignatureDoesNotMatch",
		"Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3Did%26SecurityToken%3Dhush", "R")
	if ce.Message != "Specified signature is not matched with our calculation." {
		t.Errorf("signature message = %q", ce.Message)
	}
	if got := c.scrub(`Post "http://h/?Signature=abc&x=1": hush`); got != `Post "http://h/?[redacted]": [redacted]` {
		t.Errorf("scrub = %q", got)
	}
}

func TestParseEndpoint(t *testing.T) {
	tests := map[string]struct {
		in, domain, scheme string
	}{
		"empty":              {"", "", "HTTPS"},
		"emulator host:port": {"127.0.0.1:18080", "127.0.0.1:18080", "HTTP"},
		"service host:port":  {"emulator.demo.svc:18080", "emulator.demo.svc:18080", "HTTP"},
		"alibaba host":       {"ccc-vpc.cn-shanghai.aliyuncs.com", "ccc-vpc.cn-shanghai.aliyuncs.com", "HTTPS"},
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
}
