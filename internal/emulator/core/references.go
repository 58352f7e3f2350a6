package core

import (
	"encoding/json"
	"fmt"
	"strings"
)

// RefProperty is a property of a flow's elements (CCC activities, classic nodes) that names
// another object of the instance by ID.
type RefProperty struct {
	Name string
	// Optional: an empty ID means "none" (an audio file, a media), not a broken reference.
	Optional bool
}

// ReferenceProblems checks the reference properties of a flow's elements, each a JSON object
// with an "id" and "properties", as both Alibaba flow formats have them. noun names an element
// in the messages ("activity", "node"). missing says what is wrong with a non-empty ID of prop,
// "" when the instance has it. A non-string ID, or an empty one where the property is not
// optional, is a problem too. Properties are visited in the order props lists them, elements in
// document order, so that a refusal's message is stable; each problem names the element, the
// property and what is wrong.
func ReferenceProblems(elements []json.RawMessage, noun string, props []RefProperty, missing func(prop, id string) string) []string {
	var problems []string
	for i, raw := range elements {
		var el struct {
			ID         any                        `json:"id"`
			Properties map[string]json.RawMessage `json:"properties"`
		}
		if json.Unmarshal(raw, &el) != nil {
			continue
		}
		name := fmt.Sprintf("%s #%d", noun, i+1)
		if el.ID != nil && fmt.Sprint(el.ID) != "" {
			name = fmt.Sprintf("%s %q", noun, fmt.Sprint(el.ID))
		}
		for _, p := range props {
			raw, ok := el.Properties[p.Name]
			if !ok {
				continue
			}
			id, isText := propertyText(raw)
			problem := ""
			switch {
			case !isText:
				problem = "not a string ID"
			case id == "" && p.Optional:
			case id == "":
				problem = "empty ID"
			default:
				problem = missing(p.Name, id)
			}
			if problem != "" {
				problems = append(problems, fmt.Sprintf("%s property %s: %s", name, p.Name, problem))
			}
		}
	}
	return problems
}

// propertyText returns a property's value as text: a string, a number's digits, "" for null.
func propertyText(raw json.RawMessage) (string, bool) {
	var v any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return "", false
	}
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	}
	return "", false
}
