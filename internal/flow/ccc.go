package flow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Activity type names the package itself relies on. The full list of accepted types lives in
// KnownActivityTypes.
const (
	typeIncomingCall = "INCOMING_CALL"
	typeHangup       = "HANGUP"
)

// Layout-only keys. They are kept by JSON and WithLayoutFrom but never take part in Canonical,
// Hash or DiffCCC, because the console rewrites them whenever someone drags the canvas.
const (
	keyPosition = "position" // inside an activity's properties
)

// Keys with a dedicated struct field; anything else found at the same level goes to Extra so
// that a field the platform adds later survives a read-modify-write cycle.
var (
	definitionKeys = map[string]bool{"activities": true, "description": true}
	activityKeys   = map[string]bool{"type": true, "id": true, "name": true, "properties": true, "events": true, "nodeIndex": true}
	eventKeys      = map[string]bool{"event": true, "next": true, "edgeId": true}
)

// Event is one outgoing edge of an activity. Event names the outcome that takes the edge (for
// example "complete", "timeout", or a MENU key); the order of an activity's events is meaningful
// and preserved.
//
// Next is the id of the activity the outcome leads to; nil means the flow ends there (JSON null
// or absent). EdgeID is the console's identity for the drawn arrow and is layout only.
//
// Extra holds event keys this package does not model, as decoded with UseNumber. It is content:
// it is rendered, hashed and diffed. (Extra is an addition to the agreed API so that unknown
// platform fields are never silently dropped.)
type Event struct {
	Event  string         `json:"event"`
	Next   *string        `json:"next"`
	EdgeID string         `json:"edgeId,omitempty"`
	Extra  map[string]any `json:"-"`
}

// Activity is one node of a CCC flow graph, identified by ID.
//
// Properties holds the node's settings as decoded with json.Decoder.UseNumber (numbers are
// json.Number, objects map[string]any, arrays []any). Its "position" key is layout only.
// NodeIndex is layout only too; nil means the definition does not carry one.
//
// Extra holds activity keys this package does not model; see Event.Extra for why it exists.
type Activity struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	Properties map[string]any `json:"properties"`
	Events     []Event        `json:"events"`
	NodeIndex  *int64         `json:"nodeIndex,omitempty"`
	Extra      map[string]any `json:"-"`
}

// CCCDefinition is a parsed CCC flow definition. Activities keep the order they were read in
// (JSON renders them in that order) although order carries no meaning for equality.
//
// Extra holds top-level keys other than "activities" and "description", as decoded with
// UseNumber; they are content and are preserved by JSON. Extra entries named "activities" or
// "description" are ignored when rendering, because the dedicated fields own those keys.
//
// Use ParseCCC and JSON rather than encoding/json on this type: the struct tags exist for
// readability of other encodings, but Extra would be lost through encoding/json.
type CCCDefinition struct {
	Activities  []Activity     `json:"activities"`
	Description string         `json:"description"`
	Extra       map[string]any `json:"-"`
}

// ParseCCC decodes a CCC definition from its JSON text.
//
// Invalid JSON and values of the wrong JSON type (an "events" that is not an array, an "id"
// that is not a string, ...) are reported together as a *ValidationError whose Problems carry a
// path such as "activities[2].events" in Field and leave ActivityID empty, because a malformed
// document cannot be trusted to name its activities. JSON null is accepted wherever a value is
// optional and means "absent". ParseCCC does not check the graph; call Validate for that.
//
// A successful result always has non-nil Activities, Events and Properties, so that a definition
// compares equal to itself after a JSON round trip; Extra maps are nil when there is nothing extra.
func ParseCCC(raw []byte) (*CCCDefinition, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var top any
	if err := dec.Decode(&top); err != nil {
		return nil, invalidJSON(err)
	}
	// A second value after the definition would be silently ignored by the platform or by us,
	// so it is an error rather than a guess.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &ValidationError{Problems: []Problem{{Message: "invalid JSON: unexpected data after the top-level value"}}}
	}

	p := &parser{}
	d := p.definition(top)
	if len(p.problems) > 0 {
		return nil, newValidationError(p.problems)
	}
	return d, nil
}

func invalidJSON(err error) error {
	var msg string
	var syn *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF):
		msg = "invalid JSON: empty input"
	case errors.Is(err, io.ErrUnexpectedEOF):
		msg = "invalid JSON: unexpected end of input"
	case errors.As(err, &syn):
		msg = fmt.Sprintf("invalid JSON at offset %d: %v", syn.Offset, syn)
	default:
		msg = "invalid JSON: " + err.Error()
	}
	return &ValidationError{Problems: []Problem{{Message: msg}}}
}

// parser turns the generic decoded document into the typed form, collecting every shape problem
// instead of stopping at the first so that a user fixes a spec in one round.
type parser struct {
	problems []Problem
}

func (p *parser) add(field, msg string) {
	p.problems = append(p.problems, Problem{Field: field, Message: msg})
}

func (p *parser) definition(v any) *CCCDefinition {
	m, ok := v.(map[string]any)
	if !ok {
		p.add("", "definition must be a JSON object")
		return nil
	}
	d := &CCCDefinition{Activities: []Activity{}}
	for k, val := range m {
		switch k {
		case "activities":
			d.Activities = p.activities(val)
		case "description":
			d.Description = p.str("description", val)
		default:
			if d.Extra == nil {
				d.Extra = map[string]any{}
			}
			d.Extra[k] = val
		}
	}
	return d
}

func (p *parser) activities(v any) []Activity {
	out := []Activity{}
	if v == nil {
		return out
	}
	list, ok := v.([]any)
	if !ok {
		p.add("activities", "must be an array")
		return out
	}
	for i, item := range list {
		out = append(out, p.activity(fmt.Sprintf("activities[%d]", i), item))
	}
	return out
}

func (p *parser) activity(path string, v any) Activity {
	a := Activity{Properties: map[string]any{}, Events: []Event{}}
	m, ok := v.(map[string]any)
	if !ok {
		p.add(path, "must be an object")
		return a
	}
	for k, val := range m {
		field := path + "." + k
		switch k {
		case "type":
			a.Type = p.str(field, val)
		case "id":
			a.ID = p.str(field, val)
		case "name":
			a.Name = p.str(field, val)
		case "properties":
			if val == nil {
				continue
			}
			props, ok := val.(map[string]any)
			if !ok {
				p.add(field, "must be an object")
				continue
			}
			a.Properties = props
		case "events":
			a.Events = p.events(field, val)
		case "nodeIndex":
			a.NodeIndex = p.integer(field, val)
		default:
			if a.Extra == nil {
				a.Extra = map[string]any{}
			}
			a.Extra[k] = val
		}
	}
	return a
}

func (p *parser) events(path string, v any) []Event {
	out := []Event{}
	if v == nil {
		return out
	}
	list, ok := v.([]any)
	if !ok {
		p.add(path, "must be an array")
		return out
	}
	for i, item := range list {
		epath := fmt.Sprintf("%s[%d]", path, i)
		m, ok := item.(map[string]any)
		if !ok {
			p.add(epath, "must be an object")
			out = append(out, Event{})
			continue
		}
		var e Event
		for k, val := range m {
			field := epath + "." + k
			switch k {
			case "event":
				e.Event = p.str(field, val)
			case "next":
				switch s := val.(type) {
				case nil:
				case string:
					e.Next = &s
				default:
					p.add(field, "must be a string or null")
				}
			case "edgeId":
				e.EdgeID = p.str(field, val)
			default:
				if e.Extra == nil {
					e.Extra = map[string]any{}
				}
				e.Extra[k] = val
			}
		}
		out = append(out, e)
	}
	return out
}

func (p *parser) str(field string, v any) string {
	switch s := v.(type) {
	case nil:
		return ""
	case string:
		return s
	default:
		p.add(field, "must be a string")
		return ""
	}
}

// integer accepts any JSON number with an integral value (1, 1.0, 1e2) because the console is
// not careful about how it writes numbers, and rejects fractions and values beyond int64.
func (p *parser) integer(field string, v any) *int64 {
	if v == nil {
		return nil
	}
	if n, ok := v.(json.Number); ok {
		if i, ok := numberToInt64(string(n)); ok {
			return &i
		}
	}
	p.add(field, "must be an integer")
	return nil
}

func numberToInt64(s string) (int64, bool) {
	dec, ok := parseDecimal(s)
	if !ok {
		return 0, false
	}
	if dec.digits == "" {
		return 0, true
	}
	// 19 digits is the most an int64 can hold; checking first keeps huge exponents cheap.
	if dec.exp.Sign() < 0 || !dec.exp.IsInt64() || int64(len(dec.digits))+dec.exp.Int64() > 19 {
		return 0, false
	}
	txt := dec.digits + zeros(int(dec.exp.Int64()))
	if dec.neg {
		txt = "-" + txt
	}
	i, err := strconv.ParseInt(txt, 10, 64)
	return i, err == nil
}
