package ccc

import (
	"context"
	"net/http"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/pop"
)

// The response shapes below carry exactly the JSON field names of the SDK's services/ccc
// structs (ContactFlow in lists, Data for GetContactFlow, whose NumberList holds PhoneNumber
// objects rather than strings).

type listItem struct {
	ContactFlowID string   `json:"ContactFlowId"`
	InstanceID    string   `json:"InstanceId"`
	Name          string   `json:"Name"`
	Type          string   `json:"Type"`
	Description   string   `json:"Description"`
	Definition    string   `json:"Definition"`
	DraftID       string   `json:"DraftId"`
	Editor        string   `json:"Editor"`
	Published     bool     `json:"Published"`
	NumberList    []string `json:"NumberList"`
	CreatedTime   string   `json:"CreatedTime"`
	UpdatedTime   string   `json:"UpdatedTime"`
}

type listPage struct {
	PageNumber int        `json:"PageNumber"`
	PageSize   int        `json:"PageSize"`
	TotalCount int        `json:"TotalCount"`
	List       []listItem `json:"List"`
}

type phoneNumber struct {
	Number          string `json:"Number"`
	InstanceID      string `json:"InstanceId"`
	ContactFlowID   string `json:"ContactFlowId"`
	ContactFlowName string `json:"ContactFlowName"`
	Active          bool   `json:"Active"`
}

type flowData struct {
	ContactFlowID string        `json:"ContactFlowId"`
	InstanceID    string        `json:"InstanceId"`
	Name          string        `json:"Name"`
	Type          string        `json:"Type"`
	Description   string        `json:"Description"`
	Definition    string        `json:"Definition"`
	DraftID       string        `json:"DraftId"`
	Editor        string        `json:"Editor"`
	Published     bool          `json:"Published"`
	NumberList    []phoneNumber `json:"NumberList"`
	CreatedTime   string        `json:"CreatedTime"`
	UpdatedTime   string        `json:"UpdatedTime"`
}

// Register adds the CCC 2020-07-01 contact flow actions to a POP RPC server.
func (s *Service) Register(srv *pop.Server) {
	for action, h := range map[string]core.Handler{
		"CreateContactFlow":         s.createContactFlow,
		"GetContactFlow":            s.getContactFlow,
		"ListContactFlows":          s.listContactFlows,
		"StartEditContactFlow":      s.startEditContactFlow,
		"CommitContactFlow":         s.commitContactFlow,
		"PublishContactFlow":        s.publishContactFlow,
		"DiscardEditingContactFlow": s.discardEditingContactFlow,
		"DeleteContactFlow":         s.deleteContactFlow,
		"ListSkillGroups":           s.listSkillGroups,
		"ListAudioFiles":            s.listAudioFiles,
		"ListPhoneNumbers":          s.listPhoneNumbers,
		"ModifyPhoneNumber":         s.modifyPhoneNumber,
	} {
		srv.Register(pop.Route{Platform: Platform, Version: Version, Action: action, Handler: h, Envelope: pop.DataEnvelope})
	}
}

func (s *Service) createContactFlow(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "Name", "Type", "Definition"); err != nil {
		return nil, err
	}
	f, err := s.CreateFlow(p.Get("InstanceId"), c.Caller.User, NewFlow{
		Name:        p.Get("Name"),
		Type:        p.Get("Type"),
		Description: p.Get("Description"),
		Definition:  p.Get("Definition"),
	})
	if err != nil {
		return nil, err
	}
	return f.ContactFlowID, nil
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
	d := flowData{
		ContactFlowID: f.ContactFlowID,
		InstanceID:    f.InstanceID,
		Name:          f.Name,
		Type:          f.Type,
		Description:   f.Description,
		Definition:    f.visibleDefinition(),
		Published:     f.Published,
		NumberList:    []phoneNumber{},
		CreatedTime:   f.CreatedTime,
		UpdatedTime:   f.UpdatedTime,
	}
	if f.Draft != nil {
		d.DraftID, d.Editor = f.Draft.DraftID, f.Draft.Editor
	}
	if draftID := p.Get("DraftId"); draftID != "" {
		if f.Draft == nil || f.Draft.DraftID != draftID {
			return nil, core.Errorf(http.StatusNotFound, CodeDraftNotExists,
				"The specified draft %s does not exist.", draftID)
		}
		d.Definition, d.UpdatedTime = f.Draft.Definition, f.Draft.UpdatedTime
	}
	for _, n := range f.NumberList {
		d.NumberList = append(d.NumberList, phoneNumber{
			Number: n, InstanceID: f.InstanceID, ContactFlowID: f.ContactFlowID, ContactFlowName: f.Name, Active: true,
		})
	}
	return d, nil
}

// pageBound validates PageNumber and PageSize: mandatory, integers within 1-100 (seed 001).
func pageBound(p core.Params, name string) (int, error) {
	n, ok, err := p.Int(name)
	if !ok {
		return 0, pop.Missing(name)
	}
	if err != nil || n < 1 || n > 100 {
		return 0, core.Errorf(http.StatusBadRequest, "InvalidParameter."+name,
			"The parameter %s must be an integer from 1 to 100.", name)
	}
	return n, nil
}

func (s *Service) listContactFlows(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId"); err != nil {
		return nil, err
	}
	pageNumber, err := pageBound(p, "PageNumber")
	if err != nil {
		return nil, err
	}
	pageSize, err := pageBound(p, "PageSize")
	if err != nil {
		return nil, err
	}
	flows, total, err := s.List(p.Get("InstanceId"), ListQuery{
		PageNumber:    pageNumber,
		PageSize:      pageSize,
		Type:          p.Get("Type"),
		SearchPattern: p.Get("SearchPattern"),
		OrderByField:  p.Get("OrderByField"),
		SortOrder:     p.Get("SortOrder"),
	})
	if err != nil {
		return nil, err
	}
	page := listPage{PageNumber: pageNumber, PageSize: pageSize, TotalCount: total, List: []listItem{}}
	for _, f := range flows {
		it := listItem{
			ContactFlowID: f.ContactFlowID,
			InstanceID:    f.InstanceID,
			Name:          f.Name,
			Type:          f.Type,
			Description:   f.Description,
			Definition:    f.visibleDefinition(),
			Published:     f.Published,
			NumberList:    f.NumberList,
			CreatedTime:   f.CreatedTime,
			UpdatedTime:   f.UpdatedTime,
		}
		if f.Draft != nil {
			it.DraftID, it.Editor = f.Draft.DraftID, f.Draft.Editor
		}
		page.List = append(page.List, it)
	}
	return page, nil
}

func (s *Service) startEditContactFlow(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ContactFlowId"); err != nil {
		return nil, err
	}
	return s.StartEdit(p.Get("InstanceId"), p.Get("ContactFlowId"), c.Caller.User)
}

func (s *Service) commitContactFlow(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ContactFlowId", "DraftId", "Definition"); err != nil {
		return nil, err
	}
	return nil, s.Commit(p.Get("InstanceId"), p.Get("ContactFlowId"), p.Get("DraftId"), c.Caller.User,
		p.Get("Definition"), p.Get("Description"))
}

func (s *Service) publishContactFlow(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ContactFlowId", "DraftId"); err != nil {
		return nil, err
	}
	return nil, s.Publish(p.Get("InstanceId"), p.Get("ContactFlowId"), p.Get("DraftId"), c.Caller.User)
}

func (s *Service) discardEditingContactFlow(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ContactFlowId", "DraftId"); err != nil {
		return nil, err
	}
	return nil, s.Discard(p.Get("InstanceId"), p.Get("ContactFlowId"), p.Get("DraftId"))
}

func (s *Service) deleteContactFlow(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ContactFlowId"); err != nil {
		return nil, err
	}
	return nil, s.Delete(p.Get("InstanceId"), p.Get("ContactFlowId"))
}
