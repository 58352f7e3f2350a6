package connect

import (
	"strings"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

// searchCriteria is the SDK's types.ContactFlowSearchCriteria on the wire.
type searchCriteria struct {
	AndConditions   []searchCriteria `json:"AndConditions"`
	OrConditions    []searchCriteria `json:"OrConditions"`
	StateCondition  string           `json:"StateCondition"`
	StatusCondition string           `json:"StatusCondition"`
	StringCondition *struct {
		ComparisonType string `json:"ComparisonType"`
		FieldName      string `json:"FieldName"`
		Value          string `json:"Value"`
	} `json:"StringCondition"`
	TypeCondition string `json:"TypeCondition"`
}

// searchFilter is the SDK's types.ContactFlowSearchFilter; only TagFilter is served.
type searchFilter struct {
	FlowAttributeFilter *struct{}  `json:"FlowAttributeFilter"`
	TagFilter           *tagFilter `json:"TagFilter"`
}

type tagCondition struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

type tagFilter struct {
	AndConditions []tagCondition   `json:"AndConditions"`
	OrConditions  [][]tagCondition `json:"OrConditions"`
	TagCondition  *tagCondition    `json:"TagCondition"`
}

type matcher func(*Flow) bool

// compileSearch turns SearchContactFlows' criteria and filter into one predicate. A node of
// the criteria matches when every leaf condition it sets matches, every AndCondition matches
// and, when it has OrConditions, at least one of them does. String conditions apply to "name"
// and "description": EXACT is case-sensitive, CONTAINS and STARTS_WITH are not.
func compileSearch(c *searchCriteria, f *searchFilter) (matcher, *core.APIError) {
	match := func(*Flow) bool { return true }
	if c != nil {
		m, err := compileCriteria(*c)
		if err != nil {
			return nil, err
		}
		match = m
	}
	if f == nil {
		return match, nil
	}
	if f.FlowAttributeFilter != nil {
		return nil, badRequest("FlowAttributeFilter is not supported by the emulator; use SearchCriteria or TagFilter.")
	}
	if tf := f.TagFilter; tf != nil {
		inner := match
		match = func(fl *Flow) bool { return inner(fl) && tf.matches(fl.Tags) }
	}
	return match, nil
}

func (t *tagFilter) matches(tags map[string]string) bool {
	has := func(c tagCondition) bool {
		v, ok := tags[c.TagKey]
		return ok && (c.TagValue == "" || v == c.TagValue)
	}
	if t.TagCondition != nil && !has(*t.TagCondition) {
		return false
	}
	for _, c := range t.AndConditions {
		if !has(c) {
			return false
		}
	}
	if len(t.OrConditions) == 0 {
		return true
	}
	for _, group := range t.OrConditions {
		all := true
		for _, c := range group {
			all = all && has(c)
		}
		if all {
			return true
		}
	}
	return false
}

func compileCriteria(c searchCriteria) (matcher, *core.APIError) {
	var all []matcher
	if t := c.TypeCondition; t != "" {
		if err := validateType(t); err != nil {
			return nil, err
		}
		all = append(all, func(f *Flow) bool { return f.Type == t })
	}
	if st := c.StateCondition; st != "" {
		if st != StateActive && st != StateArchived {
			return nil, badParam("StateCondition %q must be ACTIVE or ARCHIVED.", st)
		}
		all = append(all, func(f *Flow) bool { return f.State == st })
	}
	if st := c.StatusCondition; st != "" {
		if st != StatusSaved && st != StatusPublished {
			return nil, badParam("StatusCondition %q must be SAVED or PUBLISHED.", st)
		}
		all = append(all, func(f *Flow) bool { return f.Status() == st })
	}
	if sc := c.StringCondition; sc != nil {
		field := strings.ToLower(sc.FieldName)
		if field != "name" && field != "description" {
			return nil, badParam("StringCondition FieldName %q must be name or description.", sc.FieldName)
		}
		get := func(f *Flow) string { return f.Name }
		if field == "description" {
			get = func(f *Flow) string { return f.Description }
		}
		value := sc.Value
		switch sc.ComparisonType {
		case "EXACT":
			all = append(all, func(f *Flow) bool { return get(f) == value })
		case "CONTAINS":
			all = append(all, func(f *Flow) bool {
				return strings.Contains(strings.ToLower(get(f)), strings.ToLower(value))
			})
		case "STARTS_WITH":
			all = append(all, func(f *Flow) bool {
				return strings.HasPrefix(strings.ToLower(get(f)), strings.ToLower(value))
			})
		default:
			return nil, badParam("StringCondition ComparisonType %q must be EXACT, CONTAINS or STARTS_WITH.", sc.ComparisonType)
		}
	}
	for _, sub := range c.AndConditions {
		m, err := compileCriteria(sub)
		if err != nil {
			return nil, err
		}
		all = append(all, m)
	}
	if len(c.OrConditions) > 0 {
		var any []matcher
		for _, sub := range c.OrConditions {
			m, err := compileCriteria(sub)
			if err != nil {
				return nil, err
			}
			any = append(any, m)
		}
		all = append(all, func(f *Flow) bool {
			for _, m := range any {
				if m(f) {
					return true
				}
			}
			return false
		})
	}
	return func(f *Flow) bool {
		for _, m := range all {
			if !m(f) {
				return false
			}
		}
		return true
	}, nil
}
