package flow

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func classicSeedBytes(t testing.TB) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/classic_seed.json")
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func mustParseClassic(t testing.TB, s string) *ClassicDefinition {
	t.Helper()
	d, err := ParseClassic([]byte(s))
	if err != nil {
		t.Fatalf("ParseClassic(%s): %v", s, err)
	}
	return d
}

// classicSmall is a valid three-node Content used by the tables below.
const classicSmall = `{"start":"a","nodes":[
 {"id":"a","type":"Play","name":"hi","properties":{"text":"您好","speed":1},"next":{"default":"m"}},
 {"id":"m","type":"Menu","properties":{},"next":{"1":"h","timeout":"h","error":null}},
 {"id":"h","type":"Hangup","next":{}}]}`

func TestParseClassic(t *testing.T) {
	tests := map[string]struct {
		in           string
		want         *ClassicDefinition
		wantProblems []Problem
	}{
		"full node": {
			in: `{"start":"a","nodes":[{"id":"a","type":"Play","name":"n","properties":{"k":1.5},"next":{"default":"b","error":null}}]}`,
			want: &ClassicDefinition{Start: "a", Nodes: []ClassicNode{{
				ID: "a", Type: "Play", Name: "n",
				Properties: map[string]any{"k": json.Number("1.5")},
				Next:       map[string]*string{"default": ptr("b"), "error": nil},
			}}},
		},
		"empty object": {
			in:   `{}`,
			want: &ClassicDefinition{Nodes: []ClassicNode{}},
		},
		"unknown keys are kept at every level": {
			in: `{"nodes":[{"id":"x","color":"red"}],"version":2}`,
			want: &ClassicDefinition{
				Nodes: []ClassicNode{{ID: "x", Properties: map[string]any{}, Next: map[string]*string{}, Extra: map[string]any{"color": "red"}}},
				Extra: map[string]any{"version": json.Number("2")},
			},
		},
		"null means absent": {
			in: `{"start":null,"nodes":[{"id":"h","type":null,"name":null,"properties":null,"next":null}]}`,
			want: &ClassicDefinition{Nodes: []ClassicNode{{
				ID: "h", Properties: map[string]any{}, Next: map[string]*string{},
			}}},
		},
		"null nodes": {
			in:   `{"nodes":null}`,
			want: &ClassicDefinition{Nodes: []ClassicNode{}},
		},
		"empty input": {
			in:           ``,
			wantProblems: []Problem{{Message: "invalid JSON: empty input"}},
		},
		"truncated": {
			in:           `{"nodes":[`,
			wantProblems: []Problem{{Message: "invalid JSON: unexpected end of input"}},
		},
		"trailing data": {
			in:           `{} []`,
			wantProblems: []Problem{{Message: "invalid JSON: unexpected data after the top-level value"}},
		},
		"top level is an array": {
			in:           `[]`,
			wantProblems: []Problem{{Message: "content must be a JSON object"}},
		},
		"nodes is not an array": {
			in:           `{"nodes":{"id":"a"}}`,
			wantProblems: []Problem{{Field: "nodes", Message: "must be an array"}},
		},
		"every wrong shape is reported, sorted": {
			in: `{"start":5,"nodes":[
				{"id":1,"type":true,"name":[],"properties":[],"next":[]},
				"x",
				{"id":"c","next":{"default":3,"error":{}}}]}`,
			wantProblems: []Problem{
				{Field: "nodes[0].id", Message: "must be a string"},
				{Field: "nodes[0].name", Message: "must be a string"},
				{Field: "nodes[0].next", Message: "must be an object"},
				{Field: "nodes[0].properties", Message: "must be an object"},
				{Field: "nodes[0].type", Message: "must be a string"},
				{Field: "nodes[1]", Message: "must be an object"},
				{Field: "nodes[2].next.default", Message: "must be a string or null"},
				{Field: "nodes[2].next.error", Message: "must be a string or null"},
				{Field: "start", Message: "must be a string"},
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := ParseClassic([]byte(tc.in))
			var gotProblems []Problem
			if err != nil {
				verr, ok := err.(*ValidationError)
				if !ok {
					t.Fatalf("error is %T, want *ValidationError: %v", err, err)
				}
				gotProblems = verr.Problems
			}
			if diff := cmp.Diff(tc.wantProblems, gotProblems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("definition (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClassicSeed(t *testing.T) {
	d, err := ParseClassic(classicSeedBytes(t))
	if err != nil {
		t.Fatalf("ParseClassic(seed): %v", err)
	}
	if err := d.Validate(); err != nil {
		t.Fatalf("Validate(seed): %v", err)
	}
	if got, want := len(d.Nodes), 5; got != want {
		t.Fatalf("seed has %d nodes, want %d", got, want)
	}
	first := d.JSON()
	d2, err := ParseClassic(first)
	if err != nil {
		t.Fatalf("ParseClassic(JSON()): %v", err)
	}
	if diff := cmp.Diff(d, d2); diff != "" {
		t.Errorf("JSON round trip changed the definition (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(string(first), string(d2.JSON())); diff != "" {
		t.Errorf("JSON is not stable across a round trip (-first +second):\n%s", diff)
	}
	if d.Hash() != d2.Hash() || len(d.Hash()) != 64 {
		t.Errorf("hash %q changed across the round trip to %q", d.Hash(), d2.Hash())
	}
}

func TestClassicJSONAndCanonical(t *testing.T) {
	tests := map[string]struct {
		def           *ClassicDefinition
		wantJSON      string
		wantCanonical string
	}{
		"nil is an empty content": {
			def:           nil,
			wantJSON:      `{"nodes":[],"start":""}`,
			wantCanonical: `{"nodes":[],"start":""}`,
		},
		"order kept by JSON, sorted by Canonical; numbers normalised only by Canonical": {
			def: &ClassicDefinition{
				Start: "z",
				Extra: map[string]any{"v": json.Number("1.0"), "nodes": "ignored"},
				Nodes: []ClassicNode{
					{ID: "z", Type: "Play", Properties: map[string]any{"t": "<你好>", "n": json.Number("1e2")}, Next: map[string]*string{"default": ptr("a")}},
					{ID: "a", Type: "Hangup", Name: "挂机", Next: map[string]*string{"x": nil}, Extra: map[string]any{"id": "shadow", "k": true}},
				},
			},
			wantJSON: `{"nodes":[` +
				`{"id":"z","name":"","next":{"default":"a"},"properties":{"n":1e2,"t":"<你好>"},"type":"Play"},` +
				`{"id":"a","k":true,"name":"挂机","next":{"x":null},"properties":{},"type":"Hangup"}` +
				`],"start":"z","v":1.0}`,
			wantCanonical: `{"nodes":[` +
				`{"id":"a","k":true,"name":"挂机","next":{"x":null},"properties":{},"type":"Hangup"},` +
				`{"id":"z","name":"","next":{"default":"a"},"properties":{"n":100,"t":"<你好>"},"type":"Play"}` +
				`],"start":"z","v":1}`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.wantJSON, string(tc.def.JSON())); diff != "" {
				t.Errorf("JSON (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantCanonical, string(tc.def.Canonical())); diff != "" {
				t.Errorf("Canonical (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClassicHash(t *testing.T) {
	tests := map[string]struct {
		a, b string
		same bool
	}{
		"identical": {a: classicSmall, b: classicSmall, same: true},
		"nodes reordered, keys reordered, whitespace": {
			a:    classicSmall,
			b:    `{"nodes":[{"next":{},"type":"Hangup","id":"h"},{"next":{"timeout":"h","error":null,"1":"h"},"id":"m","type":"Menu"},{"properties":{"speed":1.0,"text":"您好"},"name":"hi","next":{"default":"m"},"type":"Play","id":"a"}],"start":"a"}`,
			same: true,
		},
		"null properties and next equal empty ones": {
			a:    `{"start":"h","nodes":[{"id":"h","type":"Hangup","properties":null,"next":null}]}`,
			b:    `{"start":"h","nodes":[{"id":"h","type":"Hangup","properties":{},"next":{}}]}`,
			same: true,
		},
		"property changed": {
			a: classicSmall,
			b: `{"start":"a","nodes":[{"id":"a","type":"Play","name":"hi","properties":{"text":"再见","speed":1},"next":{"default":"m"}},{"id":"m","type":"Menu","properties":{},"next":{"1":"h","timeout":"h","error":null}},{"id":"h","type":"Hangup","next":{}}]}`,
		},
		"ending outcome present versus absent": {
			a: `{"start":"h","nodes":[{"id":"h","type":"Hangup","next":{"default":null}}]}`,
			b: `{"start":"h","nodes":[{"id":"h","type":"Hangup","next":{}}]}`,
		},
		"start changed": {
			a: `{"start":"h","nodes":[{"id":"h","type":"Hangup"}]}`,
			b: `{"start":"","nodes":[{"id":"h","type":"Hangup"}]}`,
		},
		"unknown top-level key": {
			a: `{"start":"h","nodes":[{"id":"h","type":"Hangup"}],"v":1}`,
			b: `{"start":"h","nodes":[{"id":"h","type":"Hangup"}]}`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			a, b := mustParseClassic(t, tc.a), mustParseClassic(t, tc.b)
			if got := a.Hash() == b.Hash(); got != tc.same {
				t.Errorf("same hash = %v, want %v\na: %s\nb: %s", got, tc.same, a.Canonical(), b.Canonical())
			}
			if got := DiffClassic(a, b).Empty(); got != tc.same {
				t.Errorf("DiffClassic empty = %v, want %v (%s)", got, tc.same, DiffClassic(a, b))
			}
		})
	}
}

func TestClassicValidate(t *testing.T) {
	tests := map[string]struct {
		in   string
		want []Problem
	}{
		"small content is valid": {in: classicSmall},
		"no start": {
			in:   `{"nodes":[{"id":"h","type":"Hangup"}]}`,
			want: []Problem{{Field: "start", Message: "must name the node the flow starts at"}},
		},
		"start names a missing node": {
			in:   `{"start":"x","nodes":[{"id":"h","type":"Hangup"}]}`,
			want: []Problem{{Field: "start", Message: `names unknown node "x"`}},
		},
		"empty content": {
			in:   `{}`,
			want: []Problem{{Field: "start", Message: "must name the node the flow starts at"}},
		},
		"node problems name the node": {
			in: `{"start":"a","nodes":[
				{"id":"a","type":"Play","next":{"default":"zzz","":"h","error":""}},
				{"id":"h","type":"Hangup","next":{"default":"a"}},
				{"id":"u","type":"Fax"},
				{"type":"Play"},
				{"id":"d","type":"Play","next":{"default":"h"}},
				{"id":"d","type":"Menu"}]}`,
			want: []Problem{
				{ActivityType: "Play", Field: "nodes[3].id", Message: "must not be empty"},
				{ActivityID: "a", ActivityType: "Play", Field: "next", Message: "has an outcome with an empty name"},
				{ActivityID: "a", ActivityType: "Play", Field: "next.default", Message: `names unknown node "zzz"`},
				{ActivityID: "a", ActivityType: "Play", Field: "next.error", Message: "must be null or a node id, not empty"},
				{ActivityID: "d", Field: "id", Message: "is used by 2 nodes; ids must be unique"},
				{ActivityID: "d", ActivityType: "Menu", Message: "is not reachable from the start (a)"},
				{ActivityID: "d", ActivityType: "Play", Message: "is not reachable from the start (a)"},
				{ActivityID: "h", ActivityType: "Hangup", Field: "next.default", Message: "must be null: Hangup ends the call"},
				{ActivityID: "u", ActivityType: "Fax", Message: "is not reachable from the start (a)"},
				{ActivityID: "u", ActivityType: "Fax", Field: "type", Message: `unknown node type "Fax"`},
			},
		},
		"missing type": {
			in:   `{"start":"a","nodes":[{"id":"a"}]}`,
			want: []Problem{{ActivityID: "a", Field: "type", Message: "must not be empty"}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := mustParseClassic(t, tc.in).Validate()
			var got []Problem
			if err != nil {
				verr, ok := err.(*ValidationError)
				if !ok {
					t.Fatalf("error is %T, want *ValidationError", err)
				}
				got = verr.Problems
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
	if err := (*ClassicDefinition)(nil).Validate(); err == nil {
		t.Error("nil content validated")
	}
}

func TestDiffClassic(t *testing.T) {
	tests := map[string]struct {
		desired, live string
		nilLive       bool
		want          []Change
		wantText      string
	}{
		"equal": {desired: classicSmall, live: classicSmall, wantText: "no changes"},
		"flow does not exist yet": {
			desired: `{"start":"h","nodes":[{"id":"h","type":"Hangup"}]}`,
			nilLive: true,
			want: []Change{
				{Kind: ChangeChanged, Fields: []string{"start"}},
				{ActivityID: "h", ActivityType: "Hangup", Kind: ChangeAdded},
			},
			wantText: "definition: start changed; Hangup h: added",
		},
		"property, name, outcome and extra changes": {
			desired: `{"start":"a","v":2,"nodes":[{"id":"a","type":"Play","name":"hi","properties":{"text":"再见","p":{"q":[1,2]}},"color":"red","next":{"default":"h","timeout":"h"}},{"id":"h","type":"Hangup"}]}`,
			live:    `{"start":"a","nodes":[{"id":"a","type":"Play","name":"hello","properties":{"text":"您好","p":{"q":[1,3]}},"next":{"default":null}},{"id":"h","type":"Hangup"}]}`,
			want: []Change{
				{Kind: ChangeChanged, Fields: []string{"v"}},
				{ActivityID: "a", ActivityType: "Play", Kind: ChangeChanged, Fields: []string{"name", "p.q[1]", "text", "color", "next.default", "next.timeout"}},
			},
			wantText: "definition: v changed; Play a: name, p.q[1], text, color, next.default, next.timeout changed",
		},
		"node added, removed and retyped": {
			desired: `{"start":"a","nodes":[{"id":"a","type":"Menu"},{"id":"n","type":"Play"}]}`,
			live:    `{"start":"a","nodes":[{"id":"a","type":"Play"},{"id":"o","type":"Hangup"}]}`,
			want: []Change{
				{ActivityID: "a", ActivityType: "Menu", Kind: ChangeChanged, Fields: []string{"type"}},
				{ActivityID: "n", ActivityType: "Play", Kind: ChangeAdded},
				{ActivityID: "o", ActivityType: "Hangup", Kind: ChangeRemoved},
			},
		},
		"duplicated ids pair deterministically": {
			desired: `{"start":"d","nodes":[{"id":"d","type":"Play"},{"id":"d","type":"Menu"}]}`,
			live:    `{"start":"d","nodes":[{"id":"d","type":"Menu"}]}`,
			want:    []Change{{ActivityID: "d", ActivityType: "Play", Kind: ChangeAdded}},
		},
		"numbers compare by value": {
			desired: `{"start":"a","nodes":[{"id":"a","type":"Play","properties":{"n":1}}]}`,
			live:    `{"start":"a","nodes":[{"id":"a","type":"Play","properties":{"n":1.00}}]}`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			desired := mustParseClassic(t, tc.desired)
			var live *ClassicDefinition
			if !tc.nilLive {
				live = mustParseClassic(t, tc.live)
			}
			d := DiffClassic(desired, live)
			if diff := cmp.Diff(tc.want, d.Changes); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if tc.wantText != "" && d.String() != tc.wantText {
				t.Errorf("String() = %q, want %q", d.String(), tc.wantText)
			}
			if d.Empty() != (desired.Hash() == live.Hash()) {
				t.Errorf("Empty() = %v disagrees with the hashes", d.Empty())
			}
		})
	}
}

func TestClassicCanvas(t *testing.T) {
	tests := map[string]struct {
		desired, live, want string
	}{
		"spec canvas wins":           {desired: `{"a":1}`, live: `{"b":2}`, want: `{"a":1}`},
		"no spec canvas keeps live":  {desired: "", live: `{"b":2}`, want: `{"b":2}`},
		"blank spec canvas is none":  {desired: "  ", live: `{"b":2}`, want: `{"b":2}`},
		"neither gives empty object": {want: "{}"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := ClassicCanvas(tc.desired, tc.live); got != tc.want {
				t.Errorf("ClassicCanvas(%q, %q) = %q, want %q", tc.desired, tc.live, got, tc.want)
			}
		})
	}
}

func FuzzParseClassic(f *testing.F) {
	f.Add(classicSeedBytes(f))
	f.Add([]byte(classicSmall))
	f.Add([]byte(`{"start":"x","nodes":[{"id":"x","type":"Play","next":{"a":"x","b":null}},{"id":"x","type":"Menu"}],"extra":{"nodes":1}}`))
	f.Add([]byte(`{"nodes":[{"id":"m","next":{"":"m"},"properties":{"n":1e400,"o":[null,true,"\u2028"]},"color":"red"}],"start":null}`))
	f.Add([]byte(`{"nodes":{"id":"a"},"start":7}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"nodes":[`))

	f.Fuzz(func(t *testing.T, raw []byte) {
		d, err := ParseClassic(raw)
		if err != nil {
			if _, ok := err.(*ValidationError); !ok {
				t.Fatalf("error is %T, want *ValidationError: %v", err, err)
			}
			return
		}
		canon := d.Canonical()
		if !json.Valid(canon) {
			t.Fatalf("Canonical is not valid JSON: %q", canon)
		}
		full := d.JSON()
		if !json.Valid(full) {
			t.Fatalf("JSON is not valid JSON: %q", full)
		}
		_ = d.Validate()

		d2, err := ParseClassic(full)
		if err != nil {
			t.Fatalf("ParseClassic(JSON()) failed: %v\nJSON: %s", err, full)
		}
		if d.Hash() != d2.Hash() {
			t.Fatalf("hash changed across JSON round trip\nbefore: %s\nafter:  %s", canon, d2.Canonical())
		}
		if diff := cmp.Diff(d, d2); diff != "" {
			t.Fatalf("JSON round trip changed the definition (-before +after):\n%s", diff)
		}
		d3, err := ParseClassic(canon)
		if err != nil {
			t.Fatalf("ParseClassic(Canonical()) failed: %v", err)
		}
		if d.Hash() != d3.Hash() {
			t.Fatalf("Canonical is not a fixed point\nbefore: %s\nafter:  %s", canon, d3.Canonical())
		}
		if diff := DiffClassic(d, d); !diff.Empty() {
			t.Fatalf("DiffClassic(d, d) not empty: %s", diff)
		}
		if diff := DiffClassic(d, d3); !diff.Empty() {
			t.Fatalf("DiffClassic(d, canonical(d)) not empty: %s", diff)
		}
		if DiffClassic(d, nil).Empty() != (d.Hash() == (*ClassicDefinition)(nil).Hash()) {
			t.Fatalf("DiffClassic(d, nil) disagrees with the hashes")
		}
	})
}
