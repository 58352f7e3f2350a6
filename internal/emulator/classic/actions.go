package classic

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/pop"
)

// The response shapes below carry exactly the JSON field names of the SDK's
// services/cloudcallcenter structs (ContactFlow, ContactFlowVersion, PhoneNumber), including the
// platform's way of wrapping lists in an object named after the element
// ({"Versions":{"ContactFlowVersion":[...]}}).

type versionJSON struct {
	ContactFlowVersionID          string `json:"ContactFlowVersionId"`
	Version                       string `json:"Version"`
	ContactFlowVersionDescription string `json:"ContactFlowVersionDescription"`
	Canvas                        string `json:"Canvas"`
	Content                       string `json:"Content"`
	Status                        string `json:"Status"`
	LockedBy                      string `json:"LockedBy"`
	LastModified                  string `json:"LastModified"`
	LastModifiedBy                string `json:"LastModifiedBy"`
}

type versionsJSON struct {
	ContactFlowVersion []versionJSON `json:"ContactFlowVersion"`
}

// flowRefJSON is the short flow a PhoneNumber names.
type flowRefJSON struct {
	ContactFlowID   string `json:"ContactFlowId"`
	ContactFlowName string `json:"ContactFlowName"`
	Type            string `json:"Type"`
	InstanceID      string `json:"InstanceId"`
}

type phoneNumberJSON struct {
	PhoneNumberID          string       `json:"PhoneNumberId"`
	InstanceID             string       `json:"InstanceId"`
	Number                 string       `json:"Number"`
	PhoneNumberDescription string       `json:"PhoneNumberDescription"`
	TestOnly               bool         `json:"TestOnly"`
	AllowOutbound          bool         `json:"AllowOutbound"`
	Usage                  string       `json:"Usage"`
	Trunks                 int          `json:"Trunks"`
	CreateTime             int64        `json:"CreateTime"`
	ContactFlowID          string       `json:"ContactFlowId"`
	ContactFlow            *flowRefJSON `json:"ContactFlow,omitempty"`
}

type phoneNumbersJSON struct {
	PhoneNumber []phoneNumberJSON `json:"PhoneNumber"`
}

type flowJSON struct {
	ContactFlowID          string           `json:"ContactFlowId"`
	InstanceID             string           `json:"InstanceId"`
	ContactFlowName        string           `json:"ContactFlowName"`
	ContactFlowDescription string           `json:"ContactFlowDescription"`
	Type                   string           `json:"Type"`
	AppliedVersion         string           `json:"AppliedVersion"`
	Versions               versionsJSON     `json:"Versions"`
	PhoneNumbers           phoneNumbersJSON `json:"PhoneNumbers"`
}

type flowsJSON struct {
	ContactFlow []flowJSON `json:"ContactFlow"`
}

// Envelope is the classic CloudCallCenter success body: the action's fields at the top level,
// next to RequestId, Success true, Code "OK", HttpStatusCode 200 and an empty Message. data must
// encode as a JSON object (or be nil).
func Envelope(requestID string, data any) any {
	body := map[string]any{}
	if data != nil {
		if raw, err := json.Marshal(data); err == nil {
			var fields map[string]json.RawMessage
			if json.Unmarshal(raw, &fields) == nil {
				for k, v := range fields {
					body[k] = v
				}
			}
		}
	}
	body["RequestId"] = requestID
	body["Success"] = true
	body["Code"] = "OK"
	body["HttpStatusCode"] = http.StatusOK
	body["Message"] = ""
	return body
}

// Actions lists the 2017-07-05 actions the emulator serves, for documentation and tests.
var Actions = []string{
	"CreateContactFlow",
	"GetContactFlow",
	"ListContactFlows",
	"BeginContactFlowVersionModification",
	"CommitContactFlowVersionModification",
	"ModifyContactFlowVersion",
	"GetContactFlowVersion",
	"PublishContactFlowVersion",
	"CancelContactFlowVersionModification",
	"FallbackContactFlowVersion",
	"DeleteContactFlow",
	"ListPhoneNumbers",
	"AssignContactFlowToPhoneNumber",
	"RemoveContactFlowFromPhoneNumber",
	"ModifyContactFlow",
	"ListSkillGroups",
	"ListMedias",
}

// Register adds the classic CloudCallCenter 2017-07-05 contact flow actions to a POP RPC server.
func (s *Service) Register(srv *pop.Server) {
	handlers := map[string]core.Handler{
		"CreateContactFlow":                    s.createContactFlow,
		"GetContactFlow":                       s.getContactFlow,
		"ListContactFlows":                     s.listContactFlows,
		"BeginContactFlowVersionModification":  s.beginModification,
		"CommitContactFlowVersionModification": s.commitModification,
		"ModifyContactFlowVersion":             s.modifyVersion,
		"GetContactFlowVersion":                s.getContactFlowVersion,
		"PublishContactFlowVersion":            s.publishVersion,
		"CancelContactFlowVersionModification": s.cancelModification,
		"FallbackContactFlowVersion":           s.fallbackVersion,
		"DeleteContactFlow":                    s.deleteContactFlow,
		"ListPhoneNumbers":                     s.listPhoneNumbers,
		"AssignContactFlowToPhoneNumber":       s.assignPhoneNumber,
		"RemoveContactFlowFromPhoneNumber":     s.removePhoneNumber,
		"ModifyContactFlow":                    s.modifyContactFlow,
		"ListSkillGroups":                      s.listSkillGroups,
		"ListMedias":                           s.listMedias,
	}
	for _, action := range Actions {
		srv.Register(pop.Route{Platform: Platform, Version: Version, Action: action, Handler: handlers[action], Envelope: Envelope})
	}
}

func toVersionJSON(v ContactFlowVersion) versionJSON {
	return versionJSON{
		ContactFlowVersionID:          v.ContactFlowVersionID,
		Version:                       v.Version,
		ContactFlowVersionDescription: v.Description,
		Canvas:                        v.Canvas,
		Content:                       v.Content,
		Status:                        v.Status,
		LockedBy:                      v.LockedBy,
		LastModified:                  v.LastModified,
		LastModifiedBy:                v.LastModifiedBy,
	}
}

func toPhoneNumberJSON(instanceID string, n PhoneNumber, f *Flow) phoneNumberJSON {
	pj := phoneNumberJSON{
		PhoneNumberID: n.PhoneNumberID,
		InstanceID:    instanceID,
		Number:        n.Number,
		AllowOutbound: true,
		Usage:         "Bidirection",
		Trunks:        10,
		CreateTime:    n.CreateTime,
		ContactFlowID: n.ContactFlowID,
	}
	if f != nil {
		pj.ContactFlow = &flowRefJSON{ContactFlowID: f.ContactFlowID, ContactFlowName: f.Name, Type: f.Type, InstanceID: instanceID}
	}
	return pj
}

// toFlowJSON renders f with the given versions (all of them for flow reads, one for
// GetContactFlowVersion) and the numbers assigned to it.
func toFlowJSON(f Flow, versions []ContactFlowVersion, numbers []PhoneNumber) flowJSON {
	fj := flowJSON{
		ContactFlowID:          f.ContactFlowID,
		InstanceID:             f.InstanceID,
		ContactFlowName:        f.Name,
		ContactFlowDescription: f.Description,
		Type:                   f.Type,
		AppliedVersion:         f.AppliedVersion,
		Versions:               versionsJSON{ContactFlowVersion: []versionJSON{}},
		PhoneNumbers:           phoneNumbersJSON{PhoneNumber: []phoneNumberJSON{}},
	}
	for _, v := range versions {
		fj.Versions.ContactFlowVersion = append(fj.Versions.ContactFlowVersion, toVersionJSON(v))
	}
	for _, n := range numbers {
		if n.ContactFlowID == f.ContactFlowID {
			fj.PhoneNumbers.PhoneNumber = append(fj.PhoneNumbers.PhoneNumber, toPhoneNumberJSON(f.InstanceID, n, nil))
		}
	}
	return fj
}

// flowResponse answers {"ContactFlow": ...} for f with all its versions.
func (s *Service) flowResponse(f Flow) (any, error) {
	numbers, err := s.PhoneNumbers(f.InstanceID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"ContactFlow": toFlowJSON(f, f.Versions, numbers)}, nil
}

func (s *Service) createContactFlow(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "Name", "Type", "Content"); err != nil {
		return nil, err
	}
	f, err := s.CreateFlow(p.Get("InstanceId"), c.Caller.User, NewFlow{
		Name:        p.Get("Name"),
		Type:        p.Get("Type"),
		Description: p.Get("Description"),
		Canvas:      p.Get("Canvas"),
		Content:     p.Get("Content"),
	})
	if err != nil {
		return nil, err
	}
	return s.flowResponse(f)
}

func (s *Service) getContactFlow(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ContactFlowId"); err != nil {
		return nil, err
	}
	f, err := s.Flow(p.Get("InstanceId"), p.Get("ContactFlowId"))
	if err != nil {
		return nil, err
	}
	return s.flowResponse(f)
}

// listContactFlows answers every flow of the instance: the 2017-07-05 action has no paging.
func (s *Service) listContactFlows(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId"); err != nil {
		return nil, err
	}
	flows, err := s.Flows(p.Get("InstanceId"))
	if err != nil {
		return nil, err
	}
	numbers, err := s.PhoneNumbers(p.Get("InstanceId"))
	if err != nil {
		return nil, err
	}
	out := flowsJSON{ContactFlow: []flowJSON{}}
	for _, f := range flows {
		out.ContactFlow = append(out.ContactFlow, toFlowJSON(f, f.Versions, numbers))
	}
	return map[string]any{"ContactFlows": out}, nil
}

func (s *Service) beginModification(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ContactFlowId"); err != nil {
		return nil, err
	}
	f, _, err := s.BeginModification(p.Get("InstanceId"), p.Get("ContactFlowId"), c.Caller.User)
	if err != nil {
		return nil, err
	}
	return s.flowResponse(f)
}

func (s *Service) commitModification(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ContactFlowVersionId", "Canvas", "Content"); err != nil {
		return nil, err
	}
	v, err := s.Commit(p.Get("InstanceId"), p.Get("ContactFlowVersionId"), c.Caller.User, p.Get("Canvas"), p.Get("Content"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"ContactFlowVersion": toVersionJSON(v)}, nil
}

func (s *Service) modifyVersion(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ContactFlowVersionId"); err != nil {
		return nil, err
	}
	var canvas, content *string
	if v := p.Get("Canvas"); v != "" {
		canvas = &v
	}
	if v := p.Get("Content"); v != "" {
		content = &v
	}
	if canvas == nil && content == nil {
		return nil, pop.Missing("Content")
	}
	f, err := s.Modify(p.Get("InstanceId"), p.Get("ContactFlowVersionId"), c.Caller.User, canvas, content)
	if err != nil {
		return nil, err
	}
	return s.flowResponse(f)
}

// getContactFlowVersion answers the version's flow with only that version under Versions.
func (s *Service) getContactFlowVersion(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ContactFlowVersionId"); err != nil {
		return nil, err
	}
	f, err := s.FlowOfVersion(p.Get("InstanceId"), p.Get("ContactFlowVersionId"))
	if err != nil {
		return nil, err
	}
	numbers, err := s.PhoneNumbers(f.InstanceID)
	if err != nil {
		return nil, err
	}
	v := f.Version(p.Get("ContactFlowVersionId"))
	return map[string]any{"ContactFlow": toFlowJSON(f, []ContactFlowVersion{*v}, numbers)}, nil
}

func (s *Service) publishVersion(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ContactFlowVersionId"); err != nil {
		return nil, err
	}
	return nil, s.Publish(p.Get("InstanceId"), p.Get("ContactFlowVersionId"), c.Caller.User)
}

func (s *Service) cancelModification(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ContactFlowVersionId"); err != nil {
		return nil, err
	}
	return nil, s.Cancel(p.Get("InstanceId"), p.Get("ContactFlowVersionId"))
}

func (s *Service) fallbackVersion(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ContactFlowVersionId"); err != nil {
		return nil, err
	}
	return nil, s.Fallback(p.Get("InstanceId"), p.Get("ContactFlowVersionId"))
}

func (s *Service) deleteContactFlow(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ContactFlowId"); err != nil {
		return nil, err
	}
	return nil, s.Delete(p.Get("InstanceId"), p.Get("ContactFlowId"))
}

func (s *Service) listPhoneNumbers(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId"); err != nil {
		return nil, err
	}
	instanceID := p.Get("InstanceId")
	numbers, err := s.PhoneNumbers(instanceID)
	if err != nil {
		return nil, err
	}
	flows, err := s.Flows(instanceID)
	if err != nil {
		return nil, err
	}
	byID := map[string]*Flow{}
	for i := range flows {
		byID[flows[i].ContactFlowID] = &flows[i]
	}
	out := phoneNumbersJSON{PhoneNumber: []phoneNumberJSON{}}
	for _, n := range numbers {
		out.PhoneNumber = append(out.PhoneNumber, toPhoneNumberJSON(instanceID, n, byID[n.ContactFlowID]))
	}
	return map[string]any{"PhoneNumbers": out}, nil
}

func (s *Service) assignPhoneNumber(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ContactFlowId", "PhoneNumberId"); err != nil {
		return nil, err
	}
	return nil, s.AssignPhoneNumber(p.Get("InstanceId"), p.Get("ContactFlowId"), p.Get("PhoneNumberId"))
}

func (s *Service) removePhoneNumber(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ContactFlowId", "PhoneNumberId"); err != nil {
		return nil, err
	}
	return nil, s.RemovePhoneNumber(p.Get("InstanceId"), p.Get("ContactFlowId"), p.Get("PhoneNumberId"))
}
