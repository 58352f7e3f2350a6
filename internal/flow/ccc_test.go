package flow

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseCCC(t *testing.T) {
	tests := map[string]struct {
		in           string
		want         *CCCDefinition
		wantProblems []Problem
	}{
		"full activity": {
			in: `{"activities":[{"type":"INCOMING_CALL","id":"a","name":"start","properties":{"position":{"x":1,"y":2.5}},"events":[{"event":"complete","next":"b","edgeId":"e1"},{"event":"error","next":null}],"nodeIndex":0}],"description":"d"}`,
			want: &CCCDefinition{
				Description: "d",
				Activities: []Activity{{
					Type: "INCOMING_CALL", ID: "a", Name: "start",
					Properties: map[string]any{"position": map[string]any{"x": json.Number("1"), "y": json.Number("2.5")}},
					Events: []Event{
						{Event: "complete", Next: ptr("b"), EdgeID: "e1"},
						{Event: "error"},
					},
					NodeIndex: ptr[int64](0),
				}},
			},
		},
		"empty object": {
			in:   `{}`,
			want: &CCCDefinition{Activities: []Activity{}},
		},
		"unknown keys are preserved at every level": {
			in: `{"activities":[{"type":"MENU","id":"m","events":[{"event":"1","next":null,"label":"one"}],"color":"red"}],"version":2,"meta":{"k":[1,true]}}`,
			want: &CCCDefinition{
				Activities: []Activity{{
					Type: "MENU", ID: "m", Properties: map[string]any{},
					Events: []Event{{Event: "1", Extra: map[string]any{"label": "one"}}},
					Extra:  map[string]any{"color": "red"},
				}},
				Extra: map[string]any{"version": json.Number("2"), "meta": map[string]any{"k": []any{json.Number("1"), true}}},
			},
		},
		"null means absent": {
			in: `{"activities":[{"type":"HANGUP","id":"h","name":null,"properties":null,"events":null,"nodeIndex":null}],"description":null}`,
			want: &CCCDefinition{Activities: []Activity{{
				Type: "HANGUP", ID: "h", Properties: map[string]any{}, Events: []Event{},
			}}},
		},
		"null activities": {
			in:   `{"activities":null}`,
			want: &CCCDefinition{Activities: []Activity{}},
		},
		"integral nodeIndex spellings": {
			in: `{"activities":[{"id":"a","nodeIndex":1.0},{"id":"b","nodeIndex":1e2},{"id":"c","nodeIndex":-0}]}`,
			want: &CCCDefinition{Activities: []Activity{
				{ID: "a", Properties: map[string]any{}, Events: []Event{}, NodeIndex: ptr[int64](1)},
				{ID: "b", Properties: map[string]any{}, Events: []Event{}, NodeIndex: ptr[int64](100)},
				{ID: "c", Properties: map[string]any{}, Events: []Event{}, NodeIndex: ptr[int64](0)},
			}},
		},
		"empty input": {
			in:           ``,
			wantProblems: []Problem{{Message: "invalid JSON: empty input"}},
		},
		"truncated": {
			in:           `{"activities":[`,
			wantProblems: []Problem{{Message: "invalid JSON: unexpected end of input"}},
		},
		"syntax error": {
			in:           `{"activities":[}`,
			wantProblems: []Problem{{Message: "invalid JSON at offset 16: invalid character '}' looking for beginning of value"}},
		},
		"trailing data": {
			in:           `{} {}`,
			wantProblems: []Problem{{Message: "invalid JSON: unexpected data after the top-level value"}},
		},
		"top level is an array": {
			in:           `[]`,
			wantProblems: []Problem{{Message: "definition must be a JSON object"}},
		},
		"top level is null": {
			in:           `null`,
			wantProblems: []Problem{{Message: "definition must be a JSON object"}},
		},
		"activities is not an array": {
			in:           `{"activities":{"id":"a"}}`,
			wantProblems: []Problem{{Field: "activities", Message: "must be an array"}},
		},
		"events is not an array": {
			in:           `{"activities":[{"id":"a"},{"id":"b"},{"id":"c","events":{"event":"complete"}}]}`,
			wantProblems: []Problem{{Field: "activities[2].events", Message: "must be an array"}},
		},
		"every wrong shape is reported, sorted": {
			in: `{"description":7,"activities":[
				{"id":1,"type":true,"name":[],"properties":[],"nodeIndex":1.5},
				"x",
				{"id":"c","events":[3,{"event":1,"next":5,"edgeId":{}}]},
				{"id":"d","nodeIndex":1e30},
				{"id":"e","nodeIndex":"1"}]}`,
			wantProblems: []Problem{
				{Field: "activities[0].id", Message: "must be a string"},
				{Field: "activities[0].name", Message: "must be a string"},
				{Field: "activities[0].nodeIndex", Message: "must be an integer"},
				{Field: "activities[0].properties", Message: "must be an object"},
				{Field: "activities[0].type", Message: "must be a string"},
				{Field: "activities[1]", Message: "must be an object"},
				{Field: "activities[2].events[0]", Message: "must be an object"},
				{Field: "activities[2].events[1].edgeId", Message: "must be a string"},
				{Field: "activities[2].events[1].event", Message: "must be a string"},
				{Field: "activities[2].events[1].next", Message: "must be a string or null"},
				{Field: "activities[3].nodeIndex", Message: "must be an integer"},
				{Field: "activities[4].nodeIndex", Message: "must be an integer"},
				{Field: "description", Message: "must be a string"},
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := ParseCCC([]byte(tc.in))
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

func TestSeed(t *testing.T) {
	raw := seedBytes(t)
	d, err := ParseCCC(raw)
	if err != nil {
		t.Fatalf("ParseCCC(seed): %v", err)
	}
	if err := d.Validate(); err != nil {
		t.Fatalf("Validate(seed): %v", err)
	}
	if got, want := len(d.Activities), 3; got != want {
		t.Fatalf("seed has %d activities, want %d", got, want)
	}
	if got, want := d.Activities[2].Properties["say"], any("您好,欢迎来到云联络中心。"); got != want {
		t.Errorf("say = %v, want %v", got, want)
	}

	first := d.JSON()
	d2, err := ParseCCC(first)
	if err != nil {
		t.Fatalf("ParseCCC(JSON()): %v", err)
	}
	if diff := cmp.Diff(d, d2); diff != "" {
		t.Errorf("JSON round trip changed the definition (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(string(first), string(d2.JSON())); diff != "" {
		t.Errorf("JSON is not stable across a round trip (-first +second):\n%s", diff)
	}
	if d.Hash() != d2.Hash() {
		t.Errorf("hash changed across the round trip")
	}
}

func TestJSON(t *testing.T) {
	tests := map[string]struct {
		def  *CCCDefinition
		want string
	}{
		"nil renders an empty definition": {
			def:  nil,
			want: `{"activities":[],"description":""}`,
		},
		"keys sorted, layout kept, order kept, text unescaped": {
			def: &CCCDefinition{
				Description: "a<b & 你好",
				Extra:       map[string]any{"zz": json.Number("1.0"), "activities": "ignored"},
				Activities: []Activity{
					{Type: "HANGUP", ID: "h", Name: "挂机", Events: []Event{{Event: "complete"}}, NodeIndex: ptr[int64](999)},
					{Type: "INCOMING_CALL", ID: "s", Properties: map[string]any{"position": map[string]any{"y": 2, "x": 1.5}},
						Events: []Event{{Event: "complete", Next: ptr("h"), EdgeID: "e1", Extra: map[string]any{"k": "v"}}}},
				},
			},
			want: `{"activities":[` +
				`{"events":[{"event":"complete","next":null}],"id":"h","name":"挂机","nodeIndex":999,"properties":{},"type":"HANGUP"},` +
				`{"events":[{"edgeId":"e1","event":"complete","k":"v","next":"h"}],"id":"s","name":"","properties":{"position":{"x":1.5,"y":2}},"type":"INCOMING_CALL"}` +
				`],"description":"a<b & 你好","zz":1.0}`,
		},
		"control characters escaped": {
			def:  &CCCDefinition{Description: "line\n\t\"q\"\\\x01\u2028"},
			want: `{"activities":[],"description":"line\n\t\"q\"\\\u0001\u2028"}`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := string(tc.def.JSON())
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("JSON (-want +got):\n%s", diff)
			}
			if !json.Valid([]byte(got)) {
				t.Errorf("JSON is not valid JSON: %s", got)
			}
		})
	}
}

func TestCanonical(t *testing.T) {
	d := mustParse(t, string(seedBytes(t)))
	want := `{"activities":[` +
		`{"events":[{"event":"complete","next":"bd4f37e2"}],"id":"2d3ad2c2","name":"放音","properties":{"audioInterrupt":false,"audioResourceId":"","audioType":"tts","say":"您好,欢迎来到云联络中心。"},"type":"PLAY_SAY"},` +
		`{"events":[{"event":"complete","next":null}],"id":"bd4f37e2","name":"挂机","properties":{},"type":"HANGUP"},` +
		`{"events":[{"event":"complete","next":"2d3ad2c2"}],"id":"e98f0d47","name":"开始","properties":{},"type":"INCOMING_CALL"}` +
		`],"description":""}`
	if diff := cmp.Diff(want, string(d.Canonical())); diff != "" {
		t.Errorf("Canonical (-want +got):\n%s", diff)
	}
	if got := (*CCCDefinition)(nil).Canonical(); string(got) != `{"activities":[],"description":""}` {
		t.Errorf("nil Canonical = %s", got)
	}
}

func TestHash(t *testing.T) {
	seed := string(seedBytes(t))
	tests := map[string]struct {
		a, b string
		same bool
	}{
		"identical": {a: seed, b: seed, same: true},
		"layout removed and activities reordered": {
			a: seed, b: seedNoLayout, same: true,
		},
		"layout moved": {
			a:    `{"activities":[{"id":"a","properties":{"position":{"x":1,"y":1},"k":1},"events":[{"event":"complete","next":null,"edgeId":"e1"}],"nodeIndex":1}]}`,
			b:    `{"activities":[{"id":"a","properties":{"position":{"x":9,"y":9},"k":1},"events":[{"event":"complete","next":null,"edgeId":"e9"}],"nodeIndex":7}]}`,
			same: true,
		},
		"whitespace and key order": {
			a:    `{"description":"d","activities":[{"id":"a","properties":{"p":1,"q":{"r":2,"s":3}}}]}`,
			b:    "{\n  \"activities\": [ {\"properties\": {\"q\": {\"s\": 3, \"r\": 2}, \"p\": 1}, \"id\": \"a\"} ],\n  \"description\": \"d\"\n}",
			same: true,
		},
		"1 and 1.0": {
			a: `{"activities":[{"id":"a","properties":{"t":1}}]}`, b: `{"activities":[{"id":"a","properties":{"t":1.0}}]}`, same: true,
		},
		"100 and 1e2": {
			a: `{"activities":[{"id":"a","properties":{"t":100}}]}`, b: `{"activities":[{"id":"a","properties":{"t":1E+2}}]}`, same: true,
		},
		"0.5 and 5e-1": {
			a: `{"activities":[{"id":"a","properties":{"t":[0.5]}}]}`, b: `{"activities":[{"id":"a","properties":{"t":[5e-1]}}]}`, same: true,
		},
		"missing and null description": {
			a: `{"activities":[]}`, b: `{"activities":[],"description":null}`, same: true,
		},
		"say changed": {
			a: seed, b: seedWith("再见", `"bd4f37e2"`, `,"audioResourceId":"","audioType":"tts","audioInterrupt":false`), same: false,
		},
		"large integers differing in the last digit": {
			a: `{"activities":[{"id":"a","properties":{"t":12345678901234567890}}]}`, b: `{"activities":[{"id":"a","properties":{"t":12345678901234567891}}]}`, same: false,
		},
		"number and string": {
			a: `{"activities":[{"id":"a","properties":{"t":1}}]}`, b: `{"activities":[{"id":"a","properties":{"t":"1"}}]}`, same: false,
		},
		"null and missing property": {
			a: `{"activities":[{"id":"a","properties":{"t":null}}]}`, b: `{"activities":[{"id":"a","properties":{}}]}`, same: false,
		},
		"event order": {
			a:    `{"activities":[{"id":"a","events":[{"event":"x","next":null},{"event":"y","next":null}]}]}`,
			b:    `{"activities":[{"id":"a","events":[{"event":"y","next":null},{"event":"x","next":null}]}]}`,
			same: false,
		},
		"description": {
			a: `{"description":"a"}`, b: `{"description":"b"}`, same: false,
		},
		"unknown top-level key": {
			a: `{"activities":[]}`, b: `{"activities":[],"version":1}`, same: false,
		},
		"unknown event key": {
			a: `{"activities":[{"id":"a","events":[{"event":"x"}]}]}`, b: `{"activities":[{"id":"a","events":[{"event":"x","cond":"1"}]}]}`, same: false,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			a, b := mustParse(t, tc.a), mustParse(t, tc.b)
			ha, hb := a.Hash(), b.Hash()
			if len(ha) != 64 {
				t.Errorf("hash %q is not 64 hex digits", ha)
			}
			if got := ha == hb; got != tc.same {
				t.Errorf("same hash = %v, want %v\ncanonical a: %s\ncanonical b: %s", got, tc.same, a.Canonical(), b.Canonical())
			}
			// DiffCCC must agree with the hash, or a drift would be reported without a reason.
			if got := DiffCCC(a, b).Empty(); got != tc.same {
				t.Errorf("DiffCCC(a, b).Empty() = %v, want %v: %s", got, tc.same, DiffCCC(a, b))
			}
		})
	}
}

func TestDecimalNormalForm(t *testing.T) {
	tests := map[string]struct {
		in     string
		want   string
		wantOK bool
	}{
		"integer":             {in: "42", want: "42", wantOK: true},
		"trailing fraction":   {in: "1.0", want: "1", wantOK: true},
		"negative zero":       {in: "-0.0", want: "0", wantOK: true},
		"zero with exponent":  {in: "0e99", want: "0", wantOK: true},
		"fraction":            {in: "-12.50", want: "-12.5", wantOK: true},
		"exponent to integer": {in: "1.5E+3", want: "1500", wantOK: true},
		"21 digits plain":     {in: "1e20", want: "100000000000000000000", wantOK: true},
		"22 digits sci":       {in: "1e21", want: "1e21", wantOK: true},
		"big mantissa sci":    {in: "15e29", want: "1.5e30", wantOK: true},
		"small plain":         {in: "0.000001", want: "0.000001", wantOK: true},
		"smaller sci":         {in: "0.0000001", want: "1e-7", wantOK: true},
		"small with digits":   {in: "123e-10", want: "1.23e-8", wantOK: true},
		"huge exponent":       {in: "1e123456789012345678901234567890", want: "1e123456789012345678901234567890", wantOK: true},
		"float formatting":    {in: "1e+21", want: "1e21", wantOK: true},
		"leading zero":        {in: "01"},
		"dangling point":      {in: "1."},
		"plus sign":           {in: "+1"},
		"bare fraction":       {in: ".5"},
		"empty exponent":      {in: "1e"},
		"not a number":        {in: "abc"},
		"empty":               {in: ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			d, ok := parseDecimal(tc.in)
			if ok != tc.wantOK {
				t.Fatalf("parseDecimal(%q) ok = %v, want %v", tc.in, ok, tc.wantOK)
			}
			if !ok {
				return
			}
			if diff := cmp.Diff(tc.want, d.String()); diff != "" {
				t.Errorf("normal form (-want +got):\n%s", diff)
			}
			if !json.Valid([]byte(d.String())) {
				t.Errorf("normal form %q is not a JSON number", d.String())
			}
		})
	}
}

func TestWithLayoutFrom(t *testing.T) {
	seed := string(seedBytes(t))
	tests := map[string]struct {
		desired string
		live    string // empty: nil live
		want    string
	}{
		"spec without layout takes the console's": {
			desired: seedNoLayout,
			live:    seed,
			want: `{"description":"","activities":[
 {"type":"PLAY_SAY","id":"2d3ad2c2","name":"放音","properties":{"say":"您好,欢迎来到云联络中心。","audioResourceId":"","audioType":"tts","audioInterrupt":false,"position":{"x":485.5,"y":153.5}},"events":[{"event":"complete","next":"bd4f37e2","edgeId":"e1af4f1f"}],"nodeIndex":1},
 {"type":"INCOMING_CALL","id":"e98f0d47","name":"开始","properties":{"position":{"x":263,"y":164}},"events":[{"event":"complete","next":"2d3ad2c2","edgeId":"41f7dbd0"}],"nodeIndex":0},
 {"type":"HANGUP","id":"bd4f37e2","name":"挂机","properties":{"position":{"x":765,"y":185}},"events":[{"event":"complete","next":null}],"nodeIndex":999}
]}`,
		},
		"own layout is kept": {
			desired: `{"activities":[{"id":"a","properties":{"position":{"x":5,"y":5}},"events":[{"event":"complete","next":null,"edgeId":"mine"}],"nodeIndex":3}]}`,
			live:    `{"activities":[{"id":"a","properties":{"position":{"x":1,"y":1}},"events":[{"event":"complete","next":null,"edgeId":"theirs"}],"nodeIndex":1}]}`,
			want:    `{"activities":[{"id":"a","properties":{"position":{"x":5,"y":5}},"events":[{"event":"complete","next":null,"edgeId":"mine"}],"nodeIndex":3}]}`,
		},
		"null position counts as none": {
			desired: `{"activities":[{"id":"a","properties":{"position":null}}]}`,
			live:    `{"activities":[{"id":"a","properties":{"position":{"x":1,"y":1}}}]}`,
			want:    `{"activities":[{"id":"a","properties":{"position":{"x":1,"y":1}}}]}`,
		},
		"content is not copied, new activities get nothing": {
			desired: `{"activities":[{"id":"a","name":"new","properties":{"say":"new"}},{"id":"b"}]}`,
			live:    `{"activities":[{"id":"a","name":"old","properties":{"say":"old","position":{"x":1,"y":1}},"nodeIndex":4},{"id":"c","nodeIndex":5}]}`,
			want:    `{"activities":[{"id":"a","name":"new","properties":{"say":"new","position":{"x":1,"y":1}},"nodeIndex":4},{"id":"b"}]}`,
		},
		"events matched by name and occurrence, not position": {
			desired: `{"activities":[{"id":"m","events":[{"event":"timeout","next":null},{"event":"1","next":null},{"event":"1","next":null},{"event":"2","next":null}]}]}`,
			live:    `{"activities":[{"id":"m","events":[{"event":"1","next":null,"edgeId":"e1a"},{"event":"1","next":null,"edgeId":"e1b"},{"event":"timeout","next":null,"edgeId":"et"}]}]}`,
			want:    `{"activities":[{"id":"m","events":[{"event":"timeout","next":null,"edgeId":"et"},{"event":"1","next":null,"edgeId":"e1a"},{"event":"1","next":null,"edgeId":"e1b"},{"event":"2","next":null}]}]}`,
		},
		"an edge id already used is not duplicated": {
			desired: `{"activities":[{"id":"a","events":[{"event":"complete","next":null}]},{"id":"b","events":[{"event":"complete","next":null,"edgeId":"e1"}]}]}`,
			live:    `{"activities":[{"id":"a","events":[{"event":"complete","next":null,"edgeId":"e1"}]}]}`,
			want:    `{"activities":[{"id":"a","events":[{"event":"complete","next":null}]},{"id":"b","events":[{"event":"complete","next":null,"edgeId":"e1"}]}]}`,
		},
		"nil live gives a copy": {
			desired: seedNoLayout,
			want:    seedNoLayout,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			desired := mustParse(t, tc.desired)
			before := string(desired.JSON())
			var live *CCCDefinition
			var liveBefore string
			if tc.live != "" {
				live = mustParse(t, tc.live)
				liveBefore = string(live.JSON())
			}
			got := desired.WithLayoutFrom(live)
			if diff := cmp.Diff(mustParse(t, tc.want), got); diff != "" {
				t.Errorf("WithLayoutFrom (-want +got):\n%s", diff)
			}
			if got.Hash() != desired.Hash() {
				t.Errorf("WithLayoutFrom changed the content hash")
			}
			if string(desired.JSON()) != before {
				t.Errorf("WithLayoutFrom modified its receiver")
			}
			if live != nil && string(live.JSON()) != liveBefore {
				t.Errorf("WithLayoutFrom modified live")
			}
		})
	}

	t.Run("result does not alias the receiver", func(t *testing.T) {
		desired := mustParse(t, `{"activities":[{"id":"a","properties":{"p":{"q":[1]}},"events":[{"event":"x","next":"a"}]}]}`)
		got := desired.WithLayoutFrom(nil)
		got.Activities[0].Properties["p"].(map[string]any)["q"].([]any)[0] = "changed"
		*got.Activities[0].Events[0].Next = "changed"
		if diff := cmp.Diff(mustParse(t, `{"activities":[{"id":"a","properties":{"p":{"q":[1]}},"events":[{"event":"x","next":"a"}]}]}`), desired); diff != "" {
			t.Errorf("mutating the result changed the receiver (-want +got):\n%s", diff)
		}
	})

	t.Run("nil receiver", func(t *testing.T) {
		if got := (*CCCDefinition)(nil).WithLayoutFrom(&CCCDefinition{}); got != nil {
			t.Errorf("got %v, want nil", got)
		}
	})
}

// Definitions built in Go (rather than parsed) must hash and diff like their parsed
// equivalents, so a controller can construct one from a typed spec.
func TestHandBuiltDefinitions(t *testing.T) {
	tests := map[string]struct {
		props  map[string]any
		parsed string // properties JSON of the equivalent parsed definition
	}{
		"Go numbers": {
			props:  map[string]any{"i": 1, "i64": int64(-7), "u": uint8(2), "f": 1.5, "f32": float32(0.25), "big": 1e21},
			parsed: `{"i":1.0,"i64":-7,"u":2,"f":1.50,"f32":0.25,"big":1e21}`,
		},
		"Go collections": {
			props:  map[string]any{"list": []string{"x", "y"}, "m": map[string]int{"k": 1}, "s": struct{ A int }{A: 3}},
			parsed: `{"list":["x","y"],"m":{"k":1},"s":{"A":3}}`,
		},
		"values JSON cannot spell become strings": {
			props:  map[string]any{"nan": math.NaN(), "inf": math.Inf(1), "bad": json.Number("1.2.3")},
			parsed: `{"nan":"NaN","inf":"+Inf","bad":"1.2.3"}`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			built := &CCCDefinition{Activities: []Activity{{ID: "a", Type: "PLAY_SAY", Properties: tc.props}}}
			parsed := mustParse(t, `{"activities":[{"id":"a","type":"PLAY_SAY","properties":`+tc.parsed+`}]}`)
			for _, out := range [][]byte{built.JSON(), built.Canonical()} {
				if !json.Valid(out) {
					t.Errorf("output is not valid JSON: %s", out)
				}
			}
			if diff := cmp.Diff(string(parsed.Canonical()), string(built.Canonical())); diff != "" {
				t.Errorf("Canonical (-parsed +built):\n%s", diff)
			}
			if d := DiffCCC(built, parsed); !d.Empty() {
				t.Errorf("DiffCCC(built, parsed) = %s", d)
			}
		})
	}
}
