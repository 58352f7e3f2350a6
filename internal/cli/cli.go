// Package cli implements kubectl-contactflow, a kubectl plugin that works without a cluster:
// it validates ContactFlow manifests exactly as the operator does before any remote call, diffs
// a manifest against a live platform definition as the operator would, and renders a flow as a
// picture. The logic lives in internal/flowspec, internal/flow and internal/render; this
// package reads files, parses flags and prints.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
)

// Version is the plugin's version, set at build time with
// -ldflags "-X github.com/contactflow-operator/contactflow-operator/internal/cli.Version=v1.2.3".
var Version = ""

// Exit codes, as diff(1) uses them.
const (
	ExitOK      = 0 // valid, or no semantic difference
	ExitChanged = 1 // something is invalid, or there is a semantic difference
	ExitTrouble = 2 // bad usage, a file that cannot be read, an input that cannot be compared
)

// IO is where a command reads and writes.
type IO struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// command is one subcommand.
type command struct {
	name, args, short, long string
	run                     func(io IO, args []string) int
}

func commands() []command {
	return []command{
		{"validate", "FILE...", "check ContactFlow manifests as the operator does before any remote call", validateHelp, runValidate},
		{"diff", "FILE --live LIVE", "compare a manifest's flow with a live platform definition, semantically", diffHelp, runDiff},
		{"render", "FILE [-o OUT.svg|OUT.png]", "draw a flow's activity graph as SVG or PNG", renderHelp, runRender},
		{"export", "--platform P --instance ID", "print an instance's flows as ContactFlow manifests, references extracted", exportHelp, runExport},
		{"version", "", "print the plugin's version", "", runVersion},
		{"help", "[COMMAND]", "show help for the plugin or a command", "", nil},
	}
}

// Run runs the plugin with the arguments after the program name and returns the exit code.
func Run(io IO, args []string) int {
	if len(args) == 0 {
		usage(io.Stderr)
		return ExitTrouble
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 {
			for _, c := range commands() {
				if c.name == rest[0] && c.run != nil {
					commandUsage(io.Stdout, c)
					return ExitOK
				}
			}
			fmt.Fprintf(io.Stderr, "kubectl-contactflow: unknown command %q\n", rest[0])
			return ExitTrouble
		}
		usage(io.Stdout)
		return ExitOK
	case "--version", "-version":
		name = "version"
	}
	for _, c := range commands() {
		if c.name == name && c.run != nil {
			return c.run(io, rest)
		}
	}
	fmt.Fprintf(io.Stderr, "kubectl-contactflow: unknown command %q\n\n", name)
	usage(io.Stderr)
	return ExitTrouble
}

func usage(w io.Writer) {
	fmt.Fprint(w, `kubectl-contactflow: work with ContactFlow manifests (contactflow.io/v1alpha1) offline.

Usage:
  kubectl contactflow COMMAND [ARGS] [FLAGS]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %-28s %s\n", c.name, c.args, c.short)
	}
	fmt.Fprint(w, `
FILE is a YAML or JSON file, or - for standard input. A file may hold several YAML documents
and List objects; documents that are not ContactFlows are skipped. A file that holds a bare
CCC 2020-07-01 definition ({"activities": [...]}), or a GetContactFlow response, is read as
that definition.

Exit codes: 0 valid / no semantic difference, 1 invalid / different, 2 trouble.
Run "kubectl contactflow help COMMAND" for a command's flags.
`)
}

func commandUsage(w io.Writer, c command) {
	fmt.Fprintf(w, "Usage: kubectl contactflow %s %s\n\n%s\n", c.name, c.args, c.short)
	if c.long != "" {
		fmt.Fprintf(w, "\n%s", c.long)
	}
	if fs := c.flags(); fs != nil {
		fmt.Fprintln(w, "\nFlags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

// flags returns the command's flag set with its defaults, for help output.
func (c command) flags() *flag.FlagSet {
	switch c.name {
	case "validate":
		fs, _ := validateFlags()
		return fs
	case "diff":
		fs, _ := diffFlags()
		return fs
	case "render":
		fs, _ := renderFlags()
		return fs
	case "export":
		fs, _ := exportFlags()
		return fs
	}
	return nil
}

// errHelp is returned by parse when -h was given; the command prints its help and succeeds.
var errHelp = flag.ErrHelp

// parse parses flags that may appear before, between or after the positional arguments
// ("diff FILE --live LIVE"), which the flag package alone does not allow. Everything after
// "--" is positional.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// flagError reports a usage error of command name and returns the exit code.
func flagError(io IO, name string, err error) int {
	if errors.Is(err, errHelp) {
		for _, c := range commands() {
			if c.name == name {
				commandUsage(io.Stdout, c)
			}
		}
		return ExitOK
	}
	fmt.Fprintf(io.Stderr, "kubectl-contactflow %s: %v\nRun \"kubectl contactflow help %s\" for usage.\n", name, err, name)
	return ExitTrouble
}

func runVersion(io IO, args []string) int {
	if len(args) > 0 {
		return flagError(io, "version", fmt.Errorf("unexpected argument %q", args[0]))
	}
	fmt.Fprintf(io.Stdout, "kubectl-contactflow %s (CCC 2020-07-01 definitions)\n", version())
	return ExitOK
}

// version is Version, else the module version the binary was built from, else "devel".
func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return v
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "devel-" + s.Value[:12]
			}
		}
	}
	return "devel"
}

// plural returns "1 box" or "n boxes".
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
