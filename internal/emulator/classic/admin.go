package classic

import (
	"net/http"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

// AdminPrefix is where this platform's admin API lives.
const AdminPrefix = "/_emulator/" + Platform

// DefaultConsoleUser holds admin-created modifications when the request names no user.
const DefaultConsoleUser = "console"

// Admin request and response bodies. They are exported so that the admin client and tests
// share one definition with the server.
type (
	// AddInstanceRequest is the body of POST /_emulator/cloudcallcenter/instances.
	AddInstanceRequest struct {
		InstanceID string `json:"instanceId"`
	}
	// AddInstanceResponse reports whether the instance is new.
	AddInstanceResponse struct {
		InstanceID string `json:"instanceId"`
		Created    bool   `json:"created"`
	}
	// InstancesResponse is the body of GET /_emulator/cloudcallcenter/instances.
	InstancesResponse struct {
		Instances []string `json:"instances"`
	}
	// FlowsResponse is the body of GET .../instances/{instanceId}/flows.
	FlowsResponse struct {
		Flows []Flow `json:"flows"`
	}
	// CreateFlowRequest is the body of POST .../flows: a flow created behind the operator's
	// back, optionally already published.
	CreateFlowRequest struct {
		NewFlow
		// User holds version 1 of an unpublished flow (and is its LastModifiedBy); default
		// DefaultConsoleUser.
		User string `json:"user,omitempty"`
	}
	// BeginModificationRequest is the body of POST .../flows/{flowId}/modification.
	BeginModificationRequest struct {
		User string `json:"user"`
	}
	// BeginModificationResponse names the version the console user holds open.
	BeginModificationResponse struct {
		ContactFlowVersionID string `json:"contactFlowVersionId"`
	}
	// EditModificationRequest is the body of PUT .../flows/{flowId}/modification.
	EditModificationRequest struct {
		User    string `json:"user"`
		Canvas  string `json:"canvas,omitempty"`
		Content string `json:"content"`
	}
	// CloseModificationRequest is the body of DELETE .../flows/{flowId}/modification.
	CloseModificationRequest struct {
		User string `json:"user"`
	}
	// PublishedRequest is the body of PUT .../flows/{flowId}/published.
	PublishedRequest struct {
		// User is the new version's LastModifiedBy; default DefaultConsoleUser.
		User    string `json:"user,omitempty"`
		Canvas  string `json:"canvas,omitempty"`
		Content string `json:"content"`
	}
	// AddPhoneNumberRequest is the body of POST .../instances/{instanceId}/numbers.
	AddPhoneNumberRequest struct {
		Number string `json:"number"`
	}
	// PhoneNumbersResponse is the body of GET .../instances/{instanceId}/numbers.
	PhoneNumbersResponse struct {
		PhoneNumbers []PhoneNumber `json:"phoneNumbers"`
	}
)

// RegisterAdmin adds the console-style operations under AdminPrefix. They are unsigned and
// not counted in the call statistics: they stand for what people do in the console.
func (s *Service) RegisterAdmin(mux *http.ServeMux) {
	const (
		inst = AdminPrefix + "/instances/{instanceId}"
		flow = inst + "/flows/{flowId}"
	)
	mux.HandleFunc("GET "+AdminPrefix+"/instances", s.adminInstances)
	mux.HandleFunc("POST "+AdminPrefix+"/instances", s.adminAddInstance)
	mux.HandleFunc("GET "+inst+"/flows", s.adminFlows)
	mux.HandleFunc("POST "+inst+"/flows", s.adminCreateFlow)
	mux.HandleFunc("GET "+inst+"/numbers", s.adminNumbers)
	mux.HandleFunc("POST "+inst+"/numbers", s.adminAddNumber)
	mux.HandleFunc("GET "+flow, s.adminFlow)
	mux.HandleFunc("DELETE "+flow, s.adminDeleteFlow)
	mux.HandleFunc("POST "+flow+"/modification", s.adminBegin)
	mux.HandleFunc("PUT "+flow+"/modification", s.adminEdit)
	mux.HandleFunc("DELETE "+flow+"/modification", s.adminClose)
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

func (s *Service) adminBegin(w http.ResponseWriter, r *http.Request) {
	var req BeginModificationRequest
	if err := core.DecodeAdminJSON(r, &req); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	if err := requireUser(req.User); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	_, id, err := s.BeginModification(r.PathValue("instanceId"), r.PathValue("flowId"), req.User)
	if err != nil {
		core.WriteAdminError(w, err)
		return
	}
	core.WriteAdminJSON(w, http.StatusOK, BeginModificationResponse{ContactFlowVersionID: id})
}

func (s *Service) adminEdit(w http.ResponseWriter, r *http.Request) {
	var req EditModificationRequest
	if err := core.DecodeAdminJSON(r, &req); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	if err := requireUser(req.User); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	f, err := s.EditModification(r.PathValue("instanceId"), r.PathValue("flowId"), req.User, req.Canvas, req.Content)
	if err != nil {
		core.WriteAdminError(w, err)
		return
	}
	core.WriteAdminJSON(w, http.StatusOK, f)
}

func (s *Service) adminClose(w http.ResponseWriter, r *http.Request) {
	var req CloseModificationRequest
	if err := core.DecodeAdminJSON(r, &req); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	if err := requireUser(req.User); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	if err := s.CloseModification(r.PathValue("instanceId"), r.PathValue("flowId"), req.User); err != nil {
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
	if req.User == "" {
		req.User = DefaultConsoleUser
	}
	f, err := s.SetPublished(r.PathValue("instanceId"), r.PathValue("flowId"), req.User, req.Canvas, req.Content)
	if err != nil {
		core.WriteAdminError(w, err)
		return
	}
	core.WriteAdminJSON(w, http.StatusOK, f)
}

func (s *Service) adminNumbers(w http.ResponseWriter, r *http.Request) {
	numbers, err := s.PhoneNumbers(r.PathValue("instanceId"))
	if err != nil {
		core.WriteAdminError(w, err)
		return
	}
	core.WriteAdminJSON(w, http.StatusOK, PhoneNumbersResponse{PhoneNumbers: numbers})
}

func (s *Service) adminAddNumber(w http.ResponseWriter, r *http.Request) {
	var req AddPhoneNumberRequest
	if err := core.DecodeAdminJSON(r, &req); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	n, created, err := s.AddPhoneNumber(r.PathValue("instanceId"), req.Number)
	if err != nil {
		core.WriteAdminError(w, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	core.WriteAdminJSON(w, status, n)
}

// ResourcesResponse is the body of GET .../instances/{instanceId}/resources.
type ResourcesResponse = core.ResourcesResponse

// registerDirectoryAdmin adds the skill group and media operations.
func (s *Service) registerDirectoryAdmin(mux *http.ServeMux) {
	core.RegisterResourceAdmin(mux, AdminPrefix, s)
}
