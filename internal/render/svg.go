package render

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// palette is the fill and stroke colour of each family, shared by SVG and PNG.
var palette = map[Family]struct{ Fill, Stroke string }{
	FamilyStart:    {"#e4f5e1", "#2e7d32"},
	FamilyPrompt:   {"#e3effd", "#1565c0"},
	FamilyInput:    {"#fff3d9", "#d98300"},
	FamilyLogic:    {"#eceff1", "#546e7a"},
	FamilyTransfer: {"#f0e7fb", "#6a3fb5"},
	FamilyEnd:      {"#fde8e8", "#c62828"},
	FamilyMissing:  {"#ffffff", "#d32f2f"},
}

const (
	colourEdge     = "#5f6b73"
	colourBackEdge = "#8d6e63"
	colourText     = "#1f2933"
	colourMuted    = "#66737d"
	colourLabel    = "#37474f"
	fontFamily     = "Helvetica, Arial, 'Noto Sans CJK SC', 'PingFang SC', sans-serif"
)

// SVG renders the graph as a standalone SVG 1.1 document. Nodes are <g class="node FAMILY">
// with data-id, edges <g class="edge"> (plus "back" or "loop") with data-from and data-to, so
// that tests and scripts can find them. Numbers are written with at most one decimal.
func (g *Graph) SVG() []byte {
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	w("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%s\" height=\"%s\" viewBox=\"0 0 %s %s\" font-family=\"%s\">\n",
		num(g.Width), num(g.Height), num(g.Width), num(g.Height), esc(fontFamily))
	if g.Title != "" {
		w("<title>%s</title>\n", esc(strings.TrimSpace(g.Title+" "+g.Subtitle)))
	}
	w("<rect class=\"background\" width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n")
	if g.Title != "" {
		w("<text class=\"title\" x=\"%s\" y=\"%s\" font-size=\"%s\" fill=\"%s\"><tspan font-weight=\"bold\">%s</tspan>",
			num(margin), num(margin+fontTitle*0.8), num(fontTitle), colourText, esc(g.Title))
		if g.Subtitle != "" {
			w("<tspan dx=\"%s\" fill=\"%s\">%s</tspan>", num(subtitleGap), colourMuted, esc(g.Subtitle))
		}
		w("</text>\n")
	}

	w("<g class=\"edges\" fill=\"none\" stroke-width=\"1.5\">\n")
	for _, e := range g.Edges {
		class, colour := "edge", colourEdge
		switch {
		case e.Back:
			class, colour = "edge back", colourBackEdge
		case e.Loop:
			class, colour = "edge loop", colourBackEdge
		}
		w("<g class=\"%s\" data-from=\"%s\" data-to=\"%s\">", class, esc(g.Nodes[e.From].ID), esc(g.Nodes[e.To].ID))
		w("<title>%s → %s: %s</title>", esc(g.Nodes[e.From].ID), esc(g.Nodes[e.To].ID), esc(strings.Join(e.Events, ", ")))
		dash := ""
		if g.Nodes[e.To].Family == FamilyMissing {
			dash = " stroke-dasharray=\"5 3\""
		}
		w("<path d=\"%s\" stroke=\"%s\"%s/>", pathData(e.Path), colour, dash)
		w("<polygon points=\"%s\" fill=\"%s\" stroke=\"none\"/>", points(e.Arrow[:]), colour)
		w("</g>\n")
	}
	w("</g>\n")

	w("<g class=\"nodes\">\n")
	for _, n := range g.Nodes {
		pc := palette[n.Family]
		dash := ""
		if n.Family == FamilyMissing {
			dash = " stroke-dasharray=\"6 3\""
		}
		w("<g class=\"node %s\" data-id=\"%s\">", n.Family, esc(n.ID))
		if n.Tooltip != "" {
			w("<title>%s</title>", esc(n.Tooltip))
		}
		w("<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" rx=\"8\" fill=\"%s\" stroke=\"%s\" stroke-width=\"1.6\"%s/>",
			num(n.X), num(n.Y), num(n.W), num(n.H), pc.Fill, pc.Stroke, dash)
		// A coloured band on the left makes the family visible at a glance.
		w("<rect x=\"%s\" y=\"%s\" width=\"5\" height=\"%s\" fill=\"%s\"/>", num(n.X+1), num(n.Y+8), num(n.H-16), pc.Stroke)
		x := n.X + boxPadX
		w("<text x=\"%s\" y=\"%s\" font-size=\"%s\" font-weight=\"bold\" letter-spacing=\"0.4\" fill=\"%s\">%s</text>",
			num(x), num(n.Y+16), num(fontType), pc.Stroke, esc(n.Lines[0]))
		if len(n.Lines) > 1 {
			w("<text x=\"%s\" y=\"%s\" font-size=\"%s\" fill=\"%s\">%s</text>", num(x), num(n.Y+34), num(fontName), colourText, esc(n.Lines[1]))
		}
		if len(n.Lines) > 2 {
			w("<text x=\"%s\" y=\"%s\" font-size=\"%s\" fill=\"%s\">%s</text>", num(x), num(n.Y+49), num(fontID), colourMuted, esc(n.Lines[2]))
		}
		w("</g>\n")
	}
	w("</g>\n")

	// Labels go last so that neither boxes nor other edges hide them.
	w("<g class=\"labels\" font-size=\"%s\" text-anchor=\"middle\">\n", num(fontLabel))
	for _, e := range g.Edges {
		if e.Label == "" {
			continue
		}
		w("<g class=\"label\"><rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.9\"/>",
			num(e.LabelAt.X-e.LabelW/2), num(e.LabelAt.Y-labelH/2), num(e.LabelW), num(labelH))
		w("<text x=\"%s\" y=\"%s\" fill=\"%s\">%s</text></g>\n", num(e.LabelAt.X), num(e.LabelAt.Y+fontLabel*0.36), colourLabel, esc(e.Label))
	}
	w("</g>\n")

	if len(g.Legend) > 0 {
		w("<g class=\"legend\" font-size=\"%s\">\n", num(fontLegend))
		x := margin
		for _, f := range g.Legend {
			pc := palette[f]
			w("<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" rx=\"3\" fill=\"%s\" stroke=\"%s\"/>",
				num(x), num(g.LegendY-legendSwatch/2), num(legendSwatch), num(legendSwatch), pc.Fill, pc.Stroke)
			w("<text x=\"%s\" y=\"%s\" fill=\"%s\">%s</text>\n", num(x+legendSwatch+6), num(g.LegendY+fontLegend*0.36), colourMuted, f)
			x += legendSwatch + 6 + TextWidth(string(f), fontLegend) + 18
		}
		w("</g>\n")
	}
	w("</svg>\n")
	return b.Bytes()
}

// num writes a coordinate with at most one decimal and no "-0", so output is stable and short.
func num(v float64) string {
	r := float64(int64(v*10+copysign(0.5, v))) / 10
	if r == 0 {
		return "0"
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

func copysign(a, b float64) float64 {
	if b < 0 {
		return -a
	}
	return a
}

// pathData is the SVG path of a chain of cubic segments.
func pathData(ps []Point) string {
	var b strings.Builder
	for i, p := range ps {
		switch {
		case i == 0:
			b.WriteString("M")
		case i%3 == 1:
			b.WriteString(" C")
		default:
			b.WriteString(" ")
		}
		b.WriteString(num(p.X) + " " + num(p.Y))
	}
	return b.String()
}

func points(ps []Point) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = num(p.X) + "," + num(p.Y)
	}
	return strings.Join(parts, " ")
}

// esc escapes text and attribute values.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
