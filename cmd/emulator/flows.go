package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
)

// runFlows implements `emulator flows`: it prints the CCC flows of an instance as the emulator
// holds them, for people (the demo's status table) and scripts.
func runFlows(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("emulator flows", flag.ContinueOnError)
	fs.SetOutput(out)
	admin := fs.String("admin", "http://"+defaultListen, "Base URL of a running emulator.")
	instance := fs.String("instance", "ccc-demo", "CCC instance whose flows to print.")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	flows, err := emulator.NewAdminClient(*admin, nil).CCC().Flows(ctx, *instance)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTACT FLOW ID\tNAME\tTYPE\tPUBLISHED\tDRAFT (EDITOR)\tACTIVITIES\tUPDATED")
	for _, f := range flows {
		draft := "-"
		if f.Draft != nil {
			draft = fmt.Sprintf("%s (%s)", shortID(f.Draft.DraftID), f.Draft.Editor)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%t\t%s\t%d\t%s\n", f.ContactFlowID, f.Name, f.Type, f.Published, draft,
			activityCount(f.Definition), f.UpdatedTime)
	}
	return tw.Flush()
}

// activityCount counts the activities of a definition; -1 when it does not parse.
func activityCount(def string) int {
	var d struct {
		Activities []json.RawMessage `json:"activities"`
	}
	if json.Unmarshal([]byte(def), &d) != nil {
		return -1
	}
	return len(d.Activities)
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
