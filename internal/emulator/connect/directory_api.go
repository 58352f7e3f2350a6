package connect

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

// Wire shapes of the directory operations, with the member names of aws-sdk-go-v2's
// service/connect (types.QueueSummary, types.PromptSummary, types.ListPhoneNumbersSummary,
// types.FlowAssociationSummary).

type queueSummaryJSON struct {
	Arn                string  `json:"Arn"`
	ID                 string  `json:"Id"`
	LastModifiedRegion string  `json:"LastModifiedRegion,omitempty"`
	LastModifiedTime   float64 `json:"LastModifiedTime,omitempty"`
	Name               string  `json:"Name"`
	QueueType          string  `json:"QueueType,omitempty"`
}

type phoneNumberSummaryJSON struct {
	InstanceID             string `json:"InstanceId"`
	PhoneNumber            string `json:"PhoneNumber"`
	PhoneNumberArn         string `json:"PhoneNumberArn"`
	PhoneNumberCountryCode string `json:"PhoneNumberCountryCode,omitempty"`
	PhoneNumberDescription string `json:"PhoneNumberDescription,omitempty"`
	PhoneNumberID          string `json:"PhoneNumberId"`
	PhoneNumberType        string `json:"PhoneNumberType"`
	TargetArn              string `json:"TargetArn"`
}

type flowAssociationJSON struct {
	FlowID       string `json:"FlowId"`
	ResourceID   string `json:"ResourceId"`
	ResourceType string `json:"ResourceType"`
}

// Page size limits of the directory operations, as the API reference gives them.
const (
	maxQueuePage       = 1000
	maxPromptPage      = 1000
	maxFunctionPage    = 25
	maxNumberPage      = 1000
	maxAssociationPage = 1000
)

var instanceArnPattern = regexp.MustCompile(`^arn:aws[a-z-]*:connect:[a-z0-9-]+:[0-9]{12}:instance/([^/]+)$`)

// registerDirectoryOperations binds the directory, phone-number and rename operations.
func (s *Server) registerDirectoryOperations() {
	s.add("ListQueues", http.MethodGet, "/queues-summary/{InstanceId}", s.listQueues)
	s.add("ListPrompts", http.MethodGet, "/prompts-summary/{InstanceId}", s.listPrompts)
	s.add("ListLambdaFunctions", http.MethodGet, "/instance/{InstanceId}/lambda-functions", s.listLambdaFunctions)
	s.add("ListPhoneNumbersV2", http.MethodPost, "/phone-number/list", s.listPhoneNumbersV2)
	s.add("ListFlowAssociations", http.MethodGet, "/flow-associations-summary/{InstanceId}", s.listFlowAssociations)
	s.add("AssociatePhoneNumberContactFlow", http.MethodPut, "/phone-number/{PhoneNumberId}/contact-flow", s.associatePhoneNumberContactFlow)
	s.add("DisassociatePhoneNumberContactFlow", http.MethodDelete, "/phone-number/{PhoneNumberId}/contact-flow", s.disassociatePhoneNumberContactFlow)
	s.add("UpdateContactFlowName", http.MethodPost, "/contact-flows/{InstanceId}/{ContactFlowId}/name", s.updateContactFlowName)
}

// pageQuery reads maxResults (default def, at most limit) and nextToken of a GET list.
func pageQuery(req *request, kind string, def, limit int) (int, int64, *core.APIError) {
	n, aerr := queryInt(req.query, "maxResults")
	if aerr != nil {
		return 0, 0, aerr
	}
	size, aerr := maxResults(n, def, limit)
	if aerr != nil {
		return 0, 0, aerr
	}
	after, aerr := decodeToken(kind, req.query.Get("nextToken"))
	if aerr != nil {
		return 0, 0, aerr
	}
	return size, after, nil
}

func resourceSummary(r Resource) queueSummaryJSON {
	return queueSummaryJSON{
		Arn: r.Arn, ID: r.ID, Name: r.Name, QueueType: r.QueueType,
		LastModifiedRegion: r.LastModifiedRegion, LastModifiedTime: epochSeconds(r.LastModifiedTime),
	}
}

func (s *Server) listQueues(_ context.Context, _ *core.Call, req *request) (any, error) {
	size, after, aerr := pageQuery(req, "queues", 100, maxQueuePage)
	if aerr != nil {
		return nil, aerr
	}
	types := req.query["queueTypes"]
	for _, t := range types {
		if !slices.Contains(QueueTypes, t) {
			return nil, badParam("queueTypes value %q must be one of %s.", t, strings.Join(QueueTypes, ", "))
		}
	}
	list, next, err := s.svc.resourcePage(req.path["InstanceId"], KindQueue, after, size, func(r *Resource) bool {
		return len(types) == 0 || slices.Contains(types, r.QueueType)
	})
	if err != nil {
		return nil, err
	}
	out := struct {
		NextToken        *string            `json:"NextToken,omitempty"`
		QueueSummaryList []queueSummaryJSON `json:"QueueSummaryList"`
	}{NextToken: encodeToken("queues", next), QueueSummaryList: []queueSummaryJSON{}}
	for _, r := range list {
		out.QueueSummaryList = append(out.QueueSummaryList, resourceSummary(r))
	}
	return out, nil
}

func (s *Server) listPrompts(_ context.Context, _ *core.Call, req *request) (any, error) {
	size, after, aerr := pageQuery(req, "prompts", 100, maxPromptPage)
	if aerr != nil {
		return nil, aerr
	}
	list, next, err := s.svc.resourcePage(req.path["InstanceId"], KindPrompt, after, size, nil)
	if err != nil {
		return nil, err
	}
	out := struct {
		NextToken         *string            `json:"NextToken,omitempty"`
		PromptSummaryList []queueSummaryJSON `json:"PromptSummaryList"`
	}{NextToken: encodeToken("prompts", next), PromptSummaryList: []queueSummaryJSON{}}
	for _, r := range list {
		out.PromptSummaryList = append(out.PromptSummaryList, resourceSummary(r))
	}
	return out, nil
}

func (s *Server) listLambdaFunctions(_ context.Context, _ *core.Call, req *request) (any, error) {
	size, after, aerr := pageQuery(req, "functions", maxFunctionPage, maxFunctionPage)
	if aerr != nil {
		return nil, aerr
	}
	list, next, err := s.svc.resourcePage(req.path["InstanceId"], KindFunction, after, size, nil)
	if err != nil {
		return nil, err
	}
	out := struct {
		LambdaFunctions []string `json:"LambdaFunctions"`
		NextToken       *string  `json:"NextToken,omitempty"`
	}{LambdaFunctions: []string{}, NextToken: encodeToken("functions", next)}
	for _, r := range list {
		out.LambdaFunctions = append(out.LambdaFunctions, r.Arn)
	}
	return out, nil
}

func (s *Server) listPhoneNumbersV2(_ context.Context, _ *core.Call, req *request) (any, error) {
	var in struct {
		InstanceID              *string  `json:"InstanceId"`
		MaxResults              *int     `json:"MaxResults"`
		NextToken               *string  `json:"NextToken"`
		PhoneNumberCountryCodes []string `json:"PhoneNumberCountryCodes"`
		PhoneNumberPrefix       *string  `json:"PhoneNumberPrefix"`
		PhoneNumberTypes        []string `json:"PhoneNumberTypes"`
		TargetArn               *string  `json:"TargetArn"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	size, aerr := maxResults(in.MaxResults, 100, maxNumberPage)
	if aerr != nil {
		return nil, aerr
	}
	after, aerr := decodeToken("numbers", deref(in.NextToken))
	if aerr != nil {
		return nil, aerr
	}
	f := NumberFilter{InstanceID: deref(in.InstanceID), Prefix: deref(in.PhoneNumberPrefix),
		Countries: in.PhoneNumberCountryCodes, Types: in.PhoneNumberTypes}
	if t := deref(in.TargetArn); t != "" {
		m := instanceArnPattern.FindStringSubmatch(t)
		if m == nil {
			// Traffic distribution groups are not emulated: such a target has no numbers here.
			return nil, notFound("Target %s is not an instance of this account.", t)
		}
		if f.InstanceID != "" && f.InstanceID != m[1] {
			return nil, badParam("InstanceId %s and TargetArn %s name different instances.", f.InstanceID, t)
		}
		f.InstanceID = m[1]
	}
	if f.Prefix != "" && !strings.HasPrefix(f.Prefix, "+") {
		return nil, badParam("PhoneNumberPrefix %q must start with + and the country calling code.", f.Prefix)
	}
	for _, c := range f.Countries {
		if len(c) != 2 || strings.ToUpper(c) != c {
			return nil, badParam("PhoneNumberCountryCodes value %q is not an ISO country code.", c)
		}
	}
	for _, t := range f.Types {
		if !slices.Contains(PhoneNumberTypes, t) {
			return nil, badParam("PhoneNumberTypes value %q must be one of %s.", t, strings.Join(PhoneNumberTypes, ", "))
		}
	}
	list, next, err := s.svc.NumberPage(f, after, size)
	if err != nil {
		return nil, err
	}
	out := struct {
		ListPhoneNumbersSummaryList []phoneNumberSummaryJSON `json:"ListPhoneNumbersSummaryList"`
		NextToken                   *string                  `json:"NextToken,omitempty"`
	}{ListPhoneNumbersSummaryList: []phoneNumberSummaryJSON{}, NextToken: encodeToken("numbers", next)}
	for _, n := range list {
		out.ListPhoneNumbersSummaryList = append(out.ListPhoneNumbersSummaryList, phoneNumberSummaryJSON{
			InstanceID: n.InstanceID, PhoneNumber: n.PhoneNumber, PhoneNumberArn: n.PhoneNumberArn,
			PhoneNumberCountryCode: n.CountryCode, PhoneNumberDescription: n.Description,
			PhoneNumberID: n.PhoneNumberID, PhoneNumberType: n.Type, TargetArn: n.TargetArn,
		})
	}
	return out, nil
}

func (s *Server) listFlowAssociations(_ context.Context, _ *core.Call, req *request) (any, error) {
	size, after, aerr := pageQuery(req, "associations", 100, maxAssociationPage)
	if aerr != nil {
		return nil, aerr
	}
	rt := req.query.Get("ResourceType")
	if rt != "" && !slices.Contains(FlowAssociationResourceTypes, rt) {
		return nil, badParam("ResourceType %q must be one of %s.", rt, strings.Join(FlowAssociationResourceTypes, ", "))
	}
	out := struct {
		FlowAssociationSummaryList []flowAssociationJSON `json:"FlowAssociationSummaryList"`
		NextToken                  *string               `json:"NextToken,omitempty"`
	}{FlowAssociationSummaryList: []flowAssociationJSON{}}
	list, next, err := s.svc.AssociationPage(req.path["InstanceId"], after, size)
	if err != nil {
		return nil, err
	}
	if rt != "" && rt != ResourceTypeVoicePhoneNumber {
		// Only voice numbers have associations in the emulator.
		return out, nil
	}
	out.NextToken = encodeToken("associations", next)
	for _, a := range list {
		out.FlowAssociationSummaryList = append(out.FlowAssociationSummaryList, flowAssociationJSON{
			FlowID: a.FlowID, ResourceID: a.ResourceID, ResourceType: ResourceTypeVoicePhoneNumber,
		})
	}
	return out, nil
}

func (s *Server) associatePhoneNumberContactFlow(_ context.Context, _ *core.Call, req *request) (any, error) {
	var in struct {
		ContactFlowID *string `json:"ContactFlowId"`
		InstanceID    *string `json:"InstanceId"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	for name, v := range map[string]*string{"ContactFlowId": in.ContactFlowID, "InstanceId": in.InstanceID} {
		if err := required(name, v); err != nil {
			return nil, err
		}
	}
	return nil, s.svc.AssociateNumber(*in.InstanceID, req.path["PhoneNumberId"], *in.ContactFlowID)
}

func (s *Server) disassociatePhoneNumberContactFlow(_ context.Context, _ *core.Call, req *request) (any, error) {
	instanceID := req.query.Get("instanceId")
	if err := required("InstanceId", &instanceID); err != nil {
		return nil, err
	}
	return nil, s.svc.DisassociateNumber(instanceID, req.path["PhoneNumberId"])
}

func (s *Server) updateContactFlowName(_ context.Context, _ *core.Call, req *request) (any, error) {
	var in struct {
		Description *string `json:"Description"`
		Name        *string `json:"Name"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	if in.Name == nil && in.Description == nil {
		return nil, badParam("Name or Description must be given.")
	}
	return nil, s.svc.UpdateMetadata(req.path["InstanceId"], req.path["ContactFlowId"], req.region, MetadataUpdate{
		Name: in.Name, Description: in.Description,
	})
}
