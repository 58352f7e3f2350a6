package acs

import "strings"

// SplitProblems splits a platform message of the form "<sentence>: <problem>; <problem>." into
// the sentence and the problems, for cloud.Error.Problems. A message without ": " has no
// problems and is returned as it is.
func SplitProblems(message string) (head string, problems []string) {
	head, rest, ok := strings.Cut(message, ": ")
	if !ok {
		return message, nil
	}
	rest = strings.TrimSuffix(strings.TrimSpace(rest), ".")
	for _, p := range strings.Split(rest, "; ") {
		if p = strings.TrimSpace(p); p != "" {
			problems = append(problems, p)
		}
	}
	if len(problems) == 0 {
		return message, nil
	}
	return head, problems
}
