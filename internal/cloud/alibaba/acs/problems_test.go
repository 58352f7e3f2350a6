package acs

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplitProblems(t *testing.T) {
	tests := map[string]struct {
		in       string
		head     string
		problems []string
	}{
		"list":        {"The parameter Definition is invalid: a: x; b: y.", "The parameter Definition is invalid", []string{"a: x", "b: y"}},
		"one":         {"The parameter Content is invalid: it is not a JSON object.", "The parameter Content is invalid", []string{"it is not a JSON object"}},
		"no colon":    {"Something went wrong.", "Something went wrong.", nil},
		"empty after": {"Invalid: .", "Invalid: .", nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			head, problems := SplitProblems(tc.in)
			if head != tc.head || !cmp.Equal(problems, tc.problems) {
				t.Errorf("SplitProblems(%q) = %q, %q; want %q, %q", tc.in, head, problems, tc.head, tc.problems)
			}
		})
	}
}
