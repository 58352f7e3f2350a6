package core

import (
	"context"
	"strconv"
	"time"
)

// Caller is the authenticated identity behind a call.
type Caller struct {
	AccessKeyID string
	// User is the console user name the key acts as; platforms record it as a draft's editor or
	// a version's LockedBy.
	User string
}

// Params are a call's decoded request parameters, one value per name.
type Params map[string]string

// Get returns the named parameter, "" when absent.
func (p Params) Get(name string) string { return p[name] }

// Has reports whether the parameter was sent at all; the SDKs omit empty values, so presence is
// what "mandatory" checks test.
func (p Params) Has(name string) bool {
	_, ok := p[name]
	return ok
}

// Int parses the named parameter. ok is false when it is absent; err is set when it is present
// but not an integer.
func (p Params) Int(name string) (n int, ok bool, err error) {
	v, ok := p[name]
	if !ok {
		return 0, false, nil
	}
	n, err = strconv.Atoi(v)
	return n, true, err
}

// Call is one authenticated cloud API call, independent of the wire protocol it arrived with.
type Call struct {
	// Platform is the stats and admin key of the platform ("ccc").
	Platform string
	// Action is the API action name ("CreateContactFlow").
	Action string
	Caller Caller
	Params Params
}

// Handler serves one call. It returns the response data that the protocol wraps in the
// platform's envelope, or an error (an *APIError for a refusal the client should see).
type Handler func(ctx context.Context, call *Call) (any, error)

// Middleware wraps a Handler. Call-level faults plug in here: latency now; per-action token
// buckets answering with the platform's throttling error, a 5xx rate and stalls later. Faults
// that need the connection itself (dropped connections) belong in an http.Handler wrapper
// instead, because a Handler never sees the connection.
type Middleware func(next Handler) Handler

// Chain wraps h so that the first middleware is the outermost.
func Chain(h Handler, mws ...Middleware) Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		if mws[i] != nil {
			h = mws[i](h)
		}
	}
	return h
}

// Latency delays every call by d before serving it, to make reconcile timing and timeouts
// observable offline. A call whose client went away stops waiting.
func Latency(d time.Duration) Middleware {
	return func(next Handler) Handler {
		if d <= 0 {
			return next
		}
		return func(ctx context.Context, call *Call) (any, error) {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-t.C:
			}
			return next(ctx, call)
		}
	}
}
