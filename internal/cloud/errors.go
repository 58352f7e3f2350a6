package cloud

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Class is the one classification of a cloud error that the controllers act on. Adapters map
// every SDK error onto exactly one class; controllers never look at platform codes.
type Class string

const (
	// ClassNotFound: the remote object (or its instance) does not exist.
	ClassNotFound Class = "NotFound"
	// ClassLocked: a draft, edit or version lock is held by someone else.
	ClassLocked Class = "Locked"
	// ClassThrottled: the platform refused the call for rate; retry after backing off.
	ClassThrottled Class = "Throttled"
	// ClassInvalid: the platform refused the request content; retrying the same spec is useless.
	ClassInvalid Class = "Invalid"
	// ClassAlreadyExists: a create collided with an existing object (usually by name).
	ClassAlreadyExists Class = "AlreadyExists"
	// ClassQuotaExceeded: an account limit was reached; retrying without a change is useless.
	ClassQuotaExceeded Class = "QuotaExceeded"
	// ClassUnauthorized: the credentials were refused (unknown key, bad signature, no permission).
	ClassUnauthorized Class = "Unauthorized"
	// ClassTransient: anything else that may succeed on retry (5xx, timeouts, connection errors).
	ClassTransient Class = "Transient"
)

// CodeConcurrentEdit is the Code of an error that means the remote flow changed between the
// caller's read and its write, so the write was refused (or would have applied to content the
// caller never diffed): an Amazon Connect CreateContactFlowVersion whose FlowContentSha256 is no
// longer the published content's, a CCC draft opened after someone else published. It is
// ClassTransient: observe again, diff again, then write. The platform's own code, when there is
// one, stays in Message.
const CodeConcurrentEdit = "ConcurrentEdit"

// Error is a classified cloud error. Code and Message are the platform's own; RequestID is the
// platform's request ID when the platform answered. Message never carries credentials: adapters
// build it from the platform's response, never from the request.
type Error struct {
	Class     Class
	Platform  string
	Action    string
	Code      string
	Message   string
	RequestID string
	// LockedBy and LockedSince describe the holder of a lock for ClassLocked.
	LockedBy    string
	LockedSince string
	// Problems lists the platform's validation problems for ClassInvalid, when it gives them.
	Problems []string
	// RetryAfter is a hint from the platform (or the client-side limiter) for ClassThrottled.
	RetryAfter time.Duration
	// Err is the underlying error, kept for errors.Is/As; it is not printed by Error().
	Err error
}

// Error renders the error for logs, events and conditions: action, class, platform code and
// message, and the request ID. It is deterministic for the same platform answer.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Action != "" {
		b.WriteString(e.Action)
		b.WriteString(": ")
	}
	b.WriteString(string(e.Class))
	if e.Code != "" {
		fmt.Fprintf(&b, " (%s)", e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if len(e.Problems) > 0 {
		b.WriteString(": ")
		b.WriteString(strings.Join(e.Problems, "; "))
	}
	if e.LockedBy != "" {
		fmt.Fprintf(&b, " (held by %s", e.LockedBy)
		if e.LockedSince != "" {
			fmt.Fprintf(&b, " since %s", e.LockedSince)
		}
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// ClassOf returns the class of err: the Class of the first *Error in its chain, ClassTransient
// for any other non-nil error, and "" for nil.
func ClassOf(err error) Class {
	if err == nil {
		return ""
	}
	var ce *Error
	if errors.As(err, &ce) {
		return ce.Class
	}
	return ClassTransient
}

// IsNotFound reports whether err is classified ClassNotFound.
func IsNotFound(err error) bool { return ClassOf(err) == ClassNotFound }

// IsLocked reports whether err is classified ClassLocked.
func IsLocked(err error) bool { return ClassOf(err) == ClassLocked }

// AsError returns the first *Error in err's chain, or nil.
func AsError(err error) *Error {
	var ce *Error
	if errors.As(err, &ce) {
		return ce
	}
	return nil
}

// Terminal reports whether retrying the same request without a change in the spec or on the
// platform cannot succeed.
func (c Class) Terminal() bool {
	switch c {
	case ClassInvalid, ClassAlreadyExists, ClassQuotaExceeded, ClassUnauthorized:
		return true
	}
	return false
}
