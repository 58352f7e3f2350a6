package flow

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Classic CloudCallCenter (API 2017-07-05) flows are stored as two strings per version: Canvas,
// the editor's layout, and Content, what runs. Only Content is modelled here: Canvas never takes
// part in equality, so moving boxes in the console is never drift, and a spec that leaves the
// canvas out keeps the console's (see ClassicCanvas).
//
// The platform does not document Content's format. This package assumes a JSON object of nodes
// with outcome-keyed edges, the smallest form that carries what a contact flow needs:
//
//	{
//	  "start": "welcome",
//	  "nodes": [
//	    {"id": "welcome", "type": "Play", "name": "欢迎", "properties": {"text": "您好"},
//	     "next": {"default": "bye"}},
//	    {"id": "bye", "type": "Hangup", "next": {}}
//	  ]
//	}
//
// "start" names the entry node. A node's "next" maps each outcome (for example "default",
// "timeout", or a menu key) to the id of the node it leads to, or to null when the flow ends
// there; outcomes are keyed, so their order carries no meaning. Keys this package does not model
// are kept (Extra) and are content. The emulator checks only that Content is a JSON object with
// a "nodes" array; the graph rules are Validate's.

// Keys with a dedicated field in the classic model; anything else at the same level goes to
// Extra so that a field the platform adds later survives a read-modify-write cycle.
var (
	classicContentKeys = map[string]bool{"start": true, "nodes": true}
	classicNodeKeys    = map[string]bool{"id": true, "type": true, "name": true, "properties": true, "next": true}
)

// classicHangup is the node type that ends the call; nothing may follow it.
const classicHangup = "Hangup"

// KnownClassicNodeTypes is the set of classic node types Validate accepts, mapped to a short
// description. Like KnownActivityTypes it is a variable so that a type can be accepted by adding
// one entry; change it only during program initialisation: Validate reads it without locking.
var KnownClassicNodeTypes = map[string]string{
	"Play":                 "play a prompt (text-to-speech or an audio file)",
	"Menu":                 "key menu",
	"GetDigits":            "collect digits",
	"Condition":            "branch on a condition",
	"SetVariable":          "set a variable",
	"Function":             "call a function",
	"WorkingHours":         "check working hours",
	"TransferToAgent":      "transfer to an agent",
	"TransferToSkillGroup": "transfer to a skill group",
	"TransferToNumber":     "transfer to a phone number",
	"TransferToFlow":       "transfer to another flow",
	"Voicemail":            "take a voicemail",
	"Record":               "record the caller",
	classicHangup:          "end the call",
}

// ClassicNode is one node of a classic flow graph, identified by ID.
//
// Properties holds the node's settings as decoded with json.Decoder.UseNumber (numbers are
// json.Number, objects map[string]any, arrays []any). Next maps an outcome to the id of the node
// it leads to; a nil target means the flow ends on that outcome. An outcome present with a nil
// target differs from an absent outcome, because the platform may treat them differently.
//
// Extra holds node keys this package does not model; it is content.
type ClassicNode struct {
	ID         string
	Type       string
	Name       string
	Properties map[string]any
	Next       map[string]*string
	Extra      map[string]any
}

// ClassicDefinition is a parsed classic Content. Nodes keep the order they were read in (JSON
// renders them in that order) although order carries no meaning for equality.
//
// Extra holds top-level keys other than "start" and "nodes"; entries named like those are
// ignored when rendering, because the dedicated fields own them. Use ParseClassic and JSON
// rather than encoding/json on this type, which would lose Extra.
type ClassicDefinition struct {
	Start string
	Nodes []ClassicNode
	Extra map[string]any
}

// ParseClassic decodes a classic Content from its JSON text.
//
// Invalid JSON and values of the wrong JSON type are reported together as a *ValidationError
// whose Problems carry a path such as "nodes[2].next.timeout" in Field and leave ActivityID
// empty, because a malformed document cannot be trusted to name its nodes. JSON null is accepted
// wherever a value is optional and means "absent" (inside "next" it means "the flow ends").
// ParseClassic does not check the graph; call Validate for that.
//
// A successful result always has non-nil Nodes, Properties and Next, so that a definition
// compares equal to itself after a JSON round trip; Extra maps are nil when there is nothing
// extra.
func ParseClassic(content []byte) (*ClassicDefinition, error) {
	dec := json.NewDecoder(bytes.NewReader(content))
	dec.UseNumber()
	var top any
	if err := dec.Decode(&top); err != nil {
		return nil, invalidJSON(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &ValidationError{Problems: []Problem{{Message: "invalid JSON: unexpected data after the top-level value"}}}
	}
	p := &parser{}
	d := p.classicContent(top)
	if len(p.problems) > 0 {
		return nil, newValidationError(p.problems)
	}
	return d, nil
}

func (p *parser) classicContent(v any) *ClassicDefinition {
	m, ok := v.(map[string]any)
	if !ok {
		p.add("", "content must be a JSON object")
		return nil
	}
	d := &ClassicDefinition{Nodes: []ClassicNode{}}
	for k, val := range m {
		switch k {
		case "start":
			d.Start = p.str("start", val)
		case "nodes":
			d.Nodes = p.classicNodes(val)
		default:
			if d.Extra == nil {
				d.Extra = map[string]any{}
			}
			d.Extra[k] = val
		}
	}
	return d
}

func (p *parser) classicNodes(v any) []ClassicNode {
	out := []ClassicNode{}
	if v == nil {
		return out
	}
	list, ok := v.([]any)
	if !ok {
		p.add("nodes", "must be an array")
		return out
	}
	for i, item := range list {
		out = append(out, p.classicNode(fmt.Sprintf("nodes[%d]", i), item))
	}
	return out
}

func (p *parser) classicNode(path string, v any) ClassicNode {
	n := ClassicNode{Properties: map[string]any{}, Next: map[string]*string{}}
	m, ok := v.(map[string]any)
	if !ok {
		p.add(path, "must be an object")
		return n
	}
	for k, val := range m {
		field := path + "." + k
		switch k {
		case "id":
			n.ID = p.str(field, val)
		case "type":
			n.Type = p.str(field, val)
		case "name":
			n.Name = p.str(field, val)
		case "properties":
			if val == nil {
				continue
			}
			props, ok := val.(map[string]any)
			if !ok {
				p.add(field, "must be an object")
				continue
			}
			n.Properties = props
		case "next":
			if val == nil {
				continue
			}
			edges, ok := val.(map[string]any)
			if !ok {
				p.add(field, "must be an object")
				continue
			}
			for outcome, target := range edges {
				switch t := target.(type) {
				case nil:
					n.Next[outcome] = nil
				case string:
					n.Next[outcome] = &t
				default:
					p.add(field+"."+outcome, "must be a string or null")
				}
			}
		default:
			if n.Extra == nil {
				n.Extra = map[string]any{}
			}
			n.Extra[k] = val
		}
	}
	return n
}

// JSON renders the whole Content in the form the platform accepts: compact, object keys sorted
// at every level, nodes in slice order, numbers with their original text, non-ASCII text
// unescaped. "start", and every node's "id", "type", "name", "properties" and "next", are always
// present. A nil receiver renders an empty Content. ParseClassic of the result gives back an
// equal definition.
func (d *ClassicDefinition) JSON() []byte { return renderClassic(d, false) }

// Canonical returns the canonical JSON of the Content, the basis of Hash: as JSON, but with
// nodes sorted by id (ties, which only an invalid definition has, by their canonical bytes) and
// numbers in one normal form, so that 1, 1.0 and 1e0 are the same. Two Contents that differ
// only in node order, key order, whitespace or number spelling have identical Canonical output.
// A nil receiver is treated as an empty Content.
func (d *ClassicDefinition) Canonical() []byte { return renderClassic(d, true) }

// Hash is the lowercase hex SHA-256 of Canonical, meant to be stored in status to notice drift
// cheaply. Canvas is not part of a ClassicDefinition, so layout edits never change it.
func (d *ClassicDefinition) Hash() string {
	sum := sha256.Sum256(d.Canonical())
	return hex.EncodeToString(sum[:])
}

func renderClassic(d *ClassicDefinition, canonical bool) []byte {
	if d == nil {
		d = &ClassicDefinition{}
	}
	nodes := make([][]byte, len(d.Nodes))
	for i, n := range d.Nodes {
		nodes[i] = encode(classicNodeObject(n), canonical)
	}
	if canonical {
		idx := make([]int, len(nodes))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(i, j int) bool {
			a, b := idx[i], idx[j]
			if d.Nodes[a].ID != d.Nodes[b].ID {
				return d.Nodes[a].ID < d.Nodes[b].ID
			}
			return bytes.Compare(nodes[a], nodes[b]) < 0
		})
		sorted := make([][]byte, len(nodes))
		for i, k := range idx {
			sorted[i] = nodes[k]
		}
		nodes = sorted
	}
	var list bytes.Buffer
	list.WriteByte('[')
	for i, n := range nodes {
		if i > 0 {
			list.WriteByte(',')
		}
		list.Write(n)
	}
	list.WriteByte(']')

	top := withExtra(d.Extra, classicContentKeys)
	top["start"] = d.Start
	top["nodes"] = rawJSON(list.Bytes())
	return encode(top, canonical)
}

func classicNodeObject(n ClassicNode) map[string]any {
	m := withExtra(n.Extra, classicNodeKeys)
	m["id"] = n.ID
	m["type"] = n.Type
	m["name"] = n.Name
	props := n.Properties
	if props == nil {
		props = map[string]any{}
	}
	m["properties"] = props
	m["next"] = nextObject(n.Next)
	return m
}

// nextObject turns Next into the generic shape the encoder and diffMaps work on.
func nextObject(next map[string]*string) map[string]any {
	out := make(map[string]any, len(next))
	for outcome, target := range next {
		if target == nil {
			out[outcome] = nil
		} else {
			out[outcome] = *target
		}
	}
	return out
}

// Validate checks that the Content is a runnable flow graph:
//
//   - "start" is set and names a node;
//   - every node id is non-empty and unique;
//   - every type is non-empty and in KnownClassicNodeTypes;
//   - every outcome in next has a non-empty name, and leads to null or an existing node;
//   - a Hangup leads nowhere (the call is over);
//   - every node is reachable from the start (checked only when the start exists).
//
// It returns nil or a *ValidationError listing every problem, each naming its node
// (ActivityID and ActivityType carry the node's id and type). Nodes without an id are reported
// with Field "nodes[i].<field>". Property contents are not checked: the platform owns their
// rules.
func (d *ClassicDefinition) Validate() error {
	if d == nil {
		return &ValidationError{Problems: []Problem{{Message: "content is missing"}}}
	}
	var problems []Problem
	add := func(n ClassicNode, i int, field, msg string) {
		if n.ID == "" {
			field = strings.TrimSuffix("nodes["+strconv.Itoa(i)+"]."+field, ".")
		}
		problems = append(problems, Problem{ActivityID: n.ID, ActivityType: n.Type, Field: field, Message: msg})
	}

	byID := map[string][]int{}
	for i, n := range d.Nodes {
		if n.ID == "" {
			add(n, i, "id", "must not be empty")
		} else {
			byID[n.ID] = append(byID[n.ID], i)
		}
		switch _, known := KnownClassicNodeTypes[n.Type]; {
		case n.Type == "":
			add(n, i, "type", "must not be empty")
		case !known:
			add(n, i, "type", fmt.Sprintf("unknown node type %q", n.Type))
		}
	}
	for id, idx := range byID {
		if len(idx) < 2 {
			continue
		}
		typ := d.Nodes[idx[0]].Type
		for _, k := range idx[1:] {
			if d.Nodes[k].Type != typ {
				typ = ""
			}
		}
		problems = append(problems, Problem{ActivityID: id, ActivityType: typ, Field: "id",
			Message: fmt.Sprintf("is used by %d nodes; ids must be unique", len(idx))})
	}

	_, startExists := byID[d.Start]
	switch {
	case d.Start == "":
		problems = append(problems, Problem{Field: "start", Message: "must name the node the flow starts at"})
	case !startExists:
		problems = append(problems, Problem{Field: "start", Message: fmt.Sprintf("names unknown node %q", d.Start)})
	}

	for i, n := range d.Nodes {
		for _, outcome := range sortedOutcomes(n.Next) {
			target := n.Next[outcome]
			field := "next." + outcome
			if outcome == "" {
				add(n, i, "next", "has an outcome with an empty name")
			}
			if target == nil {
				continue
			}
			switch _, exists := byID[*target]; {
			case n.Type == classicHangup:
				add(n, i, field, "must be null: "+classicHangup+" ends the call")
			case *target == "":
				add(n, i, field, "must be null or a node id, not empty")
			case !exists:
				add(n, i, field, fmt.Sprintf("names unknown node %q", *target))
			}
		}
	}

	if startExists {
		reached := map[string]bool{d.Start: true}
		queue := []string{d.Start}
		for len(queue) > 0 {
			id := queue[0]
			queue = queue[1:]
			for _, k := range byID[id] {
				for _, target := range d.Nodes[k].Next {
					if target == nil || reached[*target] {
						continue
					}
					if _, ok := byID[*target]; ok {
						reached[*target] = true
						queue = append(queue, *target)
					}
				}
			}
		}
		for i, n := range d.Nodes {
			if n.ID != "" && !reached[n.ID] {
				add(n, i, "", fmt.Sprintf("is not reachable from the start (%s)", d.Start))
			}
		}
	}

	if len(problems) == 0 {
		return nil
	}
	return newValidationError(problems)
}

func sortedOutcomes(next map[string]*string) []string {
	out := make([]string, 0, len(next))
	for k := range next {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// DiffClassic compares two Contents semantically, ignoring node order, key order and number
// spelling. Nodes are matched by id. A nil live (the flow does not exist yet) or nil desired
// counts as an empty Content. Changes come in a fixed order: the Content-level change first
// (Fields "start" and unknown top-level keys), then nodes by id, each added, removed, or changed
// with Fields "type", "name", property paths ("text", nested "prompt.text", "items[1]"), unknown
// node keys, then outcomes as "next.<outcome>". For definitions produced by ParseClassic,
// DiffClassic(a, b).Empty() holds exactly when a.Hash() == b.Hash().
func DiffClassic(desired, live *ClassicDefinition) Diff {
	if desired == nil {
		desired = &ClassicDefinition{}
	}
	if live == nil {
		live = &ClassicDefinition{}
	}
	var changes []Change
	var top []string
	if desired.Start != live.Start {
		top = append(top, "start")
	}
	top = append(top, diffMaps("", withExtra(desired.Extra, classicContentKeys), withExtra(live.Extra, classicContentKeys))...)
	if len(top) > 0 {
		changes = append(changes, Change{Kind: ChangeChanged, Fields: top})
	}

	want := groupClassicByID(desired.Nodes)
	have := groupClassicByID(live.Nodes)
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
		changes = append(changes, diffClassicGroup(id, want[id], have[id])...)
	}
	return Diff{Changes: changes}
}

type keyedNode struct {
	n     ClassicNode
	canon []byte
}

func groupClassicByID(nodes []ClassicNode) map[string][]keyedNode {
	out := map[string][]keyedNode{}
	for _, n := range nodes {
		out[n.ID] = append(out[n.ID], keyedNode{n: n, canon: encode(classicNodeObject(n), true)})
	}
	return out
}

// diffClassicGroup compares the nodes sharing one id, as diffGroup does for CCC activities:
// identical pairs are dropped first and the rest paired in canonical order, which keeps the
// result deterministic and empty for equal inputs even with duplicated ids.
func diffClassicGroup(id string, want, have []keyedNode) []Change {
	want, have = unmatchedNodes(want, have), unmatchedNodes(have, want)
	byCanon := func(s []keyedNode) {
		sort.SliceStable(s, func(i, j int) bool { return bytes.Compare(s[i].canon, s[j].canon) < 0 })
	}
	byCanon(want)
	byCanon(have)
	var out []Change
	for len(want) > 0 && len(have) > 0 {
		out = append(out, Change{ActivityID: id, ActivityType: want[0].n.Type, Kind: ChangeChanged,
			Fields: diffClassicNode(want[0].n, have[0].n)})
		want, have = want[1:], have[1:]
	}
	for _, w := range want {
		out = append(out, Change{ActivityID: id, ActivityType: w.n.Type, Kind: ChangeAdded})
	}
	for _, h := range have {
		out = append(out, Change{ActivityID: id, ActivityType: h.n.Type, Kind: ChangeRemoved})
	}
	return out
}

func unmatchedNodes(s, other []keyedNode) []keyedNode {
	used := make([]bool, len(other))
	var out []keyedNode
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

func diffClassicNode(want, have ClassicNode) []string {
	var fields []string
	if want.Type != have.Type {
		fields = append(fields, "type")
	}
	if want.Name != have.Name {
		fields = append(fields, "name")
	}
	fields = append(fields, diffMaps("", want.Properties, have.Properties)...)
	fields = append(fields, diffMaps("", withExtra(want.Extra, classicNodeKeys), withExtra(have.Extra, classicNodeKeys))...)
	fields = append(fields, diffMaps("next", nextObject(want.Next), nextObject(have.Next))...)
	return fields
}

// ClassicCanvas returns the Canvas to save with a new Content: the desired canvas when the spec
// has one, otherwise the live one (what the console drew), otherwise an empty JSON object,
// because the platform requires a Canvas on every commit. Blank text counts as absent.
func ClassicCanvas(desired, live string) string {
	if strings.TrimSpace(desired) != "" {
		return desired
	}
	if strings.TrimSpace(live) != "" {
		return live
	}
	return "{}"
}
