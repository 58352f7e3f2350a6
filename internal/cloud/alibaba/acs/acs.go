// Package acs holds what the Alibaba Cloud adapters share about the POP protocol beyond the
// SDK: reporting each call (request ID, answer code, latency) to the observer and waiting on
// the client-side rate limiter before it.
package acs

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
)

// RequestIDTransport remembers the platform's request ID (the x-acs-request-id header) of the
// last answer it carried. One is made per call.
type RequestIDTransport struct {
	Base http.RoundTripper

	mu sync.Mutex
	id string
}

// RoundTrip sends r and records the answer's request ID.
func (t *RequestIDTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.Base.RoundTrip(r)
	if resp != nil {
		t.mu.Lock()
		t.id = resp.Header.Get("x-acs-request-id")
		t.mu.Unlock()
	}
	return resp, err
}

// RequestID is the request ID of the last answer, "" when there was none.
func (t *RequestIDTransport) RequestID() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.id
}

// Run waits on limiter for action, runs call, and reports it to observer (either may be nil).
// call returns the call's already classified error and the platform's request ID.
func Run(ctx context.Context, platform, action string, limiter *cloud.Limiter, observer cloud.CallObserver,
	call func() (requestID string, err error)) error {
	if err := limiter.Wait(ctx, action); err != nil {
		if observer != nil {
			observer.ObserveCall(ctx, cloud.CallOutcome(cloud.Call{Platform: platform, Action: action}, err, ""))
		}
		return err
	}
	start := time.Now()
	requestID, err := call()
	if observer != nil {
		observer.ObserveCall(ctx, cloud.CallOutcome(cloud.Call{Platform: platform, Action: action, Duration: time.Since(start)}, err, requestID))
	}
	return err
}
