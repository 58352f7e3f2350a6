// Package classic emulates the contact flows of the classic Alibaba Cloud CloudCallCenter, API
// version 2017-07-05 (POP product "CCC", the SDK's services/cloudcallcenter): instances, flows,
// their versions, the version lock and the phone numbers flows are assigned to. It serves the
// actions through the pop package, under the same product as CCC 2020-07-01 but its own
// Version, and offers console-style admin operations under /_emulator/cloudcallcenter/.
//
// The version model. A flow is a list of versions, each with a Canvas (the editor's layout) and
// a Content (what runs). AppliedVersion names the version that runs; it is empty until the first
// publish. At most one version of a flow is open for modification at a time: it is locked by the
// user who opened it (LockedBy), and only that user may change or publish it.
//
//   - CreateContactFlow creates the flow with version 1 holding the given Canvas and Content,
//     locked by the creator and not applied: a new flow runs nothing until it is published, as
//     with the platform's console, where a new flow opens in the editor.
//   - BeginContactFlowVersionModification opens a new version, a copy of the applied one (of the
//     newest version while none is applied), locked by the caller. The caller's own open version
//     is returned again; another user's refuses with CodeVersionLocked.
//   - CommitContactFlowVersionModification and ModifyContactFlowVersion save into the open
//     version (Status "Updated"); PublishContactFlowVersion applies it and releases the lock
//     (Status "Published"). Publishing the applied version again is a no-op.
//   - CancelContactFlowVersionModification drops the open version. It does not require the
//     caller to hold the lock: like DraftId revocation in CCC 2020-07-01, whoever names the
//     version (an administrator, or the operator under lockPolicy TakeOver) may revoke it.
//   - FallbackContactFlowVersion applies an earlier published version again (a roll back),
//     leaving any open modification alone.
package classic

import (
	"crypto/rand"
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
	// Platform is the key of this platform in stats, the state file, --instance and admin paths.
	Platform = "cloudcallcenter"
	// Product is the POP product name the SDK's services/cloudcallcenter signs requests for.
	Product = "CloudCallCenter"
	// Version is the POP API version the actions are served under.
	Version = "2017-07-05"
	// TimeLayout is how the platform formats LastModified ("2020-11-14 17:48:21", China
	// Standard Time).
	TimeLayout = "2006-01-02 15:04:05"
	// VersionLayout is how a version's Version label is formed from its creation time
	// ("20201114174750").
	VersionLayout = "20060102150405"
	// EmptyCanvas is the canvas of a flow created without one.
	EmptyCanvas = "{}"
	// EmptyContent is the content of a version opened on a flow that has no version left.
	EmptyContent = `{"nodes":[]}`
)

// Version statuses, as the Status of a ContactFlowVersion.
const (
	// StatusCreated: opened (by create or begin) and not changed since.
	StatusCreated = "Created"
	// StatusUpdated: changed by commit or modify while locked (the seed's answer to a commit).
	StatusUpdated = "Updated"
	// StatusPublished: published at least once; it may be applied now or have been replaced.
	StatusPublished = "Published"
)

// Error codes the emulator answers with, beyond the gateway's own (pop package). The platform's
// documentation does not list the classic API's codes; these follow the naming of its other
// products so that a classifier written for one works for all.
const (
	// CodeInstanceNotExists: the instance is unknown (HTTP 404).
	CodeInstanceNotExists = "NotExists.InstanceId"
	// CodeFlowNotExists: the contact flow is unknown in that instance (HTTP 404).
	CodeFlowNotExists = "NotExists.ContactFlowId"
	// CodeVersionNotExists: no version of the instance has that ContactFlowVersionId, or it was
	// cancelled (HTTP 404).
	CodeVersionNotExists = "NotExists.ContactFlowVersionId"
	// CodePhoneNumberNotExists: the instance has no phone number with that PhoneNumberId
	// (HTTP 404).
	CodePhoneNumberNotExists = "NotExists.PhoneNumberId"
	// CodeVersionLocked: another user holds the flow's open version (HTTP 403). The message is
	// LockedMessageFormat and ends with the holder's name.
	CodeVersionLocked = "Forbidden.ContactFlowVersionLocked"
	// CodeVersionNotLocked: the named version is not open for modification any more (it was
	// published, or it is an old version), so it cannot be committed, modified, published or
	// cancelled (HTTP 400). For a caller that meant to change a draft, the draft is gone.
	CodeVersionNotLocked = "IncorrectStatus.ContactFlowVersion"
	// CodeVersionNotPublished: a fallback named a version that was never published (HTTP 400).
	CodeVersionNotPublished = "InvalidParameter.ContactFlowVersionId"
	// CodeDuplicatedName: another flow of the instance already has the name (HTTP 400).
	CodeDuplicatedName = "Duplicated.ContactFlowName"
	// CodeInvalidContent: Content is not a JSON object with a "nodes" array (HTTP 400).
	CodeInvalidContent = "InvalidParameter.Content"
	// CodeInvalidCanvas: Canvas is not a JSON object (HTTP 400).
	CodeInvalidCanvas = "InvalidParameter.Canvas"
	// CodeInvalidType: Type is not an upper-case identifier such as MAIN_FLOW (HTTP 400).
	CodeInvalidType = "InvalidParameter.Type"
	// CodePhoneNumberAssigned: a removal named a number assigned to another flow (HTTP 400).
	CodePhoneNumberAssigned = "InvalidParameter.PhoneNumberId"
	// CodeInvalidReference is CodeInvalidContent answered by a publish whose content refers to a
	// flow, skill group or media the instance does not have, with the message "The parameter
	// Content is invalid: <problem>; ...", each problem naming the node, the property and the ID.
	CodeInvalidReference = CodeInvalidContent
)

// LockedMessageFormat is the message of CodeVersionLocked: flow ID, version ID, then the holder.
const LockedMessageFormat = "The contact flow %s is being modified: version %s is locked by %s."

// cst is the platform's time zone: the classic API reports times in China Standard Time.
var cst = time.FixedZone("CST", 8*3600)

// flowTypePattern accepts the platform's upper-case type names (MAIN_FLOW, SUB_FLOW, ...)
// without pinning the list.
var flowTypePattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,63}$`)

// ContactFlowVersion is one version of a flow: the emulator's record and what the admin API
// shows.
type ContactFlowVersion struct {
	ContactFlowVersionID string `json:"contactFlowVersionId"`
	// Version is the platform's label, formed from the creation time (VersionLayout); unique
	// within the flow.
	Version     string `json:"version"`
	Description string `json:"description"`
	Canvas      string `json:"canvas"`
	Content     string `json:"content"`
	// Status is StatusCreated, StatusUpdated or StatusPublished.
	Status string `json:"status"`
	// LockedBy is the user holding the version open for modification; empty once published.
	LockedBy       string `json:"lockedBy,omitempty"`
	LastModified   string `json:"lastModified"`
	LastModifiedBy string `json:"lastModifiedBy"`
}

// Flow is the emulator's whole record of one contact flow.
type Flow struct {
	ContactFlowID string `json:"contactFlowId"`
	InstanceID    string `json:"instanceId"`
	Name          string `json:"name"`
	Type          string `json:"type"`
	Description   string `json:"description"`
	// AppliedVersion is the ContactFlowVersionId of the running version; empty until the
	// first publish.
	AppliedVersion string `json:"appliedVersion"`
	// Versions are in creation order.
	Versions    []ContactFlowVersion `json:"versions"`
	CreatedTime string               `json:"createdTime"`
	UpdatedTime string               `json:"updatedTime"`
	// PhoneNumbers lists the numbers assigned to the flow. It is filled in copies handed out
	// by the Service (admin answers, in-process reads); the state file keeps the assignment on
	// the numbers instead.
	PhoneNumbers []string `json:"phoneNumbers,omitempty"`
}

// Locked returns the version open for modification, nil when there is none.
func (f *Flow) Locked() *ContactFlowVersion {
	for i := range f.Versions {
		if f.Versions[i].LockedBy != "" {
			return &f.Versions[i]
		}
	}
	return nil
}

// Applied returns the running version, nil when the flow was never published.
func (f *Flow) Applied() *ContactFlowVersion {
	if f.AppliedVersion == "" {
		return nil
	}
	return f.Version(f.AppliedVersion)
}

// Version returns the version with that ContactFlowVersionId, nil when the flow has none.
func (f *Flow) Version(id string) *ContactFlowVersion {
	for i := range f.Versions {
		if f.Versions[i].ContactFlowVersionID == id {
			return &f.Versions[i]
		}
	}
	return nil
}

func (f *Flow) clone() Flow {
	c := *f
	c.Versions = slices.Clone(f.Versions)
	if c.Versions == nil {
		c.Versions = []ContactFlowVersion{}
	}
	c.PhoneNumbers = nil
	return c
}

// PhoneNumber is a number of an instance and the flow it is assigned to.
type PhoneNumber struct {
	PhoneNumberID string `json:"phoneNumberId"`
	Number        string `json:"number"`
	// ContactFlowID is the flow incoming calls to the number run; empty when unassigned.
	ContactFlowID string `json:"contactFlowId,omitempty"`
	// CreateTime is in milliseconds since the epoch, as the platform reports it.
	CreateTime int64 `json:"createTime"`
}

type instance struct {
	// Flows are kept in creation order, which is the list order.
	Flows   []*Flow        `json:"flows"`
	Numbers []*PhoneNumber `json:"phoneNumbers"`
	// Resources are the skill groups and medias flows refer to, in creation order.
	Resources core.Directory `json:"resources"`
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
	// Now is the clock for LastModified and Version labels; nil means time.Now.
	Now func() time.Time
}

// Service holds the classic CloudCallCenter state. All methods are safe for concurrent use;
// every mutation is saved to the Store before the method returns. Methods return *core.APIError
// refusals carrying the platform codes above.
type Service struct {
	store  *core.Store
	logger *slog.Logger
	now    func() time.Time

	mu        sync.Mutex
	instances map[string]*instance
}

// New loads the cloudcallcenter section of the store and adds the configured instances.
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
				inst = &instance{}
			}
			if inst.Flows == nil {
				inst.Flows = []*Flow{}
			}
			if inst.Numbers == nil {
				inst.Numbers = []*PhoneNumber{}
			}
			if inst.Resources == nil {
				inst.Resources = core.Directory{}
			}
			s.instances[id] = inst
		}
	}
	changed := false
	for _, id := range opts.Instances {
		if strings.TrimSpace(id) == "" {
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

func newInstance() *instance {
	return &instance{Flows: []*Flow{}, Numbers: []*PhoneNumber{}, Resources: []*Resource{}}
}

// saveLocked writes the state; a failure is logged, not returned, because the mutation has
// already happened in memory and the caller's answer must reflect it.
func (s *Service) saveLocked() {
	if err := s.store.Put(Platform, persisted{Instances: s.instances}); err != nil {
		s.logger.Error("Failed to save state", "platform", Platform, "error", err)
	}
}

func (s *Service) timestamp() string { return s.now().In(cst).Format(TimeLayout) }

// stamp reads the clock once and returns the LastModified text and the Version label of a new
// version of f made now.
func (s *Service) stamp(f *Flow) (now, label string) {
	t := s.now()
	return t.In(cst).Format(TimeLayout), versionLabel(f, t)
}

// versionLabel returns a Version label for a new version of f made at t: t itself, moved on by
// seconds until no other version of f has it, so that labels stay unique under a fast clock.
func versionLabel(f *Flow, t time.Time) string {
	t = t.In(cst)
	for {
		label := t.Format(VersionLayout)
		if !slices.ContainsFunc(f.Versions, func(v ContactFlowVersion) bool { return v.Version == label }) {
			return label
		}
		t = t.Add(time.Second)
	}
}

// idAlphabet is the character set of version IDs ("fLXS_2CJPxot" in the seed).
const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

// newVersionID returns a random 12-character version ID in the platform's style.
func newVersionID() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b[:])
}

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

// versionLocked finds a version by ID among all flows of the instance: the version-level
// actions name only the instance and the version.
func (s *Service) versionLocked(instanceID, versionID string) (*instance, *Flow, *ContactFlowVersion, *core.APIError) {
	inst, err := s.instanceLocked(instanceID)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, f := range inst.Flows {
		if v := f.Version(versionID); v != nil {
			return inst, f, v, nil
		}
	}
	return inst, nil, nil, core.Errorf(http.StatusNotFound, CodeVersionNotExists,
		"The specified contact flow version %s does not exist.", versionID)
}

func lockedError(f *Flow, v *ContactFlowVersion) *core.APIError {
	return core.Errorf(http.StatusForbidden, CodeVersionLocked, LockedMessageFormat,
		f.ContactFlowID, v.ContactFlowVersionID, v.LockedBy)
}

func notLockedError(v *ContactFlowVersion) *core.APIError {
	return core.Errorf(http.StatusBadRequest, CodeVersionNotLocked,
		"The contact flow version %s is not being modified (status %s).", v.ContactFlowVersionID, v.Status)
}

// heldBy checks that v is open for modification and held by user.
func heldBy(f *Flow, v *ContactFlowVersion, user string) *core.APIError {
	if v.LockedBy == "" {
		return notLockedError(v)
	}
	if v.LockedBy != user {
		return lockedError(f, v)
	}
	return nil
}

// ValidateContent checks what the emulator checks of a Content: a JSON object with a "nodes"
// array. It returns the CodeInvalidContent error, or nil. The graph itself is internal/flow's
// business, as the platform's console is for a person.
func ValidateContent(content string) *core.APIError {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(content), &doc); err != nil || doc == nil {
		return core.Errorf(http.StatusBadRequest, CodeInvalidContent,
			"The parameter Content is invalid: it is not a JSON object.")
	}
	raw, ok := doc["nodes"]
	if !ok {
		return core.Errorf(http.StatusBadRequest, CodeInvalidContent,
			"The parameter Content is invalid: it has no nodes.")
	}
	var nodes []json.RawMessage
	if err := json.Unmarshal(raw, &nodes); err != nil || nodes == nil {
		return core.Errorf(http.StatusBadRequest, CodeInvalidContent,
			"The parameter Content is invalid: nodes is not an array.")
	}
	return nil
}

// ValidateCanvas checks that a non-empty Canvas is a JSON object; it returns the
// CodeInvalidCanvas error, or nil.
func ValidateCanvas(canvas string) *core.APIError {
	if canvas == "" {
		return nil
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(canvas), &doc); err != nil || doc == nil {
		return core.Errorf(http.StatusBadRequest, CodeInvalidCanvas,
			"The parameter Canvas is invalid: it is not a JSON object.")
	}
	return nil
}

func validateType(t string) *core.APIError {
	if !flowTypePattern.MatchString(t) {
		return core.Errorf(http.StatusBadRequest, CodeInvalidType, "The parameter Type %q is invalid.", t)
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

// view copies f with its phone numbers filled in.
func (inst *instance) view(f *Flow) Flow {
	c := f.clone()
	for _, n := range inst.Numbers {
		if n.ContactFlowID == f.ContactFlowID {
			c.PhoneNumbers = append(c.PhoneNumbers, n.Number)
		}
	}
	return c
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

// FlowOfVersion returns a copy of the flow that has version versionID.
func (s *Service) FlowOfVersion(instanceID, versionID string) (Flow, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, f, _, err := s.versionLocked(instanceID, versionID)
	if err != nil {
		return Flow{}, err
	}
	return inst.view(f), nil
}

// NewFlow describes a flow to create.
type NewFlow struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
	// Canvas defaults to EmptyCanvas.
	Canvas  string `json:"canvas,omitempty"`
	Content string `json:"content"`
	// Published creates version 1 already published and applied, with no lock (admin seeding
	// only: the API always creates a locked, unapplied version).
	Published bool `json:"published,omitempty"`
}

// CreateFlow creates a flow in an instance with version 1 holding in's Canvas and Content.
// Unless in.Published, version 1 is locked by user and not applied.
func (s *Service) CreateFlow(instanceID, user string, in NewFlow) (Flow, error) {
	if strings.TrimSpace(in.Name) == "" {
		return Flow{}, core.Errorf(http.StatusBadRequest, "MissingName", "Name is mandatory for this action.")
	}
	if err := validateType(in.Type); err != nil {
		return Flow{}, err
	}
	if err := ValidateContent(in.Content); err != nil {
		return Flow{}, err
	}
	if err := ValidateCanvas(in.Canvas); err != nil {
		return Flow{}, err
	}
	if in.Canvas == "" {
		in.Canvas = EmptyCanvas
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
	f := &Flow{}
	now, label := s.stamp(f)
	*f = Flow{
		ContactFlowID: core.NewUUID(),
		InstanceID:    instanceID,
		Name:          in.Name,
		Type:          in.Type,
		Description:   in.Description,
		CreatedTime:   now,
		UpdatedTime:   now,
	}
	v := ContactFlowVersion{
		ContactFlowVersionID: newVersionID(),
		Version:              label,
		Description:          "create-" + label,
		Canvas:               in.Canvas,
		Content:              in.Content,
		Status:               StatusCreated,
		LockedBy:             user,
		LastModified:         now,
		LastModifiedBy:       user,
	}
	if in.Published {
		v.Status, v.LockedBy = StatusPublished, ""
		f.AppliedVersion = v.ContactFlowVersionID
	}
	f.Versions = []ContactFlowVersion{v}
	inst.Flows = append(inst.Flows, f)
	s.saveLocked()
	return inst.view(f), nil
}

// BeginModification opens a version of the flow for user and returns the flow and the
// version's ID. user's own open version is returned as it is; another user's refuses with
// CodeVersionLocked. A new version copies the applied version (the newest one while none is
// applied; EmptyCanvas and EmptyContent when the flow has none).
func (s *Service) BeginModification(instanceID, flowID, user string) (Flow, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, f, err := s.flowLocked(instanceID, flowID)
	if err != nil {
		return Flow{}, "", err
	}
	if v := f.Locked(); v != nil {
		if v.LockedBy != user {
			return Flow{}, "", lockedError(f, v)
		}
		return inst.view(f), v.ContactFlowVersionID, nil
	}
	canvas, content := EmptyCanvas, EmptyContent
	if base := f.Applied(); base != nil {
		canvas, content = base.Canvas, base.Content
	} else if n := len(f.Versions); n > 0 {
		canvas, content = f.Versions[n-1].Canvas, f.Versions[n-1].Content
	}
	now, label := s.stamp(f)
	v := ContactFlowVersion{
		ContactFlowVersionID: newVersionID(),
		Version:              label,
		Description:          "modify-" + label,
		Canvas:               canvas,
		Content:              content,
		Status:               StatusCreated,
		LockedBy:             user,
		LastModified:         now,
		LastModifiedBy:       user,
	}
	f.Versions = append(f.Versions, v)
	f.UpdatedTime = now
	s.saveLocked()
	return inst.view(f), v.ContactFlowVersionID, nil
}

// Commit saves canvas and content into version versionID, which user must hold open, and
// returns the saved version (Status StatusUpdated). Both are mandatory, as in the API.
func (s *Service) Commit(instanceID, versionID, user, canvas, content string) (ContactFlowVersion, error) {
	_, v, err := s.change(instanceID, versionID, user, &canvas, &content)
	return v, err
}

// Modify changes the canvas and/or the content (nil keeps it) of version versionID, which user
// must hold open, and returns the flow.
func (s *Service) Modify(instanceID, versionID, user string, canvas, content *string) (Flow, error) {
	f, _, err := s.change(instanceID, versionID, user, canvas, content)
	return f, err
}

func (s *Service) change(instanceID, versionID, user string, canvas, content *string) (Flow, ContactFlowVersion, error) {
	if content != nil {
		if err := ValidateContent(*content); err != nil {
			return Flow{}, ContactFlowVersion{}, err
		}
	}
	if canvas != nil {
		if err := ValidateCanvas(*canvas); err != nil {
			return Flow{}, ContactFlowVersion{}, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, f, v, err := s.versionLocked(instanceID, versionID)
	if err != nil {
		return Flow{}, ContactFlowVersion{}, err
	}
	if err := heldBy(f, v, user); err != nil {
		return Flow{}, ContactFlowVersion{}, err
	}
	now := s.timestamp()
	if canvas != nil && *canvas != "" {
		v.Canvas = *canvas
	}
	if content != nil {
		v.Content = *content
	}
	v.Status, v.LastModified, v.LastModifiedBy = StatusUpdated, now, user
	f.UpdatedTime = now
	s.saveLocked()
	return inst.view(f), *v, nil
}

// Publish applies version versionID, which user must hold open, and releases its lock.
// Publishing the applied version again succeeds without a change. The version's references
// must resolve in the instance (checkReferences); a refused publish changes nothing.
func (s *Service) Publish(instanceID, versionID, user string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, f, v, err := s.versionLocked(instanceID, versionID)
	if err != nil {
		return err
	}
	if v.LockedBy == "" && f.AppliedVersion == versionID {
		return nil
	}
	if err := heldBy(f, v, user); err != nil {
		return err
	}
	if err := inst.checkReferences(v.Content); err != nil {
		return err
	}
	now := s.timestamp()
	v.Status, v.LockedBy, v.LastModified, v.LastModifiedBy = StatusPublished, "", now, user
	f.AppliedVersion, f.UpdatedTime = versionID, now
	s.saveLocked()
	return nil
}

// Cancel drops version versionID, which must be open for modification, whoever holds it: see
// the package documentation for why revocation needs only the version ID.
func (s *Service) Cancel(instanceID, versionID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, f, v, err := s.versionLocked(instanceID, versionID)
	if err != nil {
		return err
	}
	if v.LockedBy == "" {
		return notLockedError(v)
	}
	f.Versions = slices.DeleteFunc(f.Versions, func(x ContactFlowVersion) bool { return x.ContactFlowVersionID == versionID })
	f.UpdatedTime = s.timestamp()
	s.saveLocked()
	return nil
}

// Fallback applies version versionID again, which must have been published before; an open
// modification is left alone. Falling back to the applied version succeeds without a change.
func (s *Service) Fallback(instanceID, versionID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, f, v, err := s.versionLocked(instanceID, versionID)
	if err != nil {
		return err
	}
	if v.Status != StatusPublished {
		return core.Errorf(http.StatusBadRequest, CodeVersionNotPublished,
			"The contact flow version %s was never published and cannot be fallen back to.", versionID)
	}
	if f.AppliedVersion == versionID {
		return nil
	}
	f.AppliedVersion, f.UpdatedTime = versionID, s.timestamp()
	s.saveLocked()
	return nil
}

// Delete removes the flow, whatever version is open, and unassigns its phone numbers.
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

// EditModification replaces the content (and a non-empty canvas) of the version user holds
// open, as a console user typing in the flow editor would.
func (s *Service) EditModification(instanceID, flowID, user, canvas, content string) (Flow, error) {
	if err := ValidateContent(content); err != nil {
		return Flow{}, err
	}
	if err := ValidateCanvas(canvas); err != nil {
		return Flow{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, f, err := s.flowLocked(instanceID, flowID)
	if err != nil {
		return Flow{}, err
	}
	v := f.Locked()
	if v == nil {
		return Flow{}, core.Errorf(http.StatusBadRequest, CodeVersionNotLocked,
			"The contact flow %s has no version being modified.", flowID)
	}
	if v.LockedBy != user {
		return Flow{}, lockedError(f, v)
	}
	now := s.timestamp()
	if canvas != "" {
		v.Canvas = canvas
	}
	v.Content, v.Status, v.LastModified, v.LastModifiedBy = content, StatusUpdated, now, user
	f.UpdatedTime = now
	s.saveLocked()
	return inst.view(f), nil
}

// CloseModification drops the version user holds open, as a console user leaving the editor
// without publishing would; no open version is success.
func (s *Service) CloseModification(instanceID, flowID, user string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, f, err := s.flowLocked(instanceID, flowID)
	if err != nil {
		return err
	}
	v := f.Locked()
	if v == nil {
		return nil
	}
	if v.LockedBy != user {
		return lockedError(f, v)
	}
	id := v.ContactFlowVersionID
	f.Versions = slices.DeleteFunc(f.Versions, func(x ContactFlowVersion) bool { return x.ContactFlowVersionID == id })
	f.UpdatedTime = s.timestamp()
	s.saveLocked()
	return nil
}

// SetPublished publishes content (and canvas; empty copies the applied one's) out of band as a
// new applied version by user, leaving any open modification alone: this is the drift the
// operator must detect.
func (s *Service) SetPublished(instanceID, flowID, user, canvas, content string) (Flow, error) {
	if err := ValidateContent(content); err != nil {
		return Flow{}, err
	}
	if err := ValidateCanvas(canvas); err != nil {
		return Flow{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, f, err := s.flowLocked(instanceID, flowID)
	if err != nil {
		return Flow{}, err
	}
	if canvas == "" {
		canvas = EmptyCanvas
		if a := f.Applied(); a != nil {
			canvas = a.Canvas
		}
	}
	now, label := s.stamp(f)
	v := ContactFlowVersion{
		ContactFlowVersionID: newVersionID(),
		Version:              label,
		Description:          "console-" + label,
		Canvas:               canvas,
		Content:              content,
		Status:               StatusPublished,
		LastModified:         now,
		LastModifiedBy:       user,
	}
	f.Versions = append(f.Versions, v)
	f.AppliedVersion, f.UpdatedTime = v.ContactFlowVersionID, now
	s.saveLocked()
	return inst.view(f), nil
}

// AddPhoneNumber adds a number to an instance and returns it; a number the instance already
// has is returned as it is, with created false.
func (s *Service) AddPhoneNumber(instanceID, number string) (PhoneNumber, bool, error) {
	if strings.TrimSpace(number) == "" {
		return PhoneNumber{}, false, core.Errorf(http.StatusBadRequest, "MissingNumber", "Number is mandatory for this action.")
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
	n := &PhoneNumber{PhoneNumberID: core.NewUUID(), Number: number, CreateTime: s.now().UnixMilli()}
	inst.Numbers = append(inst.Numbers, n)
	s.saveLocked()
	return *n, true, nil
}

// PhoneNumbers returns copies of the instance's numbers, in the order they were added.
func (s *Service) PhoneNumbers(instanceID string) ([]PhoneNumber, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, err := s.instanceLocked(instanceID)
	if err != nil {
		return nil, err
	}
	out := make([]PhoneNumber, 0, len(inst.Numbers))
	for _, n := range inst.Numbers {
		out = append(out, *n)
	}
	return out, nil
}

func (inst *instance) numberLocked(phoneNumberID string) (*PhoneNumber, *core.APIError) {
	for _, n := range inst.Numbers {
		if n.PhoneNumberID == phoneNumberID {
			return n, nil
		}
	}
	return nil, core.Errorf(http.StatusNotFound, CodePhoneNumberNotExists,
		"The specified phone number %s does not exist.", phoneNumberID)
}

// AssignPhoneNumber makes calls to the number run the flow, replacing the flow it ran before.
func (s *Service) AssignPhoneNumber(instanceID, flowID, phoneNumberID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, f, err := s.flowLocked(instanceID, flowID)
	if err != nil {
		return err
	}
	n, err := inst.numberLocked(phoneNumberID)
	if err != nil {
		return err
	}
	if n.ContactFlowID == flowID {
		return nil
	}
	n.ContactFlowID, f.UpdatedTime = flowID, s.timestamp()
	s.saveLocked()
	return nil
}

// RemovePhoneNumber unassigns the number from the flow. A number assigned to no flow is
// success; one assigned to another flow refuses with CodePhoneNumberAssigned.
func (s *Service) RemovePhoneNumber(instanceID, flowID, phoneNumberID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, f, err := s.flowLocked(instanceID, flowID)
	if err != nil {
		return err
	}
	n, err := inst.numberLocked(phoneNumberID)
	if err != nil {
		return err
	}
	switch n.ContactFlowID {
	case "":
		return nil
	case flowID:
		n.ContactFlowID, f.UpdatedTime = "", s.timestamp()
		s.saveLocked()
		return nil
	default:
		return core.Errorf(http.StatusBadRequest, CodePhoneNumberAssigned,
			"The phone number %s is not assigned to contact flow %s.", phoneNumberID, flowID)
	}
}
