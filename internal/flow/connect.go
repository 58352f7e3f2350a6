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

// Amazon Connect stores a flow's Content as a document in the flow language:
//
//	{
//	  "Version": "2019-10-30",
//	  "StartAction": "greet",
//	  "Metadata": {"entryPointPosition": {"x": 40, "y": 40}, "ActionMetadata": {"greet": {...}}},
//	  "Actions": [
//	    {"Identifier": "greet", "Type": "MessageParticipant",
//	     "Parameters": {"Text": "Hello"},
//	     "Transitions": {"NextAction": "bye",
//	                     "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingError"}]}},
//	    {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}
//	  ]
//	}
//
// The top-level "Metadata" object is the console's canvas (entry point and action positions,
// display names) and is layout only: it never takes part in Canonical, Hash or DiffConnect, and a
// spec without it keeps the console's (WithLayoutFrom). Every other key is content, including
// keys this package does not model, which are kept in Extra. An action's Transitions can lead
// elsewhere in three ways: "NextAction", each "Errors[i].NextAction" and each
// "Conditions[i].NextAction"; an action without any of them ends the flow. The order of Errors
// and Conditions is kept, because conditions are evaluated in order.

// ConnectFlowLanguageVersion is the only flow language version the platform accepts in Content;
// Validate rejects any other.
const ConnectFlowLanguageVersion = "2019-10-30"

// Keys with a dedicated field in the Connect model; anything else at the same level goes to
// Extra so that a field the platform adds later survives a read-modify-write cycle.
var (
	connectContentKeys = map[string]bool{"Version": true, "StartAction": true, "Actions": true, "Metadata": true}
	connectActionKeys  = map[string]bool{"Identifier": true, "Type": true, "Parameters": true, "Transitions": true}
)

// ConnectAction is one action of a Connect flow, identified by Identifier.
//
// Parameters and Transitions hold the action's objects as decoded with json.Decoder.UseNumber
// (numbers are json.Number, objects map[string]any, arrays []any). ParseConnect guarantees that
// Transitions' "NextAction" is a string and that "Errors" and "Conditions" are arrays of objects
// whose "NextAction" (and, for Errors, "ErrorType") are strings, each of them possibly absent;
// a JSON null is kept as it is and means absent. A nil map renders as an empty object.
//
// Extra holds action keys this package does not model; it is content.
type ConnectAction struct {
	Identifier  string
	Type        string
	Parameters  map[string]any
	Transitions map[string]any
	Extra       map[string]any
}

// ConnectDefinition is a parsed Connect flow Content. Actions keep the order they were read in
// (JSON renders them in that order) although order carries no meaning for equality.
//
// Metadata is the top-level layout object, nil when the content has none. Extra holds the other
// top-level keys this package does not model (for example "Settings"); they are content. Extra
// entries named like a modelled key ("Version", "StartAction", "Actions", "Metadata") are
// ignored, because the dedicated fields own them. Use ParseConnect and JSON rather than
// encoding/json on this type, which would lose Extra and the key names.
type ConnectDefinition struct {
	Version     string
	StartAction string
	Actions     []ConnectAction
	Metadata    map[string]any
	Extra       map[string]any
}

// ParseConnect decodes a Connect flow Content from its JSON text.
//
// Invalid JSON and values of the wrong JSON type (a "Transitions" that is not an object, an
// "Identifier" that is not a string, an "Errors" item that is not an object, ...) are reported
// together as a *ValidationError whose Problems carry a path such as
// "Actions[2].Transitions.Errors[0].NextAction" in Field and leave ActivityID empty, because a
// malformed document cannot be trusted to name its actions. JSON null is accepted wherever a
// value is optional and means absent. ParseConnect does not check the graph; call Validate for
// that.
//
// A successful result always has non-nil Actions, Parameters and Transitions, so that a
// definition compares equal to itself after a JSON round trip; Metadata is nil when the content
// has none (absent or null), and Extra maps are nil when there is nothing extra.
func ParseConnect(content []byte) (*ConnectDefinition, error) {
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
	d := p.connectContent(top)
	if len(p.problems) > 0 {
		return nil, newValidationError(p.problems)
	}
	return d, nil
}

func (p *parser) connectContent(v any) *ConnectDefinition {
	m, ok := v.(map[string]any)
	if !ok {
		p.add("", "content must be a JSON object")
		return nil
	}
	d := &ConnectDefinition{Actions: []ConnectAction{}}
	for k, val := range m {
		switch k {
		case "Version":
			d.Version = p.str(k, val)
		case "StartAction":
			d.StartAction = p.str(k, val)
		case "Actions":
			d.Actions = p.connectActions(val)
		case "Metadata":
			if val == nil {
				continue
			}
			meta, ok := val.(map[string]any)
			if !ok {
				p.add(k, "must be an object")
				continue
			}
			d.Metadata = meta
		default:
			if d.Extra == nil {
				d.Extra = map[string]any{}
			}
			d.Extra[k] = val
		}
	}
	return d
}

func (p *parser) connectActions(v any) []ConnectAction {
	out := []ConnectAction{}
	if v == nil {
		return out
	}
	list, ok := v.([]any)
	if !ok {
		p.add("Actions", "must be an array")
		return out
	}
	for i, item := range list {
		out = append(out, p.connectAction(fmt.Sprintf("Actions[%d]", i), item))
	}
	return out
}

func (p *parser) connectAction(path string, v any) ConnectAction {
	a := ConnectAction{Parameters: map[string]any{}, Transitions: map[string]any{}}
	m, ok := v.(map[string]any)
	if !ok {
		p.add(path, "must be an object")
		return a
	}
	for k, val := range m {
		field := path + "." + k
		switch k {
		case "Identifier":
			a.Identifier = p.str(field, val)
		case "Type":
			a.Type = p.str(field, val)
		case "Parameters", "Transitions":
			if val == nil {
				continue
			}
			obj, ok := val.(map[string]any)
			if !ok {
				p.add(field, "must be an object")
				continue
			}
			if k == "Parameters" {
				a.Parameters = obj
				continue
			}
			a.Transitions = obj
			_, shape := connectEdges(obj)
			for _, s := range shape {
				p.add(path+"."+s.field, s.message)
			}
		default:
			if a.Extra == nil {
				a.Extra = map[string]any{}
			}
			a.Extra[k] = val
		}
	}
	return a
}

// connectEdge is one way out of an action: field is its path inside the action
// ("Transitions.Errors[0].NextAction") and next the Identifier it names.
type connectEdge struct {
	field string
	next  string
}

// fieldProblem is a shape problem inside an action, by path relative to the action.
type fieldProblem struct {
	field   string
	message string
}

// connectEdges lists the NextAction targets of a Transitions object in document order
// (NextAction, then Errors, then Conditions), together with the shape problems that prevent
// reading them. JSON null means absent at every level. Values of Go types other than the ones
// decoding produces (possible in a hand-built definition) are looked at in their JSON form.
func connectEdges(t map[string]any) ([]connectEdge, []fieldProblem) {
	var edges []connectEdge
	var shape []fieldProblem
	target := func(field string, v any) {
		switch s := generic(v).(type) {
		case nil:
		case string:
			edges = append(edges, connectEdge{field: field, next: s})
		default:
			shape = append(shape, fieldProblem{field, "must be a string"})
		}
	}
	target("Transitions.NextAction", t["NextAction"])
	for _, key := range []string{"Errors", "Conditions"} {
		path := "Transitions." + key
		var items []any
		switch x := generic(t[key]).(type) {
		case nil:
			continue
		case []any:
			items = x
		default:
			shape = append(shape, fieldProblem{path, "must be an array"})
			continue
		}
		for i, item := range items {
			ipath := fmt.Sprintf("%s[%d]", path, i)
			obj, ok := generic(item).(map[string]any)
			if !ok {
				shape = append(shape, fieldProblem{ipath, "must be an object"})
				continue
			}
			target(ipath+".NextAction", obj["NextAction"])
			if key == "Errors" {
				switch generic(obj["ErrorType"]).(type) {
				case nil, string:
				default:
					shape = append(shape, fieldProblem{ipath + ".ErrorType", "must be a string"})
				}
			}
		}
	}
	return edges, shape
}

// Validate checks that the Content is a flow the platform publishes and that runs as written:
//
//   - Version is set and is ConnectFlowLanguageVersion;
//   - StartAction is set and names an action;
//   - every Identifier is non-empty and unique;
//   - every Type is non-empty;
//   - every NextAction (Transitions.NextAction, Transitions.Errors[i].NextAction,
//     Transitions.Conditions[i].NextAction) names an existing action;
//   - every action is reachable from StartAction by following those (checked only when
//     StartAction names an action).
//
// It returns nil or a *ValidationError listing every problem. Problems about an action name it:
// ActivityID and ActivityType carry its Identifier and Type, and Field its path inside the
// action ("Transitions.Errors[0].NextAction"); an action without an Identifier is reported with
// Field "Actions[i].<field>". Problems with the Content as a whole have Field "Version" or
// "StartAction". Parameters and Metadata are not checked: the platform owns their rules. A nil
// receiver is invalid.
func (d *ConnectDefinition) Validate() error {
	if d == nil {
		return &ValidationError{Problems: []Problem{{Message: "content is missing"}}}
	}
	var problems []Problem
	add := func(a ConnectAction, i int, field, msg string) {
		if a.Identifier == "" {
			field = strings.TrimSuffix("Actions["+strconv.Itoa(i)+"]."+field, ".")
		}
		problems = append(problems, Problem{ActivityID: a.Identifier, ActivityType: a.Type, Field: field, Message: msg})
	}

	switch d.Version {
	case ConnectFlowLanguageVersion:
	case "":
		problems = append(problems, Problem{Field: "Version",
			Message: fmt.Sprintf("must be set to the flow language version %q", ConnectFlowLanguageVersion)})
	default:
		problems = append(problems, Problem{Field: "Version",
			Message: fmt.Sprintf("unsupported flow language version %q; the platform accepts %q", d.Version, ConnectFlowLanguageVersion)})
	}

	byID := map[string][]int{}
	for i, a := range d.Actions {
		if a.Identifier == "" {
			add(a, i, "Identifier", "must not be empty")
		} else {
			byID[a.Identifier] = append(byID[a.Identifier], i)
		}
		if a.Type == "" {
			add(a, i, "Type", "must not be empty")
		}
	}
	for id, idx := range byID {
		if len(idx) < 2 {
			continue
		}
		typ := d.Actions[idx[0]].Type
		for _, k := range idx[1:] {
			if d.Actions[k].Type != typ {
				typ = ""
			}
		}
		problems = append(problems, Problem{ActivityID: id, ActivityType: typ, Field: "Identifier",
			Message: fmt.Sprintf("is used by %d actions; identifiers must be unique", len(idx))})
	}

	_, startExists := byID[d.StartAction]
	switch {
	case d.StartAction == "":
		problems = append(problems, Problem{Field: "StartAction", Message: "must name the action the flow starts at"})
	case !startExists:
		problems = append(problems, Problem{Field: "StartAction", Message: fmt.Sprintf("names unknown action %q", d.StartAction)})
	}

	edges := make([][]connectEdge, len(d.Actions))
	for i, a := range d.Actions {
		var shape []fieldProblem
		edges[i], shape = connectEdges(a.Transitions)
		for _, s := range shape {
			add(a, i, s.field, s.message)
		}
		for _, e := range edges[i] {
			switch _, exists := byID[e.next]; {
			case e.next == "":
				add(a, i, e.field, "must name an action, not be empty")
			case !exists:
				add(a, i, e.field, fmt.Sprintf("names unknown action %q", e.next))
			}
		}
	}

	if startExists {
		reached := map[string]bool{d.StartAction: true}
		queue := []string{d.StartAction}
		for len(queue) > 0 {
			id := queue[0]
			queue = queue[1:]
			for _, k := range byID[id] {
				for _, e := range edges[k] {
					if _, ok := byID[e.next]; ok && !reached[e.next] {
						reached[e.next] = true
						queue = append(queue, e.next)
					}
				}
			}
		}
		for i, a := range d.Actions {
			// An action without an Identifier already has a problem saying so.
			if a.Identifier != "" && !reached[a.Identifier] {
				add(a, i, "", fmt.Sprintf("is not reachable from the start action %q", d.StartAction))
			}
		}
	}

	if len(problems) == 0 {
		return nil
	}
	return newValidationError(problems)
}

// JSON renders the whole Content, Metadata included, as the bytes to send to the platform:
// compact, object keys sorted at every level, actions in slice order, Errors and Conditions in
// their order, numbers with their original text, non-ASCII text unescaped. "Version",
// "StartAction", "Actions" and every action's "Identifier", "Type", "Parameters" and
// "Transitions" are always present; "Metadata" only when it is non-nil. The same definition
// always yields the same bytes. ParseConnect of the result gives back an equal definition when d
// came from ParseConnect, and a definition with the same Hash in any case (a nil Parameters or
// Transitions comes back as an empty map). A nil receiver renders an empty Content.
//
// The FlowContentSha256 of what was sent is ContentSha256(d.JSON()), not Hash.
func (d *ConnectDefinition) JSON() []byte { return renderConnect(d, false) }

// Canonical returns the canonical JSON of the Content's meaning, the basis of Hash: as JSON but
// without Metadata, with actions sorted by Identifier (ties, which only an invalid definition
// has, by their canonical bytes) and numbers in one normal form, so that 1, 1.0 and 1e0 are the
// same. Two Contents that differ only in layout, action order, key order, whitespace or number
// spelling have identical Canonical output. The result is itself a Content that ParseConnect
// accepts. A nil receiver is treated as an empty Content.
func (d *ConnectDefinition) Canonical() []byte { return renderConnect(d, true) }

// Hash is the lowercase hex SHA-256 of Canonical: the operator's semantic hash, meant to be
// stored in status to notice drift cheaply. Layout edits never change it. It is not the
// platform's FlowContentSha256; see ContentSha256 for that.
func (d *ConnectDefinition) Hash() string {
	sum := sha256.Sum256(d.Canonical())
	return hex.EncodeToString(sum[:])
}

func renderConnect(d *ConnectDefinition, canonical bool) []byte {
	if d == nil {
		d = &ConnectDefinition{}
	}
	acts := make([][]byte, len(d.Actions))
	for i, a := range d.Actions {
		acts[i] = encode(connectActionObject(a), canonical)
	}
	if canonical {
		idx := make([]int, len(acts))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(i, j int) bool {
			a, b := idx[i], idx[j]
			if d.Actions[a].Identifier != d.Actions[b].Identifier {
				return d.Actions[a].Identifier < d.Actions[b].Identifier
			}
			return bytes.Compare(acts[a], acts[b]) < 0
		})
		sorted := make([][]byte, len(acts))
		for i, k := range idx {
			sorted[i] = acts[k]
		}
		acts = sorted
	}
	var list bytes.Buffer
	list.WriteByte('[')
	for i, a := range acts {
		if i > 0 {
			list.WriteByte(',')
		}
		list.Write(a)
	}
	list.WriteByte(']')

	top := withExtra(d.Extra, connectContentKeys)
	top["Version"] = d.Version
	top["StartAction"] = d.StartAction
	top["Actions"] = rawJSON(list.Bytes())
	if !canonical && d.Metadata != nil {
		top["Metadata"] = d.Metadata
	}
	return encode(top, canonical)
}

func connectActionObject(a ConnectAction) map[string]any {
	m := withExtra(a.Extra, connectActionKeys)
	m["Identifier"] = a.Identifier
	m["Type"] = a.Type
	m["Parameters"] = orEmpty(a.Parameters)
	m["Transitions"] = orEmpty(a.Transitions)
	return m
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// WithLayoutFrom returns a deep copy of d whose Metadata is a deep copy of live's when d has
// none (nil or an empty object), so that applying a spec written without layout keeps the
// console's canvas instead of piling the actions up at the origin. The whole top-level Metadata
// object is taken as it is, entries for actions d no longer has included: it is layout only and
// the console ignores what it cannot place. Metadata d already has is never replaced or merged,
// and nothing but Metadata is copied, so the result's Hash equals d's. live may be nil, in which
// case the result is a plain copy. A nil d returns nil. Neither input is modified.
func (d *ConnectDefinition) WithLayoutFrom(live *ConnectDefinition) *ConnectDefinition {
	if d == nil {
		return nil
	}
	out := d.clone()
	if len(out.Metadata) == 0 && live != nil && len(live.Metadata) > 0 {
		out.Metadata = copyMap(live.Metadata)
	}
	return out
}

// clone deep-copies the definition so callers can mutate the result without aliasing.
func (d *ConnectDefinition) clone() *ConnectDefinition {
	out := &ConnectDefinition{
		Version:     d.Version,
		StartAction: d.StartAction,
		Metadata:    copyMap(d.Metadata),
		Extra:       copyMap(d.Extra),
	}
	if d.Actions != nil {
		out.Actions = make([]ConnectAction, len(d.Actions))
	}
	for i, a := range d.Actions {
		out.Actions[i] = ConnectAction{
			Identifier:  a.Identifier,
			Type:        a.Type,
			Parameters:  copyMap(a.Parameters),
			Transitions: copyMap(a.Transitions),
			Extra:       copyMap(a.Extra),
		}
	}
	return out
}

// DiffConnect compares two Contents semantically, ignoring Metadata, action order, key order
// and number spelling. Actions are matched by Identifier. A nil live (the flow does not exist
// yet) or nil desired counts as an empty Content.
//
// Changes come in a fixed order: the Content-level change first (Fields "Version",
// "StartAction", then unknown top-level keys such as "Settings.x"), then actions by Identifier,
// each added, removed, or changed with Fields "Type", then paths under "Parameters"
// ("Parameters.Text"), then paths under "Transitions" ("Transitions.NextAction",
// "Transitions.Errors[0].NextAction", or "Transitions.Conditions" when the number of conditions
// differs), then unknown action keys. Rendered, a change reads
// "MessageParticipant 12ab: Parameters.Text changed" or "definition: StartAction changed".
// Actions sharing an Identifier (only in an invalid Content) are paired deterministically.
//
// For definitions produced by ParseConnect, DiffConnect(a, b).Empty() holds exactly when
// a.Hash() == b.Hash(), so a summary is never empty while the hashes disagree.
func DiffConnect(desired, live *ConnectDefinition) Diff {
	if desired == nil {
		desired = &ConnectDefinition{}
	}
	if live == nil {
		live = &ConnectDefinition{}
	}
	var changes []Change
	var top []string
	if desired.Version != live.Version {
		top = append(top, "Version")
	}
	if desired.StartAction != live.StartAction {
		top = append(top, "StartAction")
	}
	top = append(top, diffMaps("", withExtra(desired.Extra, connectContentKeys), withExtra(live.Extra, connectContentKeys))...)
	if len(top) > 0 {
		changes = append(changes, Change{Kind: ChangeChanged, Fields: top})
	}

	want := groupConnectByID(desired.Actions)
	have := groupConnectByID(live.Actions)
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
		changes = append(changes, diffConnectGroup(id, want[id], have[id])...)
	}
	return Diff{Changes: changes}
}

type keyedConnectAction struct {
	a     ConnectAction
	canon []byte
}

func groupConnectByID(acts []ConnectAction) map[string][]keyedConnectAction {
	out := map[string][]keyedConnectAction{}
	for _, a := range acts {
		out[a.Identifier] = append(out[a.Identifier], keyedConnectAction{a: a, canon: encode(connectActionObject(a), true)})
	}
	return out
}

// diffConnectGroup compares the actions sharing one Identifier, as diffGroup does for CCC
// activities: identical pairs are dropped first and the rest paired in canonical order, which
// keeps the result deterministic and empty for equal inputs even with duplicated identifiers.
func diffConnectGroup(id string, want, have []keyedConnectAction) []Change {
	want, have = unmatchedConnect(want, have), unmatchedConnect(have, want)
	byCanon := func(s []keyedConnectAction) {
		sort.SliceStable(s, func(i, j int) bool { return bytes.Compare(s[i].canon, s[j].canon) < 0 })
	}
	byCanon(want)
	byCanon(have)
	var out []Change
	for len(want) > 0 && len(have) > 0 {
		out = append(out, Change{ActivityID: id, ActivityType: want[0].a.Type, Kind: ChangeChanged,
			Fields: diffConnectAction(want[0].a, have[0].a)})
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

// unmatchedConnect returns the elements of s that have no identical counterpart in other,
// counting multiplicity.
func unmatchedConnect(s, other []keyedConnectAction) []keyedConnectAction {
	used := make([]bool, len(other))
	var out []keyedConnectAction
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

func diffConnectAction(want, have ConnectAction) []string {
	var fields []string
	if want.Type != have.Type {
		fields = append(fields, "Type")
	}
	fields = append(fields, diffMaps("Parameters", want.Parameters, have.Parameters)...)
	fields = append(fields, diffMaps("Transitions", want.Transitions, have.Transitions)...)
	fields = append(fields, diffMaps("", withExtra(want.Extra, connectActionKeys), withExtra(have.Extra, connectActionKeys))...)
	return fields
}

// ContentSha256 returns the FlowContentSha256 the platform reports for a Content of exactly
// these bytes: the lowercase hex SHA-256 of the bytes, with no parsing or reformatting.
//
// This rests on an assumption, which the emulator shares (its ContentSha256 hashes the content
// string's UTF-8 bytes as stored, and it never reformats content): the platform hashes the
// Content string it stores and returns byte for byte. The checksum therefore depends on
// whitespace, key order and number spelling, unlike Hash. To guard CreateContactFlowVersion,
// compute it from the bytes actually sent (d.JSON() as passed to the platform) or, better, from
// the Content DescribeContactFlow returns, never from a re-rendering of a parsed definition, and
// prefer a checksum the platform itself reports when it reports one.
func ContentSha256(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}
