package flow

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// ChangeKind says what happened to the subject of a Change.
type ChangeKind string

// The change kinds. Their values are part of the contract ("added", "removed", "changed")
// because they appear in rendered summaries.
const (
	ChangeAdded   ChangeKind = "added"
	ChangeRemoved ChangeKind = "removed"
	ChangeChanged ChangeKind = "changed"
)

// Change is one semantic difference between two definitions. For an activity, ActivityID and
// ActivityType name it (the desired type, or the live type for a removal). Both are empty for a
// change to the definition as a whole (description or unknown top-level keys).
//
// Fields is set only for ChangeChanged and lists what differs, in a fixed order: "type", "name",
// property paths ("say", nested "prompt.text", array elements "items[1]"), unknown activity keys,
// then events ("events" when their count differs, otherwise "events[i].event", "events[i].next"
// and unknown event keys as "events[i].key"). Layout never appears.
type Change struct {
	ActivityID   string
	ActivityType string
	Kind         ChangeKind
	Fields       []string
}

// String renders the change for events and logs: "PLAY_SAY 2d3ad2c2: say changed",
// "PLAY_SAY 2d3ad2c2: say, events[0].next changed", "HANGUP bd4f37e2: removed",
// "MENU 1a2b: added", "definition: description changed".
func (c Change) String() string {
	subject := "definition"
	if c.ActivityID != "" || c.ActivityType != "" {
		id := c.ActivityID
		if id == "" {
			id = `""`
		}
		subject = id
		if c.ActivityType != "" {
			subject = c.ActivityType + " " + id
		}
	}
	if c.Kind == ChangeChanged && len(c.Fields) > 0 {
		return subject + ": " + strings.Join(c.Fields, ", ") + " changed"
	}
	return subject + ": " + string(c.Kind)
}

// Diff is the semantic difference from a live definition to a desired one. Changes are ordered
// deterministically: the definition-level change first, then activities by id.
type Diff struct {
	Changes []Change
}

// Empty reports whether the two definitions have the same content, so the controller can skip
// a write; see DiffCCC for how it relates to Hash.
func (d Diff) Empty() bool { return len(d.Changes) == 0 }

// diffSummaryLimit bounds Diff.String so that a large rewrite still fits in a Kubernetes event
// message.
const diffSummaryLimit = 5

// String renders a short summary: up to five changes joined by "; ", followed by "and N more"
// when there are more, or "no changes" when the diff is empty.
func (d Diff) String() string {
	if d.Empty() {
		return "no changes"
	}
	n := min(len(d.Changes), diffSummaryLimit)
	parts := make([]string, 0, n+1)
	for _, c := range d.Changes[:n] {
		parts = append(parts, c.String())
	}
	if rest := len(d.Changes) - n; rest > 0 {
		parts = append(parts, fmt.Sprintf("and %d more", rest))
	}
	return strings.Join(parts, "; ")
}

// DiffCCC compares two definitions semantically, ignoring layout and activity order and
// treating numerically equal numbers as equal. Activities are matched by id. A nil live (the
// flow does not exist yet) or nil desired counts as an empty definition, so every activity is
// added (or removed). For definitions produced by ParseCCC, DiffCCC(a, b).Empty() holds exactly
// when a.Hash() == b.Hash(), so a summary is never empty while the hashes disagree.
func DiffCCC(desired, live *CCCDefinition) Diff {
	if desired == nil {
		desired = &CCCDefinition{}
	}
	if live == nil {
		live = &CCCDefinition{}
	}
	var changes []Change

	var top []string
	if desired.Description != live.Description {
		top = append(top, "description")
	}
	top = append(top, diffMaps("", withExtra(desired.Extra, definitionKeys), withExtra(live.Extra, definitionKeys))...)
	if len(top) > 0 {
		changes = append(changes, Change{Kind: ChangeChanged, Fields: top})
	}

	want := groupByID(desired.Activities)
	have := groupByID(live.Activities)
	ids := make([]string, 0, len(want)+len(have))
	for id := range want {
		ids = append(ids, id)
	}
	for id := range have {
		if _, ok := want[id]; !ok {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		changes = append(changes, diffGroup(id, want[id], have[id])...)
	}
	return Diff{Changes: changes}
}

type keyedActivity struct {
	a     Activity
	canon []byte
}

func groupByID(acts []Activity) map[string][]keyedActivity {
	out := map[string][]keyedActivity{}
	for _, a := range acts {
		out[a.ID] = append(out[a.ID], keyedActivity{a: a, canon: encode(activityObject(a, true), true)})
	}
	return out
}

// diffGroup compares the activities sharing one id. Normally there is one on each side; ids
// duplicated in an invalid definition are handled by dropping identical pairs first and pairing
// the rest in canonical order, which keeps the result deterministic and empty for equal inputs.
func diffGroup(id string, want, have []keyedActivity) []Change {
	want, have = unmatched(want, have), unmatched(have, want)
	byCanon := func(s []keyedActivity) {
		sort.SliceStable(s, func(i, j int) bool { return bytes.Compare(s[i].canon, s[j].canon) < 0 })
	}
	byCanon(want)
	byCanon(have)
	var out []Change
	for len(want) > 0 && len(have) > 0 {
		out = append(out, Change{ActivityID: id, ActivityType: want[0].a.Type, Kind: ChangeChanged,
			Fields: diffActivity(want[0].a, have[0].a)})
		want, have = want[1:], have[1:]
	}
	for _, w := range want {
		out = append(out, Change{ActivityID: id, ActivityType: w.a.Type, Kind: ChangeAdded})
	}
	for _, h := range have {
		out = append(out, Change{ActivityID: id, ActivityType: h.a.Type, Kind: ChangeRemoved})
	}
	return out
}

// unmatched returns the elements of s that have no identical counterpart in other, counting
// multiplicity.
func unmatched(s, other []keyedActivity) []keyedActivity {
	used := make([]bool, len(other))
	var out []keyedActivity
next:
	for _, x := range s {
		for j, y := range other {
			if !used[j] && bytes.Equal(x.canon, y.canon) {
				used[j] = true
				continue next
			}
		}
		out = append(out, x)
	}
	return out
}

func diffActivity(want, have Activity) []string {
	var fields []string
	if want.Type != have.Type {
		fields = append(fields, "type")
	}
	if want.Name != have.Name {
		fields = append(fields, "name")
	}
	fields = append(fields, diffMaps("", contentProperties(want.Properties), contentProperties(have.Properties))...)
	fields = append(fields, diffMaps("", withExtra(want.Extra, activityKeys), withExtra(have.Extra, activityKeys))...)
	if len(want.Events) != len(have.Events) {
		return append(fields, "events")
	}
	for i := range want.Events {
		we, he := want.Events[i], have.Events[i]
		prefix := fmt.Sprintf("events[%d]", i)
		if we.Event != he.Event {
			fields = append(fields, prefix+".event")
		}
		if (we.Next == nil) != (he.Next == nil) || (we.Next != nil && *we.Next != *he.Next) {
			fields = append(fields, prefix+".next")
		}
		fields = append(fields, diffMaps(prefix, withExtra(we.Extra, eventKeys), withExtra(he.Extra, eventKeys))...)
	}
	return fields
}

func contentProperties(props map[string]any) map[string]any {
	out := make(map[string]any, len(props))
	for k, v := range props {
		if k != keyPosition {
			out[k] = v
		}
	}
	return out
}

func joinPath(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// diffMaps lists the paths under prefix whose values differ, in sorted key order. A key present
// on one side only differs even when the other side's value would be null, because the
// platform may treat an explicit null differently from an absent setting.
func diffMaps(prefix string, a, b map[string]any) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		av, aok := a[k]
		bv, bok := b[k]
		path := joinPath(prefix, k)
		if aok != bok {
			out = append(out, path)
			continue
		}
		out = append(out, diffValues(path, av, bv)...)
	}
	return out
}

// diffValues descends into objects and equal-length arrays so that a change deep inside a
// property is reported where it is, not as the whole property.
func diffValues(path string, a, b any) []string {
	a, b = generic(a), generic(b)
	switch x := a.(type) {
	case map[string]any:
		if y, ok := b.(map[string]any); ok {
			return diffMaps(path, x, y)
		}
	case []any:
		if y, ok := b.([]any); ok && len(x) == len(y) {
			var out []string
			for i := range x {
				out = append(out, diffValues(fmt.Sprintf("%s[%d]", path, i), x[i], y[i])...)
			}
			return out
		}
	}
	if bytes.Equal(encode(a, true), encode(b, true)) {
		return nil
	}
	return []string{path}
}
