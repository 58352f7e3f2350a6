package render

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"strconv"
)

// PNG renders the graph as a PNG image, scale pixels per picture unit (1 or more; 2 suits
// high-density screens and is what the CLI uses). It paints the same geometry as SVG with
// anti-aliased shapes. Text uses the built-in bitmap font (printable ASCII): a box whose name
// has other characters (a Chinese name, say) shows its id instead, other text shows the
// missing characters as hollow boxes, and dashed outlines are drawn solid. The output is
// deterministic.
func (g *Graph) PNG(scale int) ([]byte, error) {
	if scale < 1 {
		scale = 1
	}
	s := float64(scale)
	c := newCanvas(int(math.Ceil(g.Width*s)), int(math.Ceil(g.Height*s)))
	if g.Title != "" {
		c.text(g.Title, margin*s, (margin+fontTitle*0.8)*s, scale, hex(colourText), true, false)
		if g.Subtitle != "" && canRender(g.Subtitle) {
			x := (margin+subtitleGap)*s + float64(len([]rune(g.Title))*glyphAdv*scale)
			c.text(g.Subtitle, x, (margin+fontTitle*0.8)*s, scale, hex(colourMuted), false, false)
		}
	}
	for _, e := range g.Edges {
		col := hex(colourEdge)
		if e.Back || e.Loop {
			col = hex(colourBackEdge)
		}
		pts := make([]Point, len(e.Path))
		for i, p := range e.Path {
			pts[i] = Point{p.X * s, p.Y * s}
		}
		c.strokePath(pts, 1.5*s, col)
		var tri [3]Point
		for i, p := range e.Arrow {
			tri[i] = Point{p.X * s, p.Y * s}
		}
		c.fillTriangle(tri, col)
	}
	for _, n := range g.Nodes {
		pc := palette[n.Family]
		c.roundRect(n.X*s, n.Y*s, n.W*s, n.H*s, 8*s, 1.6*s, hex(pc.Fill), hex(pc.Stroke))
		c.fillRect((n.X+1)*s, (n.Y+8)*s, 5*s, (n.H-16)*s, hex(pc.Stroke), 1)
		lines := n.Lines
		if len(lines) > 1 && !canRender(lines[1]) && canRender(n.ID) && n.ID != "" {
			lines = []string{lines[0], n.ID}
		}
		x := (n.X + boxPadX) * s
		c.text(lines[0], x, (n.Y+16)*s, scale, hex(pc.Stroke), true, false)
		if len(lines) > 1 {
			c.text(lines[1], x, (n.Y+34)*s, scale, hex(colourText), false, false)
		}
		if len(lines) > 2 {
			c.text(lines[2], x, (n.Y+49)*s, scale, hex(colourMuted), false, false)
		}
	}
	for _, e := range g.Edges {
		if e.Label == "" {
			continue
		}
		c.fillRect((e.LabelAt.X-e.LabelW/2)*s, (e.LabelAt.Y-labelH/2)*s, e.LabelW*s, labelH*s, color.NRGBA{255, 255, 255, 255}, 0.9)
		c.text(e.Label, e.LabelAt.X*s, (e.LabelAt.Y+glyphAbove/2.0)*s, scale, hex(colourLabel), false, true)
	}
	x := margin
	for _, f := range g.Legend {
		pc := palette[f]
		c.roundRect(x*s, (g.LegendY-legendSwatch/2)*s, legendSwatch*s, legendSwatch*s, 3*s, s, hex(pc.Fill), hex(pc.Stroke))
		c.text(string(f), (x+legendSwatch+6)*s, (g.LegendY+glyphAbove/2.0)*s, scale, hex(colourMuted), false, false)
		x += legendStep(f)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, c.img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// canvas is an opaque RGBA image painted with coverage-weighted colours.
type canvas struct {
	img  *image.RGBA
	w, h int
}

func newCanvas(w, h int) *canvas {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	return &canvas{img: img, w: w, h: h}
}

// blend paints colour col over pixel (x, y) with the given coverage in [0, 1].
func (c *canvas) blend(x, y int, col color.NRGBA, cover float64) {
	if x < 0 || y < 0 || x >= c.w || y >= c.h || cover <= 0 {
		return
	}
	a := math.Min(cover, 1) * float64(col.A) / 255
	i := c.img.PixOffset(x, y)
	p := c.img.Pix[i : i+3 : i+3]
	for k, v := range [3]uint8{col.R, col.G, col.B} {
		p[k] = uint8(math.Round(float64(p[k])*(1-a) + float64(v)*a))
	}
}

// fillRect fills an axis-aligned rectangle, with partial coverage at fractional edges.
func (c *canvas) fillRect(x, y, w, h float64, col color.NRGBA, opacity float64) {
	for py := int(math.Floor(y)); py < int(math.Ceil(y+h)); py++ {
		cy := overlap(float64(py), float64(py+1), y, y+h)
		for px := int(math.Floor(x)); px < int(math.Ceil(x+w)); px++ {
			c.blend(px, py, col, cy*overlap(float64(px), float64(px+1), x, x+w)*opacity)
		}
	}
}

func overlap(a0, a1, b0, b1 float64) float64 {
	return math.Max(0, math.Min(a1, b1)-math.Max(a0, b0))
}

// roundRect fills a rounded rectangle and strokes its outline (width sw, centred on the edge),
// anti-aliased through the signed distance to the shape.
func (c *canvas) roundRect(x, y, w, h, r, sw float64, fill, stroke color.NRGBA) {
	cx, cy := x+w/2, y+h/2
	hx, hy := w/2-r, h/2-r
	for py := int(math.Floor(y - sw)); py <= int(math.Ceil(y+h+sw)); py++ {
		for px := int(math.Floor(x - sw)); px <= int(math.Ceil(x+w+sw)); px++ {
			qx := math.Abs(float64(px)+0.5-cx) - hx
			qy := math.Abs(float64(py)+0.5-cy) - hy
			d := math.Hypot(math.Max(qx, 0), math.Max(qy, 0)) + math.Min(math.Max(qx, qy), 0) - r
			c.blend(px, py, fill, clamp01(0.5-d))
			c.blend(px, py, stroke, clamp01(sw/2+0.5-math.Abs(d)))
		}
	}
}

func clamp01(v float64) float64 { return math.Max(0, math.Min(1, v)) }

// strokePath strokes a chain of cubic segments (start point, then three points per segment).
// Coverage is the maximum over the flattened pieces, so joints are not painted twice.
func (c *canvas) strokePath(path []Point, width float64, col color.NRGBA) {
	cover := map[int]float64{}
	var poly []Point
	if len(path) > 0 {
		poly = append(poly, path[0])
	}
	for k := 0; k+3 < len(path); k += 3 {
		seg := [4]Point(path[k : k+4])
		for i := 1; i <= 24; i++ {
			poly = append(poly, bezier(seg, float64(i)/24))
		}
	}
	half := width / 2
	for i := 1; i < len(poly); i++ {
		a, b := poly[i-1], poly[i]
		x0 := int(math.Floor(math.Min(a.X, b.X) - half - 1))
		x1 := int(math.Ceil(math.Max(a.X, b.X) + half + 1))
		y0 := int(math.Floor(math.Min(a.Y, b.Y) - half - 1))
		y1 := int(math.Ceil(math.Max(a.Y, b.Y) + half + 1))
		for py := y0; py <= y1; py++ {
			for px := x0; px <= x1; px++ {
				if px < 0 || py < 0 || px >= c.w || py >= c.h {
					continue
				}
				v := clamp01(half + 0.5 - segDist(Point{float64(px) + 0.5, float64(py) + 0.5}, a, b))
				if k := py*c.w + px; v > cover[k] {
					cover[k] = v
				}
			}
		}
	}
	// Each pixel is painted once, so the map's order does not matter.
	for k, v := range cover {
		c.blend(k%c.w, k/c.w, col, v)
	}
}

// segDist is the distance from p to the segment ab.
func segDist(p, a, b Point) float64 {
	dx, dy := b.X-a.X, b.Y-a.Y
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = clamp01(((p.X-a.X)*dx + (p.Y-a.Y)*dy) / l2)
	}
	return math.Hypot(p.X-(a.X+t*dx), p.Y-(a.Y+t*dy))
}

// fillTriangle fills a triangle with 4×4 supersampling.
func (c *canvas) fillTriangle(t [3]Point, col color.NRGBA) {
	x0 := int(math.Floor(math.Min(t[0].X, math.Min(t[1].X, t[2].X))))
	x1 := int(math.Ceil(math.Max(t[0].X, math.Max(t[1].X, t[2].X))))
	y0 := int(math.Floor(math.Min(t[0].Y, math.Min(t[1].Y, t[2].Y))))
	y1 := int(math.Ceil(math.Max(t[0].Y, math.Max(t[1].Y, t[2].Y))))
	edge := func(a, b, p Point) float64 { return (b.X-a.X)*(p.Y-a.Y) - (b.Y-a.Y)*(p.X-a.X) }
	for py := y0; py <= y1; py++ {
		for px := x0; px <= x1; px++ {
			n := 0
			for sy := 0; sy < 4; sy++ {
				for sx := 0; sx < 4; sx++ {
					p := Point{float64(px) + (float64(sx)+0.5)/4, float64(py) + (float64(sy)+0.5)/4}
					e0, e1, e2 := edge(t[0], t[1], p), edge(t[1], t[2], p), edge(t[2], t[0], p)
					if (e0 >= 0 && e1 >= 0 && e2 >= 0) || (e0 <= 0 && e1 <= 0 && e2 <= 0) {
						n++
					}
				}
			}
			c.blend(px, py, col, float64(n)/16)
		}
	}
}

// text draws s with its baseline at y, starting at x (or centred on x), each font pixel a
// ps×ps square; bold draws it twice, one pixel apart.
func (c *canvas) text(s string, x, y float64, ps int, col color.NRGBA, bold, centred bool) {
	runes := []rune(s)
	if centred {
		x -= float64(len(runes)*glyphAdv*ps-ps) / 2
	}
	ox, top := int(math.Round(x)), int(math.Round(y))-glyphAbove*ps
	for i, r := range runes {
		g, ok := font[r]
		if !ok {
			g = font[tofu]
		}
		gx := ox + i*glyphAdv*ps
		for row := 0; row < glyphH; row++ {
			for bit := 0; bit < glyphW; bit++ {
				if g[row]&(1<<(glyphW-1-bit)) == 0 {
					continue
				}
				for dy := 0; dy < ps; dy++ {
					for dx := 0; dx < ps; dx++ {
						px, py := gx+bit*ps+dx, top+row*ps+dy
						c.blend(px, py, col, 1)
						if bold {
							c.blend(px+1, py, col, 1)
						}
					}
				}
			}
		}
	}
}

// hex parses "#rrggbb".
func hex(s string) color.NRGBA {
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil || len(s) != 7 {
		panic("render: bad colour " + s)
	}
	return color.NRGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}
}
