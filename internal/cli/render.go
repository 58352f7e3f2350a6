package cli

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/contactflow-operator/contactflow-operator/internal/render"
)

const renderHelp = `Draws the flow's activity graph: the start on the left, every activity right of what leads to
it, arrows labelled with their event names (several events to one target share an arrow),
retry loops running back right to left, and boxes coloured by family (start, prompt, input,
logic, transfer, end). An invalid flow is drawn too, with a red box for every activity an
event names but nobody defines; its problems are printed as warnings.

SVG is the default and has the names in any script, plus tooltips with each activity's
properties. PNG uses a built-in ASCII bitmap font: a name in another script is replaced by the
activity id. The same input always gives the same bytes.

Without -o the picture goes to standard output.
`

type renderOpts struct {
	out, format, name, namespace string
	scale                        int
}

func renderFlags() (*flag.FlagSet, *renderOpts) {
	o := &renderOpts{}
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	fs.StringVar(&o.out, "o", "", "write the picture to this file (its extension picks the format) instead of standard output")
	fs.StringVar(&o.out, "output", "", "same as -o")
	fs.StringVar(&o.format, "format", "", "svg or png (default: from the -o extension, else svg)")
	fs.StringVar(&o.name, "name", "", "the ContactFlow to draw when a file holds several (NAME or NAMESPACE/NAME)")
	fs.StringVar(&o.namespace, "namespace", "default", "namespace assumed for objects without metadata.namespace")
	fs.StringVar(&o.namespace, "n", "default", "shorthand for --namespace")
	fs.IntVar(&o.scale, "scale", 2, "PNG pixels per SVG unit (1 to 4)")
	return fs, o
}

func runRender(io IO, args []string) int {
	fs, o := renderFlags()
	files, err := parse(fs, args)
	if err != nil {
		return flagError(io, "render", err)
	}
	if len(files) != 1 {
		return flagError(io, "render", fmt.Errorf("want exactly one FILE, got %d", len(files)))
	}
	format := strings.ToLower(o.format)
	if format == "" {
		switch strings.ToLower(filepath.Ext(o.out)) {
		case ".png":
			format = "png"
		default:
			format = "svg"
		}
	}
	if format != "svg" && format != "png" {
		return flagError(io, "render", fmt.Errorf("--format %q: want svg or png", o.format))
	}
	if o.scale < 1 || o.scale > 4 {
		return flagError(io, "render", fmt.Errorf("--scale %d: want 1 to 4", o.scale))
	}
	src, code := pick(io, newLoader(io.Stdin, o.namespace), files[0], o.name)
	if code != ExitOK {
		return code
	}
	def, err := src.parsed()
	if err != nil {
		for _, line := range src.problemLines(err) {
			fmt.Fprintln(io.Stderr, line)
		}
		return ExitTrouble
	}
	if _, err := src.validated(); err != nil {
		src.warn(io.Stderr, src.problemLines(err))
	}
	opts := render.Options{Title: src.label}
	if src.cf != nil && src.cf.Spec.FlowName != "" && src.cf.Spec.FlowName != src.cf.Name {
		opts.Subtitle = src.cf.Spec.FlowName
	}
	g := render.Layout(def, opts)
	var data []byte
	if format == "png" {
		if data, err = g.PNG(o.scale); err != nil {
			fmt.Fprintf(io.Stderr, "render: %v\n", err)
			return ExitTrouble
		}
	} else {
		data = g.SVG()
	}
	if o.out == "" || o.out == "-" {
		if _, err := io.Stdout.Write(data); err != nil {
			fmt.Fprintf(io.Stderr, "render: %v\n", err)
			return ExitTrouble
		}
		return ExitOK
	}
	if err := os.WriteFile(o.out, data, 0o644); err != nil {
		fmt.Fprintf(io.Stderr, "render: %v\n", err)
		return ExitTrouble
	}
	fmt.Fprintf(io.Stdout, "%s: wrote %s (%s, %d bytes, %dx%d): %s, %s\n", src.file+": "+src.label, o.out,
		strings.ToUpper(format), len(data), int(g.Width)*pngScale(format, o.scale), int(g.Height)*pngScale(format, o.scale),
		plural(len(g.Nodes), "box", "boxes"), plural(len(g.Edges), "arrow", "arrows"))
	return ExitOK
}

func pngScale(format string, scale int) int {
	if format == "png" {
		return scale
	}
	return 1
}
