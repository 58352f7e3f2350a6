package classic

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/pop"
)

// Response shapes of the directory actions, with the JSON field names of the SDK's
// services/cloudcallcenter structs. ListSkillGroups answers a plain array under SkillGroups,
// because that is what the SDK's ListSkillGroupsResponse decodes; ListMedias wraps its list as
// {"List":{"Media":[...]}}.

type skillGroupJSON struct {
	SkillGroupID               string `json:"SkillGroupId"`
	InstanceID                 string `json:"InstanceId"`
	SkillGroupName             string `json:"SkillGroupName"`
	SkillGroupDescription      string `json:"SkillGroupDescription"`
	RoutingStrategy            string `json:"RoutingStrategy"`
	AllowPrivateOutboundNumber bool   `json:"AllowPrivateOutboundNumber"`
	UserCount                  int    `json:"UserCount"`
	OutboundPhoneNumbers       []any  `json:"OutboundPhoneNumbers"`
	OutboundNumberGroups       []any  `json:"OutboundNumberGroups"`
}

type mediaJSON struct {
	ID          int64  `json:"Id"`
	Instance    string `json:"Instance"`
	Name        string `json:"Name"`
	Description string `json:"Description"`
	Type        string `json:"Type"`
	Status      string `json:"Status"`
	Scope       string `json:"Scope"`
	FileName    string `json:"FileName"`
	OssFileName string `json:"OssFileName"`
	FilePath    string `json:"FilePath"`
	Content     string `json:"Content"`
}

type mediasJSON struct {
	TotalCount int `json:"TotalCount"`
	PageNumber int `json:"PageNumber"`
	PageSize   int `json:"PageSize"`
	List       struct {
		Media []mediaJSON `json:"Media"`
	} `json:"List"`
}

// defaultMediaPageSize is the ListMedias page size when the request names none.
const defaultMediaPageSize = 10

func (s *Service) listSkillGroups(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId"); err != nil {
		return nil, err
	}
	instanceID := p.Get("InstanceId")
	groups, err := s.Resources(instanceID, KindSkillGroup)
	if err != nil {
		return nil, err
	}
	out := []skillGroupJSON{}
	for _, g := range groups {
		out = append(out, skillGroupJSON{
			SkillGroupID: g.ID, InstanceID: instanceID, SkillGroupName: g.Name, RoutingStrategy: "Longest_Idle",
			OutboundPhoneNumbers: []any{}, OutboundNumberGroups: []any{},
		})
	}
	return map[string]any{"SkillGroups": out}, nil
}

// optionalPage reads an optional page parameter: absent means def, else an integer from 1 to
// 100.
func optionalPage(p core.Params, name string, def int) (int, error) {
	n, ok, err := p.Int(name)
	if !ok {
		return def, nil
	}
	if err != nil || n < 1 || n > 100 {
		return 0, core.Errorf(http.StatusBadRequest, "InvalidParameter."+name,
			"The parameter %s must be an integer from 1 to 100.", name)
	}
	return n, nil
}

func (s *Service) listMedias(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId"); err != nil {
		return nil, err
	}
	pageNumber, err := optionalPage(p, "PageNumber", 1)
	if err != nil {
		return nil, err
	}
	pageSize, err := optionalPage(p, "PageSize", defaultMediaPageSize)
	if err != nil {
		return nil, err
	}
	instanceID := p.Get("InstanceId")
	medias, err := s.Resources(instanceID, KindPrompt)
	if err != nil {
		return nil, err
	}
	prefix := p.Get("NamePrefix")
	var all []mediaJSON
	for _, m := range medias {
		if !strings.HasPrefix(m.Name, prefix) {
			continue
		}
		id, _ := strconv.ParseInt(m.ID, 10, 64)
		all = append(all, mediaJSON{
			ID: id, Instance: instanceID, Name: m.Name, Type: "VOICE", Status: "Available", Scope: "Instance",
			FileName: m.Name + ".wav", OssFileName: instanceID + "/" + m.ID + ".wav",
		})
	}
	out := mediasJSON{TotalCount: len(all), PageNumber: pageNumber, PageSize: pageSize}
	out.List.Media = []mediaJSON{}
	for i := (pageNumber - 1) * pageSize; i < len(all) && i < pageNumber*pageSize; i++ {
		out.List.Media = append(out.List.Media, all[i])
	}
	return map[string]any{"Medias": out}, nil
}

func (s *Service) modifyContactFlow(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "ContactFlowId", "Name"); err != nil {
		return nil, err
	}
	f, err := s.ModifyFlow(p.Get("InstanceId"), p.Get("ContactFlowId"), p.Get("Name"), p.Get("Description"), p.Get("Type"))
	if err != nil {
		return nil, err
	}
	return s.flowResponse(f)
}
