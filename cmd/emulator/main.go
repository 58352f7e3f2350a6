// Command emulator serves the contact-center emulator: the platforms' real wire protocols on
// one port (so the official SDKs are its clients), plus an unsigned admin API under
// /_emulator/ for tests and demos. See internal/emulator.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

const defaultListen = "127.0.0.1:18080"

// shutdownGrace bounds how long in-flight calls may finish after SIGINT/SIGTERM.
const shutdownGrace = 10 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	if len(os.Args) > 1 && os.Args[1] == "flows" {
		err = runFlows(ctx, os.Args[2:], os.Stdout)
	} else {
		err = run(ctx, os.Args[1:], os.Stderr, nil)
	}
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "emulator:", err)
		os.Exit(1)
	}
}

// fileConfig is the --config file (YAML or JSON); flags given on the command line win.
type fileConfig struct {
	Listen     string   `json:"listen"`
	AccessKeys []string `json:"accessKeys"`
	Instances  []string `json:"instances"`
	Latency    string   `json:"latency"`
	State      string   `json:"state"`
	// OutboundConcurrencyLimit is the OutboundBot account-wide concurrency limit.
	OutboundConcurrencyLimit int `json:"outboundConcurrencyLimit"`
	// Seeds are PLATFORM:INSTANCE:KIND=NAME, as --seed takes them.
	Seeds []string `json:"seeds"`
}

// options are the parsed command line and config file.
type options struct {
	listen string
	config emulator.Config
}

// listFlag collects a repeatable flag.
type listFlag []string

// String joins the values, for flag's default display.
func (l *listFlag) String() string { return strings.Join(*l, ",") }

// Set appends one occurrence.
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

const usageText = `Usage: emulator [flags]

Serves the contact-center emulator: Alibaba Cloud CCC 2020-07-01 and OutboundBot 2019-12-26
over POP RPC (signed requests from the official SDK), Amazon Connect contact flows over
REST-JSON (SigV4-signed requests from aws-sdk-go-v2) and an unsigned admin API under
/_emulator/ (stats, console edits, out-of-band changes, script reviews). Bind it to
loopback: the admin API has no authentication.

Without --access-key the demo pair is accepted:
  demo-access-key-id:demo-access-key-secret (acting as user "operator")
Without --instance the instance ccc:ccc-demo exists; outboundbot:ID adds an OutboundBot
instance with that ID, connect:ID an Amazon Connect instance, cloudcallcenter:ID a classic
CloudCallCenter 2017-07-05 instance (POP RPC, product CCC). The access keys serve as AWS
keys too (access key ID and secret access key).

Flags:
`

// parseOptions reads flags and the optional config file. The error never contains an access
// key argument, which holds a secret.
func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		configPath = fs.String("config", "", "`FILE` (YAML or JSON) with listen, accessKeys, instances, seeds, latency, state, outboundConcurrencyLimit; flags win")
		listen     = fs.String("listen", defaultListen, "`ADDR` to serve on")
		latency    = fs.Duration("latency", 0, "`DUR` added to every cloud call, e.g. 50ms")
		obLimit    = fs.Int("outbound-concurrency-limit", 0, "OutboundBot account limit `N` on the sum of MaxConcurrentConversation (0 means 100)")
		state      = fs.String("state", "", "state `FILE`, loaded at start and saved atomically after every change")
		keys       listFlag
		instances  listFlag
		seeds      listFlag
		quotas     listFlag
		jitter     = fs.Duration("latency-jitter", 0, "random extra `DUR` in [0, DUR) added to every cloud call")
		errorRate  = fs.Float64("error-rate", 0, "`FRACTION` of cloud calls answered with the platform's internal error (5xx)")
		stallRate  = fs.Float64("timeout-rate", 0, "`FRACTION` of cloud calls that hang until the client gives up")
		dropRate   = fs.Float64("drop-rate", 0, "`FRACTION` of cloud requests whose connection is closed without an answer")
	)
	fs.Var(&quotas, "throttle", "per-action quota `PLATFORM:ACTION=QPS[/BURST]` (repeatable; ACTION * shares one bucket across the platform), answered with the platform's throttling error")
	fs.Var(&keys, "access-key", "accepted key `ID:SECRET[:USER]` (repeatable); USER is the editor name, default \"operator\"")
	fs.Var(&instances, "instance", "instance `PLATFORM:ID` that exists from the start (repeatable); PLATFORM is ccc, outboundbot, connect or cloudcallcenter")
	fs.Var(&seeds, "seed", "object `PLATFORM:INSTANCE:KIND=NAME` that exists from the start (repeatable): KIND is SkillGroup or Prompt (ccc, cloudcallcenter), Queue, Prompt or Function (connect), or PhoneNumber (NAME is the number)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageText)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}

	var fc fileConfig
	if *configPath != "" {
		data, err := os.ReadFile(*configPath)
		if err != nil {
			return options{}, fmt.Errorf("reading config: %w", err)
		}
		if err := yaml.UnmarshalStrict(data, &fc); err != nil {
			return options{}, fmt.Errorf("parsing config %s: %w", *configPath, err)
		}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	o := options{listen: *listen}
	if !set["listen"] && fc.Listen != "" {
		o.listen = fc.Listen
	}
	o.config.Latency = *latency
	if !set["latency"] && fc.Latency != "" {
		d, err := time.ParseDuration(fc.Latency)
		if err != nil {
			return options{}, fmt.Errorf("config latency: %w", err)
		}
		o.config.Latency = d
	}
	o.config.Faults = emulator.FaultConfig{
		LatencyJitter: core.Duration(*jitter), ErrorRate: *errorRate, TimeoutRate: *stallRate, DropRate: *dropRate,
	}
	for _, q := range quotas {
		key, quota, err := core.ParseQuota(q)
		if err != nil {
			return options{}, err
		}
		if o.config.Faults.Quotas == nil {
			o.config.Faults.Quotas = map[string]core.Quota{}
		}
		o.config.Faults.Quotas[key] = quota
	}
	for name, rate := range map[string]float64{"error-rate": *errorRate, "timeout-rate": *stallRate, "drop-rate": *dropRate} {
		if rate < 0 || rate > 1 {
			return options{}, fmt.Errorf("--%s %v is not a fraction between 0 and 1", name, rate)
		}
	}
	o.config.OutboundConcurrencyLimit = *obLimit
	if !set["outbound-concurrency-limit"] {
		o.config.OutboundConcurrencyLimit = fc.OutboundConcurrencyLimit
	}
	if o.config.OutboundConcurrencyLimit < 0 {
		return options{}, fmt.Errorf("outbound concurrency limit %d is negative", o.config.OutboundConcurrencyLimit)
	}
	o.config.StatePath = *state
	if !set["state"] {
		o.config.StatePath = fc.State
	}
	if !set["access-key"] {
		keys = fc.AccessKeys
	}
	for i, k := range keys {
		ak, err := emulator.ParseAccessKey(k)
		if err != nil {
			return options{}, fmt.Errorf("access key #%d: %w", i+1, err)
		}
		o.config.AccessKeys = append(o.config.AccessKeys, ak)
	}
	if !set["instance"] {
		instances = fc.Instances
	}
	for _, s := range instances {
		in, err := emulator.ParseInstance(s)
		if err != nil {
			return options{}, err
		}
		o.config.Instances = append(o.config.Instances, in)
	}
	if !set["seed"] {
		seeds = fc.Seeds
	}
	for _, s := range seeds {
		sd, err := emulator.ParseSeed(s)
		if err != nil {
			return options{}, err
		}
		o.config.Seeds = append(o.config.Seeds, sd)
	}
	return o, nil
}

// run serves until ctx ends. ready, when set, is told the bound address (useful with port 0).
func run(ctx context.Context, args []string, stderr io.Writer, ready func(addr string)) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	o.config.Logger = logger

	emu, err := emulator.New(o.config)
	if err != nil {
		return err
	}
	defer emu.Close()

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           emu.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		// POP RPC puts every parameter, a whole flow definition included, in the query.
		MaxHeaderBytes: 8 << 20,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	addr := ln.Addr().String()
	keyIDs := []string{}
	for _, k := range o.config.AccessKeys {
		keyIDs = append(keyIDs, k.ID)
	}
	if len(keyIDs) == 0 {
		keyIDs = append(keyIDs, emulator.DemoAccessKeyID+" (demo)")
	}
	instances := []string{}
	for _, in := range o.config.Instances {
		instances = append(instances, in.Platform+":"+in.ID)
	}
	if len(instances) == 0 {
		instances = append(instances, emulator.PlatformCCC+":ccc-demo (default)")
	}
	// Key IDs only: secrets are never logged.
	logger.Info("Started emulator", "addr", addr, "accessKeyIds", strings.Join(keyIDs, ","),
		"instances", strings.Join(instances, ","), "latency", o.config.Latency, "state", o.config.StatePath)
	if host, _, err := net.SplitHostPort(addr); err == nil {
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			logger.Warn("Listening beyond loopback: the admin API has no authentication", "addr", addr)
		}
	}
	if ready != nil {
		ready(addr)
	}

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	logger.Info("Stopping emulator", "grace", shutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("Stopped emulator")
	return nil
}
