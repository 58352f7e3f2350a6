package connect

import (
	"net/http"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

// AdminPrefix is where this platform's admin API lives.
const AdminPrefix = "/_emulator/" + Platform

// Admin request and response bodies. They are exported so that the admin client and tests
// share one definition with the server.
type (
	// AddInstanceRequest is the body of POST /_emulator/connect/instances.
	AddInstanceRequest struct {
		InstanceID string `json:"instanceId"`
	}
	// AddInstanceResponse reports whether the instance is new.
	AddInstanceResponse struct {
		InstanceID string `json:"instanceId"`
		Created    bool   `json:"created"`
	}
	// InstancesResponse is the body of GET /_emulator/connect/instances.
	InstancesResponse struct {
		Instances []string `json:"instances"`
	}
	// FlowsResponse is the body of GET /_emulator/connect/instances/{instanceId}/flows.
	FlowsResponse struct {
		Flows []Flow `json:"flows"`
	}
	// ContentRequest is the body of PUT .../flows/{flowId}/content: a console edit that saves
	// the content and, with Publish, publishes it (validated as the API validates it).
	ContentRequest struct {
		Content string `json:"content"`
		Publish bool   `json:"publish,omitempty"`
	}
)

// RegisterAdmin adds the console-style operations under AdminPrefix. They are unsigned and not
// counted in the call statistics: they stand for what people do in the console.
//
//	GET    /_emulator/connect/instances                           list instance IDs
//	POST   /_emulator/connect/instances {"instanceId"}            add an instance
//	GET    /_emulator/connect/instances/{id}/flows                every flow's full state
//	POST   /_emulator/connect/instances/{id}/flows NewFlow         create a flow out of band
//	GET    /_emulator/connect/instances/{id}/flows/{flowId}        one flow
//	DELETE /_emulator/connect/instances/{id}/flows/{flowId}        delete it out of band
//	PUT    /_emulator/connect/instances/{id}/flows/{flowId}/content ContentRequest
//
// and the directory's (queues, prompts, functions, phone numbers; see registerDirectoryAdmin).
func (s *Service) RegisterAdmin(mux *http.ServeMux) {
	const flow = AdminPrefix + "/instances/{instanceId}/flows/{flowId}"
	mux.HandleFunc("GET "+AdminPrefix+"/instances", s.adminInstances)
	mux.HandleFunc("POST "+AdminPrefix+"/instances", s.adminAddInstance)
	mux.HandleFunc("GET "+AdminPrefix+"/instances/{instanceId}/flows", s.adminFlows)
	mux.HandleFunc("POST "+AdminPrefix+"/instances/{instanceId}/flows", s.adminCreateFlow)
	mux.HandleFunc("GET "+flow, s.adminFlow)
	mux.HandleFunc("DELETE "+flow, s.adminDeleteFlow)
	mux.HandleFunc("PUT "+flow+"/content", s.adminSetContent)
	s.registerDirectoryAdmin(mux)
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
	var req NewFlow
	if err := core.DecodeAdminJSON(r, &req); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	f, err := s.CreateFlow(r.PathValue("instanceId"), DefaultRegion, req)
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

func (s *Service) adminSetContent(w http.ResponseWriter, r *http.Request) {
	var req ContentRequest
	if err := core.DecodeAdminJSON(r, &req); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	instanceID, flowID := r.PathValue("instanceId"), r.PathValue("flowId")
	ref := flowID
	if !req.Publish {
		ref = flowID + ":" + QualifierSaved
	}
	if err := s.UpdateContent(instanceID, ref, req.Content, DefaultRegion); err != nil {
		core.WriteAdminError(w, err)
		return
	}
	f, err := s.Flow(instanceID, flowID)
	if err != nil {
		core.WriteAdminError(w, err)
		return
	}
	core.WriteAdminJSON(w, http.StatusOK, f)
}
