package flow

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDiffCCC(t *testing.T) {
	seed := string(seedBytes(t))
	seedProps := `,"audioResourceId":"","audioType":"tts","audioInterrupt":false`
	tests := map[string]struct {
		desired    string
		live       string // empty: nil live
		want       []Change
		wantString string
	}{
		"no change": {
			desired: seed, live: seed, wantString: "no changes",
		},
		"layout only and reordered": {
			desired: seedNoLayout, live: seed, wantString: "no changes",
		},
		"1 and 1.0": {
			desired: `{"activities":[{"id":"a","properties":{"t":{"u":1}}}]}`,
			live:    `{"activities":[{"id":"a","properties":{"t":{"u":1.0}}}]}`,
		},
		"say changed": {
			desired:    seedWith("再见", `"bd4f37e2"`, seedProps),
			live:       seed,
			want:       []Change{{ActivityID: "2d3ad2c2", ActivityType: "PLAY_SAY", Kind: ChangeChanged, Fields: []string{"say"}}},
			wantString: "PLAY_SAY 2d3ad2c2: say changed",
		},
		"say and next changed": {
			desired: seedWith("再见", `null`, seedProps),
			live:    seed,
			want: []Change{{ActivityID: "2d3ad2c2", ActivityType: "PLAY_SAY", Kind: ChangeChanged,
				Fields: []string{"say", "events[0].next"}}},
			wantString: "PLAY_SAY 2d3ad2c2: say, events[0].next changed",
		},
		"nested, array, added and removed properties": {
			desired: `{"activities":[{"id":"a","type":"MENU","properties":{"prompt":{"text":"new","voice":"x"},"keys":["1","3"],"list":[1],"added":null}}]}`,
			live:    `{"activities":[{"id":"a","type":"MENU","properties":{"prompt":{"text":"old","voice":"x"},"keys":["1","2"],"list":[1,2],"gone":1}}]}`,
			want: []Change{{ActivityID: "a", ActivityType: "MENU", Kind: ChangeChanged,
				Fields: []string{"added", "gone", "keys[1]", "list", "prompt.text"}}},
			wantString: "MENU a: added, gone, keys[1], list, prompt.text changed",
		},
		"type, name, extra keys and events": {
			desired: `{"activities":[{"id":"a","type":"PLAY_AUDIO","name":"n2","color":"red","events":[{"event":"x","next":"b","cond":1},{"event":"z","next":null}]}]}`,
			live:    `{"activities":[{"id":"a","type":"PLAY_SAY","name":"n1","events":[{"event":"x","next":"c","cond":2},{"event":"y","next":null}]}]}`,
			want: []Change{{ActivityID: "a", ActivityType: "PLAY_AUDIO", Kind: ChangeChanged,
				Fields: []string{"type", "name", "color", "events[0].next", "events[0].cond", "events[1].event"}}},
		},
		"event count differs": {
			desired: `{"activities":[{"id":"a","type":"MENU","events":[{"event":"1","next":null},{"event":"2","next":null}]}]}`,
			live:    `{"activities":[{"id":"a","type":"MENU","events":[{"event":"1","next":null}]}]}`,
			want:    []Change{{ActivityID: "a", ActivityType: "MENU", Kind: ChangeChanged, Fields: []string{"events"}}},
		},
		"added and removed activities": {
			desired: `{"activities":[{"id":"1a2b","type":"MENU"},{"id":"keep","type":"PLAY_SAY"}]}`,
			live:    `{"activities":[{"id":"keep","type":"PLAY_SAY"},{"id":"bd4f37e2","type":"HANGUP"}]}`,
			want: []Change{
				{ActivityID: "1a2b", ActivityType: "MENU", Kind: ChangeAdded},
				{ActivityID: "bd4f37e2", ActivityType: "HANGUP", Kind: ChangeRemoved},
			},
			wantString: "MENU 1a2b: added; HANGUP bd4f37e2: removed",
		},
		"description changed": {
			desired:    `{"activities":[],"description":"new"}`,
			live:       `{"activities":[],"description":""}`,
			want:       []Change{{Kind: ChangeChanged, Fields: []string{"description"}}},
			wantString: "definition: description changed",
		},
		"unknown top-level keys": {
			desired: `{"description":"x","meta":{"v":2},"added":true}`,
			live:    `{"meta":{"v":1},"gone":true}`,
			want:    []Change{{Kind: ChangeChanged, Fields: []string{"description", "added", "gone", "meta.v"}}},
		},
		"definition change comes first": {
			desired: `{"activities":[{"id":"a","type":"HANGUP"}],"description":"x"}`,
			live:    `{"activities":[]}`,
			want: []Change{
				{Kind: ChangeChanged, Fields: []string{"description"}},
				{ActivityID: "a", ActivityType: "HANGUP", Kind: ChangeAdded},
			},
		},
		"nil live: everything added": {
			desired: seed,
			want: []Change{
				{ActivityID: "2d3ad2c2", ActivityType: "PLAY_SAY", Kind: ChangeAdded},
				{ActivityID: "bd4f37e2", ActivityType: "HANGUP", Kind: ChangeAdded},
				{ActivityID: "e98f0d47", ActivityType: "INCOMING_CALL", Kind: ChangeAdded},
			},
			wantString: "PLAY_SAY 2d3ad2c2: added; HANGUP bd4f37e2: added; INCOMING_CALL e98f0d47: added",
		},
		"duplicate ids pair identical copies first": {
			desired: `{"activities":[{"id":"x","type":"A"},{"id":"x","type":"B"},{"id":"x","type":"C"}]}`,
			live:    `{"activities":[{"id":"x","type":"C"},{"id":"x","type":"A"}]}`,
			want:    []Change{{ActivityID: "x", ActivityType: "B", Kind: ChangeAdded}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			desired := mustParse(t, tc.desired)
			var live *CCCDefinition
			if tc.live != "" {
				live = mustParse(t, tc.live)
			}
			got := DiffCCC(desired, live)
			if diff := cmp.Diff(tc.want, got.Changes); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if got.Empty() != (len(tc.want) == 0) {
				t.Errorf("Empty() = %v with %d wanted changes", got.Empty(), len(tc.want))
			}
			if tc.wantString != "" {
				if diff := cmp.Diff(tc.wantString, got.String()); diff != "" {
					t.Errorf("String (-want +got):\n%s", diff)
				}
			}
		})
	}

	t.Run("nil desired: everything removed", func(t *testing.T) {
		got := DiffCCC(nil, mustParse(t, `{"activities":[{"id":"h","type":"HANGUP"}]}`))
		want := []Change{{ActivityID: "h", ActivityType: "HANGUP", Kind: ChangeRemoved}}
		if diff := cmp.Diff(want, got.Changes); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}
	})
}

func TestDiffString(t *testing.T) {
	change := func(id string) Change {
		return Change{ActivityID: id, ActivityType: "PLAY_SAY", Kind: ChangeChanged, Fields: []string{"say"}}
	}
	tests := map[string]struct {
		diff Diff
		want string
	}{
		"empty": {diff: Diff{}, want: "no changes"},
		"one":   {diff: Diff{Changes: []Change{change("a")}}, want: "PLAY_SAY a: say changed"},
		"five": {
			diff: Diff{Changes: []Change{change("a"), change("b"), change("c"), change("d"), change("e")}},
			want: "PLAY_SAY a: say changed; PLAY_SAY b: say changed; PLAY_SAY c: say changed; PLAY_SAY d: say changed; PLAY_SAY e: say changed",
		},
		"seven": {
			diff: Diff{Changes: []Change{change("a"), change("b"), change("c"), change("d"), change("e"), change("f"), change("g")}},
			want: "PLAY_SAY a: say changed; PLAY_SAY b: say changed; PLAY_SAY c: say changed; PLAY_SAY d: say changed; PLAY_SAY e: say changed; and 2 more",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.diff.String()); diff != "" {
				t.Errorf("String (-want +got):\n%s", diff)
			}
		})
	}
}

func TestChangeString(t *testing.T) {
	tests := map[string]struct {
		c    Change
		want string
	}{
		"changed one field": {
			c:    Change{ActivityID: "2d3ad2c2", ActivityType: "PLAY_SAY", Kind: ChangeChanged, Fields: []string{"say"}},
			want: "PLAY_SAY 2d3ad2c2: say changed",
		},
		"changed two fields": {
			c:    Change{ActivityID: "2d3ad2c2", ActivityType: "PLAY_SAY", Kind: ChangeChanged, Fields: []string{"say", "events[0].next"}},
			want: "PLAY_SAY 2d3ad2c2: say, events[0].next changed",
		},
		"removed": {
			c:    Change{ActivityID: "bd4f37e2", ActivityType: "HANGUP", Kind: ChangeRemoved},
			want: "HANGUP bd4f37e2: removed",
		},
		"added": {
			c:    Change{ActivityID: "1a2b", ActivityType: "MENU", Kind: ChangeAdded},
			want: "MENU 1a2b: added",
		},
		"definition": {
			c:    Change{Kind: ChangeChanged, Fields: []string{"description"}},
			want: "definition: description changed",
		},
		"activity without type": {
			c:    Change{ActivityID: "a", Kind: ChangeAdded},
			want: "a: added",
		},
		"activity without id": {
			c:    Change{ActivityType: "MENU", Kind: ChangeRemoved},
			want: `MENU "": removed`,
		},
		"changed without fields": {
			c:    Change{ActivityID: "a", ActivityType: "MENU", Kind: ChangeChanged},
			want: "MENU a: changed",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.c.String()); diff != "" {
				t.Errorf("String (-want +got):\n%s", diff)
			}
		})
	}
}
