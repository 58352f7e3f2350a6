package flow

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// KnownActivityTypes is the set of CCC activity types Validate accepts, mapped to a short
// description for messages and documentation. It is a variable so that a type the platform
// adds can be accepted by adding one entry, without touching the validation code. Change it
// only during program initialisation: Validate reads it without locking.
var KnownActivityTypes = map[string]string{
	"INCOMING_CALL":           "start of the flow",
	"PLAY_SAY":                "play text-to-speech",
	"PLAY_AUDIO":              "play an audio file",
	"GET_DIGITS":              "collect digits",
	"MENU":                    "key menu",
	"TRANSFER_TO_AGENT":       "transfer to an agent",
	"TRANSFER_TO_SKILL_GROUP": "transfer to a skill group",
	"TRANSFER_TO_FLOW":        "transfer to another flow",
	"TRANSFER_TO_NUMBER":      "transfer to a phone number",
	"TRANSFER_TO_VOICEMAIL":   "transfer to voicemail",
	"CONDITION":               "branch on a condition",
	"SET_VARIABLE":            "set a variable",
	"FUNCTION":                "call a Function Compute function",
	"WORK_TIME":               "check working hours",
	"IVR_BOT":                 "hand over to an IVR bot",
	"RECORD":                  "record the caller",
	"HANGUP":                  "end the call",
}

// Problem is one thing wrong with a definition. ActivityID and ActivityType name the activity
// concerned and are both empty for problems with the definition as a whole (and for shape
// problems found by ParseCCC, whose Field then carries the full path such as
// "activities[2].events"). Field is the offending field relative to the activity when there is
// one ("events[0].next"), or a path from the top of the definition otherwise.
type Problem struct {
	ActivityID   string
	ActivityType string
	Field        string
	Message      string
}

// String renders the problem for people, naming the activity first so that a user can find it
// on the console canvas: `activity 2d3ad2c2 (PLAY_SAY): events[0].next: names unknown activity
// "zzz"`, or `activities: must contain ...` when no activity is concerned.
func (p Problem) String() string {
	var b strings.Builder
	if p.ActivityID != "" || p.ActivityType != "" {
		b.WriteString("activity")
		if p.ActivityID != "" {
			b.WriteString(" " + p.ActivityID)
		}
		if p.ActivityType != "" {
			b.WriteString(" (" + p.ActivityType + ")")
		}
		b.WriteString(": ")
	}
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// ValidationError reports every problem found in a definition, not only the first, so a user
// can fix a spec in one edit. Problems are sorted (activity id, type, field with numeric
// indexes in numeric order, message) and free of duplicates, so the error text is stable and
// can be compared or shown in a status condition without flapping.
type ValidationError struct {
	Problems []Problem
}

// Error joins the problems' String forms with "; ".
func (e *ValidationError) Error() string {
	if len(e.Problems) == 0 {
		return "invalid definition"
	}
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return strings.Join(parts, "; ")
}

func newValidationError(problems []Problem) *ValidationError {
	sorted := append([]Problem(nil), problems...)
	sort.SliceStable(sorted, func(i, j int) bool { return problemLess(sorted[i], sorted[j]) })
	out := sorted[:0]
	for i, p := range sorted {
		if i > 0 && p == sorted[i-1] {
			continue
		}
		out = append(out, p)
	}
	return &ValidationError{Problems: out}
}

func problemLess(a, b Problem) bool {
	if a.ActivityID != b.ActivityID {
		return a.ActivityID < b.ActivityID
	}
	if a.ActivityType != b.ActivityType {
		return a.ActivityType < b.ActivityType
	}
	if c := naturalCompare(a.Field, b.Field); c != 0 {
		return c < 0
	}
	return a.Message < b.Message
}

// naturalCompare orders strings with embedded decimal numbers by value, so "events[2]" sorts
// before "events[10]" as a reader expects.
func naturalCompare(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if isDigit(a[i]) && isDigit(b[j]) {
			si, sj := i, j
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
			na := strings.TrimLeft(a[si:i], "0")
			nb := strings.TrimLeft(b[sj:j], "0")
			if len(na) != len(nb) {
				return cmpInt(len(na), len(nb))
			}
			if na != nb {
				return strings.Compare(na, nb)
			}
			// Same value with different zero padding: fall back to the raw text for a total order.
			if c := strings.Compare(a[si:i], b[sj:j]); c != 0 {
				return c
			}
			continue
		}
		if a[i] != b[j] {
			return cmpInt(int(a[i]), int(b[j]))
		}
		i++
		j++
	}
	return cmpInt(len(a)-i, len(b)-j)
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Validate checks that the definition is a runnable flow graph:
//
//   - exactly one INCOMING_CALL activity, the start;
//   - every id is non-empty and unique;
//   - every type is non-empty and in KnownActivityTypes;
//   - every event has a non-empty name;
//   - every event's next is null or names an existing activity;
//   - a HANGUP has no event with a non-null next (the call is over, nothing can follow);
//   - every activity is reachable from the start by following next (checked only when there is
//     exactly one start, as otherwise "reachable" has no meaning).
//
// It returns nil or a *ValidationError listing every problem. Activities without an id are
// reported with Field "activities[i].<field>" since they cannot be named otherwise. Layout and
// property contents are not checked: the platform owns their rules.
func (d *CCCDefinition) Validate() error {
	if d == nil {
		return &ValidationError{Problems: []Problem{{Message: "definition is missing"}}}
	}
	var problems []Problem
	add := func(a Activity, i int, field, msg string) {
		if a.ID == "" {
			field = "activities[" + strconv.Itoa(i) + "]." + field
		}
		problems = append(problems, Problem{ActivityID: a.ID, ActivityType: a.Type, Field: field, Message: msg})
	}

	byID := map[string][]int{}
	var starts []int
	for i, a := range d.Activities {
		if a.ID == "" {
			add(a, i, "id", "must not be empty")
		} else {
			byID[a.ID] = append(byID[a.ID], i)
		}
		switch _, known := KnownActivityTypes[a.Type]; {
		case a.Type == "":
			add(a, i, "type", "must not be empty")
		case !known:
			add(a, i, "type", fmt.Sprintf("unknown activity type %q", a.Type))
		}
		if a.Type == typeIncomingCall {
			starts = append(starts, i)
		}
	}

	for id, idx := range byID {
		if len(idx) < 2 {
			continue
		}
		typ := d.Activities[idx[0]].Type
		for _, k := range idx[1:] {
			if d.Activities[k].Type != typ {
				typ = ""
			}
		}
		problems = append(problems, Problem{ActivityID: id, ActivityType: typ, Field: "id",
			Message: fmt.Sprintf("is used by %d activities; ids must be unique", len(idx))})
	}

	switch len(starts) {
	case 0:
		problems = append(problems, Problem{Field: "activities",
			Message: "must contain one " + typeIncomingCall + " activity (the start); found none"})
	case 1:
	default:
		names := make([]string, len(starts))
		for i, k := range starts {
			names[i] = strconv.Quote(d.Activities[k].ID)
		}
		sort.Strings(names)
		problems = append(problems, Problem{Field: "activities",
			Message: fmt.Sprintf("must contain exactly one %s activity (the start); found %d: %s",
				typeIncomingCall, len(starts), strings.Join(names, ", "))})
	}

	for i, a := range d.Activities {
		for j, e := range a.Events {
			if e.Event == "" {
				add(a, i, fmt.Sprintf("events[%d].event", j), "must not be empty")
			}
			if e.Next == nil {
				continue
			}
			field := fmt.Sprintf("events[%d].next", j)
			switch _, exists := byID[*e.Next]; {
			case a.Type == typeHangup:
				add(a, i, field, "must be null: "+typeHangup+" ends the call")
			case *e.Next == "":
				add(a, i, field, "must be null or an activity id, not empty")
			case !exists:
				add(a, i, field, fmt.Sprintf("names unknown activity %q", *e.Next))
			}
		}
	}

	if len(starts) == 1 && d.Activities[starts[0]].ID != "" {
		start := d.Activities[starts[0]]
		reached := map[string]bool{start.ID: true}
		queue := []string{start.ID}
		for len(queue) > 0 {
			id := queue[0]
			queue = queue[1:]
			for _, k := range byID[id] {
				for _, e := range d.Activities[k].Events {
					if e.Next == nil || reached[*e.Next] {
						continue
					}
					if _, ok := byID[*e.Next]; ok {
						reached[*e.Next] = true
						queue = append(queue, *e.Next)
					}
				}
			}
		}
		for i, a := range d.Activities {
			// An activity without an id already has a problem saying so; calling it unreachable
			// too would only repeat that.
			if a.ID != "" && !reached[a.ID] {
				add(a, i, "", fmt.Sprintf("is not reachable from the start (%s %s)", typeIncomingCall, start.ID))
			}
		}
	}

	if len(problems) == 0 {
		return nil
	}
	return newValidationError(problems)
}
