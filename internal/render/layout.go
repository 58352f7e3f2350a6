// Package render draws a contact flow's activity graph as a picture, because people would rather
// look at an IVR than read its JSON. It is pure: Layout computes boxes and edge curves from a
// parsed definition, and SVG and PNG paint that geometry. The same definition always gives the
// same bytes.
//
// The layout is layered, left to right, in the manner of Sugiyama: a depth-first search from the
// start (INCOMING_CALL) marks the edges that close a cycle (a retry loop) as back edges; the
// other edges form an acyclic graph whose longest paths give the columns, so every forward arrow
// points right and an activity sits right of everything that leads to it. Arrows that span
// several columns pass through reserved slots instead of through boxes; rows are ordered by
// barycentre sweeps to keep crossings few; back edges run right to left. Edges are labelled
// with their event names. Broken definitions are drawn too: an event naming an activity that
// does not exist points at a red "missing" box, and activities the start cannot reach start
// columns of their own.
package render

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/contactflow-operator/contactflow-operator/internal/flow"
)

// Family groups activity types for colouring.
type Family string

// The families. Their values appear as CSS classes in the SVG.
const (
	FamilyStart    Family = "start"
	FamilyPrompt   Family = "prompt"
	FamilyInput    Family = "input"
	FamilyTransfer Family = "transfer"
	FamilyEnd      Family = "end"
	FamilyLogic    Family = "logic"
	// FamilyMissing is a box drawn for an event target that names no activity.
	FamilyMissing Family = "missing"
)

// familyOrder is the order of the legend.
var familyOrder = []Family{FamilyStart, FamilyPrompt, FamilyInput, FamilyLogic, FamilyTransfer, FamilyEnd, FamilyMissing}

// FamilyOf returns the family of a CCC activity type. Types this package does not know fall
// back on their prefix (PLAY_, TRANSFER_) and otherwise count as logic.
func FamilyOf(activityType string) Family {
	switch activityType {
	case "INCOMING_CALL":
		return FamilyStart
	case "PLAY_SAY", "PLAY_AUDIO":
		return FamilyPrompt
	case "GET_DIGITS", "MENU", "IVR_BOT", "RECORD":
		return FamilyInput
	case "HANGUP":
		return FamilyEnd
	}
	switch {
	case strings.HasPrefix(activityType, "TRANSFER_"):
		return FamilyTransfer
	case strings.HasPrefix(activityType, "PLAY_"):
		return FamilyPrompt
	}
	return FamilyLogic
}

// Point is a position in picture units (SVG user units; PNG pixels before scaling).
type Point struct{ X, Y float64 }

// Node is one box of the picture.
type Node struct {
	// ID, Type and Name are the activity's. For a FamilyMissing node ID is the unknown target
	// and Type is empty.
	ID, Type, Name string
	Family         Family
	// Layer is the column (0 is the start's), Row the position in it from the top.
	Layer, Row int
	// X, Y is the top-left corner; W, H the size.
	X, Y, W, H float64
	// Lines are the text lines of the box: the type, the name (or the id), then the id when a
	// name was shown. Tooltip is a longer description for the SVG.
	Lines   []string
	Tooltip string
}

// Edge is one arrow: every event of From that leads to To, drawn once.
type Edge struct {
	From, To int // indexes into Graph.Nodes
	// Events are the event names in the order the source lists them; Label joins them.
	Events []string
	Label  string
	// Back is set for an edge that closes a cycle (it runs right to left), Loop for an edge
	// from an activity to itself.
	Back, Loop bool
	// Path is a chain of cubic Bézier segments: the start point, then two control points and an
	// end point per segment. The last point is the arrow's tip.
	Path []Point
	// Arrow is the arrowhead triangle, tip first.
	Arrow [3]Point
	// LabelAt is the centre of the label; LabelW its width.
	LabelAt Point
	LabelW  float64
}

// Graph is a laid-out flow.
type Graph struct {
	// Title and Subtitle are drawn above the graph, on one line.
	Title, Subtitle string
	Nodes           []Node
	Edges           []Edge
	Width, Height   float64
	// Legend lists the families present, in legend order; LegendY is the middle of its row.
	Legend  []Family
	LegendY float64
}

// Options tune Layout.
type Options struct {
	// Title is drawn above the graph when not empty (for example "ContactFlow default/welcome"),
	// followed by Subtitle in a lighter colour (for example the flow's name on the platform).
	Title, Subtitle string
}

// Geometry, in picture units.
const (
	margin         = 24.0
	boxH           = 58.0
	minBoxW        = 150.0
	maxBoxW        = 240.0
	boxPadX        = 12.0
	rowGap         = 34.0
	minColGap      = 90.0
	maxColGap      = 200.0
	titleH         = 30.0
	subtitleGap    = 10.0
	legendH        = 34.0
	dummyH         = 12.0 // the slot an edge takes when it passes through a column
	dummyGap       = 10.0 // between a slot and its neighbours
	loopReach      = 34.0 // how far a self loop sticks out of its box
	arrowLen       = 9.0
	arrowHalf      = 4.5
	labelPadX      = 4.0
	labelH         = 14.0
	labelClearance = 4.0  // between a label and other labels or boxes
	fontType       = 10.0 // the type line
	fontName       = 13.0 // the name line
	fontID         = 10.0 // the id line
	fontLabel      = 11.0 // edge labels
	fontTitle      = 15.0
	fontLegend     = 11.0
	legendSwatch   = 14.0
)

// TextWidth estimates the width of s in a sans-serif font of the given size: East Asian wide
// characters take a full em, others a little over half. It only has to be good enough to size
// boxes and label backgrounds.
func TextWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		w += runeWidth(r) * size
	}
	return w
}

func runeWidth(r rune) float64 {
	switch {
	case isWide(r):
		return 1.0
	case r == ' ' || r == 'i' || r == 'l' || r == 'j' || r == '.' || r == ',' || r == ':' || r == '\'' || r == '|':
		return 0.3
	case r == 'm' || r == 'w' || r == 'M' || r == 'W':
		return 0.85
	case unicode.IsUpper(r) || unicode.IsDigit(r) || r == '_':
		return 0.66
	default:
		return 0.56
	}
}

func isWide(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303f) || // CJK punctuation
		(r >= 0xff00 && r <= 0xff60) // full-width forms
}

// truncate shortens s with an ellipsis so that it fits width at size.
func truncate(s string, size, width float64) string {
	if TextWidth(s, size) <= width {
		return s
	}
	rs := []rune(s)
	for len(rs) > 0 && TextWidth(string(rs)+"…", size) > width {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}

// Layout places the activities of d. A nil or empty definition gives a graph without nodes.
func Layout(d *flow.CCCDefinition, opts Options) *Graph {
	if d == nil {
		d = &flow.CCCDefinition{}
	}
	g := &Graph{Title: opts.Title, Subtitle: opts.Subtitle}
	g.Nodes, g.Edges = buildGraph(d)
	l := &layouter{g: g}
	l.roots = roots(d, g)
	l.breakCycles()
	l.assignLayers()
	l.addSlots()
	l.order()
	l.place()
	l.route()
	l.finish()
	return g
}

// buildGraph makes one node per activity (in definition order), then one per distinct unknown
// event target, and one edge per (source, target) pair with the events merged in the source's
// order. An id used twice resolves to its first activity.
func buildGraph(d *flow.CCCDefinition) ([]Node, []Edge) {
	var nodes []Node
	var edges []Edge
	byID := map[string]int{}
	for _, a := range d.Activities {
		nodes = append(nodes, Node{ID: a.ID, Type: a.Type, Name: a.Name, Family: FamilyOf(a.Type), Tooltip: tooltip(a)})
		if _, dup := byID[a.ID]; !dup {
			byID[a.ID] = len(nodes) - 1
		}
	}
	missing := map[string]int{}
	for i, a := range d.Activities {
		pair := map[int]int{} // target -> edge index
		for _, e := range a.Events {
			if e.Next == nil {
				continue
			}
			to, ok := byID[*e.Next]
			if !ok {
				if to, ok = missing[*e.Next]; !ok {
					nodes = append(nodes, Node{ID: *e.Next, Family: FamilyMissing,
						Tooltip: fmt.Sprintf("no activity has the id %q", *e.Next)})
					to = len(nodes) - 1
					missing[*e.Next] = to
				}
			}
			if k, ok := pair[to]; ok {
				edges[k].Events = append(edges[k].Events, e.Event)
				continue
			}
			pair[to] = len(edges)
			edges = append(edges, Edge{From: i, To: to, Events: []string{e.Event}, Loop: to == i})
		}
	}
	for i := range edges {
		edges[i].Label = strings.Join(edges[i].Events, ", ")
	}
	return nodes, edges
}

// roots lists where searches start: the first INCOMING_CALL, then the nodes nothing leads to,
// then every node, each in definition order (later entries matter only for unreachable cycles).
func roots(d *flow.CCCDefinition, g *Graph) []int {
	var out []int
	for i, a := range d.Activities {
		if a.Type == "INCOMING_CALL" {
			out = append(out, i)
			break
		}
	}
	hasIn := make([]bool, len(g.Nodes))
	for _, e := range g.Edges {
		if !e.Loop {
			hasIn[e.To] = true
		}
	}
	for i := range g.Nodes {
		if !hasIn[i] {
			out = append(out, i)
		}
	}
	for i := range g.Nodes {
		out = append(out, i)
	}
	return out
}

// tooltip describes an activity for the SVG <title>: type, id, name, and its string, number and
// boolean properties (layout excluded), sorted by key.
func tooltip(a flow.Activity) string {
	head := a.Type + " " + a.ID
	if a.Name != "" {
		head += " (" + a.Name + ")"
	}
	lines := []string{head}
	keys := make([]string, 0, len(a.Properties))
	for k := range a.Properties {
		if k != "position" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		var v string
		switch x := a.Properties[k].(type) {
		case string:
			if x == "" {
				continue
			}
			v = x
		case bool:
			v = fmt.Sprint(x)
		case fmt.Stringer: // json.Number
			v = x.String()
		default:
			continue
		}
		if r := []rune(v); len(r) > 80 {
			v = string(r[:79]) + "…"
		}
		lines = append(lines, k+": "+v)
	}
	return strings.Join(lines, "\n")
}

// slot is a row entry of a column: a node's box, or the place where an edge crosses the column.
type slot struct {
	node  int // index into Graph.Nodes, -1 for an edge crossing
	layer int
	y, h  float64 // centre and height
}

type layouter struct {
	g      *Graph
	roots  []int
	out    [][]int // non-loop edge indexes per source node, in edge order
	layer  []int   // per node
	slots  []slot  // the first len(g.Nodes) are the nodes themselves
	chains [][]int // per edge: slot indexes from source to target (nil for loops)
	layers [][]int // slot indexes per column, top to bottom
	pos    []int   // per slot, its row in its column
	w, gap float64 // box width, gap between columns
}

// breakCycles marks as Back every edge that reaches a node still on the depth-first stack.
func (l *layouter) breakCycles() {
	g := l.g
	l.out = make([][]int, len(g.Nodes))
	for i, e := range g.Edges {
		if !e.Loop {
			l.out[e.From] = append(l.out[e.From], i)
		}
	}
	state := make([]int8, len(g.Nodes)) // 0 new, 1 on the stack, 2 done
	var visit func(v int)
	visit = func(v int) {
		state[v] = 1
		for _, ei := range l.out[v] {
			e := &g.Edges[ei]
			switch state[e.To] {
			case 0:
				visit(e.To)
			case 1:
				e.Back = true
			}
		}
		state[v] = 2
	}
	for _, r := range l.roots {
		if state[r] == 0 {
			visit(r)
		}
	}
}

// assignLayers gives every node the length of the longest forward path that reaches it.
func (l *layouter) assignLayers() {
	g := l.g
	indeg := make([]int, len(g.Nodes))
	for _, e := range g.Edges {
		if !e.Loop && !e.Back {
			indeg[e.To]++
		}
	}
	l.layer = make([]int, len(g.Nodes))
	var queue []int
	for i := range g.Nodes {
		if indeg[i] == 0 {
			queue = append(queue, i)
		}
	}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, ei := range l.out[v] {
			e := g.Edges[ei]
			if e.Back {
				continue
			}
			l.layer[e.To] = max(l.layer[e.To], l.layer[v]+1)
			if indeg[e.To]--; indeg[e.To] == 0 {
				queue = append(queue, e.To)
			}
		}
	}
	for i := range g.Nodes {
		g.Nodes[i].Layer = l.layer[i]
	}
}

// addSlots creates a crossing slot in every column an edge passes, and the initial row order:
// nodes in breadth-first order from the roots, then crossings in edge order.
func (l *layouter) addSlots() {
	g := l.g
	nlayers := 0
	for i := range g.Nodes {
		l.slots = append(l.slots, slot{node: i, layer: l.layer[i], h: boxH})
		nlayers = max(nlayers, l.layer[i]+1)
	}
	l.layers = make([][]int, nlayers)
	seen := make([]bool, len(g.Nodes))
	for _, r := range l.roots {
		if seen[r] {
			continue
		}
		seen[r] = true
		queue := []int{r}
		for len(queue) > 0 {
			v := queue[0]
			queue = queue[1:]
			l.layers[l.layer[v]] = append(l.layers[l.layer[v]], v)
			for _, ei := range l.out[v] {
				if to := g.Edges[ei].To; !seen[to] {
					seen[to] = true
					queue = append(queue, to)
				}
			}
		}
	}
	l.chains = make([][]int, len(g.Edges))
	for i, e := range g.Edges {
		if e.Loop {
			continue
		}
		chain := []int{e.From}
		step := 1
		if e.Back {
			step = -1
		}
		for k := l.layer[e.From] + step; k != l.layer[e.To]; k += step {
			l.slots = append(l.slots, slot{node: -1, layer: k, h: dummyH})
			s := len(l.slots) - 1
			l.layers[k] = append(l.layers[k], s)
			chain = append(chain, s)
		}
		l.chains[i] = append(chain, e.To)
	}
	l.pos = make([]int, len(l.slots))
	l.setPos()
}

func (l *layouter) setPos() {
	for _, col := range l.layers {
		for r, s := range col {
			l.pos[s] = r
		}
	}
}

// order runs alternating downward and upward barycentre sweeps and keeps the order with the
// fewest crossings. Ties keep the previous order, so the result is deterministic.
func (l *layouter) order() {
	nb := make([][]int, len(l.slots))
	for _, ch := range l.chains {
		for k := 1; k < len(ch); k++ {
			nb[ch[k-1]] = append(nb[ch[k-1]], ch[k])
			nb[ch[k]] = append(nb[ch[k]], ch[k-1])
		}
	}
	sweep := func(col, ref int) {
		layer := l.layers[col]
		key := make(map[int]float64, len(layer))
		for _, s := range layer {
			sum, n := 0.0, 0
			for _, t := range nb[s] {
				if l.slots[t].layer == ref {
					sum += float64(l.pos[t])
					n++
				}
			}
			if n == 0 {
				key[s] = float64(l.pos[s])
			} else {
				key[s] = sum / float64(n)
			}
		}
		sort.SliceStable(layer, func(i, j int) bool { return key[layer[i]] < key[layer[j]] })
		for r, s := range layer {
			l.pos[s] = r
		}
	}
	snapshot := func() [][]int {
		out := make([][]int, len(l.layers))
		for i, col := range l.layers {
			out[i] = append([]int(nil), col...)
		}
		return out
	}
	best, bestC := snapshot(), l.crossings()
	for it := 0; it < 8 && bestC > 0; it++ {
		if it%2 == 0 {
			for c := 1; c < len(l.layers); c++ {
				sweep(c, c-1)
			}
		} else {
			for c := len(l.layers) - 2; c >= 0; c-- {
				sweep(c, c+1)
			}
		}
		if n := l.crossings(); n < bestC {
			best, bestC = snapshot(), n
		}
	}
	l.layers = best
	l.setPos()
	for _, col := range l.layers {
		for r, s := range col {
			if n := l.slots[s].node; n >= 0 {
				l.g.Nodes[n].Row = r
			}
		}
	}
}

// crossings counts pairs of chain segments that cross between neighbouring columns.
func (l *layouter) crossings() int {
	segs := make([][][2]int, len(l.layers))
	for _, ch := range l.chains {
		for k := 1; k < len(ch); k++ {
			a, b := ch[k-1], ch[k]
			if l.slots[a].layer > l.slots[b].layer {
				a, b = b, a
			}
			segs[l.slots[a].layer] = append(segs[l.slots[a].layer], [2]int{l.pos[a], l.pos[b]})
		}
	}
	n := 0
	for _, ss := range segs {
		for i := range ss {
			for j := i + 1; j < len(ss); j++ {
				if (ss[i][0]-ss[j][0])*(ss[i][1]-ss[j][1]) < 0 {
					n++
				}
			}
		}
	}
	return n
}

// place sizes the boxes (one width for all, from the longest text line), spaces the columns
// for the longest forward label, and stacks every column around a common centre line.
func (l *layouter) place() {
	g := l.g
	w := minBoxW
	for i := range g.Nodes {
		n := &g.Nodes[i]
		n.Lines = boxLines(*n)
		for k, line := range n.Lines {
			w = max(w, TextWidth(line, lineFont[k])+2*boxPadX)
		}
	}
	w = math.Min(math.Ceil(w), maxBoxW)
	gap := minColGap
	for i := range g.Edges {
		e := &g.Edges[i]
		e.Label = truncate(e.Label, fontLabel, maxColGap-30)
		e.LabelW = TextWidth(e.Label, fontLabel) + 2*labelPadX
		if !e.Loop {
			gap = max(gap, math.Ceil(e.LabelW+30))
		}
	}
	l.w, l.gap = w, math.Min(gap, maxColGap)
	for i := range g.Nodes {
		n := &g.Nodes[i]
		n.W, n.H = w, boxH
		for k := range n.Lines {
			n.Lines[k] = truncate(n.Lines[k], lineFont[k], w-2*boxPadX)
		}
	}
	for c, col := range l.layers {
		total := 0.0
		for r, s := range col {
			if r > 0 {
				total += l.spacing(col[r-1], s)
			}
			total += l.slots[s].h
		}
		y := -total / 2
		for r, s := range col {
			if r > 0 {
				y += l.spacing(col[r-1], s)
			}
			l.slots[s].y = y + l.slots[s].h/2
			y += l.slots[s].h
			if n := l.slots[s].node; n >= 0 {
				g.Nodes[n].X = float64(c) * (w + l.gap)
				g.Nodes[n].Y = l.slots[s].y - boxH/2
			}
		}
	}
}

func (l *layouter) spacing(a, b int) float64 {
	if l.slots[a].node >= 0 && l.slots[b].node >= 0 {
		return rowGap
	}
	return dummyGap
}

// lineFont is the font size of each text line of a box.
var lineFont = [3]float64{fontType, fontName, fontID}

// route draws every edge. Forward edges leave a box on the right and enter on the left; back
// edges leave on the left and enter on the right; the ports of a side are spread over it in
// the vertical order of where their edges go, so that they do not cross at the box.
func (l *layouter) route() {
	g := l.g
	type port struct {
		edge     int
		start    bool // the edge starts here (else it ends here)
		neighbor int  // the slot on the other side of the gap
	}
	left := make([][]port, len(g.Nodes))
	right := make([][]port, len(g.Nodes))
	for i, e := range g.Edges {
		ch := l.chains[i]
		if ch == nil {
			continue
		}
		first, last := port{i, true, ch[1]}, port{i, false, ch[len(ch)-2]}
		if e.Back {
			left[e.From] = append(left[e.From], first)
			right[e.To] = append(right[e.To], last)
		} else {
			right[e.From] = append(right[e.From], first)
			left[e.To] = append(left[e.To], last)
		}
	}
	ends := make([][2]Point, len(g.Edges)) // start and end point of each edge
	assign := func(ports []port, n Node, x float64) {
		sort.SliceStable(ports, func(i, j int) bool {
			return l.slots[ports[i].neighbor].y < l.slots[ports[j].neighbor].y
		})
		for k, p := range ports {
			pt := Point{x, n.Y + n.H*float64(k+1)/float64(len(ports)+1)}
			if p.start {
				ends[p.edge][0] = pt
			} else {
				ends[p.edge][1] = pt
			}
		}
	}
	for i, n := range g.Nodes {
		assign(left[i], n, n.X)
		assign(right[i], n, n.X+n.W)
	}
	for i := range g.Edges {
		e := &g.Edges[i]
		if e.Loop {
			n := g.Nodes[e.From]
			p0 := Point{n.X + n.W - 26, n.Y + n.H}
			p3 := Point{n.X + n.W, n.Y + n.H - 12}
			e.Path = []Point{p0, {p0.X, p0.Y + loopReach}, {p3.X + loopReach, p3.Y}, p3}
			mid := bezier([4]Point(e.Path), 0.5)
			e.LabelAt = Point{mid.X + e.LabelW/2 + 2, mid.Y + labelH/2 + 2}
			e.Arrow = arrowhead([4]Point(e.Path))
			continue
		}
		// The points the edge passes: its start, the entry and exit of every crossing, its end.
		pts := []Point{ends[i][0]}
		for _, s := range l.chains[i][1 : len(l.chains[i])-1] {
			x := float64(l.slots[s].layer) * (l.w + l.gap)
			y := l.slots[s].y
			if e.Back {
				pts = append(pts, Point{x + l.w, y}, Point{x, y})
			} else {
				pts = append(pts, Point{x, y}, Point{x + l.w, y})
			}
		}
		pts = append(pts, ends[i][1])
		e.Path = []Point{pts[0]}
		for k := 1; k < len(pts); k++ {
			a, b := pts[k-1], pts[k]
			if k%2 == 1 { // across a gap: horizontal tangents at both ends
				dx := (b.X - a.X) / 2
				e.Path = append(e.Path, Point{a.X + dx, a.Y}, Point{b.X - dx, b.Y}, b)
			} else { // through a crossing slot: straight
				e.Path = append(e.Path, Point{a.X + (b.X-a.X)/3, a.Y}, Point{a.X + 2*(b.X-a.X)/3, b.Y}, b)
			}
		}
		e.Arrow = arrowhead([4]Point(e.Path[len(e.Path)-4:]))
	}
	l.placeLabels()
}

// labelTries are the positions along an edge's first segment tried for its label, best first.
var labelTries = []float64{0.5, 0.35, 0.65, 0.25, 0.75, 0.42, 0.58}

// placeLabels puts every edge label on the first segment of its edge (where the edges of one
// box still fan out), at the first position that overlaps no box and no label placed before;
// when none is free it stays in the middle.
func (l *layouter) placeLabels() {
	g := l.g
	var taken []rect
	for _, n := range g.Nodes {
		taken = append(taken, rect{n.X, n.Y, n.X + n.W, n.Y + n.H})
	}
	for i := range g.Edges {
		e := &g.Edges[i]
		if e.Loop {
			taken = append(taken, labelRect(*e))
			continue
		}
		seg := [4]Point(e.Path[:4])
		e.LabelAt = bezier(seg, 0.5)
		for _, t := range labelTries {
			c := *e
			c.LabelAt = bezier(seg, t)
			r := labelRect(c)
			if !r.overlapsAny(taken) {
				e.LabelAt = c.LabelAt
				break
			}
		}
		taken = append(taken, labelRect(*e))
	}
}

type rect struct{ x0, y0, x1, y1 float64 }

func labelRect(e Edge) rect {
	return rect{e.LabelAt.X - e.LabelW/2, e.LabelAt.Y - labelH/2, e.LabelAt.X + e.LabelW/2, e.LabelAt.Y + labelH/2}
}

// overlapsAny reports whether r comes closer than labelClearance to any of rs.
func (r rect) overlapsAny(rs []rect) bool {
	const c = labelClearance
	for _, o := range rs {
		if r.x0-c < o.x1 && o.x0 < r.x1+c && r.y0-c < o.y1 && o.y0 < r.y1+c {
			return true
		}
	}
	return false
}

// finish shifts everything so that the picture starts at the margin (below the title) and sizes
// the picture, with the legend of the families present under it.
func (l *layouter) finish() {
	g := l.g
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	grow := func(x, y float64) {
		minX, minY = math.Min(minX, x), math.Min(minY, y)
		maxX, maxY = math.Max(maxX, x), math.Max(maxY, y)
	}
	for _, n := range g.Nodes {
		grow(n.X, n.Y)
		grow(n.X+n.W, n.Y+n.H)
	}
	for _, e := range g.Edges {
		for k := 0; k+3 < len(e.Path); k += 3 {
			for t := 0.0; t <= 1.0001; t += 0.125 {
				p := bezier([4]Point(e.Path[k:k+4]), t)
				grow(p.X, p.Y)
			}
		}
		grow(e.LabelAt.X-e.LabelW/2, e.LabelAt.Y-labelH/2)
		grow(e.LabelAt.X+e.LabelW/2, e.LabelAt.Y+labelH/2)
	}
	if len(g.Nodes) == 0 {
		minX, minY, maxX, maxY = 0, 0, 200, 20
	}
	top := margin
	if g.Title != "" {
		top += titleH
	}
	dx, dy := margin-minX, top-minY
	shift := func(p *Point) { p.X += dx; p.Y += dy }
	for i := range g.Nodes {
		g.Nodes[i].X += dx
		g.Nodes[i].Y += dy
	}
	for i := range g.Edges {
		e := &g.Edges[i]
		for k := range e.Path {
			shift(&e.Path[k])
		}
		for k := range e.Arrow {
			shift(&e.Arrow[k])
		}
		shift(&e.LabelAt)
	}
	g.Width = maxX - minX + 2*margin
	g.Height = maxY - minY + top + margin

	present := map[Family]bool{}
	for _, n := range g.Nodes {
		present[n.Family] = true
	}
	legendW := 0.0
	for _, f := range familyOrder {
		if present[f] {
			g.Legend = append(g.Legend, f)
			legendW += legendStep(f)
		}
	}
	if len(g.Legend) > 0 {
		g.LegendY = g.Height + legendH/2 - margin/2
		g.Height += legendH
		g.Width = math.Max(g.Width, legendW+2*margin)
	}
	if g.Title != "" {
		g.Width = math.Max(g.Width, g.titleWidth()+2*margin)
	}
	g.Width, g.Height = math.Ceil(g.Width), math.Ceil(g.Height)
}

// titleWidth is the width of the title line, subtitle included.
func (g *Graph) titleWidth() float64 {
	w := TextWidth(g.Title, fontTitle)
	if g.Subtitle != "" {
		w += subtitleGap + TextWidth(g.Subtitle, fontTitle)
	}
	return w
}

// legendStep is the horizontal room of one legend entry.
func legendStep(f Family) float64 {
	return legendSwatch + 6 + TextWidth(string(f), fontLegend) + 18
}

// boxLines is what a box says: its type, then its name or id, then its id under a name.
func boxLines(n Node) []string {
	if n.Family == FamilyMissing {
		return []string{"MISSING", strconv.Quote(n.ID), "no such activity"}
	}
	typ := n.Type
	if typ == "" {
		typ = "(no type)"
	}
	switch {
	case n.Name != "" && n.Name != n.ID:
		return []string{typ, n.Name, "id " + n.ID}
	case n.ID != "":
		return []string{typ, n.ID}
	default:
		return []string{typ, "(no id)"}
	}
}

// bezier evaluates a cubic Bézier at t.
func bezier(c [4]Point, t float64) Point {
	u := 1 - t
	a, b, cc, d := u*u*u, 3*u*u*t, 3*u*t*t, t*t*t
	return Point{
		a*c[0].X + b*c[1].X + cc*c[2].X + d*c[3].X,
		a*c[0].Y + b*c[1].Y + cc*c[2].Y + d*c[3].Y,
	}
}

// arrowhead is a triangle whose tip is the curve's end, pointing along the end tangent.
func arrowhead(c [4]Point) [3]Point {
	tip := c[3]
	from := c[2]
	if from == tip {
		from = c[1]
	}
	if from == tip {
		from = c[0]
	}
	dx, dy := tip.X-from.X, tip.Y-from.Y
	n := math.Hypot(dx, dy)
	if n == 0 {
		dx, dy, n = 1, 0, 1
	}
	ux, uy := dx/n, dy/n
	base := Point{tip.X - ux*arrowLen, tip.Y - uy*arrowLen}
	return [3]Point{tip, {base.X - uy*arrowHalf, base.Y + ux*arrowHalf}, {base.X + uy*arrowHalf, base.Y - ux*arrowHalf}}
}
