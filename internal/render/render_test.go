package render

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/contactflow-operator/contactflow-operator/internal/flow"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func seed(t *testing.T) *flow.CCCDefinition {
	t.Helper()
	raw, err := os.ReadFile("../flow/testdata/ccc_seed.json")
	if err != nil {
		t.Fatal(err)
	}
	d, err := flow.ParseCCC(raw)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func parse(t *testing.T, s string) *flow.CCCDefinition {
	t.Helper()
	d, err := flow.ParseCCC([]byte(s))
	if err != nil {
		t.Fatalf("ParseCCC: %v", err)
	}
	return d
}

// support is the support-line sample's graph: a menu with a retry loop, two transfers, a
// closed message reached from two sides, one hangup.
const support = `{"activities":[
 {"type":"INCOMING_CALL","id":"start","name":"Incoming call","events":[{"event":"complete","next":"hours"}]},
 {"type":"WORK_TIME","id":"hours","name":"Opening hours","events":[{"event":"inWorkTime","next":"menu"},{"event":"outOfWorkTime","next":"closed"}]},
 {"type":"MENU","id":"menu","name":"Main menu","events":[{"event":"1","next":"billing"},{"event":"2","next":"tech"},{"event":"timeout","next":"menu-retry"}]},
 {"type":"PLAY_SAY","id":"menu-retry","name":"Did not catch that","events":[{"event":"complete","next":"menu"}]},
 {"type":"TRANSFER_TO_SKILL_GROUP","id":"billing","name":"Billing team","events":[{"event":"complete","next":"bye"},{"event":"failed","next":"closed"}]},
 {"type":"TRANSFER_TO_SKILL_GROUP","id":"tech","name":"Technical support","events":[{"event":"complete","next":"bye"},{"event":"failed","next":"closed"}]},
 {"type":"PLAY_SAY","id":"closed","name":"Closed","events":[{"event":"complete","next":"bye"}]},
 {"type":"HANGUP","id":"bye","name":"Hang up","events":[{"event":"complete","next":null}]}]}`

// svgDoc is the part of an SVG document the tests look at.
type svgDoc struct {
	XMLName xml.Name `xml:"svg"`
	Width   string   `xml:"width,attr"`
	Height  string   `xml:"height,attr"`
	Groups  []svgG   `xml:"g"`
}

type svgG struct {
	Class  string   `xml:"class,attr"`
	ID     string   `xml:"data-id,attr"`
	From   string   `xml:"data-from,attr"`
	To     string   `xml:"data-to,attr"`
	Texts  []string `xml:"text"`
	Groups []svgG   `xml:"g"`
}

func parseSVG(t *testing.T, b []byte) svgDoc {
	t.Helper()
	var doc svgDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("SVG does not parse as XML: %v\n%s", err, b)
	}
	// Every token must parse too, not only what the struct picks up.
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("SVG token: %v", err)
		}
	}
	return doc
}

func (d svgDoc) group(class string) svgG {
	for _, g := range d.Groups {
		if g.Class == class {
			return g
		}
	}
	return svgG{}
}

func TestSVGGolden(t *testing.T) {
	got := Layout(seed(t), Options{Title: "ContactFlow default/welcome", Subtitle: "默认流程"}).SVG()
	const golden = "testdata/ccc_seed.svg"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("SVG differs from %s (-want +got; go test -update rewrites it):\n%s", golden, diff)
	}
}

func TestSVGStructure(t *testing.T) {
	tests := map[string]struct {
		def string // "" means the seed
		// nodes are data-id and family of every node, in definition order (missing ones last).
		nodes []string
		// edges are "from>to" (with " back" or " loop") in source order.
		edges  []string
		labels []string
	}{
		"seed": {
			nodes:  []string{"e98f0d47 start", "bd4f37e2 end", "2d3ad2c2 prompt"},
			edges:  []string{"e98f0d47>2d3ad2c2", "2d3ad2c2>bd4f37e2"},
			labels: []string{"complete", "complete"},
		},
		"support line with a retry loop": {
			def: support,
			nodes: []string{"start start", "hours logic", "menu input", "menu-retry prompt", "billing transfer",
				"tech transfer", "closed prompt", "bye end"},
			edges: []string{"start>hours", "hours>menu", "hours>closed", "menu>billing", "menu>tech", "menu>menu-retry",
				"menu-retry>menu back", "billing>bye", "billing>closed", "tech>bye", "tech>closed", "closed>bye"},
			labels: []string{"complete", "inWorkTime", "outOfWorkTime", "1", "2", "timeout", "complete", "complete", "failed",
				"complete", "failed", "complete"},
		},
		"events to one target share an arrow": {
			def: `{"activities":[{"type":"INCOMING_CALL","id":"s","events":[{"event":"complete","next":"m"}]},
				{"type":"MENU","id":"m","events":[{"event":"1","next":"h"},{"event":"2","next":"h"},{"event":"timeout","next":"h"}]},
				{"type":"HANGUP","id":"h","events":[{"event":"complete","next":null}]}]}`,
			nodes:  []string{"s start", "m input", "h end"},
			edges:  []string{"s>m", "m>h"},
			labels: []string{"complete", "1, 2, timeout"},
		},
		"broken flow: unknown target, self loop, unreachable activity": {
			def: `{"activities":[{"type":"INCOMING_CALL","id":"s","events":[{"event":"complete","next":"p"}]},
				{"type":"PLAY_SAY","id":"p","events":[{"event":"complete","next":"zzz"},{"event":"error","next":"p"}]},
				{"type":"TRANSFER_TO_AGENT","id":"orphan","events":[{"event":"complete","next":"h"}]},
				{"type":"HANGUP","id":"h","events":[]}]}`,
			nodes:  []string{"s start", "p prompt", "orphan transfer", "h end", "zzz missing"},
			edges:  []string{"s>p", "p>zzz", "p>p loop", "orphan>h"},
			labels: []string{"complete", "complete", "error", "complete"},
		},
		"empty": {
			def: `{}`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			d := seed(t)
			if tc.def != "" {
				d = parse(t, tc.def)
			}
			doc := parseSVG(t, Layout(d, Options{}).SVG())
			var nodes, edges, labels []string
			for _, g := range doc.group("nodes").Groups {
				nodes = append(nodes, g.ID+" "+strings.TrimPrefix(g.Class, "node "))
			}
			for _, g := range doc.group("edges").Groups {
				e := g.From + ">" + g.To
				e += strings.TrimPrefix(g.Class, "edge")
				edges = append(edges, e)
			}
			for _, g := range doc.group("labels").Groups {
				labels = append(labels, g.Texts...)
			}
			if diff := cmp.Diff(tc.nodes, nodes); diff != "" {
				t.Errorf("nodes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.edges, edges); diff != "" {
				t.Errorf("edges (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.labels, labels); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLayoutColumns(t *testing.T) {
	g := Layout(parse(t, support), Options{})
	got := map[string]int{}
	for _, n := range g.Nodes {
		got[n.ID] = n.Layer
	}
	// Every forward arrow points right: an activity sits right of everything that leads to it,
	// so the hangup comes last although the start reaches it in three steps.
	want := map[string]int{"start": 0, "hours": 1, "menu": 2, "menu-retry": 3, "billing": 3, "tech": 3, "closed": 4, "bye": 5}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
	for _, e := range g.Edges {
		from, to := g.Nodes[e.From], g.Nodes[e.To]
		if !e.Back && to.X <= from.X {
			t.Errorf("forward edge %s>%s does not point right", from.ID, to.ID)
		}
		// No box overlaps another.
		for _, n := range g.Nodes {
			for _, m := range g.Nodes {
				if n.ID < m.ID && n.X < m.X+m.W && m.X < n.X+n.W && n.Y < m.Y+m.H && m.Y < n.Y+n.H {
					t.Errorf("boxes %s and %s overlap", n.ID, m.ID)
				}
			}
		}
	}
}

func TestDeterministic(t *testing.T) {
	for _, def := range []string{support, `{"activities":[{"type":"INCOMING_CALL","id":"a","events":[{"event":"x","next":"b"},{"event":"y","next":"c"}]},{"type":"MENU","id":"b","events":[{"event":"1","next":"c"},{"event":"2","next":"a"}]},{"type":"MENU","id":"c","events":[{"event":"1","next":"b"}]}]}`} {
		d := parse(t, def)
		first := Layout(d, Options{Title: "t"})
		svg := first.SVG()
		pngBytes, err := first.PNG(2)
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			g := Layout(d, Options{Title: "t"})
			if !bytes.Equal(g.SVG(), svg) {
				t.Fatal("SVG differs between two runs")
			}
			p, _ := g.PNG(2)
			if !bytes.Equal(p, pngBytes) {
				t.Fatal("PNG differs between two runs")
			}
		}
	}
}

func TestPNG(t *testing.T) {
	tests := map[string]struct {
		def   string
		scale int
	}{
		"seed at 1x":         {"", 1},
		"seed at 2x":         {"", 2},
		"support line at 2x": {support, 2},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			d := seed(t)
			if tc.def != "" {
				d = parse(t, tc.def)
			}
			g := Layout(d, Options{Title: "ContactFlow default/x", Subtitle: "默认流程"})
			b, err := g.PNG(tc.scale)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("PNG does not decode: %v", err)
			}
			s := float64(tc.scale)
			if got, want := img.Bounds().Dx(), int(g.Width*s); got != want {
				t.Errorf("width %d, want %d", got, want)
			}
			if got, want := img.Bounds().Dy(), int(g.Height*s); got != want {
				t.Errorf("height %d, want %d", got, want)
			}
			// Inside every box, away from its text, is the family's fill colour.
			for _, n := range g.Nodes {
				x, y := int((n.X+n.W-6)*s), int((n.Y+n.H-5)*s)
				r, gg, bb, _ := img.At(x, y).RGBA()
				want := hex(palette[n.Family].Fill)
				if uint8(r>>8) != want.R || uint8(gg>>8) != want.G || uint8(bb>>8) != want.B {
					t.Errorf("box %s at (%d,%d) is #%02x%02x%02x, want %s", n.ID, x, y, r>>8, gg>>8, bb>>8, palette[n.Family].Fill)
				}
			}
		})
	}
}

func TestFamilyOf(t *testing.T) {
	tests := map[string]Family{
		"INCOMING_CALL": FamilyStart, "PLAY_SAY": FamilyPrompt, "PLAY_AUDIO": FamilyPrompt, "PLAY_VIDEO": FamilyPrompt,
		"GET_DIGITS": FamilyInput, "MENU": FamilyInput, "IVR_BOT": FamilyInput, "RECORD": FamilyInput,
		"TRANSFER_TO_AGENT": FamilyTransfer, "TRANSFER_TO_SKILL_GROUP": FamilyTransfer, "TRANSFER_TO_NEW_THING": FamilyTransfer,
		"HANGUP": FamilyEnd, "CONDITION": FamilyLogic, "WORK_TIME": FamilyLogic, "": FamilyLogic,
	}
	for typ, want := range tests {
		if got := FamilyOf(typ); got != want {
			t.Errorf("FamilyOf(%q) = %s, want %s", typ, got, want)
		}
	}
	for _, f := range familyOrder {
		if _, ok := palette[f]; !ok {
			t.Errorf("family %s has no colours", f)
		}
	}
}

func TestFont(t *testing.T) {
	for r := rune(' '); r <= '~'; r++ {
		if _, ok := font[r]; !ok {
			t.Errorf("no glyph for %q", r)
		}
	}
	for _, r := range []rune{'…', '→', tofu} {
		if _, ok := font[r]; !ok {
			t.Errorf("no glyph for %q", r)
		}
	}
	if !canRender("TRANSFER_TO_SKILL_GROUP id menu-retry") || canRender("默认流程") {
		t.Error("canRender is wrong")
	}
}

func TestTruncate(t *testing.T) {
	long := strings.Repeat("abcdefghij", 10)
	got := truncate(long, fontName, 100)
	if !strings.HasSuffix(got, "…") || TextWidth(got, fontName) > 100 {
		t.Errorf("truncate = %q (width %.1f)", got, TextWidth(got, fontName))
	}
	if got := truncate("short", fontName, 100); got != "short" {
		t.Errorf("truncate(short) = %q", got)
	}
	if TextWidth("默认", 10) != 20 {
		t.Errorf("wide characters take a full em")
	}
}

// TestRandomGraphs lays out arbitrary graphs (cycles, self loops, duplicate ids, unknown
// targets, no start) and checks the invariants: nothing panics, forward arrows point right,
// every arrow ends at its target, boxes do not overlap, the SVG parses.
func TestRandomGraphs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	types := []string{"INCOMING_CALL", "PLAY_SAY", "MENU", "TRANSFER_TO_AGENT", "CONDITION", "HANGUP"}
	for i := range 200 {
		n := 1 + rng.IntN(14)
		var acts []string
		for k := range n {
			var events []string
			for e := range rng.IntN(4) {
				next := "null"
				switch r := rng.IntN(10); {
				case r < 7:
					next = fmt.Sprintf("%q", fmt.Sprint("a", rng.IntN(n)))
				case r < 8:
					next = `"ghost"`
				}
				events = append(events, fmt.Sprintf(`{"event":"e%d","next":%s}`, e, next))
			}
			id := fmt.Sprint("a", k)
			if rng.IntN(20) == 0 {
				id = "a0" // a duplicate
			}
			acts = append(acts, fmt.Sprintf(`{"type":%q,"id":%q,"events":[%s]}`, types[rng.IntN(len(types))], id, strings.Join(events, ",")))
		}
		def := `{"activities":[` + strings.Join(acts, ",") + `]}`
		g := Layout(parse(t, def), Options{Title: "random"})
		for _, e := range g.Edges {
			from, to := g.Nodes[e.From], g.Nodes[e.To]
			if !e.Back && !e.Loop && to.X <= from.X {
				t.Fatalf("graph %d: forward edge %s>%s does not point right\n%s", i, from.ID, to.ID, def)
			}
			tip := e.Path[len(e.Path)-1]
			if tip.X < to.X-0.01 || tip.X > to.X+to.W+0.01 || tip.Y < to.Y-0.01 || tip.Y > to.Y+to.H+0.01 {
				t.Fatalf("graph %d: edge %s>%s ends at %v, not at its target\n%s", i, from.ID, to.ID, tip, def)
			}
		}
		for a := range g.Nodes {
			for b := a + 1; b < len(g.Nodes); b++ {
				n, m := g.Nodes[a], g.Nodes[b]
				if n.X < m.X+m.W && m.X < n.X+n.W && n.Y < m.Y+m.H && m.Y < n.Y+n.H {
					t.Fatalf("graph %d: boxes %d and %d overlap\n%s", i, a, b, def)
				}
			}
		}
		parseSVG(t, g.SVG())
	}
}
