package core

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// AdminError is the JSON body of a refused admin request. Code is the platform error code
// when a platform rule refused it (so tests can match the same codes as through the SDK).
type AdminError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// WriteAdminJSON writes v as the JSON body of an admin response.
func WriteAdminJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

// WriteAdminError answers an admin request with err: an *APIError keeps its status and code;
// anything else is a 500.
func WriteAdminError(w http.ResponseWriter, err error) {
	var ae *APIError
	if errors.As(err, &ae) {
		WriteAdminJSON(w, ae.HTTPStatus, AdminError{Code: ae.Code, Message: ae.Message})
		return
	}
	WriteAdminJSON(w, http.StatusInternalServerError, AdminError{Code: "InternalError", Message: err.Error()})
}

// DecodeAdminJSON reads a JSON admin request body into v, refusing unknown fields so that a
// typo in a test fails loudly instead of being ignored.
func DecodeAdminJSON(r *http.Request, v any) *APIError {
	dec := json.NewDecoder(io.LimitReader(r.Body, 8<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return Errorf(http.StatusBadRequest, "InvalidBody", "decoding request body: %v", err)
	}
	return nil
}
