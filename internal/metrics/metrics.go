// Package metrics holds the operator's own Prometheus metrics (beyond controller-runtime's) and
// the observer that turns every platform call into a metric sample and a structured log line.
package metrics

import (
	"context"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
)

var (
	// CloudCalls counts platform API calls by platform, action and answer code.
	CloudCalls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "contactflow_cloud_api_calls_total",
		Help: "Platform API calls made by the operator, by platform, action and answer code (OK or the platform's error code).",
	}, []string{"platform", "action", "code"})

	// CloudCallDuration is the latency of platform API calls.
	CloudCallDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "contactflow_cloud_api_call_duration_seconds",
		Help:    "Latency of platform API calls, by platform and action.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"platform", "action"})

	// CloudThrottled counts calls the platform refused for rate.
	CloudThrottled = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "contactflow_cloud_api_throttled_total",
		Help: "Platform API calls refused for rate (throttled), by platform and action.",
	}, []string{"platform", "action"})

	// Resources is the number of resources per kind and state.
	Resources = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "contactflow_resources",
		Help: "Managed resources by kind and state (published, draft, drift, locked, stalled, progressing).",
	}, []string{"kind", "state"})
)

func init() {
	crmetrics.Registry.MustRegister(CloudCalls, CloudCallDuration, CloudThrottled, Resources)
}

// Observer is the cloud.CallObserver of the manager: every call becomes a sample of the
// metrics above and a log line (at V(1)) carrying the platform's request ID; the logger comes
// from the context, so the line names the resource being reconciled.
type Observer struct{}

var _ cloud.CallObserver = Observer{}

// ObserveCall records c.
func (Observer) ObserveCall(ctx context.Context, c cloud.Call) {
	CloudCalls.WithLabelValues(c.Platform, c.Action, c.Code).Inc()
	CloudCallDuration.WithLabelValues(c.Platform, c.Action).Observe(c.Duration.Seconds())
	if c.Class == cloud.ClassThrottled {
		CloudThrottled.WithLabelValues(c.Platform, c.Action).Inc()
	}
	logf.FromContext(ctx).V(1).Info("Called the platform", "platform", c.Platform, "action", c.Action,
		"code", c.Code, "requestId", c.RequestID, "durationMs", c.Duration.Milliseconds())
}

// States tracks the state of each resource of one kind and keeps the Resources gauge in step.
type States struct {
	kind string
	mu   sync.Mutex
	by   map[string]string
}

// NewStates returns the tracker for kind.
func NewStates(kind string) *States { return &States{kind: kind, by: map[string]string{}} }

// Set records that the resource key (namespace/name) is in state; an empty state forgets it.
func (s *States) Set(key, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.by[key]; ok {
		if old == state {
			return
		}
		Resources.WithLabelValues(s.kind, old).Dec()
		delete(s.by, key)
	}
	if state != "" {
		s.by[key] = state
		Resources.WithLabelValues(s.kind, state).Inc()
	}
}
