package ccc

import (
	"net/http"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

// AdminPrefix is where this platform's admin API lives.
const AdminPrefix = "/_emulator/" + Platform

// DefaultConsoleUser edits admin-created drafts when the request names no user.
const DefaultConsoleUser = "console"

// Admin request and response bodies. They are exported so that the admin client and tests
// share one definition with the server.
type (
	// AddInstanceRequest is the body of POST /_emulator/ccc/instances.
	AddInstanceRequest struct {
		InstanceID string `json:"instanceId"`
	}
	// AddInstanceResponse reports whether the instance is new.
	AddInstanceResponse struct {
		InstanceID string `json:"instanceId"`
		Created    bool   `json:"created"`
	}
	// InstancesResponse is the body of GET /_emulator/ccc/instances.
	InstancesResponse struct {
		Instances []string `json:"instances"`
	}
	// FlowsResponse is the body of GET /_emulator/ccc/instances/{instanceId}/flows.
	FlowsResponse struct {
		Flows []Flow `json:"flows"`
	}
	// CreateFlowRequest is the body of POST .../flows: a flow created behind the operator's
	// back, optionally already published and bound to numbers.
	CreateFlowRequest struct {
		NewFlow
		// User holds the initial draft of an unpublished flow; default DefaultConsoleUser.
		User string `json:"user,omitempty"`
	}
	// EditRequest is the body of POST .../flows/{flowId}/edit.
	EditRequest struct {
		User string `json:"user"`
	}
	// EditResponse names the draft the console user holds.
	EditResponse struct {
		DraftID string `json:"draftId"`
	}
	// DraftRequest is the body of PUT .../flows/{flowId}/draft.
	DraftRequest struct {
		User       string `json:"user"`
		Definition string `json:"definition"`
	}
	// DiscardDraftRequest is the body of DELETE .../flows/{flowId}/draft.
	DiscardDraftRequest struct {
		User string `json:"user"`
	}
	// PublishedRequest is the body of PUT .../flows/{flowId}/published.
	PublishedRequest struct {
		Definition string `json:"definition"`
	}
)

// RegisterAdmin adds the console-style operations under AdminPrefix. They are unsigned and
// not counted in the call statistics: they stand for what people do in the console.
func (s *Service) RegisterAdmin(mux *http.ServeMux) {
	const flow = AdminPrefix + "/instances/{instanceId}/flows/{flowId}"
	mux.HandleFunc("GET "+AdminPrefix+"/instances", s.adminInstances)
	mux.HandleFunc("POST "+AdminPrefix+"/instances", s.adminAddInstance)
	mux.HandleFunc("GET "+AdminPrefix+"/instances/{instanceId}/flows", s.adminFlows)
	mux.HandleFunc("POST "+AdminPrefix+"/instances/{instanceId}/flows", s.adminCreateFlow)
	mux.HandleFunc("GET "+flow, s.adminFlow)
	mux.HandleFunc("DELETE "+flow, s.adminDeleteFlow)
	mux.HandleFunc("POST "+flow+"/edit", s.adminEdit)
	mux.HandleFunc("PUT "+flow+"/draft", s.adminEditDraft)
	mux.HandleFunc("DELETE "+flow+"/draft", s.adminDiscardDraft)
	mux.HandleFunc("PUT "+flow+"/published", s.adminSetPublished)
	s.registerDirectoryAdmin(mux)
}

func requireUser(user string) error {
	if user == "" {
		return core.Errorf(http.StatusBadRequest, "MissingUser", "user is mandatory for this operation.")
	}
	return nil
}

func (s *Service) adminInstances(w http.ResponseWriter, _ *http.Request) {
	core.WriteAdminJSON(w, http.StatusOK, InstancesResponse{Instances: s.Instances()})
}

func (s *Service) adminAddInstance(w http.ResponseWriter, r *http.Request) {
	var req AddInstanceRequest
	if err := core.DecodeAdminJSON(r, &req); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	created, err := s.AddInstance(req.InstanceID)
	if err != nil {
		core.WriteAdminError(w, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	core.WriteAdminJSON(w, status, AddInstanceResponse{InstanceID: req.InstanceID, Created: created})
}

func (s *Service) adminFlows(w http.ResponseWriter, r *http.Request) {
	flows, err := s.Flows(r.PathValue("instanceId"))
	if err != nil {
		core.WriteAdminError(w, err)
		return
	}
	core.WriteAdminJSON(w, http.StatusOK, FlowsResponse{Flows: flows})
}

func (s *Service) adminFlow(w http.ResponseWriter, r *http.Request) {
	f, err := s.Flow(r.PathValue("instanceId"), r.PathValue("flowId"))
	if err != nil {
		core.WriteAdminError(w, err)
		return
	}
	core.WriteAdminJSON(w, http.StatusOK, f)
}

func (s *Service) adminCreateFlow(w http.ResponseWriter, r *http.Request) {
	var req CreateFlowRequest
	if err := core.DecodeAdminJSON(r, &req); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	if req.Name == "" {
		core.WriteAdminError(w, core.Errorf(http.StatusBadRequest, "MissingName", "name is mandatory for this operation."))
		return
	}
	if req.User == "" {
		req.User = DefaultConsoleUser
	}
	f, err := s.CreateFlow(r.PathValue("instanceId"), req.User, req.NewFlow)
	if err != nil {
		core.WriteAdminError(w, err)
		return
	}
	core.WriteAdminJSON(w, http.StatusCreated, f)
}

func (s *Service) adminDeleteFlow(w http.ResponseWriter, r *http.Request) {
	if err := s.Delete(r.PathValue("instanceId"), r.PathValue("flowId")); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Service) adminEdit(w http.ResponseWriter, r *http.Request) {
	var req EditRequest
	if err := core.DecodeAdminJSON(r, &req); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	if err := requireUser(req.User); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	id, err := s.StartEdit(r.PathValue("instanceId"), r.PathValue("flowId"), req.User)
	if err != nil {
		core.WriteAdminError(w, err)
		return
	}
	core.WriteAdminJSON(w, http.StatusOK, EditResponse{DraftID: id})
}

func (s *Service) adminEditDraft(w http.ResponseWriter, r *http.Request) {
	var req DraftRequest
	if err := core.DecodeAdminJSON(r, &req); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	if err := requireUser(req.User); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	if err := s.EditDraft(r.PathValue("instanceId"), r.PathValue("flowId"), req.User, req.Definition); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Service) adminDiscardDraft(w http.ResponseWriter, r *http.Request) {
	var req DiscardDraftRequest
	if err := core.DecodeAdminJSON(r, &req); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	if err := requireUser(req.User); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	if err := s.CloseDraft(r.PathValue("instanceId"), r.PathValue("flowId"), req.User); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Service) adminSetPublished(w http.ResponseWriter, r *http.Request) {
	var req PublishedRequest
	if err := core.DecodeAdminJSON(r, &req); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	f, err := s.SetPublished(r.PathValue("instanceId"), r.PathValue("flowId"), req.Definition)
	if err != nil {
		core.WriteAdminError(w, err)
		return
	}
	core.WriteAdminJSON(w, http.StatusOK, f)
}

// Directory admin bodies.
type (
	// AddPhoneNumberRequest is the body of POST .../instances/{instanceId}/numbers.
	AddPhoneNumberRequest struct {
		Number string `json:"number"`
	}
	// PhoneNumbersResponse is the body of GET .../instances/{instanceId}/numbers.
	PhoneNumbersResponse struct {
		PhoneNumbers []NumberView `json:"phoneNumbers"`
	}
)

// registerDirectoryAdmin adds the skill group, audio file and phone number operations.
func (s *Service) registerDirectoryAdmin(mux *http.ServeMux) {
	core.RegisterResourceAdmin(mux, AdminPrefix, s)
	const inst = AdminPrefix + "/instances/{instanceId}"
	mux.HandleFunc("GET "+inst+"/numbers", s.adminNumbers)
	mux.HandleFunc("POST "+inst+"/numbers", s.adminAddNumber)
}

func (s *Service) adminNumbers(w http.ResponseWriter, r *http.Request) {
	core.ServeAdminGet(w, func() (PhoneNumbersResponse, error) {
		numbers, err := s.PhoneNumbers(r.PathValue("instanceId"))
		return PhoneNumbersResponse{PhoneNumbers: numbers}, err
	})
}

func (s *Service) adminAddNumber(w http.ResponseWriter, r *http.Request) {
	core.ServeAdminCreate(w, r, func(req AddPhoneNumberRequest) (NumberView, bool, error) {
		n, created, err := s.AddPhoneNumber(r.PathValue("instanceId"), req.Number)
		return NumberView{PhoneNumber: n}, created, err
	})
}

// ResourcesResponse is the body of GET .../instances/{instanceId}/resources.
type ResourcesResponse = core.ResourcesResponse
