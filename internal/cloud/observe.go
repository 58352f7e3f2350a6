package cloud

import (
	"context"
	"time"
)

// Call describes one API call an adapter made to a platform, for metrics and logs. It never
// carries request parameters, so it cannot carry a credential.
type Call struct {
	Platform string
	Action   string
	// Code is the platform's answer code: "OK" for success, the platform's error code, or the
	// error class when the platform did not answer (a timeout, a refused connection).
	Code      string
	Class     Class
	Duration  time.Duration
	RequestID string
}

// CallObserver is told about every platform call. Implementations must be cheap and safe for
// concurrent use; ctx is the caller's, so a logger in it names the resource being reconciled.
type CallObserver interface {
	ObserveCall(ctx context.Context, c Call)
}

// CallObserverFunc adapts a function to CallObserver.
type CallObserverFunc func(ctx context.Context, c Call)

// ObserveCall calls f.
func (f CallObserverFunc) ObserveCall(ctx context.Context, c Call) { f(ctx, c) }

// CallOutcome fills Code and Class of c from err (nil meaning success) and the platform's
// request ID, the way every adapter reports its calls.
func CallOutcome(c Call, err error, requestID string) Call {
	c.RequestID = requestID
	if err == nil {
		c.Code = "OK"
		return c
	}
	c.Class = ClassOf(err)
	if ce := AsError(err); ce != nil {
		if ce.Code != "" {
			c.Code = ce.Code
		}
		if ce.RequestID != "" {
			c.RequestID = ce.RequestID
		}
	}
	if c.Code == "" {
		c.Code = string(c.Class)
	}
	return c
}
