package classic

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

// Kinds of Resource: what a flow's content refers to besides other flows and numbers.
const (
	// KindSkillGroup is a skill group (ListSkillGroups).
	KindSkillGroup = "SkillGroup"
	// KindPrompt is a media (ListMedias), whose ID is a number as the SDK's Media.Id is.
	KindPrompt = "Prompt"
)

// firstMediaID is the ID the first media of an instance gets when none is given.
const firstMediaID = 10001

// Resource is a skill group or a media of an instance; a media's ID is its Id in decimal.
type Resource = core.Resource

// NewResource describes a skill group or media to add (Kind KindSkillGroup or KindPrompt). Its
// ID is optional: a skill group gets a UUID, a media the next free number; a media's ID must
// be a positive integer.
type NewResource = core.NewResource

func (inst *instance) flowByID(id string) *Flow {
	for _, f := range inst.Flows {
		if f.ContactFlowID == id {
			return f
		}
	}
	return nil
}

// AddResource adds a skill group or media to an instance and returns it. One of that kind with
// the same name is returned as it is, with created false; an ID taken by another of the kind is
// refused.
func (s *Service) AddResource(instanceID string, in NewResource) (Resource, bool, error) {
	if err := core.CheckNewResource(in, KindSkillGroup, KindPrompt); err != nil {
		return Resource{}, false, err
	}
	if in.Kind == KindPrompt && in.ID != "" {
		if n, err := strconv.ParseInt(in.ID, 10, 64); err != nil || n <= 0 || strconv.FormatInt(n, 10) != in.ID {
			return Resource{}, false, core.Errorf(http.StatusBadRequest, "InvalidParameter.Id",
				"The id %q of a media must be a positive integer.", in.ID)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, err := s.instanceLocked(instanceID)
	if err != nil {
		return Resource{}, false, err
	}
	r, created, aerr := inst.Resources.Add(in, instanceID, s.timestamp(), func() string {
		if in.Kind == KindSkillGroup {
			return core.NewUUID()
		}
		for n := int64(firstMediaID); ; n++ {
			if id := strconv.FormatInt(n, 10); inst.Resources.Find(KindPrompt, id) == nil {
				return id
			}
		}
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

// ModifyFlow renames a flow in place (same ID, versions untouched), as ModifyContactFlow does.
// An empty description or type keeps the flow's; a name taken by another flow of the instance
// is CodeDuplicatedName.
func (s *Service) ModifyFlow(instanceID, flowID, name, description, flowType string) (Flow, error) {
	if strings.TrimSpace(name) == "" {
		return Flow{}, core.Errorf(http.StatusBadRequest, "MissingName", "Name is mandatory for this action.")
	}
	if flowType != "" {
		if err := validateType(flowType); err != nil {
			return Flow{}, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, f, err := s.flowLocked(instanceID, flowID)
	if err != nil {
		return Flow{}, err
	}
	for _, other := range inst.Flows {
		if other != f && other.Name == name {
			return Flow{}, core.Errorf(http.StatusBadRequest, CodeDuplicatedName,
				"The contact flow name %s is already used in instance %s.", name, instanceID)
		}
	}
	f.Name = name
	if description != "" {
		f.Description = description
	}
	if flowType != "" {
		f.Type = flowType
	}
	f.UpdatedTime = s.timestamp()
	s.saveLocked()
	return inst.view(f), nil
}

// Properties of a content's nodes that name other objects of the instance, in the order the
// refusal message lists them.
var referenceProperties = []core.RefProperty{
	{Name: "contactFlowId"}, {Name: "flowId"}, {Name: "skillGroupId"}, {Name: "mediaId", Optional: true},
}

// checkReferences refuses a content (CodeInvalidReference, HTTP 400) whose nodes' properties
// name a flow (contactFlowId, flowId), a skill group (skillGroupId) or a media (a non-empty
// mediaId) that the instance does not have. An empty flow or skill group reference is refused
// too. The message lists every problem, each naming the node, the property and the ID.
func (inst *instance) checkReferences(content string) *core.APIError {
	var doc struct {
		Nodes []json.RawMessage `json:"nodes"`
	}
	if err := json.Unmarshal([]byte(content), &doc); err != nil {
		return ValidateContent(content)
	}
	problems := core.ReferenceProblems(doc.Nodes, "node", referenceProperties, func(prop, id string) string {
		switch prop {
		case "skillGroupId":
			if inst.Resources.Find(KindSkillGroup, id) == nil {
				return "no skill group " + strconv.Quote(id) + " in the instance"
			}
		case "mediaId":
			if inst.Resources.Find(KindPrompt, id) == nil {
				return "no media " + strconv.Quote(id) + " in the instance"
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
	return core.Errorf(http.StatusBadRequest, CodeInvalidReference,
		"The parameter Content is invalid: %s.", strings.Join(problems, "; "))
}
