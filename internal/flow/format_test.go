package flow_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/flow"
)

// One small flow per platform, in four spellings: base; layoutOnly (the same flow with other
// layout, order and number spelling); changed (one real change); broken (parses, does not
// validate). The table below runs the same checks on every Format.
type formatSamples struct {
	platform   string
	base       string
	layoutOnly string
	changed    string
	broken     string
	// wantDiff is Diff(changed, base).String().
	wantDiff string
	// layoutKey is a text only the live flow's layout carries; WithLayoutFrom(desired without
	// layout, live) must render it. Empty when the format keeps layout outside the flow.
	layoutKey string
	// noLayout is base without any layout, for WithLayoutFrom.
	noLayout string
}

var formatTable = map[string]formatSamples{
	"AlibabaCCC": {
		platform: cloud.PlatformAlibabaCCC,
		base: `{"description":"d","activities":[
 {"type":"INCOMING_CALL","id":"start","properties":{"position":{"x":1,"y":2}},"events":[{"event":"complete","next":"hi","edgeId":"e1"}],"nodeIndex":0},
 {"type":"PLAY_SAY","id":"hi","properties":{"say":"Hello","timeout":5},"events":[{"event":"complete","next":"bye"}]},
 {"type":"HANGUP","id":"bye","events":[{"event":"complete","next":null}]}]}`,
		layoutOnly: `{"activities":[
 {"type":"HANGUP","id":"bye","events":[{"event":"complete","next":null}],"nodeIndex":9},
 {"id":"hi","type":"PLAY_SAY","properties":{"timeout":5.0,"say":"Hello","position":{"x":50,"y":60}},"events":[{"event":"complete","next":"bye","edgeId":"zz"}]},
 {"type":"INCOMING_CALL","id":"start","properties":{"position":{"x":7,"y":8}},"events":[{"event":"complete","next":"hi","edgeId":"e9"}],"nodeIndex":3}],
 "description":"d"}`,
		changed: `{"description":"d","activities":[
 {"type":"INCOMING_CALL","id":"start","events":[{"event":"complete","next":"hi"}]},
 {"type":"PLAY_SAY","id":"hi","properties":{"say":"Goodbye","timeout":5},"events":[{"event":"complete","next":"bye"}]},
 {"type":"HANGUP","id":"bye","events":[{"event":"complete","next":null}]}]}`,
		broken: `{"activities":[
 {"type":"INCOMING_CALL","id":"start","events":[{"event":"complete","next":"nowhere"}]}]}`,
		wantDiff:  "PLAY_SAY hi: say changed",
		layoutKey: `"x":1`,
		noLayout: `{"description":"d","activities":[
 {"type":"INCOMING_CALL","id":"start","events":[{"event":"complete","next":"hi"}]},
 {"type":"PLAY_SAY","id":"hi","properties":{"say":"Hello","timeout":5},"events":[{"event":"complete","next":"bye"}]},
 {"type":"HANGUP","id":"bye","events":[{"event":"complete","next":null}]}]}`,
	},
	"AlibabaCloudCallCenter": {
		platform: cloud.PlatformAlibabaCloudCallCenter,
		base: `{"start":"a","nodes":[
 {"id":"a","type":"Play","properties":{"text":"您好","speed":1},"next":{"default":"h"}},
 {"id":"h","type":"Hangup","next":{}}]}`,
		layoutOnly: `{"nodes":[{"next":{},"type":"Hangup","id":"h"},
 {"id":"a","type":"Play","properties":{"speed":1.0,"text":"您好"},"next":{"default":"h"}}],"start":"a"}`,
		changed: `{"start":"a","nodes":[
 {"id":"a","type":"Play","properties":{"text":"再见","speed":1},"next":{"default":"h"}},
 {"id":"h","type":"Hangup","next":{}}]}`,
		broken:   `{"start":"a","nodes":[{"id":"a","type":"Play","next":{"default":"zzz"}}]}`,
		wantDiff: "Play a: text changed",
		// Classic layout is the version's Canvas, outside Content: nothing to carry over.
		noLayout: `{"start":"a","nodes":[
 {"id":"a","type":"Play","properties":{"text":"您好","speed":1},"next":{"default":"h"}},
 {"id":"h","type":"Hangup","next":{}}]}`,
	},
	"AmazonConnect": {
		platform: cloud.PlatformAmazonConnect,
		base: `{"Version":"2019-10-30","StartAction":"hi",
 "Metadata":{"entryPointPosition":{"x":40,"y":41}},
 "Actions":[
 {"Identifier":"hi","Type":"MessageParticipant","Parameters":{"Text":"Hello"},"Transitions":{"NextAction":"bye"}},
 {"Identifier":"bye","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`,
		layoutOnly: `{"Actions":[
 {"Identifier":"bye","Type":"DisconnectParticipant","Transitions":{},"Parameters":{}},
 {"Transitions":{"NextAction":"bye"},"Parameters":{"Text":"Hello"},"Type":"MessageParticipant","Identifier":"hi"}],
 "Metadata":{"entryPointPosition":{"x":0,"y":0}},"StartAction":"hi","Version":"2019-10-30"}`,
		changed: `{"Version":"2019-10-30","StartAction":"hi","Actions":[
 {"Identifier":"hi","Type":"MessageParticipant","Parameters":{"Text":"Goodbye"},"Transitions":{"NextAction":"bye"}},
 {"Identifier":"bye","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`,
		broken: `{"Version":"2019-10-30","StartAction":"hi","Actions":[
 {"Identifier":"hi","Type":"MessageParticipant","Transitions":{"NextAction":"zzz"}}]}`,
		wantDiff:  "MessageParticipant hi: Parameters.Text changed",
		layoutKey: `"entryPointPosition":{"x":40,"y":41}`,
		noLayout: `{"Version":"2019-10-30","StartAction":"hi","Actions":[
 {"Identifier":"hi","Type":"MessageParticipant","Parameters":{"Text":"Hello"},"Transitions":{"NextAction":"bye"}},
 {"Identifier":"bye","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`,
	},
}

func mustParseWith(t *testing.T, f flow.Format, s string) flow.Definition {
	t.Helper()
	d, err := f.Parse([]byte(s))
	if err != nil {
		t.Fatalf("Parse(%s): %v", s, err)
	}
	return d
}

func TestFormatFor(t *testing.T) {
	for name, tc := range formatTable {
		t.Run(name, func(t *testing.T) {
			f, err := flow.FormatFor(tc.platform)
			if err != nil {
				t.Fatalf("FormatFor(%q): %v", tc.platform, err)
			}
			base := mustParseWith(t, f, tc.base)
			layout := mustParseWith(t, f, tc.layoutOnly)
			changed := mustParseWith(t, f, tc.changed)

			if err := base.Validate(); err != nil {
				t.Errorf("base does not validate: %v", err)
			}
			if base.Hash() != layout.Hash() || string(base.Canonical()) != string(layout.Canonical()) {
				t.Errorf("a layout/order/spelling-only change moved the hash:\n%s\n%s", base.Canonical(), layout.Canonical())
			}
			if d := f.Diff(layout, base); !d.Empty() {
				t.Errorf("Diff(layoutOnly, base) = %q, want empty", d)
			}
			if got := f.Diff(changed, base).String(); got != tc.wantDiff {
				t.Errorf("Diff(changed, base) = %q, want %q", got, tc.wantDiff)
			}
			if base.Hash() == changed.Hash() {
				t.Error("a real change kept the hash")
			}
			if d := f.Diff(base, nil); d.Empty() {
				t.Error("Diff(base, nil) is empty; a missing live flow must differ")
			}

			// JSON round-trips through Parse to the same flow.
			again := mustParseWith(t, f, string(base.JSON()))
			if again.Hash() != base.Hash() {
				t.Errorf("JSON round trip changed the hash")
			}

			// WithLayoutFrom keeps the live layout and never the content.
			bare := mustParseWith(t, f, tc.noLayout)
			merged := f.WithLayoutFrom(bare, base)
			if merged.Hash() != bare.Hash() {
				t.Errorf("WithLayoutFrom changed the content hash")
			}
			if tc.layoutKey != "" && !strings.Contains(string(merged.JSON()), tc.layoutKey) {
				t.Errorf("WithLayoutFrom lost the live layout %s: %s", tc.layoutKey, merged.JSON())
			}
			if got := f.WithLayoutFrom(changed, base); got.Hash() != changed.Hash() {
				t.Errorf("WithLayoutFrom(changed, base) took content from live")
			}
			if f.WithLayoutFrom(nil, base) != nil {
				t.Error("WithLayoutFrom(nil, live) is not nil")
			}
			if got := f.WithLayoutFrom(bare, nil); got.Hash() != bare.Hash() {
				t.Error("WithLayoutFrom(d, nil) is not a copy of d")
			}

			// A broken graph parses and then fails Validate with problems; bad JSON fails Parse.
			broken := mustParseWith(t, f, tc.broken)
			var verr *flow.ValidationError
			if err := broken.Validate(); !errors.As(err, &verr) || len(verr.Problems) == 0 {
				t.Errorf("Validate(broken) = %v, want a *flow.ValidationError", err)
			}
			if _, err := f.Parse([]byte(`{"unterminated`)); !errors.As(err, &verr) {
				t.Errorf("Parse(bad JSON) = %v, want a *flow.ValidationError", err)
			}
		})
	}
}

// TestFormatsAreDistinct checks that each platform gets its own format: a flow of one platform
// is not a valid flow of another.
func TestFormatsAreDistinct(t *testing.T) {
	for name, tc := range formatTable {
		for other, oc := range formatTable {
			if name == other {
				continue
			}
			t.Run(name+" read as "+other, func(t *testing.T) {
				f, err := flow.FormatFor(oc.platform)
				if err != nil {
					t.Fatal(err)
				}
				d, err := f.Parse([]byte(tc.base))
				if err == nil {
					err = d.Validate()
				}
				if err == nil {
					t.Errorf("a %s flow validated as %s", name, other)
				}
			})
		}
	}
}

func TestFormatForUnknownPlatform(t *testing.T) {
	tests := map[string]string{
		"outbound bots have no flows": cloud.PlatformAlibabaOutboundBot,
		"empty":                       "",
		"case matters":                "amazonconnect",
	}
	for name, platform := range tests {
		t.Run(name, func(t *testing.T) {
			f, err := flow.FormatFor(platform)
			if err == nil || f != nil {
				t.Fatalf("FormatFor(%q) = %v, %v; want an error", platform, f, err)
			}
			for _, want := range []string{cloud.PlatformAlibabaCCC, cloud.PlatformAlibabaCloudCallCenter, cloud.PlatformAmazonConnect} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name supported platform %s", err, want)
				}
			}
		})
	}
}

// TestFormatDefinitionTypes pins which concrete type each Format parses into, so that code
// holding a Definition can still reach the per-format API when it must.
func TestFormatDefinitionTypes(t *testing.T) {
	want := map[string]string{
		cloud.PlatformAlibabaCCC:             "*flow.CCCDefinition",
		cloud.PlatformAlibabaCloudCallCenter: "*flow.ClassicDefinition",
		cloud.PlatformAmazonConnect:          "*flow.ConnectDefinition",
	}
	got := map[string]string{}
	for _, tc := range formatTable {
		f, err := flow.FormatFor(tc.platform)
		if err != nil {
			t.Fatal(err)
		}
		d := mustParseWith(t, f, tc.base)
		switch d.(type) {
		case *flow.CCCDefinition:
			got[tc.platform] = "*flow.CCCDefinition"
		case *flow.ClassicDefinition:
			got[tc.platform] = "*flow.ClassicDefinition"
		case *flow.ConnectDefinition:
			got[tc.platform] = "*flow.ConnectDefinition"
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Definition types (-want +got):\n%s", diff)
	}
}
