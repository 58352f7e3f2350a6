// Command kubectl-contactflow is a kubectl plugin (kubectl contactflow ...) that checks, diffs
// and draws ContactFlow manifests without a cluster, so it runs in CI as well as at a desk:
//
//	kubectl contactflow validate config/samples/*.yaml
//	kubectl contactflow diff flow.yaml --live live.json
//	kubectl contactflow render flow.yaml -o flow.svg
//
// See internal/cli for the commands.
package main

import (
	"io"
	"os"

	"github.com/contactflow-operator/contactflow-operator/internal/cli"
)

// stdin is what "-" reads; tests replace it.
var stdin io.Reader = os.Stdin

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the plugin with the arguments after the program name and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	return cli.Run(cli.IO{Stdin: stdin, Stdout: stdout, Stderr: stderr}, args)
}
