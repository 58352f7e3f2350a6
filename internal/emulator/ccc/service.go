// Package ccc emulates the contact flows of Alibaba Cloud Contact Center (CCC), API version
// 2020-07-01: instances, flows, their drafts and who edits them. It serves the actions through
// the pop package and offers console-style admin operations (edit as another user, change a
// flow out of band) under /_emulator/ccc/.
//
// The draft model: a flow has at most one draft, held by the user who opened it (its Editor).
// CreateContactFlow opens the first draft with the given definition; StartEditContactFlow opens
// one as a copy of the published definition, or returns the caller's own open draft again;
// CommitContactFlow saves into it; PublishContactFlow makes it the published definition and
// closes it; DiscardEditingContactFlow closes it unpublished. A draft held by another user
// refuses StartEdit, Commit, Publish and Discard with the locked error.
package ccc

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

const (
	// Platform is the key of this platform in stats, the state file and admin paths.
	Platform = "ccc"
	// Version is the POP API version the actions are served under.
	Version = "2020-07-01"
	// DefaultInstanceID is the instance an emulator has when none is configured.
	DefaultInstanceID = "ccc-demo"
	// TimeLayout is how the platform formats CreatedTime and UpdatedTime
	// ("2021-03-08 15:34:49.0").
	TimeLayout = "2006-01-02 15:04:05.0"
)

// Error codes the emulator answers with, beyond the gateway's own (pop package).
const (
	// CodeInstanceNotExists: the instance is unknown (seed: HTTP 404).
	CodeInstanceNotExists = "NotExists.InstanceId"
	// CodeFlowNotExists: the contact flow is unknown in that instance (HTTP 404).
	CodeFlowNotExists = "NotExists.ContactFlowId"
	// CodeDraftNotExists: the flow has no open draft with that DraftId (HTTP 404). Discarding
	// such a draft answers it too; adapters treat that as success.
	CodeDraftNotExists = "NotExists.DraftId"
	// CodeFlowLocked: the flow's draft is held by another user (HTTP 403). The message is
	// "The contact flow <id> is being edited by <user>." and ends with the holder's name.
	CodeFlowLocked = "Forbidden.ContactFlowLocked"
	// CodeDuplicatedName: another flow of the instance already has the name (HTTP 400).
	CodeDuplicatedName = "Duplicated.ContactFlowName"
	// CodeInvalidDefinition: Definition is not a JSON object with an "activities" array
	// (HTTP 400). A publish whose definition refers to a flow, skill group or audio file the
	// instance does not have answers it too (the emulator's choice: the platform documents no
	// code for it), with the message "The parameter Definition is invalid: <problem>; ...".
	CodeInvalidDefinition = "InvalidParameter.Definition"
	// CodeNumberNotExists: the instance has no such phone number (HTTP 404), as documented for
	// ModifyPhoneNumber.
	CodeNumberNotExists = "NotExists.Number"
	// CodeInvalidEnumeration: a parameter is not one of its allowed values (HTTP 400), e.g.
	// ModifyPhoneNumber Usage.
	CodeInvalidEnumeration = "Parameter.Enumeration"
)

// LockedMessageFormat is the message of CodeFlowLocked: flow ID, then the editor.
const LockedMessageFormat = "The contact flow %s is being edited by %s."

// cst is the platform's time zone: CCC reports times in China Standard Time.
var cst = time.FixedZone("CST", 8*3600)

// flowTypePattern accepts the platform's upper-case type names (MAIN_FLOW, SUB_FLOW, ...)
// without pinning the list, which the platform extends.
var flowTypePattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,63}$`)

// Flow is the emulator's whole record of one contact flow: what the admin API shows and the
// state file keeps.
type Flow struct {
	ContactFlowID string `json:"contactFlowId"`
	InstanceID    string `json:"instanceId"`
	Name          string `json:"name"`
	Type          string `json:"type"`
	Description   string `json:"description"`
	// Definition is the published definition; empty until the first publish.
	Definition string `json:"definition"`
	// Published reports whether the flow was ever published.
	Published bool `json:"published"`
	// Draft is the open draft, nil when none is open.
	Draft *Draft `json:"draft,omitempty"`
	// NumberList lists the numbers bound to the flow. It is filled in copies handed out by
	// the Service; the state file keeps the binding on the numbers instead.
	NumberList  []string `json:"numberList"`
	CreatedTime string   `json:"createdTime"`
	UpdatedTime string   `json:"updatedTime"`
}

// Draft is an open edit of a flow, held by Editor.
type Draft struct {
	DraftID     string `json:"draftId"`
	Editor      string `json:"editor"`
	Definition  string `json:"definition"`
	UpdatedTime string `json:"updatedTime"`
}

func (f *Flow) clone() Flow {
	c := *f
	if f.Draft != nil {
		d := *f.Draft
		c.Draft = &d
	}
	c.NumberList = []string{}
	return c
}

// view copies f with the numbers bound to it.
func (inst *instance) view(f *Flow) Flow {
	c := f.clone()
	for _, n := range inst.Numbers {
		if n.ContactFlowID == f.ContactFlowID {
			c.NumberList = append(c.NumberList, n.Number)
		}
	}
	return c
}

// visibleDefinition is what Get and List show without a DraftId: the published definition,
// or the draft's while the flow was never published.
func (f *Flow) visibleDefinition() string {
	if !f.Published && f.Draft != nil {
		return f.Draft.Definition
	}
	return f.Definition
}

type instance struct {
	// Flows are kept in creation order, which is the list order.
	Flows []*Flow `json:"flows"`
	// Resources are the skill groups and audio files flows refer to, in creation order.
	Resources core.Directory `json:"resources"`
	// Numbers are the instance's phone numbers, in the order they were added; a number's
	// ContactFlowID is the binding, which Flow.NumberList reflects.
	Numbers []*PhoneNumber `json:"phoneNumbers"`
}

func newInstance() *instance {
	return &instance{Flows: []*Flow{}, Resources: []*Resource{}, Numbers: []*PhoneNumber{}}
}

type persisted struct {
	Instances map[string]*instance `json:"instances"`
}

// Options configure a Service.
type Options struct {
	// Store persists the state; nil keeps it in memory only.
	Store *core.Store
	// Instances are created at start when the state does not have them yet.
	Instances []string
	// Logger receives state-file errors; nil discards.
	Logger *slog.Logger
	// Now is the clock for CreatedTime and UpdatedTime; nil means time.Now.
	Now func() time.Time
}

// Service holds the CCC state. All methods are safe for concurrent use; every mutation is saved
// to the Store before the method returns.
type Service struct {
	store  *core.Store
	logger *slog.Logger
	now    func() time.Time

	mu        sync.Mutex
	instances map[string]*instance
}

// New loads the CCC section of the store and adds the configured instances.
func New(opts Options) (*Service, error) {
	s := &Service{store: opts.Store, logger: opts.Logger, now: opts.Now, instances: map[string]*instance{}}
	if s.store == nil {
		s.store, _ = core.OpenStore("")
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if raw := s.store.Section(Platform); len(raw) > 0 {
		var p persisted
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("loading %s state: %w", Platform, err)
		}
		for id, inst := range p.Instances {
			if inst == nil {
				inst = newInstance()
			}
			if inst.Flows == nil {
				inst.Flows = []*Flow{}
			}
			if inst.Resources == nil {
				inst.Resources = core.Directory{}
			}
			if inst.Numbers == nil {
				inst.Numbers = []*PhoneNumber{}
			}
			// State written before numbers were kept on the instance lists them on the flows.
			for _, f := range inst.Flows {
				for _, n := range f.NumberList {
					inst.bindLocked(n, f.ContactFlowID, s.now())
				}
				f.NumberList = nil
			}
			s.instances[id] = inst
		}
	}
	changed := false
	for _, id := range opts.Instances {
		if id == "" {
			return nil, fmt.Errorf("empty %s instance ID", Platform)
		}
		if _, ok := s.instances[id]; !ok {
			s.instances[id] = newInstance()
			changed = true
		}
	}
	if changed {
		s.mu.Lock()
		s.saveLocked()
		s.mu.Unlock()
	}
	return s, nil
}

// saveLocked writes the state; a failure is logged, not returned, because the mutation has
// already happened in memory and the caller's answer must reflect it.
func (s *Service) saveLocked() {
	if err := s.store.Put(Platform, persisted{Instances: s.instances}); err != nil {
		s.logger.Error("Failed to save state", "platform", Platform, "error", err)
	}
}

func (s *Service) timestamp() string { return s.now().In(cst).Format(TimeLayout) }

func (s *Service) instanceLocked(id string) (*instance, *core.APIError) {
	inst, ok := s.instances[id]
	if !ok {
		return nil, core.Errorf(http.StatusNotFound, CodeInstanceNotExists,
			"The specified instance %s does not exist.", id)
	}
	return inst, nil
}

func (s *Service) flowLocked(instanceID, flowID string) (*instance, *Flow, *core.APIError) {
	inst, err := s.instanceLocked(instanceID)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range inst.Flows {
		if f.ContactFlowID == flowID {
			return inst, f, nil
		}
	}
	return inst, nil, core.Errorf(http.StatusNotFound, CodeFlowNotExists,
		"The specified contact flow %s does not exist.", flowID)
}

func lockedError(f *Flow) *core.APIError {
	return core.Errorf(http.StatusForbidden, CodeFlowLocked, LockedMessageFormat, f.ContactFlowID, f.Draft.Editor)
}

// draftLocked returns the flow's draft when draftID names it and user holds it.
func draftLocked(f *Flow, draftID, user string) (*Draft, *core.APIError) {
	if f.Draft == nil || f.Draft.DraftID != draftID {
		return nil, core.Errorf(http.StatusNotFound, CodeDraftNotExists,
			"The specified draft %s does not exist.", draftID)
	}
	if f.Draft.Editor != user {
		return nil, lockedError(f)
	}
	return f.Draft, nil
}

// ValidateDefinition checks what the platform checks of a definition: a JSON object with an
// "activities" array. It returns the InvalidParameter.Definition error, or nil.
func ValidateDefinition(def string) *core.APIError {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(def), &doc); err != nil {
		return core.Errorf(http.StatusBadRequest, CodeInvalidDefinition,
			"The parameter Definition is invalid: it is not a JSON object.")
	}
	raw, ok := doc["activities"]
	if !ok {
		return core.Errorf(http.StatusBadRequest, CodeInvalidDefinition,
			"The parameter Definition is invalid: it has no activities.")
	}
	var acts []json.RawMessage
	if err := json.Unmarshal(raw, &acts); err != nil || acts == nil {
		return core.Errorf(http.StatusBadRequest, CodeInvalidDefinition,
			"The parameter Definition is invalid: activities is not an array.")
	}
	return nil
}

func validateType(t string) *core.APIError {
	if !flowTypePattern.MatchString(t) {
		return core.Errorf(http.StatusBadRequest, "InvalidParameter.Type",
			"The parameter Type %q is invalid.", t)
	}
	return nil
}

// AddInstance creates an instance; it reports false when the instance already existed, which
// is not an error so that setup can be repeated.
func (s *Service) AddInstance(id string) (bool, error) {
	if strings.TrimSpace(id) == "" {
		return false, core.Errorf(http.StatusBadRequest, "MissingInstanceId", "InstanceId is mandatory for this action.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.instances[id]; ok {
		return false, nil
	}
	s.instances[id] = newInstance()
	s.saveLocked()
	return true, nil
}

// Instances returns the instance IDs, sorted.
func (s *Service) Instances() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.instances))
	for id := range s.instances {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Flows returns copies of every flow of an instance, in creation order.
func (s *Service) Flows(instanceID string) ([]Flow, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, err := s.instanceLocked(instanceID)
	if err != nil {
		return nil, err
	}
	out := make([]Flow, 0, len(inst.Flows))
	for _, f := range inst.Flows {
		out = append(out, inst.view(f))
	}
	return out, nil
}

// Flow returns a copy of one flow.
func (s *Service) Flow(instanceID, flowID string) (Flow, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, f, err := s.flowLocked(instanceID, flowID)
	if err != nil {
		return Flow{}, err
	}
	return inst.view(f), nil
}

// NewFlow describes a flow to create.
type NewFlow struct {
	Name        string   `json:"name"`
	Type        string   `json:"type"`
	Description string   `json:"description,omitempty"`
	Definition  string   `json:"definition"`
	NumberList  []string `json:"numberList,omitempty"`
	// Published creates the flow already published with Definition and no draft (admin
	// seeding only: the API always creates a draft).
	Published bool `json:"published,omitempty"`
}

// CreateFlow creates a flow in an instance. Unless in.Published, it starts unpublished with a
// draft holding the definition, edited by user.
func (s *Service) CreateFlow(instanceID, user string, in NewFlow) (Flow, error) {
	if err := validateType(in.Type); err != nil {
		return Flow{}, err
	}
	if err := ValidateDefinition(in.Definition); err != nil {
		return Flow{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, err := s.instanceLocked(instanceID)
	if err != nil {
		return Flow{}, err
	}
	for _, f := range inst.Flows {
		if f.Name == in.Name {
			return Flow{}, core.Errorf(http.StatusBadRequest, CodeDuplicatedName,
				"The contact flow name %s is already used in instance %s.", in.Name, instanceID)
		}
	}
	now := s.timestamp()
	f := &Flow{
		ContactFlowID: core.NewUUID(),
		InstanceID:    instanceID,
		Name:          in.Name,
		Type:          in.Type,
		Description:   in.Description,
		CreatedTime:   now,
		UpdatedTime:   now,
	}
	if in.Published {
		f.Definition, f.Published = in.Definition, true
	} else {
		f.Draft = &Draft{DraftID: core.NewUUID(), Editor: user, Definition: in.Definition, UpdatedTime: now}
	}
	inst.Flows = append(inst.Flows, f)
	for _, n := range in.NumberList {
		inst.bindLocked(n, f.ContactFlowID, s.now())
	}
	s.saveLocked()
	return inst.view(f), nil
}

// StartEdit opens a draft of the flow for user, a copy of the published definition, and
// returns its ID; user's own open draft is returned as it is. Another user's draft refuses
// with CodeFlowLocked.
func (s *Service) StartEdit(instanceID, flowID, user string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, f, err := s.flowLocked(instanceID, flowID)
	if err != nil {
		return "", err
	}
	if f.Draft != nil {
		if f.Draft.Editor != user {
			return "", lockedError(f)
		}
		return f.Draft.DraftID, nil
	}
	now := s.timestamp()
	f.Draft = &Draft{DraftID: core.NewUUID(), Editor: user, Definition: f.Definition, UpdatedTime: now}
	f.UpdatedTime = now
	s.saveLocked()
	return f.Draft.DraftID, nil
}

// Commit saves definition (and a non-empty description) into draftID, which user must hold.
func (s *Service) Commit(instanceID, flowID, draftID, user, definition, description string) error {
	if err := ValidateDefinition(definition); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, f, err := s.flowLocked(instanceID, flowID)
	if err != nil {
		return err
	}
	d, err := draftLocked(f, draftID, user)
	if err != nil {
		return err
	}
	now := s.timestamp()
	d.Definition, d.UpdatedTime = definition, now
	if description != "" {
		f.Description = description
	}
	f.UpdatedTime = now
	s.saveLocked()
	return nil
}

// Publish makes draftID, which user must hold, the published definition and closes it. The
// draft's references must resolve in the instance (checkReferences); a refused publish changes
// nothing.
func (s *Service) Publish(instanceID, flowID, draftID, user string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, f, err := s.flowLocked(instanceID, flowID)
	if err != nil {
		return err
	}
	d, err := draftLocked(f, draftID, user)
	if err != nil {
		return err
	}
	if err := inst.checkReferences(d.Definition); err != nil {
		return err
	}
	f.Definition, f.Published, f.Draft = d.Definition, true, nil
	f.UpdatedTime = s.timestamp()
	s.saveLocked()
	return nil
}

// Discard closes draftID without publishing it. Unlike Commit and Publish it does not require
// the caller to hold the draft: revoking an edit is how an administrator (or an operator under
// lockPolicy TakeOver) clears a stale draft, and it needs the DraftId, which only someone who
// looked at the flow knows. An unknown draft answers CodeDraftNotExists.
func (s *Service) Discard(instanceID, flowID, draftID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, f, err := s.flowLocked(instanceID, flowID)
	if err != nil {
		return err
	}
	if f.Draft == nil || f.Draft.DraftID != draftID {
		return core.Errorf(http.StatusNotFound, CodeDraftNotExists,
			"The specified draft %s does not exist.", draftID)
	}
	f.Draft = nil
	f.UpdatedTime = s.timestamp()
	s.saveLocked()
	return nil
}

// CloseDraft discards the open draft if user holds it, as a console user closing the editor
// would; no open draft is success.
func (s *Service) CloseDraft(instanceID, flowID, user string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, f, err := s.flowLocked(instanceID, flowID)
	if err != nil {
		return err
	}
	if f.Draft == nil {
		return nil
	}
	if f.Draft.Editor != user {
		return lockedError(f)
	}
	f.Draft = nil
	f.UpdatedTime = s.timestamp()
	s.saveLocked()
	return nil
}

// Delete removes the flow, whatever draft it has, and unbinds its numbers. Flows that refer to
// it are not checked: the platform does not refuse the delete either.
func (s *Service) Delete(instanceID, flowID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, f, err := s.flowLocked(instanceID, flowID)
	if err != nil {
		return err
	}
	inst.Flows = slices.DeleteFunc(inst.Flows, func(x *Flow) bool { return x == f })
	for _, n := range inst.Numbers {
		if n.ContactFlowID == flowID {
			n.ContactFlowID = ""
		}
	}
	s.saveLocked()
	return nil
}

// EditDraft replaces the definition of the draft user holds, as a console user typing in the
// flow editor would.
func (s *Service) EditDraft(instanceID, flowID, user, definition string) error {
	if err := ValidateDefinition(definition); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, f, err := s.flowLocked(instanceID, flowID)
	if err != nil {
		return err
	}
	if f.Draft == nil {
		return core.Errorf(http.StatusNotFound, CodeDraftNotExists, "The contact flow %s has no open draft.", flowID)
	}
	if f.Draft.Editor != user {
		return lockedError(f)
	}
	now := s.timestamp()
	f.Draft.Definition, f.Draft.UpdatedTime, f.UpdatedTime = definition, now, now
	s.saveLocked()
	return nil
}

// SetPublished replaces the published definition out of band (a console edit and publish),
// leaving any open draft alone: this is the drift the operator must detect.
func (s *Service) SetPublished(instanceID, flowID, definition string) (Flow, error) {
	if err := ValidateDefinition(definition); err != nil {
		return Flow{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, f, err := s.flowLocked(instanceID, flowID)
	if err != nil {
		return Flow{}, err
	}
	f.Definition, f.Published, f.UpdatedTime = definition, true, s.timestamp()
	s.saveLocked()
	return inst.view(f), nil
}

// ListQuery selects and orders a page of flows.
type ListQuery struct {
	PageNumber int
	PageSize   int
	// Type keeps only flows of that type; empty keeps all.
	Type string
	// SearchPattern keeps flows whose name contains it, ignoring case.
	SearchPattern string
	// OrderByField is "createdTime" (the default, creation order), "updatedTime" or "name".
	OrderByField string
	// SortOrder is "ASC" or "DESC"; empty means ASC for createdTime and name, DESC for
	// updatedTime.
	SortOrder string
}

// List returns one page of flows and the number of flows that matched.
func (s *Service) List(instanceID string, q ListQuery) ([]Flow, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, err := s.instanceLocked(instanceID)
	if err != nil {
		return nil, 0, err
	}
	var matched []*Flow
	pattern := strings.ToLower(q.SearchPattern)
	for _, f := range inst.Flows {
		if q.Type != "" && f.Type != q.Type {
			continue
		}
		if pattern != "" && !strings.Contains(strings.ToLower(f.Name), pattern) {
			continue
		}
		matched = append(matched, f)
	}
	desc := strings.EqualFold(q.SortOrder, "DESC")
	switch q.OrderByField {
	case "updatedTime":
		desc = q.SortOrder == "" || desc
		sort.SliceStable(matched, func(i, j int) bool { return matched[i].UpdatedTime < matched[j].UpdatedTime })
	case "name":
		sort.SliceStable(matched, func(i, j int) bool { return matched[i].Name < matched[j].Name })
	}
	if desc {
		slices.Reverse(matched)
	}
	total := len(matched)
	start := (q.PageNumber - 1) * q.PageSize
	out := []Flow{}
	for i := start; i < total && i < start+q.PageSize; i++ {
		out = append(out, inst.view(matched[i]))
	}
	return out, total, nil
}
