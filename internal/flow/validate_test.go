package flow

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValidate(t *testing.T) {
	seed := string(seedBytes(t))
	tests := map[string]struct {
		def  string
		want []Problem // nil: valid
	}{
		"seed is valid":                {def: seed},
		"seed without layout is valid": {def: seedNoLayout},
		"loops are allowed": {
			def: `{"activities":[
				{"type":"INCOMING_CALL","id":"s","events":[{"event":"complete","next":"m"}]},
				{"type":"MENU","id":"m","events":[{"event":"1","next":"h"},{"event":"timeout","next":"m"}]},
				{"type":"HANGUP","id":"h","events":[{"event":"complete","next":null}]}]}`,
		},
		"no start": {
			def: `{"activities":[{"type":"HANGUP","id":"h"}]}`,
			want: []Problem{
				{Field: "activities", Message: "must contain one INCOMING_CALL activity (the start); found none"},
			},
		},
		"empty definition": {
			def: `{}`,
			want: []Problem{
				{Field: "activities", Message: "must contain one INCOMING_CALL activity (the start); found none"},
			},
		},
		"two starts": {
			def: `{"activities":[{"type":"INCOMING_CALL","id":"s2"},{"type":"INCOMING_CALL","id":"s1"}]}`,
			want: []Problem{
				{Field: "activities", Message: `must contain exactly one INCOMING_CALL activity (the start); found 2: "s1", "s2"`},
			},
		},
		"empty id": {
			def: `{"activities":[{"type":"INCOMING_CALL","id":"s"},{"type":"HANGUP","id":""}]}`,
			want: []Problem{
				{ActivityType: "HANGUP", Field: "activities[1].id", Message: "must not be empty"},
			},
		},
		"duplicate id": {
			def: `{"activities":[{"type":"INCOMING_CALL","id":"s","events":[{"event":"complete","next":"x"}]},{"type":"HANGUP","id":"x"},{"type":"HANGUP","id":"x"}]}`,
			want: []Problem{
				{ActivityID: "x", ActivityType: "HANGUP", Field: "id", Message: "is used by 2 activities; ids must be unique"},
			},
		},
		"duplicate id with different types": {
			def: `{"activities":[{"type":"INCOMING_CALL","id":"s","events":[{"event":"complete","next":"x"}]},{"type":"HANGUP","id":"x"},{"type":"PLAY_SAY","id":"x"}]}`,
			want: []Problem{
				{ActivityID: "x", Field: "id", Message: "is used by 2 activities; ids must be unique"},
			},
		},
		"empty and unknown types": {
			def: `{"activities":[{"type":"INCOMING_CALL","id":"s","events":[{"event":"complete","next":"a"},{"event":"error","next":"b"}]},{"type":"","id":"a"},{"type":"PLAY_VIDEO","id":"b"}]}`,
			want: []Problem{
				{ActivityID: "a", Field: "type", Message: "must not be empty"},
				{ActivityID: "b", ActivityType: "PLAY_VIDEO", Field: "type", Message: `unknown activity type "PLAY_VIDEO"`},
			},
		},
		"dangling next also leaves the rest unreachable": {
			def: seedWith("hi", `"zzz"`, ""),
			want: []Problem{
				{ActivityID: "2d3ad2c2", ActivityType: "PLAY_SAY", Field: "events[0].next", Message: `names unknown activity "zzz"`},
				{ActivityID: "bd4f37e2", ActivityType: "HANGUP", Message: "is not reachable from the start (INCOMING_CALL e98f0d47)"},
			},
		},
		"empty next": {
			def: `{"activities":[{"type":"INCOMING_CALL","id":"s","events":[{"event":"complete","next":""}]}]}`,
			want: []Problem{
				{ActivityID: "s", ActivityType: "INCOMING_CALL", Field: "events[0].next", Message: "must be null or an activity id, not empty"},
			},
		},
		"empty event name": {
			def: `{"activities":[{"type":"INCOMING_CALL","id":"s","events":[{"event":"","next":null}]}]}`,
			want: []Problem{
				{ActivityID: "s", ActivityType: "INCOMING_CALL", Field: "events[0].event", Message: "must not be empty"},
			},
		},
		"hangup with a next": {
			def: `{"activities":[{"type":"INCOMING_CALL","id":"s","events":[{"event":"complete","next":"h"}]},{"type":"HANGUP","id":"h","events":[{"event":"complete","next":"s"}]}]}`,
			want: []Problem{
				{ActivityID: "h", ActivityType: "HANGUP", Field: "events[0].next", Message: "must be null: HANGUP ends the call"},
			},
		},
		"unreachable activity": {
			def: `{"activities":[{"type":"INCOMING_CALL","id":"s","events":[{"event":"complete","next":"h"}]},{"type":"HANGUP","id":"h"},{"type":"PLAY_SAY","id":"orphan","events":[{"event":"complete","next":"h"}]}]}`,
			want: []Problem{
				{ActivityID: "orphan", ActivityType: "PLAY_SAY", Message: "is not reachable from the start (INCOMING_CALL s)"},
			},
		},
		"several problems at once, sorted with numeric indexes": {
			def: `{"activities":[
				{"type":"PLAY_SAY","id":"p","events":[
					{"event":"a","next":"x0"},{"event":"b","next":"x1"},{"event":"c","next":"x2"},{"event":"d","next":"x3"},
					{"event":"e","next":"x4"},{"event":"f","next":"x5"},{"event":"g","next":"x6"},{"event":"h","next":"x7"},
					{"event":"i","next":"x8"},{"event":"j","next":"x9"},{"event":"k","next":"x10"}]},
				{"type":"BOGUS","id":""},
				{"type":"HANGUP","id":"h","events":[{"event":"","next":"p"}]}]}`,
			want: []Problem{
				{Field: "activities", Message: "must contain one INCOMING_CALL activity (the start); found none"},
				{ActivityType: "BOGUS", Field: "activities[1].id", Message: "must not be empty"},
				{ActivityType: "BOGUS", Field: "activities[1].type", Message: `unknown activity type "BOGUS"`},
				{ActivityID: "h", ActivityType: "HANGUP", Field: "events[0].event", Message: "must not be empty"},
				{ActivityID: "h", ActivityType: "HANGUP", Field: "events[0].next", Message: "must be null: HANGUP ends the call"},
				{ActivityID: "p", ActivityType: "PLAY_SAY", Field: "events[0].next", Message: `names unknown activity "x0"`},
				{ActivityID: "p", ActivityType: "PLAY_SAY", Field: "events[1].next", Message: `names unknown activity "x1"`},
				{ActivityID: "p", ActivityType: "PLAY_SAY", Field: "events[2].next", Message: `names unknown activity "x2"`},
				{ActivityID: "p", ActivityType: "PLAY_SAY", Field: "events[3].next", Message: `names unknown activity "x3"`},
				{ActivityID: "p", ActivityType: "PLAY_SAY", Field: "events[4].next", Message: `names unknown activity "x4"`},
				{ActivityID: "p", ActivityType: "PLAY_SAY", Field: "events[5].next", Message: `names unknown activity "x5"`},
				{ActivityID: "p", ActivityType: "PLAY_SAY", Field: "events[6].next", Message: `names unknown activity "x6"`},
				{ActivityID: "p", ActivityType: "PLAY_SAY", Field: "events[7].next", Message: `names unknown activity "x7"`},
				{ActivityID: "p", ActivityType: "PLAY_SAY", Field: "events[8].next", Message: `names unknown activity "x8"`},
				{ActivityID: "p", ActivityType: "PLAY_SAY", Field: "events[9].next", Message: `names unknown activity "x9"`},
				{ActivityID: "p", ActivityType: "PLAY_SAY", Field: "events[10].next", Message: `names unknown activity "x10"`},
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := mustParse(t, tc.def).Validate()
			var got []Problem
			if err != nil {
				verr, ok := err.(*ValidationError)
				if !ok {
					t.Fatalf("error is %T, want *ValidationError: %v", err, err)
				}
				got = verr.Problems
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("nil definition", func(t *testing.T) {
		if err := (*CCCDefinition)(nil).Validate(); err == nil {
			t.Error("Validate on nil returned nil")
		}
	})
}

func TestValidateMessageNamesActivity(t *testing.T) {
	err := mustParse(t, seedWith("hi", `"zzz"`, "")).Validate()
	if err == nil {
		t.Fatal("Validate returned nil for a dangling next")
	}
	verr := err.(*ValidationError)
	dangling := verr.Problems[0].String()
	for _, want := range []string{"2d3ad2c2", "PLAY_SAY", `"zzz"`} {
		if !strings.Contains(dangling, want) {
			t.Errorf("%q does not mention %s", dangling, want)
		}
	}
	want := `activity 2d3ad2c2 (PLAY_SAY): events[0].next: names unknown activity "zzz"; ` +
		`activity bd4f37e2 (HANGUP): is not reachable from the start (INCOMING_CALL e98f0d47)`
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("Error() (-want +got):\n%s", diff)
	}
}

func TestValidationErrorWithoutProblems(t *testing.T) {
	if got, want := (&ValidationError{}).Error(), "invalid definition"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestProblemString(t *testing.T) {
	tests := map[string]struct {
		p    Problem
		want string
	}{
		"activity field": {
			p:    Problem{ActivityID: "2d3ad2c2", ActivityType: "PLAY_SAY", Field: "events[0].next", Message: `names unknown activity "zzz"`},
			want: `activity 2d3ad2c2 (PLAY_SAY): events[0].next: names unknown activity "zzz"`,
		},
		"activity without field": {
			p:    Problem{ActivityID: "a", ActivityType: "HANGUP", Message: "is not reachable"},
			want: "activity a (HANGUP): is not reachable",
		},
		"activity without type": {
			p:    Problem{ActivityID: "a", Field: "type", Message: "must not be empty"},
			want: "activity a: type: must not be empty",
		},
		"activity without id": {
			p:    Problem{ActivityType: "MENU", Field: "activities[3].id", Message: "must not be empty"},
			want: "activity (MENU): activities[3].id: must not be empty",
		},
		"whole definition": {
			p:    Problem{Field: "activities", Message: "must contain one INCOMING_CALL activity (the start); found none"},
			want: "activities: must contain one INCOMING_CALL activity (the start); found none",
		},
		"message only": {
			p:    Problem{Message: "invalid JSON: empty input"},
			want: "invalid JSON: empty input",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.p.String()); diff != "" {
				t.Errorf("String (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNaturalCompare(t *testing.T) {
	tests := map[string]struct {
		a, b string
		want int
	}{
		"equal":            {a: "events[1]", b: "events[1]", want: 0},
		"numeric order":    {a: "events[2].next", b: "events[10].next", want: -1},
		"numeric reversed": {a: "events[10]", b: "events[9]", want: 1},
		"padding":          {a: "x01", b: "x1", want: -1},
		"prefix":           {a: "events", b: "events[0]", want: -1},
		"letters":          {a: "id", b: "type", want: -1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := naturalCompare(tc.a, tc.b); got != tc.want {
				t.Errorf("naturalCompare(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
			}
			if got := naturalCompare(tc.b, tc.a); got != -tc.want {
				t.Errorf("naturalCompare(%q, %q) = %d, want %d", tc.b, tc.a, got, -tc.want)
			}
		})
	}
}
