package cloud_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
)

func TestScriptReviewState(t *testing.T) {
	tests := map[string]struct {
		status             string
		inReview, approved bool
	}{
		"drafted":                 {cloud.ScriptStatusDrafted, false, false},
		"published":               {cloud.ScriptStatusPublished, false, false},
		"in review":               {cloud.ScriptStatusInReview, true, false},
		"published, in review":    {cloud.ScriptStatusPublishedInReview, true, false},
		"approved":                {cloud.ScriptStatusApproved, false, true},
		"published, approved":     {cloud.ScriptStatusPublishedApproved, false, true},
		"platform transient step": {"PUBLISH_IN_PROGRESS", false, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := &cloud.Script{Status: tc.status}
			if s.InReview() != tc.inReview || s.Approved() != tc.approved {
				t.Errorf("InReview, Approved = %t, %t; want %t, %t", s.InReview(), s.Approved(), tc.inReview, tc.approved)
			}
		})
	}
}

func TestOutboundInstanceSpecRedactsNLUCredentials(t *testing.T) {
	spec := cloud.OutboundInstanceSpec{
		Name:           "bot",
		NLUCredentials: &cloud.Credentials{AccessKeyID: "nlu-id", AccessKeySecret: "nlu-secret-Vb9"},
	}
	for _, text := range []string{fmt.Sprintf("%v", spec), fmt.Sprintf("%+v", spec), fmt.Sprintf("%#v", spec)} {
		if strings.Contains(text, "nlu-secret-Vb9") {
			t.Errorf("spec prints the NLU secret: %s", text)
		}
	}
}
