package connect

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// FlowLanguageVersion is the only flow language version the platform accepts in Content.
const FlowLanguageVersion = "2019-10-30"

// ContentSha256 is the FlowContentSha256 of a content: the lower-case hex SHA-256 of the
// content string's UTF-8 bytes exactly as stored and returned by DescribeContactFlow (the
// emulator never reformats content). Clients that want to guard CreateContactFlowVersion
// compute the same value from the content they read or wrote.
func ContentSha256(content string) string {
	sum := sha256.Sum256([]byte(content))
	return hex.EncodeToString(sum[:])
}

// flowDoc is the part of the flow language that publishing validates. Metadata and each
// action's Parameters are layout and configuration the emulator does not interpret.
type flowDoc struct {
	Version     *json.RawMessage `json:"Version"`
	StartAction *json.RawMessage `json:"StartAction"`
	Actions     *json.RawMessage `json:"Actions"`
}

type flowAction struct {
	Identifier  *string          `json:"Identifier"`
	Type        *string          `json:"Type"`
	Transitions *json.RawMessage `json:"Transitions"`
}

type transitions struct {
	NextAction *string `json:"NextAction"`
	Errors     []struct {
		NextAction *string `json:"NextAction"`
		ErrorType  string  `json:"ErrorType"`
	} `json:"Errors"`
	Conditions []struct {
		NextAction *string `json:"NextAction"`
	} `json:"Conditions"`
}

// checkSyntax returns the problem of a content that is not a JSON object, or nil. Saving
// (Status SAVED, UpdateContactFlowContent on $SAVED) checks only this: the platform does not
// validate saved content, but it stores flow-language documents, which are JSON objects.
func checkSyntax(content string) []string {
	dec := json.NewDecoder(bytes.NewReader([]byte(content)))
	var obj map[string]json.RawMessage
	if err := dec.Decode(&obj); err != nil || obj == nil || dec.More() {
		return []string{"Content is not a JSON object."}
	}
	return nil
}

// ValidateContent returns the problems that publishing content reports, in document order; nil
// means the content can be published. It checks what the flow language requires of the
// graph: Version "2019-10-30", an Actions array whose items each have a unique Identifier, a
// Type and a Transitions object, every NextAction (plain, in Errors and in Conditions) naming
// an existing Identifier, and a StartAction naming one.
func ValidateContent(content string) []string {
	if p := checkSyntax(content); p != nil {
		return p
	}
	var doc flowDoc
	_ = json.Unmarshal([]byte(content), &doc) // checkSyntax proved it is an object
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if doc.Version == nil {
		add("Version is required.")
	} else if v, ok := stringOf(*doc.Version); !ok || v != FlowLanguageVersion {
		add("Version must be %q.", FlowLanguageVersion)
	}

	var actions []json.RawMessage
	if doc.Actions == nil {
		add("Actions is required.")
	} else if err := json.Unmarshal(*doc.Actions, &actions); err != nil || actions == nil {
		add("Actions must be an array.")
		actions = nil
	}

	ids := map[string]bool{}
	parsed := make([]*flowAction, len(actions))
	for i, raw := range actions {
		var a flowAction
		if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' || json.Unmarshal(raw, &a) != nil {
			add("Actions[%d] is not an object.", i)
			continue
		}
		parsed[i] = &a
		switch {
		case a.Identifier == nil || *a.Identifier == "":
			add("Actions[%d]: Identifier is required.", i)
		case ids[*a.Identifier]:
			add("Actions[%d]: Identifier %q is used by another action.", i, *a.Identifier)
		default:
			ids[*a.Identifier] = true
		}
	}
	for i, a := range parsed {
		name := fmt.Sprintf("Actions[%d]", i)
		if a != nil && a.Identifier != nil && *a.Identifier != "" {
			name = fmt.Sprintf("Action %q", *a.Identifier)
		}
		if a == nil {
			continue // not an object: reported above
		}
		if a.Type == nil || *a.Type == "" {
			add("%s: Type is required.", name)
		}
		if a.Transitions == nil {
			add("%s: Transitions is required.", name)
			continue
		}
		var t transitions
		if err := json.Unmarshal(*a.Transitions, &t); err != nil {
			add("%s: Transitions must be an object.", name)
			continue
		}
		check := func(where string, next *string) {
			if next != nil && !ids[*next] {
				add("%s: %s %q does not name an action.", name, where, *next)
			}
		}
		check("NextAction", t.NextAction)
		for j, e := range t.Errors {
			check(fmt.Sprintf("Errors[%d].NextAction", j), e.NextAction)
		}
		for j, c := range t.Conditions {
			check(fmt.Sprintf("Conditions[%d].NextAction", j), c.NextAction)
		}
	}

	if doc.StartAction == nil {
		add("StartAction is required.")
	} else if s, ok := stringOf(*doc.StartAction); !ok || !ids[s] {
		add("StartAction %s does not name an action.", string(*doc.StartAction))
	}
	return problems
}

func stringOf(raw json.RawMessage) (string, bool) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}
