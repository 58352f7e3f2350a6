package outboundbot

import (
	"context"
	"net/http"
	"net/url"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

// AdminPrefix is where this platform's admin API lives.
const AdminPrefix = "/_emulator/" + Platform

// Admin request and response bodies. They are exported so that the admin client and tests
// share one definition with the server.
type (
	// InstancesResponse is the body of GET /_emulator/outboundbot/instances: every instance's
	// full state, secrets redacted.
	InstancesResponse struct {
		Instances []Instance `json:"instances"`
	}
	// ScriptsResponse is the body of GET .../instances/{instanceId}/scripts.
	ScriptsResponse struct {
		Scripts []Script `json:"scripts"`
	}
	// RejectRequest is the body of POST .../scripts/{scriptId}/review/reject.
	RejectRequest struct {
		Reason string `json:"reason"`
	}
	// SettingsRequest is the body of PUT /_emulator/outboundbot/settings; absent fields are
	// left as they are.
	SettingsRequest struct {
		ConcurrencyLimit *int  `json:"concurrencyLimit,omitempty"`
		AutoApprove      *bool `json:"autoApprove,omitempty"`
	}
)

// RegisterAdmin adds the reviewer- and operator-of-the-platform operations under AdminPrefix.
// They are unsigned and not counted in the call statistics.
func (s *Service) RegisterAdmin(mux *http.ServeMux) {
	const script = AdminPrefix + "/instances/{instanceId}/scripts/{scriptId}"
	mux.HandleFunc("GET "+AdminPrefix+"/instances", s.adminInstances)
	mux.HandleFunc("GET "+AdminPrefix+"/instances/{instanceId}/scripts", s.adminScripts)
	mux.HandleFunc("GET "+script, s.adminScript)
	mux.HandleFunc("POST "+script+"/review/approve", s.adminApprove)
	mux.HandleFunc("POST "+script+"/review/reject", s.adminReject)
	mux.HandleFunc("GET "+AdminPrefix+"/settings", s.adminSettings)
	mux.HandleFunc("PUT "+AdminPrefix+"/settings", s.adminSetSettings)
	mux.HandleFunc("POST "+AdminPrefix+"/faults", s.adminFault)
}

func (s *Service) adminInstances(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	out := InstancesResponse{Instances: make([]Instance, 0, len(s.instances))}
	for _, rec := range s.instances {
		out.Instances = append(out.Instances, rec.adminView())
	}
	s.mu.Unlock()
	core.WriteAdminJSON(w, http.StatusOK, out)
}

func (s *Service) adminScripts(w http.ResponseWriter, r *http.Request) {
	scripts, err := s.Scripts(r.PathValue("instanceId"))
	if err != nil {
		core.WriteAdminError(w, err)
		return
	}
	core.WriteAdminJSON(w, http.StatusOK, ScriptsResponse{Scripts: scripts})
}

func (s *Service) adminScript(w http.ResponseWriter, r *http.Request) {
	sc, err := s.Script(r.PathValue("instanceId"), r.PathValue("scriptId"))
	if err != nil {
		core.WriteAdminError(w, err)
		return
	}
	core.WriteAdminJSON(w, http.StatusOK, sc)
}

func (s *Service) adminApprove(w http.ResponseWriter, r *http.Request) {
	sc, err := s.ApproveReview(r.PathValue("instanceId"), r.PathValue("scriptId"))
	if err != nil {
		core.WriteAdminError(w, err)
		return
	}
	core.WriteAdminJSON(w, http.StatusOK, sc)
}

func (s *Service) adminReject(w http.ResponseWriter, r *http.Request) {
	var req RejectRequest
	if err := core.DecodeAdminJSON(r, &req); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	sc, err := s.RejectReview(r.PathValue("instanceId"), r.PathValue("scriptId"), req.Reason)
	if err != nil {
		core.WriteAdminError(w, err)
		return
	}
	core.WriteAdminJSON(w, http.StatusOK, sc)
}

func (s *Service) adminSettings(w http.ResponseWriter, _ *http.Request) {
	core.WriteAdminJSON(w, http.StatusOK, s.Settings())
}

func (s *Service) adminSetSettings(w http.ResponseWriter, r *http.Request) {
	var req SettingsRequest
	if err := core.DecodeAdminJSON(r, &req); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	if req.ConcurrencyLimit != nil {
		if err := s.SetConcurrencyLimit(*req.ConcurrencyLimit); err != nil {
			core.WriteAdminError(w, err)
			return
		}
	}
	if req.AutoApprove != nil {
		s.SetAutoApprove(*req.AutoApprove)
	}
	core.WriteAdminJSON(w, http.StatusOK, s.Settings())
}

func (s *Service) adminFault(w http.ResponseWriter, r *http.Request) {
	var f Fault
	if err := core.DecodeAdminJSON(r, &f); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	if err := s.InjectFault(f); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// DoFunc sends an admin request: body (nil for none) as JSON, a 2xx answer decoded into out
// (nil to ignore), anything else returned as an error. emulator.AdminClient provides it, so
// that every platform's admin client shares its HTTP handling and error type.
type DoFunc func(ctx context.Context, method, path string, body, out any) error

// AdminClient performs the platform-side operations on the emulated OutboundBot: what the
// platform's reviewers and operators do while the operator works.
type AdminClient struct {
	do DoFunc
}

// NewAdminClient returns a client that sends its requests with do.
func NewAdminClient(do DoFunc) *AdminClient { return &AdminClient{do: do} }

func scriptPath(instanceID, scriptID string) string {
	return AdminPrefix + "/instances/" + url.PathEscape(instanceID) + "/scripts/" + url.PathEscape(scriptID)
}

// Instances returns the full state of every instance, in creation order; NLU secret keys are
// shown as "[redacted]".
func (c *AdminClient) Instances(ctx context.Context) ([]Instance, error) {
	var out InstancesResponse
	err := c.do(ctx, http.MethodGet, AdminPrefix+"/instances", nil, &out)
	return out.Instances, err
}

// Scripts returns the full state of every script of an instance (content, versions, history),
// in creation order.
func (c *AdminClient) Scripts(ctx context.Context, instanceID string) ([]Script, error) {
	var out ScriptsResponse
	err := c.do(ctx, http.MethodGet, AdminPrefix+"/instances/"+url.PathEscape(instanceID)+"/scripts", nil, &out)
	return out.Scripts, err
}

// Script returns the full state of one script.
func (c *AdminClient) Script(ctx context.Context, instanceID, scriptID string) (*Script, error) {
	var out Script
	if err := c.do(ctx, http.MethodGet, scriptPath(instanceID, scriptID), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ApproveReview approves the script's pending review, as a reviewer would, and returns the
// script; it may then be published. A script not in review is refused with CodeScriptStatus.
func (c *AdminClient) ApproveReview(ctx context.Context, instanceID, scriptID string) (*Script, error) {
	var out Script
	if err := c.do(ctx, http.MethodPost, scriptPath(instanceID, scriptID)+"/review/approve", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RejectReview rejects the script's pending review with reason (mandatory), which the script
// then reports as RejectReason, and returns the script.
func (c *AdminClient) RejectReview(ctx context.Context, instanceID, scriptID, reason string) (*Script, error) {
	var out Script
	if err := c.do(ctx, http.MethodPost, scriptPath(instanceID, scriptID)+"/review/reject", RejectRequest{Reason: reason}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Settings returns the concurrency limit and the auto-approval switch.
func (c *AdminClient) Settings(ctx context.Context) (Settings, error) {
	var out Settings
	err := c.do(ctx, http.MethodGet, AdminPrefix+"/settings", nil, &out)
	return out, err
}

// SetConcurrencyLimit changes the account-wide limit on the sum of MaxConcurrentConversation
// (a positive integer); it applies to later creates and increases.
func (c *AdminClient) SetConcurrencyLimit(ctx context.Context, limit int) error {
	return c.do(ctx, http.MethodPut, AdminPrefix+"/settings", SettingsRequest{ConcurrencyLimit: &limit}, nil)
}

// SetAutoApprove makes every later review submission approved at once (on) or left for a
// reviewer (off).
func (c *AdminClient) SetAutoApprove(ctx context.Context, on bool) error {
	return c.do(ctx, http.MethodPut, AdminPrefix+"/settings", SettingsRequest{AutoApprove: &on}, nil)
}

// InjectFault makes the next f.Count calls of f.Action fail with f's error (InternalError,
// HTTP 500 by default); Count 0 disarms it.
func (c *AdminClient) InjectFault(ctx context.Context, f Fault) error {
	return c.do(ctx, http.MethodPost, AdminPrefix+"/faults", f, nil)
}
