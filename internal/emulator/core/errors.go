package core

import (
	"errors"
	"fmt"
	"net/http"
)

// APIError is a refusal in the platform's own terms: the HTTP status and the error code and
// message the real platform answers with. Protocol packages render it in their wire format, so
// the official SDKs surface Code and Message unchanged. Message must never carry a secret.
type APIError struct {
	HTTPStatus int
	Code       string
	Message    string
}

// Error renders the code and message, as a log line would show them.
func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// Errorf builds an APIError with a formatted message.
func Errorf(status int, code, format string, args ...any) *APIError {
	return &APIError{HTTPStatus: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// AsAPIError turns any handler error into the APIError to answer with. Errors that are not
// APIErrors are emulator bugs or cancelled calls, so they become the platform's generic 500
// without leaking the Go error text to the client.
func AsAPIError(err error) *APIError {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	return &APIError{
		HTTPStatus: http.StatusInternalServerError,
		Code:       "InternalError",
		Message:    "The request processing has failed due to some unknown error, exception or failure.",
	}
}
