package core

import (
	"net/http"
	"strings"
)

// Resource is one object of an instance that flows refer to by ID (a skill group, an audio
// prompt), as the Alibaba platforms keep them.
type Resource struct {
	Kind        string `json:"kind"`
	ID          string `json:"id"`
	Name        string `json:"name"`
	CreatedTime string `json:"createdTime"`
}

// NewResource describes a resource to add; ID is optional (the platform makes one up).
type NewResource struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
	ID   string `json:"id,omitempty"`
}

// Directory is an instance's resources in creation order, persisted with the instance.
type Directory []*Resource

// Find returns the resource of kind with id, nil when there is none.
func (d Directory) Find(kind, id string) *Resource {
	for _, r := range d {
		if r.Kind == kind && r.ID == id {
			return r
		}
	}
	return nil
}

// OfKind returns copies of the resources of kind ("" for all), in creation order.
func (d Directory) OfKind(kind string) []Resource {
	out := []Resource{}
	for _, r := range d {
		if kind == "" || r.Kind == kind {
			out = append(out, *r)
		}
	}
	return out
}

// CheckNewResource refuses a resource of a kind not in kinds, or without a name.
func CheckNewResource(in NewResource, kinds ...string) *APIError {
	ok := false
	for _, k := range kinds {
		ok = ok || in.Kind == k
	}
	if !ok {
		return Errorf(http.StatusBadRequest, "InvalidParameter.Kind", "The parameter kind %q must be one of %s.", in.Kind, strings.Join(kinds, ", "))
	}
	if strings.TrimSpace(in.Name) == "" {
		return Errorf(http.StatusBadRequest, "MissingName", "name is mandatory for this operation.")
	}
	return nil
}

// Add adds in (checked with CheckNewResource) and returns it with created true. A resource of
// that kind and name is returned as it is, with created false; an ID taken by another of the
// kind is refused. newID makes up the ID when in has none.
func (d *Directory) Add(in NewResource, instanceID, now string, newID func() string) (Resource, bool, *APIError) {
	for _, r := range *d {
		if r.Kind == in.Kind && r.Name == in.Name {
			return *r, false, nil
		}
	}
	id := in.ID
	if id == "" {
		id = newID()
	}
	if d.Find(in.Kind, id) != nil {
		return Resource{}, false, Errorf(http.StatusBadRequest, "Duplicated.Id",
			"The id %s is already used by another %s of instance %s.", id, in.Kind, instanceID)
	}
	r := &Resource{Kind: in.Kind, ID: id, Name: in.Name, CreatedTime: now}
	*d = append(*d, r)
	return *r, true, nil
}

// ServeAdminCreate answers an admin POST: it decodes the body into a Req, calls create, and
// writes the result with 201 when created, 200 when it existed already, or the error.
func ServeAdminCreate[Req, T any](w http.ResponseWriter, r *http.Request, create func(Req) (T, bool, error)) {
	var req Req
	if err := DecodeAdminJSON(r, &req); err != nil {
		WriteAdminError(w, err)
		return
	}
	out, created, err := create(req)
	if err != nil {
		WriteAdminError(w, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	WriteAdminJSON(w, status, out)
}

// ServeAdminGet answers an admin GET with what get returns, or its error.
func ServeAdminGet[T any](w http.ResponseWriter, get func() (T, error)) {
	out, err := get()
	if err != nil {
		WriteAdminError(w, err)
		return
	}
	WriteAdminJSON(w, http.StatusOK, out)
}

// ResourcesResponse is the body of GET {prefix}/instances/{instanceId}/resources.
type ResourcesResponse struct {
	Resources []Resource `json:"resources"`
}

// ResourceService is a platform emulator that keeps a Directory per instance.
type ResourceService interface {
	Resources(instanceID, kind string) ([]Resource, error)
	AddResource(instanceID string, in NewResource) (Resource, bool, error)
}

// RegisterResourceAdmin adds GET and POST {prefix}/instances/{instanceId}/resources: the
// instance's resources (?kind= filters), and adding one (201 when created, 200 when one of that
// kind and name existed).
func RegisterResourceAdmin(mux *http.ServeMux, prefix string, svc ResourceService) {
	path := prefix + "/instances/{instanceId}/resources"
	mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
		ServeAdminGet(w, func() (ResourcesResponse, error) {
			res, err := svc.Resources(r.PathValue("instanceId"), r.URL.Query().Get("kind"))
			return ResourcesResponse{Resources: res}, err
		})
	})
	mux.HandleFunc("POST "+path, func(w http.ResponseWriter, r *http.Request) {
		ServeAdminCreate(w, r, func(req NewResource) (Resource, bool, error) {
			return svc.AddResource(r.PathValue("instanceId"), req)
		})
	})
}
