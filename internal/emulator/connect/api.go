package connect

import (
	"context"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

// The wire shapes below carry exactly the JSON member names that aws-sdk-go-v2's
// service/connect serializers send and deserializers read (upper camel case, except the
// lower-case "tags" of TagResource and the query parameters).

type contactFlowJSON struct {
	Arn                string            `json:"Arn"`
	Content            string            `json:"Content"`
	Description        string            `json:"Description,omitempty"`
	FlowContentSha256  string            `json:"FlowContentSha256"`
	ID                 string            `json:"Id"`
	LastModifiedRegion string            `json:"LastModifiedRegion,omitempty"`
	LastModifiedTime   float64           `json:"LastModifiedTime,omitempty"`
	Name               string            `json:"Name"`
	State              string            `json:"State"`
	Status             string            `json:"Status"`
	Tags               map[string]string `json:"Tags"`
	Type               string            `json:"Type"`
	Version            int64             `json:"Version,omitempty"`
	VersionDescription string            `json:"VersionDescription,omitempty"`
}

type contactFlowSummaryJSON struct {
	Arn               string `json:"Arn"`
	ContactFlowState  string `json:"ContactFlowState"`
	ContactFlowStatus string `json:"ContactFlowStatus"`
	ContactFlowType   string `json:"ContactFlowType"`
	ID                string `json:"Id"`
	Name              string `json:"Name"`
}

type versionSummaryJSON struct {
	Arn                string `json:"Arn"`
	Version            int64  `json:"Version"`
	VersionDescription string `json:"VersionDescription,omitempty"`
}

// epochSeconds is how REST-JSON carries timestamps: seconds since the epoch, fractional.
func epochSeconds(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixMilli()) / 1000
}

func flowJSON(v View) contactFlowJSON {
	return contactFlowJSON{
		Arn:                v.ViewArn,
		Content:            v.Content,
		Description:        v.Description,
		FlowContentSha256:  v.FlowContentSha256,
		ID:                 v.ContactFlowID,
		LastModifiedRegion: v.LastModifiedRegion,
		LastModifiedTime:   epochSeconds(v.LastModifiedTime),
		Name:               v.Name,
		State:              v.State,
		Status:             v.Status,
		Tags:               v.Tags,
		Type:               v.Type,
		Version:            v.Version,
		VersionDescription: v.VersionDescription,
	}
}

// registerOperations binds each operation to the method and path the SDK sends it on.
func (s *Server) registerOperations() {
	const flow = "/contact-flows/{InstanceId}/{ContactFlowId}"
	s.add("CreateContactFlow", http.MethodPut, "/contact-flows/{InstanceId}", s.createContactFlow)
	s.add("DescribeContactFlow", http.MethodGet, flow, s.describeContactFlow)
	s.add("DeleteContactFlow", http.MethodDelete, flow, s.deleteContactFlow)
	s.add("UpdateContactFlowContent", http.MethodPost, flow+"/content", s.updateContactFlowContent)
	s.add("UpdateContactFlowMetadata", http.MethodPost, flow+"/metadata", s.updateContactFlowMetadata)
	s.add("CreateContactFlowVersion", http.MethodPut, flow+"/version", s.createContactFlowVersion)
	s.add("ListContactFlowVersions", http.MethodGet, flow+"/versions", s.listContactFlowVersions)
	s.add("ListContactFlows", http.MethodGet, "/contact-flows-summary/{InstanceId}", s.listContactFlows)
	s.add("SearchContactFlows", http.MethodPost, "/search-contact-flows", s.searchContactFlows)
	s.add("TagResource", http.MethodPost, "/tags/{resourceArn}", s.tagResource)
	s.add("UntagResource", http.MethodDelete, "/tags/{resourceArn}", s.untagResource)
	s.registerDirectoryOperations()
}

func required(name string, v *string) *core.APIError {
	if v == nil || *v == "" {
		return badParam("%s must not be null or empty.", name)
	}
	return nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Paging tokens are opaque to clients: a kind and the position to continue after, so that a
// token of one list cannot be replayed on another.
func encodeToken(kind string, after int64) *string {
	if after == 0 {
		return nil
	}
	t := base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + strconv.FormatInt(after, 10)))
	return &t
}

func decodeToken(kind, token string) (int64, *core.APIError) {
	if token == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err == nil {
		if k, n, ok := strings.Cut(string(raw), ":"); ok && k == kind {
			if after, err := strconv.ParseInt(n, 10, 64); err == nil && after > 0 {
				return after, nil
			}
		}
	}
	return 0, badParam("The nextToken is not valid.")
}

// maxResults validates a page size: absent means def, else 1 to limit.
func maxResults(v *int, def, limit int) (int, *core.APIError) {
	if v == nil {
		return def, nil
	}
	if *v < 1 || *v > limit {
		return 0, badParam("MaxResults must be between 1 and %d.", limit)
	}
	return *v, nil
}

func queryInt(q map[string][]string, name string) (*int, *core.APIError) {
	vals, ok := q[name]
	if !ok || len(vals) == 0 {
		return nil, nil
	}
	n, err := strconv.Atoi(vals[0])
	if err != nil {
		return nil, badParam("%s must be an integer.", name)
	}
	return &n, nil
}

func (s *Server) createContactFlow(_ context.Context, _ *core.Call, req *request) (any, error) {
	var in struct {
		Content     *string           `json:"Content"`
		Description *string           `json:"Description"`
		Name        *string           `json:"Name"`
		Status      string            `json:"Status"`
		Tags        map[string]string `json:"Tags"`
		Type        *string           `json:"Type"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	for name, v := range map[string]*string{"Content": in.Content, "Name": in.Name, "Type": in.Type} {
		if err := required(name, v); err != nil {
			return nil, err
		}
	}
	f, err := s.svc.CreateFlow(req.path["InstanceId"], req.region, NewFlow{
		Name:        *in.Name,
		Type:        *in.Type,
		Description: deref(in.Description),
		Content:     *in.Content,
		Status:      in.Status,
		Tags:        in.Tags,
	})
	if err != nil {
		return nil, err
	}
	return struct {
		ContactFlowArn    string `json:"ContactFlowArn"`
		ContactFlowID     string `json:"ContactFlowId"`
		FlowContentSha256 string `json:"FlowContentSha256"`
	}{f.Arn, f.ContactFlowID, f.SavedContentSha256}, nil
}

func (s *Server) describeContactFlow(_ context.Context, _ *core.Call, req *request) (any, error) {
	v, err := s.svc.Describe(req.path["InstanceId"], req.path["ContactFlowId"])
	if err != nil {
		return nil, err
	}
	return struct {
		ContactFlow contactFlowJSON `json:"ContactFlow"`
	}{flowJSON(v)}, nil
}

func (s *Server) deleteContactFlow(_ context.Context, _ *core.Call, req *request) (any, error) {
	return nil, s.svc.Delete(req.path["InstanceId"], req.path["ContactFlowId"])
}

func (s *Server) updateContactFlowContent(_ context.Context, _ *core.Call, req *request) (any, error) {
	var in struct {
		Content *string `json:"Content"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	if err := required("Content", in.Content); err != nil {
		return nil, err
	}
	return nil, s.svc.UpdateContent(req.path["InstanceId"], req.path["ContactFlowId"], *in.Content, req.region)
}

func (s *Server) updateContactFlowMetadata(_ context.Context, _ *core.Call, req *request) (any, error) {
	var in struct {
		ContactFlowState string  `json:"ContactFlowState"`
		Description      *string `json:"Description"`
		Name             *string `json:"Name"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	return nil, s.svc.UpdateMetadata(req.path["InstanceId"], req.path["ContactFlowId"], req.region, MetadataUpdate{
		Name: in.Name, Description: in.Description, State: in.ContactFlowState,
	})
}

func (s *Server) createContactFlowVersion(_ context.Context, _ *core.Call, req *request) (any, error) {
	// LastModifiedRegion and LastModifiedTime are accepted and not checked.
	var in struct {
		ContactFlowVersion *int64  `json:"ContactFlowVersion"`
		Description        *string `json:"Description"`
		FlowContentSha256  *string `json:"FlowContentSha256"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	f, v, err := s.svc.CreateVersion(req.path["InstanceId"], req.path["ContactFlowId"], VersionRequest{
		FlowContentSha256:  in.FlowContentSha256,
		ContactFlowVersion: in.ContactFlowVersion,
		Description:        deref(in.Description),
	})
	if err != nil {
		return nil, err
	}
	return struct {
		ContactFlowArn string `json:"ContactFlowArn"`
		Version        int64  `json:"Version"`
	}{f.Arn, v}, nil
}

func (s *Server) listContactFlowVersions(_ context.Context, _ *core.Call, req *request) (any, error) {
	n, aerr := queryInt(req.query, "maxResults")
	if aerr != nil {
		return nil, aerr
	}
	limit, aerr := maxResults(n, 100, 100)
	if aerr != nil {
		return nil, aerr
	}
	after, aerr := decodeToken("versions", req.query.Get("nextToken"))
	if aerr != nil {
		return nil, aerr
	}
	ref, aerr := ParseFlowRef(req.path["ContactFlowId"])
	if aerr != nil {
		return nil, aerr
	}
	versions, next, err := s.svc.Versions(req.path["InstanceId"], ref.ID, after, limit)
	if err != nil {
		return nil, err
	}
	f, err := s.svc.Flow(req.path["InstanceId"], ref.ID)
	if err != nil {
		return nil, err
	}
	out := struct {
		ContactFlowVersionSummaryList []versionSummaryJSON `json:"ContactFlowVersionSummaryList"`
		NextToken                     *string              `json:"NextToken,omitempty"`
	}{ContactFlowVersionSummaryList: []versionSummaryJSON{}, NextToken: encodeToken("versions", next)}
	for _, v := range versions {
		out.ContactFlowVersionSummaryList = append(out.ContactFlowVersionSummaryList, versionSummaryJSON{
			Arn: f.Arn + ":" + strconv.FormatInt(v.Version, 10), Version: v.Version, VersionDescription: v.Description,
		})
	}
	return out, nil
}

func (s *Server) listContactFlows(_ context.Context, _ *core.Call, req *request) (any, error) {
	n, aerr := queryInt(req.query, "maxResults")
	if aerr != nil {
		return nil, aerr
	}
	limit, aerr := maxResults(n, 100, 1000)
	if aerr != nil {
		return nil, aerr
	}
	after, aerr := decodeToken("flows", req.query.Get("nextToken"))
	if aerr != nil {
		return nil, aerr
	}
	flows, next, err := s.svc.List(req.path["InstanceId"], req.query["contactFlowTypes"], after, limit)
	if err != nil {
		return nil, err
	}
	out := struct {
		ContactFlowSummaryList []contactFlowSummaryJSON `json:"ContactFlowSummaryList"`
		NextToken              *string                  `json:"NextToken,omitempty"`
	}{ContactFlowSummaryList: []contactFlowSummaryJSON{}, NextToken: encodeToken("flows", next)}
	for _, f := range flows {
		out.ContactFlowSummaryList = append(out.ContactFlowSummaryList, contactFlowSummaryJSON{
			Arn: f.Arn, ContactFlowState: f.State, ContactFlowStatus: f.Status(), ContactFlowType: f.Type,
			ID: f.ContactFlowID, Name: f.Name,
		})
	}
	return out, nil
}

func (s *Server) searchContactFlows(_ context.Context, _ *core.Call, req *request) (any, error) {
	var in struct {
		InstanceID     *string         `json:"InstanceId"`
		MaxResults     *int            `json:"MaxResults"`
		NextToken      *string         `json:"NextToken"`
		SearchCriteria *searchCriteria `json:"SearchCriteria"`
		SearchFilter   *searchFilter   `json:"SearchFilter"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	if err := required("InstanceId", in.InstanceID); err != nil {
		return nil, err
	}
	limit, aerr := maxResults(in.MaxResults, 100, 100)
	if aerr != nil {
		return nil, aerr
	}
	after, aerr := decodeToken("search", deref(in.NextToken))
	if aerr != nil {
		return nil, aerr
	}
	match, aerr := compileSearch(in.SearchCriteria, in.SearchFilter)
	if aerr != nil {
		return nil, aerr
	}
	flows, next, total, err := s.svc.Search(*in.InstanceID, after, limit, match)
	if err != nil {
		return nil, err
	}
	out := struct {
		ApproximateTotalCount int64             `json:"ApproximateTotalCount"`
		ContactFlows          []contactFlowJSON `json:"ContactFlows"`
		NextToken             *string           `json:"NextToken,omitempty"`
	}{ApproximateTotalCount: int64(total), ContactFlows: []contactFlowJSON{}, NextToken: encodeToken("search", next)}
	for i := range flows {
		f := &flows[i]
		ref := FlowRef{ID: f.ContactFlowID}
		if !f.Published {
			ref.Qualifier = QualifierSaved
		}
		v, aerr := viewOf(f, ref)
		if aerr != nil {
			return nil, aerr
		}
		out.ContactFlows = append(out.ContactFlows, flowJSON(v))
	}
	return out, nil
}

func (s *Server) tagResource(_ context.Context, _ *core.Call, req *request) (any, error) {
	var in struct {
		Tags map[string]string `json:"tags"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	return nil, s.svc.Tag(req.path["resourceArn"], in.Tags)
}

func (s *Server) untagResource(_ context.Context, _ *core.Call, req *request) (any, error) {
	return nil, s.svc.Untag(req.path["resourceArn"], req.query["tagKeys"])
}
