package ccc

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
	"github.com/contactflow-operator/contactflow-operator/internal/emulator/pop"
)

// Response shapes of the directory actions, with the JSON field names of the SDK's
// services/ccc structs (SkillGroup, ContactFlow for audio files, PhoneNumber).

type skillGroupJSON struct {
	SkillGroupID     string `json:"SkillGroupId"`
	InstanceID       string `json:"InstanceId"`
	Name             string `json:"Name"`
	DisplayName      string `json:"DisplayName"`
	Description      string `json:"Description"`
	UserCount        int    `json:"UserCount"`
	PhoneNumberCount int    `json:"PhoneNumberCount"`
}

type audioFileJSON struct {
	AudioResourceID string `json:"AudioResourceId"`
	InstanceID      string `json:"InstanceId"`
	Name            string `json:"Name"`
	AudioFileName   string `json:"AudioFileName"`
	OssFileKey      string `json:"OssFileKey"`
	CreatedTime     string `json:"CreatedTime"`
	UpdatedTime     string `json:"UpdatedTime"`
}

type numberJSON struct {
	Number          string `json:"Number"`
	InstanceID      string `json:"InstanceId"`
	ContactFlowID   string `json:"ContactFlowId"`
	ContactFlowName string `json:"ContactFlowName"`
	Usage           string `json:"Usage"`
	Active          bool   `json:"Active"`
	// CreateTime is a string of milliseconds in the SDK struct.
	CreateTime  string `json:"CreateTime"`
	Provider    string `json:"Provider"`
	City        string `json:"City"`
	Province    string `json:"Province"`
	Tags        string `json:"Tags"`
	UserID      string `json:"UserId"`
	SkillGroups []any  `json:"SkillGroups"`
}

type pageJSON[T any] struct {
	PageNumber int `json:"PageNumber"`
	PageSize   int `json:"PageSize"`
	TotalCount int `json:"TotalCount"`
	List       []T `json:"List"`
}

// pageParams validates InstanceId, PageNumber and PageSize, mandatory as for ListContactFlows.
func pageParams(p core.Params) (pageNumber, pageSize int, err error) {
	if err := pop.Require(p, "InstanceId"); err != nil {
		return 0, 0, err
	}
	if pageNumber, err = pageBound(p, "PageNumber"); err != nil {
		return 0, 0, err
	}
	if pageSize, err = pageBound(p, "PageSize"); err != nil {
		return 0, 0, err
	}
	return pageNumber, pageSize, nil
}

// cut returns page pageNumber of size pageSize of all.
func cut[T any](all []T, pageNumber, pageSize int) pageJSON[T] {
	out := pageJSON[T]{PageNumber: pageNumber, PageSize: pageSize, TotalCount: len(all), List: []T{}}
	for i := (pageNumber - 1) * pageSize; i < len(all) && i < pageNumber*pageSize; i++ {
		out.List = append(out.List, all[i])
	}
	return out
}

func (s *Service) listSkillGroups(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	pageNumber, pageSize, err := pageParams(p)
	if err != nil {
		return nil, err
	}
	instanceID := p.Get("InstanceId")
	groups, err := s.Resources(instanceID, KindSkillGroup)
	if err != nil {
		return nil, err
	}
	pattern := strings.ToLower(p.Get("SearchPattern"))
	all := []skillGroupJSON{}
	for _, g := range groups {
		if pattern != "" && !strings.Contains(strings.ToLower(g.Name), pattern) {
			continue
		}
		all = append(all, skillGroupJSON{SkillGroupID: g.ID, InstanceID: instanceID, Name: g.Name, DisplayName: g.Name})
	}
	return cut(all, pageNumber, pageSize), nil
}

func (s *Service) listAudioFiles(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	pageNumber, pageSize, err := pageParams(p)
	if err != nil {
		return nil, err
	}
	instanceID := p.Get("InstanceId")
	files, err := s.Resources(instanceID, KindPrompt)
	if err != nil {
		return nil, err
	}
	all := []audioFileJSON{}
	for _, f := range files {
		all = append(all, audioFileJSON{
			AudioResourceID: f.ID, InstanceID: instanceID, Name: f.Name, AudioFileName: f.Name + ".wav",
			OssFileKey: "ccc-record/" + instanceID + "/" + f.ID + ".wav", CreatedTime: f.CreatedTime, UpdatedTime: f.CreatedTime,
		})
	}
	return cut(all, pageNumber, pageSize), nil
}

func (s *Service) listPhoneNumbers(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	pageNumber, pageSize, err := pageParams(p)
	if err != nil {
		return nil, err
	}
	// Every emulated number is active: Active=false selects none.
	inactiveOnly := false
	switch v := p.Get("Active"); v {
	case "", "true":
	case "false":
		inactiveOnly = true
	default:
		return nil, core.Errorf(http.StatusBadRequest, "InvalidParameter.Active", "The parameter Active must be true or false.")
	}
	instanceID := p.Get("InstanceId")
	numbers, err := s.PhoneNumbers(instanceID)
	if err != nil {
		return nil, err
	}
	usage, pattern := p.Get("Usage"), p.Get("SearchPattern")
	all := []numberJSON{}
	for _, n := range numbers {
		if usage != "" && n.Usage != usage || pattern != "" && !strings.Contains(n.Number, pattern) || inactiveOnly {
			continue
		}
		all = append(all, numberJSON{
			Number: n.Number, InstanceID: instanceID, ContactFlowID: n.ContactFlowID, ContactFlowName: n.ContactFlowName,
			Usage: n.Usage, Active: true, CreateTime: strconv.FormatInt(n.CreateTime, 10), Provider: "emulator",
			SkillGroups: []any{},
		})
	}
	return cut(all, pageNumber, pageSize), nil
}

func (s *Service) modifyPhoneNumber(_ context.Context, c *core.Call) (any, error) {
	p := c.Params
	if err := pop.Require(p, "InstanceId", "Number", "Usage"); err != nil {
		return nil, err
	}
	return nil, s.ModifyPhoneNumber(p.Get("InstanceId"), p.Get("Number"), p.Get("Usage"), p.Get("ContactFlowId"))
}
