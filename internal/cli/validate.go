package cli

import (
	"flag"
	"fmt"
	"github.com/contactflow-operator/contactflow-operator/internal/flowspec"
)

const validateHelp = `Every ContactFlow in the files goes through exactly the checks the operator makes before any
remote call (internal/flowspec: spec.definition encoded as the API defines it, parsed, then
validated): one INCOMING_CALL, unique ids, known activity types, every next naming an
activity, a HANGUP ending the call, nothing unreachable. Unknown fields, which kubectl apply
rejects, are reported too. A bare CCC definition gets the same checks.

Every problem is one line naming the file, the object, the field and the activity:

  flows.yaml: ContactFlow default/welcome: spec.definition: activity 2d3ad2c2 (PLAY_SAY): events[0].next: names unknown activity "zzz"

Exit code 1 when anything is invalid, 2 when a file cannot be read, else 0.
`

type validateOpts struct {
	namespace string
	quiet     bool
}

func validateFlags() (*flag.FlagSet, *validateOpts) {
	o := &validateOpts{}
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.StringVar(&o.namespace, "namespace", "default", "namespace shown for objects without metadata.namespace")
	fs.StringVar(&o.namespace, "n", "default", "shorthand for --namespace")
	fs.BoolVar(&o.quiet, "q", false, "print problems only: no line per valid object, no skip notes, no summary")
	return fs, o
}

func runValidate(io IO, args []string) int {
	fs, o := validateFlags()
	files, err := parse(fs, args)
	if err != nil {
		return flagError(io, "validate", err)
	}
	if len(files) == 0 {
		return flagError(io, "validate", fmt.Errorf("no FILE given (use - for standard input)"))
	}
	l := newLoader(io.Stdin, o.namespace)
	code := ExitOK
	var valid, invalid, skips int
	for _, path := range files {
		in, err := l.load(path)
		if err != nil {
			fmt.Fprintf(io.Stderr, "%s: %v\n", displayName(path), err)
			code = ExitTrouble
			continue
		}
		for _, s := range in.sources {
			lines := s.check()
			if len(lines) == 0 {
				valid++
				if !o.quiet {
					d, _ := s.validated()
					fmt.Fprintf(io.Stdout, "%svalid (%s, hash %s)\n", s.prefix(), plural(len(d.Activities), "activity", "activities"), d.Hash()[:12])
				}
			} else {
				invalid++
				for _, line := range lines {
					fmt.Fprintln(io.Stdout, line)
				}
			}
			s.warn(io.Stdout, s.lines(s.warnings))
		}
		for _, sk := range in.skipped {
			skips++
			if !o.quiet {
				fmt.Fprintf(io.Stdout, "%s: %s: skipped (%s)\n", sk.file, sk.label, sk.why)
			}
		}
	}
	if !o.quiet {
		fmt.Fprintf(io.Stdout, "checked %s: %d valid, %d invalid; skipped %s\n",
			plural(valid+invalid, "flow", "flows"), valid, invalid, plural(skips, "other document", "other documents"))
	}
	if invalid > 0 && code == ExitOK {
		code = ExitChanged
	}
	return code
}

// check returns the problem lines of a source, none when it is valid: why it cannot be read,
// else the fields kubectl apply rejects followed by what the operator refuses.
func (s source) check() []string {
	if len(s.problems) > 0 {
		return s.lines(s.problems)
	}
	out := s.lines(s.rejected)
	if _, err := s.validated(); err != nil {
		out = append(out, s.problemLines(err)...)
	}
	if s.cf != nil {
		// The platform is not known offline: uses and declarations are checked, kinds are not.
		if err := flowspec.CheckReferences(s.cf.Spec, ""); err != nil {
			out = append(out, s.prefix()+err.Error())
		}
	}
	return out
}

// lines prefixes messages with the file and the object.
func (s source) lines(msgs []string) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = s.prefix() + m
	}
	return out
}
