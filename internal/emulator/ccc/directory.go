package ccc

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

// Kinds of Resource: what a flow definition refers to besides other flows.
const (
	// KindSkillGroup is a skill group (ListSkillGroups).
	KindSkillGroup = "SkillGroup"
	// KindPrompt is an audio file (ListAudioFiles: AudioResourceId and Name).
	KindPrompt = "Prompt"
)

// Number usages, as ModifyPhoneNumber and ListPhoneNumbers spell them. A number answers with a
// flow only when it takes inbound calls.
const (
	UsageInbound     = "Inbound"
	UsageOutbound    = "Outbound"
	UsageBidirection = "Bidirection"
)

// Resource is a skill group or an audio file of an instance.
type Resource = core.Resource

// PhoneNumber is a number of an instance and the flow it answers with.
type PhoneNumber struct {
	Number string `json:"number"`
	// ContactFlowID is the bound flow; empty when none.
	ContactFlowID string `json:"contactFlowId,omitempty"`
	// Usage is UsageInbound, UsageOutbound or UsageBidirection (the default).
	Usage string `json:"usage"`
	// CreateTime is in milliseconds since the epoch.
	CreateTime int64 `json:"createTime"`
}

// bindLocked binds number to flowID, adding the number when the instance lacks it.
func (inst *instance) bindLocked(number, flowID string, now time.Time) {
	for _, n := range inst.Numbers {
		if n.Number == number {
			n.ContactFlowID = flowID
			if n.Usage == UsageOutbound {
				n.Usage = UsageBidirection
			}
			return
		}
	}
	inst.Numbers = append(inst.Numbers, &PhoneNumber{Number: number, ContactFlowID: flowID, Usage: UsageBidirection, CreateTime: now.UnixMilli()})
}

func (inst *instance) flowByID(id string) *Flow {
	for _, f := range inst.Flows {
		if f.ContactFlowID == id {
			return f
		}
	}
	return nil
}

// NewResource describes a skill group or audio file to add (Kind KindSkillGroup or
// KindPrompt). Its ID is optional: a skill group gets "<name>@<instanceId>" like the
// platform's, an audio file a UUID.
type NewResource = core.NewResource

// AddResource adds a skill group or audio file to an instance and returns it. One of that kind
// with the same name is returned as it is, with created false; an ID taken by another of the
// kind is refused.
func (s *Service) AddResource(instanceID string, in NewResource) (Resource, bool, error) {
	if err := core.CheckNewResource(in, KindSkillGroup, KindPrompt); err != nil {
		return Resource{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, err := s.instanceLocked(instanceID)
	if err != nil {
		return Resource{}, false, err
	}
	r, created, aerr := inst.Resources.Add(in, instanceID, s.timestamp(), func() string {
		if in.Kind == KindSkillGroup {
			return in.Name + "@" + instanceID
		}
		return core.NewUUID()
	})
	if aerr != nil {
		return Resource{}, false, aerr
	}
	if created {
		s.saveLocked()
	}
	return r, created, nil
}

// Resources returns copies of the instance's resources of kind ("" for all), in creation order.
func (s *Service) Resources(instanceID, kind string) ([]Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, err := s.instanceLocked(instanceID)
	if err != nil {
		return nil, err
	}
	return inst.Resources.OfKind(kind), nil
}

// AddPhoneNumber adds a number (usage Bidirection, bound to no flow) to an instance and
// returns it; a number the instance already has is returned as it is, with created false.
func (s *Service) AddPhoneNumber(instanceID, number string) (PhoneNumber, bool, error) {
	if strings.TrimSpace(number) == "" {
		return PhoneNumber{}, false, core.Errorf(http.StatusBadRequest, "MissingNumber", "number is mandatory for this operation.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, err := s.instanceLocked(instanceID)
	if err != nil {
		return PhoneNumber{}, false, err
	}
	for _, n := range inst.Numbers {
		if n.Number == number {
			return *n, false, nil
		}
	}
	n := &PhoneNumber{Number: number, Usage: UsageBidirection, CreateTime: s.now().UnixMilli()}
	inst.Numbers = append(inst.Numbers, n)
	s.saveLocked()
	return *n, true, nil
}

// NumberView is a phone number with the name of its flow, as ListPhoneNumbers shows it.
type NumberView struct {
	PhoneNumber
	ContactFlowName string `json:"contactFlowName,omitempty"`
}

// PhoneNumbers returns the instance's numbers in the order they were added, each with its
// flow's name.
func (s *Service) PhoneNumbers(instanceID string) ([]NumberView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, err := s.instanceLocked(instanceID)
	if err != nil {
		return nil, err
	}
	out := make([]NumberView, 0, len(inst.Numbers))
	for _, n := range inst.Numbers {
		v := NumberView{PhoneNumber: *n}
		if f := inst.flowByID(n.ContactFlowID); f != nil {
			v.ContactFlowName = f.Name
		}
		out = append(out, v)
	}
	return out, nil
}

// ModifyPhoneNumber sets the number's usage and bound flow, as ModifyPhoneNumber does: an empty
// flowID unbinds it, and so does an outbound-only usage (a flow answers inbound calls only).
// An unknown number is CodeNumberNotExists; an unknown flow CodeFlowNotExists.
func (s *Service) ModifyPhoneNumber(instanceID, number, usage, flowID string) error {
	switch usage {
	case UsageInbound, UsageOutbound, UsageBidirection:
	default:
		return core.Errorf(http.StatusBadRequest, CodeInvalidEnumeration,
			"The parameter Usage must be one of the value of enumeration [%s, %s, %s].", UsageInbound, UsageOutbound, UsageBidirection)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, err := s.instanceLocked(instanceID)
	if err != nil {
		return err
	}
	var n *PhoneNumber
	for _, x := range inst.Numbers {
		if x.Number == number {
			n = x
		}
	}
	if n == nil {
		return core.Errorf(http.StatusNotFound, CodeNumberNotExists,
			"The specified number %s does not exist in instance %s.", number, instanceID)
	}
	if flowID != "" {
		if _, _, err := s.flowLocked(instanceID, flowID); err != nil {
			return err
		}
	}
	if usage == UsageOutbound {
		flowID = ""
	}
	if n.ContactFlowID != flowID {
		now := s.timestamp()
		for _, id := range []string{n.ContactFlowID, flowID} {
			if f := inst.flowByID(id); f != nil {
				f.UpdatedTime = now
			}
		}
	}
	n.Usage, n.ContactFlowID = usage, flowID
	s.saveLocked()
	return nil
}

// Properties of a definition's activities that name other objects of the instance, in the
// order the refusal message lists them.
var referenceProperties = []core.RefProperty{
	{Name: "contactFlowId"}, {Name: "flowId"}, {Name: "skillGroupId"}, {Name: "audioResourceId", Optional: true},
}

// checkReferences refuses a definition (CodeInvalidDefinition, HTTP 400) whose activities'
// properties name a flow (contactFlowId, flowId), a skill group (skillGroupId) or an audio file
// (a non-empty audioResourceId) that the instance does not have. An empty flow or skill group
// reference is refused too. The message lists every problem, each naming the activity, the
// property and the ID.
func (inst *instance) checkReferences(def string) *core.APIError {
	var doc struct {
		Activities []json.RawMessage `json:"activities"`
	}
	if err := json.Unmarshal([]byte(def), &doc); err != nil {
		return ValidateDefinition(def)
	}
	problems := core.ReferenceProblems(doc.Activities, "activity", referenceProperties, func(prop, id string) string {
		switch prop {
		case "skillGroupId":
			if inst.Resources.Find(KindSkillGroup, id) == nil {
				return "no skill group " + strconv.Quote(id) + " in the instance"
			}
		case "audioResourceId":
			if inst.Resources.Find(KindPrompt, id) == nil {
				return "no audio file " + strconv.Quote(id) + " in the instance"
			}
		default:
			if inst.flowByID(id) == nil {
				return "no contact flow " + strconv.Quote(id) + " in the instance"
			}
		}
		return ""
	})
	if len(problems) == 0 {
		return nil
	}
	return core.Errorf(http.StatusBadRequest, CodeInvalidDefinition,
		"The parameter Definition is invalid: %s.", strings.Join(problems, "; "))
}
