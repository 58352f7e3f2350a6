// Package emulator is the offline contact-center emulator that the operator's tests, demo and
// users run instead of the cloud. It speaks each platform's real wire protocol, so the official
// SDKs are its clients: Alibaba POP RPC with signature checks for CCC 2020-07-01 and OutboundBot
// 2019-12-26 and the classic CloudCallCenter 2017-07-05, and Amazon Connect's REST-JSON with
// SigV4 checks, all on the same server.
//
// Layout: core has the protocol-neutral pieces (call model, middleware, access keys, stats,
// state file), pop the POP RPC protocol, ccc the CCC 2020-07-01 state machine, outboundbot the
// OutboundBot 2019-12-26 one (instances, scripts and their reviews), connect the Amazon Connect
// flows with their REST-JSON front end, classic the CloudCallCenter 2017-07-05 flows with their
// versions and version lock. This package
// wires them into one http.Handler, serves the admin API under /_emulator/ and has an admin
// client for tests (AdminClient).
//
// Faults plug in at two levels: core.Middleware for call-level ones that answer in the
// platform's terms (latency today; throttling, 5xx rates and stalls later), and an http.Handler
// wrapper around Handler for the ones that need the connection (dropped connections).
package emulator

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/ccc"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/classic"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/connect"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/outboundbot"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/pop"
)

// Platform keys, as used in --instance, in stats and in admin paths.
const (
	// PlatformCCC is Alibaba Cloud Contact Center, API version 2020-07-01.
	PlatformCCC = ccc.Platform
	// PlatformOutboundBot is Alibaba Cloud OutboundBot, API version 2019-12-26.
	PlatformOutboundBot = outboundbot.Platform
	// PlatformConnect is Amazon Connect contact flows (REST-JSON, SigV4).
	PlatformConnect = connect.Platform
	// PlatformCloudCallCenter is the classic Alibaba CloudCallCenter, API version 2017-07-05.
	PlatformCloudCallCenter = classic.Platform
)

// The demo key pair, accepted when no access key is configured. It acts as user
// DefaultUser.
const (
	DemoAccessKeyID     = core.DemoAccessKeyID
	DemoAccessKeySecret = core.DemoAccessKeySecret
	DefaultUser         = core.DefaultUser
)

// AccessKey is an accepted key pair and the console user it acts as (its String redacts the
// secret).
type AccessKey = core.AccessKey

// Stats is a snapshot of the per-platform, per-action call counters.
type Stats = core.StatsSnapshot

// CallRecord is one entry of the call log (GET /_emulator/calls).
type CallRecord = core.CallRecord

// ParseAccessKey parses "ID:SECRET[:USER]"; USER defaults to DefaultUser.
func ParseAccessKey(s string) (AccessKey, error) { return core.ParseAccessKey(s) }

// Instance is a platform instance that exists from the start.
type Instance struct {
	Platform string `json:"platform"`
	ID       string `json:"id"`
}

// ParseInstance parses "PLATFORM:ID", e.g. "ccc:ccc-demo".
func ParseInstance(s string) (Instance, error) {
	platform, id, ok := strings.Cut(s, ":")
	if !ok || platform == "" || id == "" {
		return Instance{}, fmt.Errorf("instance %q must be PLATFORM:ID", s)
	}
	if platform != PlatformCCC && platform != PlatformOutboundBot && platform != PlatformConnect && platform != PlatformCloudCallCenter {
		return Instance{}, fmt.Errorf("instance %q: unknown platform %q (known: %s, %s, %s, %s)", s, platform, PlatformCCC, PlatformOutboundBot, PlatformConnect, PlatformCloudCallCenter)
	}
	return Instance{Platform: platform, ID: id}, nil
}

// Config configures an Emulator. The zero value is a working demo: the demo key pair, instance
// ccc:ccc-demo, no latency, state in memory.
type Config struct {
	// AccessKeys are the accepted keys; empty means the demo pair.
	AccessKeys []AccessKey
	// Instances exist from the start (added to a loaded state when missing); empty means
	// ccc:ccc-demo.
	Instances []Instance
	// Latency is added to every cloud call (not to admin calls).
	Latency time.Duration
	// StatePath is the JSON state file: loaded at start, rewritten atomically after every
	// mutation. Empty keeps the state in memory.
	StatePath string
	// Logger gets one line per cloud call (never a secret or a signature); nil discards.
	Logger *slog.Logger
	// OutboundConcurrencyLimit bounds the sum of MaxConcurrentConversation over all
	// OutboundBot instances; 0 means outboundbot.DefaultConcurrencyLimit.
	OutboundConcurrencyLimit int
	// Faults are the injected quotas and failures (none by default); PUT /_emulator/faults
	// changes them while the emulator runs.
	Faults FaultConfig
	// Seeds are the skill groups, queues, prompts, functions and phone numbers that exist from
	// the start (added to a loaded state when missing).
	Seeds []Seed
}

// FaultConfig says which faults the emulator injects: per-action quotas answered with each
// platform's own throttling error, latency jitter, a 5xx rate, stalls and dropped connections.
type FaultConfig = core.FaultConfig

// Emulator is one emulated cloud: every platform's state plus the protocol front ends.
type Emulator struct {
	stats   *core.Stats
	faults  *core.Faults
	store   *core.Store
	ccc     *ccc.Service
	ob      *outboundbot.Service
	connect *connect.Service
	classic *classic.Service
	handler http.Handler
	closed  atomic.Bool
}

// New builds an Emulator from cfg, loading the state file when one is configured.
func New(cfg Config) (*Emulator, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	keys, err := core.NewKeyStore(cfg.AccessKeys)
	if err != nil {
		return nil, err
	}
	store, err := core.OpenStore(cfg.StatePath)
	if err != nil {
		return nil, err
	}
	instances := map[string][]string{}
	for _, in := range cfg.Instances {
		if (in.Platform != PlatformCCC && in.Platform != PlatformOutboundBot && in.Platform != PlatformConnect && in.Platform != PlatformCloudCallCenter) || in.ID == "" {
			return nil, fmt.Errorf("instance %s:%s: unknown platform or empty ID", in.Platform, in.ID)
		}
		instances[in.Platform] = append(instances[in.Platform], in.ID)
	}
	if len(cfg.Instances) == 0 {
		instances[PlatformCCC] = []string{ccc.DefaultInstanceID}
	}

	e := &Emulator{stats: core.NewStats(), store: store}
	e.faults = core.NewFaults(cfg.Faults, map[string]core.PlatformErrors{
		PlatformConnect: {
			Throttled: connect.Throttled(),
			Internal:  &core.APIError{HTTPStatus: http.StatusInternalServerError, Code: "InternalServiceException", Message: "Request processing failed because of an error or failure with the service."},
		},
	}, e.stats)
	e.ccc, err = ccc.New(ccc.Options{Store: store, Instances: instances[PlatformCCC], Logger: logger})
	if err != nil {
		return nil, err
	}
	e.ob, err = outboundbot.New(outboundbot.Options{
		Store: store, Instances: instances[PlatformOutboundBot], ConcurrencyLimit: cfg.OutboundConcurrencyLimit, Logger: logger,
	})
	if err != nil {
		return nil, err
	}

	rpc := pop.NewServer(pop.Options{
		Keys:       keys,
		Stats:      e.stats,
		Middleware: []core.Middleware{core.Latency(cfg.Latency), e.faults.Middleware()},
		Logger:     logger,
	})
	e.ccc.Register(rpc)
	e.ob.Register(rpc)
	e.classic, err = classic.New(classic.Options{Store: store, Instances: instances[PlatformCloudCallCenter], Logger: logger})
	if err != nil {
		return nil, err
	}
	e.classic.Register(rpc)
	e.connect, err = connect.New(connect.Options{Store: store, Instances: instances[PlatformConnect], Logger: logger})
	if err != nil {
		return nil, err
	}
	if err := e.seed(cfg.Seeds); err != nil {
		return nil, err
	}
	rest := connect.NewServer(e.connect, connect.ServerOptions{
		Keys:       keys,
		Stats:      e.stats,
		Middleware: []core.Middleware{core.Latency(cfg.Latency), e.faults.Middleware()},
		Logger:     logger,
	})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /_emulator/healthz", func(w http.ResponseWriter, _ *http.Request) {
		core.WriteAdminJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /_emulator/stats", func(w http.ResponseWriter, _ *http.Request) {
		core.WriteAdminJSON(w, http.StatusOK, e.stats.Snapshot())
	})
	mux.HandleFunc("GET /_emulator/calls", func(w http.ResponseWriter, _ *http.Request) {
		core.WriteAdminJSON(w, http.StatusOK, e.stats.Log())
	})
	mux.HandleFunc("POST /_emulator/stats/reset", func(w http.ResponseWriter, _ *http.Request) {
		e.stats.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
	e.ccc.RegisterAdmin(mux)
	e.ob.RegisterAdmin(mux)
	e.connect.RegisterAdmin(mux)
	e.classic.RegisterAdmin(mux)
	mux.HandleFunc("GET /_emulator/faults", func(w http.ResponseWriter, _ *http.Request) {
		core.WriteAdminJSON(w, http.StatusOK, e.faults.Config())
	})
	mux.HandleFunc("PUT /_emulator/faults", func(w http.ResponseWriter, r *http.Request) {
		var fc core.FaultConfig
		if aerr := core.DecodeAdminJSON(r, &fc); aerr != nil {
			core.WriteAdminError(w, aerr)
			return
		}
		e.faults.Set(fc)
		core.WriteAdminJSON(w, http.StatusOK, e.faults.Config())
	})
	restFaulty, rpcFaulty := e.faults.HTTP(rest), e.faults.HTTP(rpc)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if rest.Match(r) {
			restFaulty.ServeHTTP(w, r)
			return
		}
		if rpc.Match(r) {
			rpcFaulty.ServeHTTP(w, r)
			return
		}
		core.WriteAdminJSON(w, http.StatusNotFound, core.AdminError{Code: "NotFound", Message: "no protocol or admin route serves " + r.URL.Path})
	})
	e.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e.closed.Load() {
			core.WriteAdminJSON(w, http.StatusServiceUnavailable, core.AdminError{Code: "ServiceUnavailable", Message: "the emulator is closed"})
			return
		}
		mux.ServeHTTP(w, r)
	})
	return e, nil
}

// Handler serves the cloud protocols and the admin API; mount it on an http.Server or an
// httptest.Server.
func (e *Emulator) Handler() http.Handler { return e.handler }

// Close stops serving: later requests get 503. State needs no flush because every mutation was
// saved when it happened. Close is idempotent.
func (e *Emulator) Close() error {
	e.closed.Store(true)
	return nil
}

// Stats returns a snapshot of the call counters (what GET /_emulator/stats answers).
func (e *Emulator) Stats() Stats { return e.stats.Snapshot() }

// ResetStats zeroes the call counters and the call log.
func (e *Emulator) ResetStats() { e.stats.Reset() }

// Calls returns the call log: the most recent calls since the last reset, in order.
func (e *Emulator) Calls() []CallRecord { return e.stats.Log() }

// SetFaults replaces the injected faults (what PUT /_emulator/faults does).
func (e *Emulator) SetFaults(fc FaultConfig) { e.faults.Set(fc) }

// CCC gives in-process access to the CCC state, for tests that prefer it to the admin API.
func (e *Emulator) CCC() *ccc.Service { return e.ccc }

// OutboundBot gives in-process access to the OutboundBot state, for tests that prefer it to the
// admin API.
func (e *Emulator) OutboundBot() *outboundbot.Service { return e.ob }

// Connect gives in-process access to the Amazon Connect state, for tests that prefer it to the
// admin API.
func (e *Emulator) Connect() *connect.Service { return e.connect }

// CloudCallCenter gives in-process access to the classic CloudCallCenter state, for tests that
// prefer it to the admin API.
func (e *Emulator) CloudCallCenter() *classic.Service { return e.classic }

// StatePath returns the state file, "" when the state is in memory only.
func (e *Emulator) StatePath() string { return e.store.Path() }
