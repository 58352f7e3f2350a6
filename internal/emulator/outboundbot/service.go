// Package outboundbot emulates Alibaba Cloud OutboundBot (intelligent outbound calls), API
// version 2019-12-26: business instances with their account-wide concurrency quota, and
// scripts with their review and publish life cycle. It serves the actions through the pop
// package and offers reviewer-style admin operations (approve or reject a review, change the
// quota, inject a platform error) under /_emulator/outboundbot/.
//
// The script model. A script has one working copy, changed by CreateScript and ModifyScript;
// every change marks it drafted (IsDrafted, IsDebugDrafted). SubmitScriptReview hands the
// drafted copy to the platform's reviewers; while it is in review the copy cannot be changed.
// WithdrawScriptReview takes it back (drafted again). A reviewer approves it, or rejects it with
// a RejectReason (drafted again). PublishScript publishes an approved copy as the next version
// (AppliedVersion 1, 2, ...) and records it in the publish history; RollbackScript makes an
// earlier published version the applied one again and restores its content. Status is derived
// from whether a version was ever published and where the review stands; see the Status
// constants.
package outboundbot

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

const (
	// Platform is the key of this platform in stats, the state file, --instance and admin paths.
	Platform = "outboundbot"
	// Product is the POP product name the SDK signs requests for.
	Product = "OutboundBot"
	// Version is the POP API version the actions are served under.
	Version = "2019-12-26"
	// DefaultConcurrencyLimit is the account-wide limit on the sum of the instances'
	// MaxConcurrentConversation when none is configured.
	DefaultConcurrencyLimit = 100
	// PresetConcurrency is the MaxConcurrentConversation of instances created from
	// configuration (--instance outboundbot:ID).
	PresetConcurrency = 1
)

// Error codes the emulator answers with, beyond the gateway's own (pop package). The first six
// are the platform's documented codes; the last three are the emulator's own names for refusals
// the platform's documentation does not name (see the README).
const (
	// CodeInstanceNameDuplicated: another instance of the account has the name (HTTP 400).
	CodeInstanceNameDuplicated = "InvalidInstanceName.Duplicated"
	// CodeConcurrencyExceeded: the account's MaxConcurrentConversation sum would exceed the
	// configured limit (HTTP 400).
	CodeConcurrencyExceeded = "LimitExceeded.ConcurrentConversation"
	// CodeInstanceNotExist: the instance is unknown (HTTP 404).
	CodeInstanceNotExist = "NotExist.Instance"
	// CodeScriptNotExist: the script is unknown in that instance (HTTP 404).
	CodeScriptNotExist = "NotExist.Script"
	// CodeScriptNameDuplicated: another script of the instance has the name (HTTP 400).
	CodeScriptNameDuplicated = "InvalidScriptName.Duplicated"
	// CodeInternalError: the platform's generic failure (HTTP 500); the emulator answers it
	// only when a fault was injected.
	CodeInternalError = "InternalError"
	// CodeScriptInReview: the script is in review, so it cannot be changed, submitted again,
	// published or rolled back until the review is withdrawn or decided (HTTP 400).
	CodeScriptInReview = "OperationDenied.ScriptInReview"
	// CodeScriptStatus: the action does not apply to the script's status: submitting with
	// nothing drafted, withdrawing when nothing is in review, publishing without an approved
	// review (HTTP 400).
	CodeScriptStatus = "OperationDenied.ScriptStatus"
	// CodeInvalidRollbackVersion: RollbackVersion names no published version (HTTP 400).
	CodeInvalidRollbackVersion = "InvalidParameter.RollbackVersion"
)

// Script statuses (the Status field). DRAFTED, PUBLISHED, EXAMINE_IN_PROGRESS and
// PUBLISHED_AND_EXAMINE_IN_PROGRESS are the platform's documented values; the platform names no
// status for an approved review that is not published yet, so the emulator reports
// EXAMINE_PASSED and PUBLISHED_AND_EXAMINE_PASSED, following the platform's naming.
const (
	// StatusDrafted: never published, not in review.
	StatusDrafted = "DRAFTED"
	// StatusPublished: a version is applied and no review is pending (IsDrafted tells whether
	// the working copy has changed since).
	StatusPublished = "PUBLISHED"
	// StatusInReview: never published, the working copy is in review.
	StatusInReview = "EXAMINE_IN_PROGRESS"
	// StatusPublishedInReview: a version is applied and the working copy is in review.
	StatusPublishedInReview = "PUBLISHED_AND_EXAMINE_IN_PROGRESS"
	// StatusApproved: never published, the working copy passed review and may be published.
	StatusApproved = "EXAMINE_PASSED"
	// StatusPublishedApproved: a version is applied and the working copy passed review.
	StatusPublishedApproved = "PUBLISHED_AND_EXAMINE_PASSED"
)

// Debug statuses (the DebugStatus field): the debug version is DRAFTED while the working copy
// has changes it does not have, and PUBLISHED once a publish carried them.
const (
	// DebugStatusDrafted: the working copy has changes the debug version lacks.
	DebugStatusDrafted = "DRAFTED"
	// DebugStatusPublished: the debug version is the working copy.
	DebugStatusPublished = "PUBLISHED"
)

// Review states kept in the state file.
const (
	reviewNone     = ""
	reviewPending  = "PENDING"
	reviewApproved = "APPROVED"
)

// redacted replaces secrets in what the admin API shows.
const redacted = "[redacted]"

// Instance is the emulator's record of one business instance: what the admin API shows and
// the state file keeps. The API never reports CallingNumbers (the platform does not either).
type Instance struct {
	InstanceID                string   `json:"instanceId"`
	InstanceName              string   `json:"instanceName"`
	InstanceDescription       string   `json:"instanceDescription"`
	MaxConcurrentConversation int      `json:"maxConcurrentConversation"`
	CallingNumbers            []string `json:"callingNumbers"`
	CallCenterInstanceID      string   `json:"callCenterInstanceId"`
	NluServiceType            string   `json:"nluServiceType"`
	NluEndpoint               string   `json:"nluEndpoint"`
	NluAccessKey              string   `json:"nluAccessKey"`
	// NluSecretKey is kept in the state file; the admin API shows it as "[redacted]" and the
	// cloud API masks it.
	NluSecretKey    string `json:"nluSecretKey,omitempty"`
	ResourceGroupID string `json:"resourceGroupId"`
	CreatorName     string `json:"creatorName"`
	CreatorID       int64  `json:"creatorId"`
	OwnerName       string `json:"ownerName"`
	// CreationTime is in milliseconds since the epoch, as the platform reports it.
	CreationTime int64 `json:"creationTime"`
	// Preset marks an instance created from configuration rather than through the API.
	Preset bool `json:"preset,omitempty"`
}

func (in *Instance) clone() Instance {
	c := *in
	c.CallingNumbers = slices.Clone(in.CallingNumbers)
	if c.CallingNumbers == nil {
		c.CallingNumbers = []string{}
	}
	return c
}

// adminView is the clone the admin API shows: secrets redacted.
func (in *Instance) adminView() Instance {
	c := in.clone()
	if c.NluSecretKey != "" {
		c.NluSecretKey = redacted
	}
	return c
}

// ScriptFields are what CreateScript and ModifyScript set: the script's metadata, content and
// speech settings. Published versions keep a copy of them.
type ScriptFields struct {
	ScriptName        string `json:"scriptName"`
	Industry          string `json:"industry"`
	Scene             string `json:"scene"`
	ScriptDescription string `json:"scriptDescription"`
	ChatbotID         string `json:"chatbotId"`
	// ScriptContent and ScriptWaveform are the repeated content parameters, in order.
	ScriptContent  []string `json:"scriptContent"`
	ScriptWaveform []string `json:"scriptWaveform"`
	// MiniPlaybackConfigListJSON is MiniPlaybackConfigListJsonString, unparsed.
	MiniPlaybackConfigListJSON string `json:"miniPlaybackConfigListJson"`
	TtsConfig                  string `json:"ttsConfig"`
	AsrConfig                  string `json:"asrConfig"`
	NlsConfig                  string `json:"nlsConfig"`
	EmotionEnable              bool   `json:"emotionEnable"`
	NewBargeInEnable           bool   `json:"newBargeInEnable"`
	MiniPlaybackEnable         bool   `json:"miniPlaybackEnable"`
	LongWaitEnable             bool   `json:"longWaitEnable"`
}

func (f ScriptFields) clone() ScriptFields {
	f.ScriptContent = cloneList(f.ScriptContent)
	f.ScriptWaveform = cloneList(f.ScriptWaveform)
	return f
}

func cloneList(l []string) []string {
	if l == nil {
		return []string{}
	}
	return slices.Clone(l)
}

// ScriptVersion is one published version of a script, with the content it published.
type ScriptVersion struct {
	Version     string       `json:"version"`
	Fields      ScriptFields `json:"fields"`
	PublishTime int64        `json:"publishTime"`
}

// PublishRecord is one entry of a script's publish history: a publish or a rollback.
type PublishRecord struct {
	ScriptVersion string `json:"scriptVersion"`
	Description   string `json:"description"`
	// PublishTime is in milliseconds since the epoch.
	PublishTime int64 `json:"publishTime"`
}

// Script is the emulator's whole record of one script: what the admin API shows and the state
// file keeps. Status and DebugStatus are derived from the other fields after every change.
type Script struct {
	ScriptID   string `json:"scriptId"`
	InstanceID string `json:"instanceId"`
	ScriptFields
	Status         string `json:"status"`
	IsDrafted      bool   `json:"isDrafted"`
	DebugStatus    string `json:"debugStatus"`
	IsDebugDrafted bool   `json:"isDebugDrafted"`
	// Review is "", "PENDING" or "APPROVED".
	Review            string `json:"review"`
	ReviewDescription string `json:"reviewDescription"`
	RejectReason      string `json:"rejectReason"`
	// AppliedVersion is the published version in use, "" before the first publish.
	AppliedVersion string `json:"appliedVersion"`
	DebugVersion   string `json:"debugVersion"`
	// Versions are the published versions, oldest first; History is every publish and
	// rollback, oldest first.
	Versions    []ScriptVersion `json:"versions"`
	History     []PublishRecord `json:"history"`
	CreatorName string          `json:"creatorName"`
	// CreateTime and UpdateTime are in milliseconds since the epoch.
	CreateTime int64 `json:"createTime"`
	UpdateTime int64 `json:"updateTime"`
}

func (s *Script) clone() Script {
	c := *s
	c.ScriptFields = s.ScriptFields.clone()
	c.Versions = make([]ScriptVersion, len(s.Versions))
	for i, v := range s.Versions {
		v.Fields = v.Fields.clone()
		c.Versions[i] = v
	}
	c.History = slices.Clone(s.History)
	if c.History == nil {
		c.History = []PublishRecord{}
	}
	return c
}

// refresh derives Status and DebugStatus from the script's state.
func (s *Script) refresh() {
	published := s.AppliedVersion != ""
	switch {
	case s.Review == reviewPending && published:
		s.Status = StatusPublishedInReview
	case s.Review == reviewPending:
		s.Status = StatusInReview
	case s.Review == reviewApproved && published:
		s.Status = StatusPublishedApproved
	case s.Review == reviewApproved:
		s.Status = StatusApproved
	case published:
		s.Status = StatusPublished
	default:
		s.Status = StatusDrafted
	}
	if s.IsDebugDrafted || s.DebugVersion == "" {
		s.DebugStatus = DebugStatusDrafted
	} else {
		s.DebugStatus = DebugStatusPublished
	}
}

// version returns the published version named v.
func (s *Script) version(v string) (*ScriptVersion, bool) {
	for i := range s.Versions {
		if s.Versions[i].Version == v {
			return &s.Versions[i], true
		}
	}
	return nil, false
}

type instanceRecord struct {
	Instance
	// Scripts are kept in creation order, which is the list order.
	Scripts []*Script `json:"scripts"`
}

type persisted struct {
	// Instances are kept in creation order, which is the list order.
	Instances []*instanceRecord `json:"instances"`
}

// Fault makes the next Count calls of Action fail with the given platform error, as a platform
// outage or rate limit would. Code defaults to InternalError and HTTPStatus to 500.
type Fault struct {
	Action     string `json:"action"`
	Count      int    `json:"count"`
	Code       string `json:"code,omitempty"`
	HTTPStatus int    `json:"httpStatus,omitempty"`
	Message    string `json:"message,omitempty"`
}

// Settings are the platform-wide knobs the admin API reads and changes. They are
// configuration, not state: they are not saved in the state file.
type Settings struct {
	// ConcurrencyLimit bounds the sum of MaxConcurrentConversation over all instances.
	ConcurrencyLimit int `json:"concurrencyLimit"`
	// AutoApprove approves every review as soon as it is submitted, for demos without a
	// reviewer.
	AutoApprove bool `json:"autoApprove"`
}

// Options configure a Service.
type Options struct {
	// Store persists the state; nil keeps it in memory only.
	Store *core.Store
	// Instances are created at start (named after their ID, PresetConcurrency each) when the
	// state does not have them yet.
	Instances []string
	// ConcurrencyLimit is the account-wide concurrency limit; 0 means DefaultConcurrencyLimit.
	ConcurrencyLimit int
	// Logger receives state-file errors; nil discards.
	Logger *slog.Logger
	// Now is the clock for creation, update and publish times; nil means time.Now.
	Now func() time.Time
}

// Service holds the OutboundBot state. All methods are safe for concurrent use; every mutation
// is saved to the Store before the method returns.
type Service struct {
	store  *core.Store
	logger *slog.Logger
	now    func() time.Time

	mu        sync.Mutex
	instances []*instanceRecord
	settings  Settings
	faults    map[string]*Fault
}

// New loads the OutboundBot section of the store and adds the configured instances.
func New(opts Options) (*Service, error) {
	if opts.ConcurrencyLimit < 0 {
		return nil, fmt.Errorf("%s concurrency limit %d is negative", Platform, opts.ConcurrencyLimit)
	}
	s := &Service{
		store:    opts.Store,
		logger:   opts.Logger,
		now:      opts.Now,
		settings: Settings{ConcurrencyLimit: opts.ConcurrencyLimit},
		faults:   map[string]*Fault{},
	}
	if s.settings.ConcurrencyLimit == 0 {
		s.settings.ConcurrencyLimit = DefaultConcurrencyLimit
	}
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
		for _, in := range p.Instances {
			if in == nil {
				continue
			}
			if in.Scripts == nil {
				in.Scripts = []*Script{}
			}
			s.instances = append(s.instances, in)
		}
	}
	changed := false
	for _, id := range opts.Instances {
		if strings.TrimSpace(id) == "" {
			return nil, fmt.Errorf("empty %s instance ID", Platform)
		}
		if s.findInstanceLocked(id) != nil {
			continue
		}
		s.instances = append(s.instances, s.presetInstance(id))
		changed = true
	}
	if changed {
		s.mu.Lock()
		s.saveLocked()
		s.mu.Unlock()
	}
	return s, nil
}

func (s *Service) presetInstance(id string) *instanceRecord {
	return &instanceRecord{
		Instance: Instance{
			InstanceID:                id,
			InstanceName:              id,
			MaxConcurrentConversation: PresetConcurrency,
			CallingNumbers:            []string{},
			NluServiceType:            defaultNluServiceType,
			CreatorName:               core.DefaultUser,
			CreatorID:                 userID(core.DefaultUser),
			OwnerName:                 core.DefaultUser,
			CreationTime:              s.millis(),
			Preset:                    true,
		},
		Scripts: []*Script{},
	}
}

// defaultNluServiceType is what an instance created without NluServiceType reports: the
// platform's managed speech service.
const defaultNluServiceType = "Managed"

// saveLocked writes the state; a failure is logged, not returned, because the mutation has
// already happened in memory and the caller's answer must reflect it.
func (s *Service) saveLocked() {
	if err := s.store.Put(Platform, persisted{Instances: s.instances}); err != nil {
		s.logger.Error("Failed to save state", "platform", Platform, "error", err)
	}
}

func (s *Service) millis() int64 { return s.now().UnixMilli() }

// userID derives a stable numeric account user ID from a console user name, for CreatorId.
func userID(user string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(user))
	return int64(h.Sum64() % 1e15)
}

func instanceNotExist(id string) *core.APIError {
	return core.Errorf(http.StatusNotFound, CodeInstanceNotExist, "The specified Instance %s does not exist.", id)
}

func scriptNotExist(id string) *core.APIError {
	return core.Errorf(http.StatusNotFound, CodeScriptNotExist, "The specified Script %s does not exist.", id)
}

func (s *Service) findInstanceLocked(id string) *instanceRecord {
	for _, in := range s.instances {
		if in.InstanceID == id {
			return in
		}
	}
	return nil
}

func (s *Service) instanceLocked(id string) (*instanceRecord, *core.APIError) {
	if in := s.findInstanceLocked(id); in != nil {
		return in, nil
	}
	return nil, instanceNotExist(id)
}

func (s *Service) scriptLocked(instanceID, scriptID string) (*instanceRecord, *Script, *core.APIError) {
	in, err := s.instanceLocked(instanceID)
	if err != nil {
		return nil, nil, err
	}
	for _, sc := range in.Scripts {
		if sc.ScriptID == scriptID {
			return in, sc, nil
		}
	}
	return in, nil, scriptNotExist(scriptID)
}

// concurrencyLocked sums MaxConcurrentConversation over every instance except skip.
func (s *Service) concurrencyLocked(skip *instanceRecord) int {
	n := 0
	for _, in := range s.instances {
		if in != skip {
			n += in.MaxConcurrentConversation
		}
	}
	return n
}

func (s *Service) checkConcurrencyLocked(skip *instanceRecord, want int) *core.APIError {
	if want < 1 {
		return core.Errorf(http.StatusBadRequest, "InvalidParameter.MaxConcurrentConversation",
			"The parameter MaxConcurrentConversation must be a positive integer.")
	}
	if skip != nil && want <= skip.MaxConcurrentConversation {
		// Lowering (or keeping) an instance's share is always allowed, even when the limit was
		// lowered below what the account already uses.
		return nil
	}
	if s.concurrencyLocked(skip)+want > s.settings.ConcurrencyLimit {
		return core.Errorf(http.StatusBadRequest, CodeConcurrencyExceeded,
			"The maximum number of concurrent conversations is exceeded: the account limit is %d and %d are in use.",
			s.settings.ConcurrencyLimit, s.concurrencyLocked(skip))
	}
	return nil
}

func (s *Service) checkInstanceNameLocked(skip *instanceRecord, name string) *core.APIError {
	for _, in := range s.instances {
		if in != skip && in.InstanceName == name {
			return core.Errorf(http.StatusBadRequest, CodeInstanceNameDuplicated,
				"The specified InstanceName %s already exists.", name)
		}
	}
	return nil
}

// NewInstance describes an instance to create.
type NewInstance struct {
	InstanceName              string
	InstanceDescription       string
	MaxConcurrentConversation int
	CallingNumbers            []string
	CallCenterInstanceID      string
	NluServiceType            string
	NluEndpoint               string
	NluAccessKey              string
	NluSecretKey              string
	ResourceGroupID           string
}

// CreateInstance creates an instance owned by user. A taken name answers
// CodeInstanceNameDuplicated; a concurrency over the account limit answers
// CodeConcurrencyExceeded.
func (s *Service) CreateInstance(user string, in NewInstance) (Instance, error) {
	if strings.TrimSpace(in.InstanceName) == "" {
		return Instance{}, core.Errorf(http.StatusBadRequest, "MissingInstanceName", "InstanceName is mandatory for this action.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkInstanceNameLocked(nil, in.InstanceName); err != nil {
		return Instance{}, err
	}
	if err := s.checkConcurrencyLocked(nil, in.MaxConcurrentConversation); err != nil {
		return Instance{}, err
	}
	nlu := in.NluServiceType
	if nlu == "" {
		nlu = defaultNluServiceType
	}
	rec := &instanceRecord{
		Instance: Instance{
			InstanceID:                core.NewUUID(),
			InstanceName:              in.InstanceName,
			InstanceDescription:       in.InstanceDescription,
			MaxConcurrentConversation: in.MaxConcurrentConversation,
			CallingNumbers:            cloneList(in.CallingNumbers),
			CallCenterInstanceID:      in.CallCenterInstanceID,
			NluServiceType:            nlu,
			NluEndpoint:               in.NluEndpoint,
			NluAccessKey:              in.NluAccessKey,
			NluSecretKey:              in.NluSecretKey,
			ResourceGroupID:           in.ResourceGroupID,
			CreatorName:               user,
			CreatorID:                 userID(user),
			OwnerName:                 user,
			CreationTime:              s.millis(),
		},
		Scripts: []*Script{},
	}
	s.instances = append(s.instances, rec)
	s.saveLocked()
	return rec.clone(), nil
}

// InstanceUpdate is a ModifyInstance: nil fields (and a nil CallingNumbers) are left as they
// are, which is how the platform treats parameters the request does not carry.
type InstanceUpdate struct {
	InstanceName              *string
	InstanceDescription       *string
	MaxConcurrentConversation *int
	CallingNumbers            []string
	CallCenterInstanceID      *string
	NluServiceType            *string
	NluEndpoint               *string
	NluAccessKey              *string
	NluSecretKey              *string
}

// ModifyInstance changes an instance. The name and concurrency rules are those of
// CreateInstance; lowering MaxConcurrentConversation is always allowed.
func (s *Service) ModifyInstance(id string, u InstanceUpdate) (Instance, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.instanceLocked(id)
	if err != nil {
		return Instance{}, err
	}
	if u.InstanceName != nil {
		if strings.TrimSpace(*u.InstanceName) == "" {
			return Instance{}, core.Errorf(http.StatusBadRequest, "InvalidParameter.InstanceName", "The parameter InstanceName is empty.")
		}
		if err := s.checkInstanceNameLocked(rec, *u.InstanceName); err != nil {
			return Instance{}, err
		}
	}
	if u.MaxConcurrentConversation != nil {
		if err := s.checkConcurrencyLocked(rec, *u.MaxConcurrentConversation); err != nil {
			return Instance{}, err
		}
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&rec.InstanceName, u.InstanceName)
	set(&rec.InstanceDescription, u.InstanceDescription)
	set(&rec.CallCenterInstanceID, u.CallCenterInstanceID)
	set(&rec.NluServiceType, u.NluServiceType)
	set(&rec.NluEndpoint, u.NluEndpoint)
	set(&rec.NluAccessKey, u.NluAccessKey)
	set(&rec.NluSecretKey, u.NluSecretKey)
	if u.MaxConcurrentConversation != nil {
		rec.MaxConcurrentConversation = *u.MaxConcurrentConversation
	}
	if u.CallingNumbers != nil {
		rec.CallingNumbers = slices.Clone(u.CallingNumbers)
	}
	s.saveLocked()
	return rec.clone(), nil
}

// Instance returns a copy of one instance.
func (s *Service) Instance(id string) (Instance, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.instanceLocked(id)
	if err != nil {
		return Instance{}, err
	}
	return rec.clone(), nil
}

// Instances returns copies of every instance, in creation order.
func (s *Service) Instances() []Instance {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Instance, 0, len(s.instances))
	for _, rec := range s.instances {
		out = append(out, rec.clone())
	}
	return out
}

// DeleteInstance removes an instance and its scripts.
func (s *Service) DeleteInstance(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.instanceLocked(id)
	if err != nil {
		return err
	}
	s.instances = slices.DeleteFunc(s.instances, func(x *instanceRecord) bool { return x == rec })
	s.saveLocked()
	return nil
}

func (s *Service) checkScriptNameLocked(in *instanceRecord, skip *Script, name string) *core.APIError {
	for _, sc := range in.Scripts {
		if sc != skip && sc.ScriptName == name {
			return core.Errorf(http.StatusBadRequest, CodeScriptNameDuplicated,
				"The specified ScriptName %s already exists.", name)
		}
	}
	return nil
}

// CreateScript creates a drafted, never published script in an instance. A name taken in the
// instance answers CodeScriptNameDuplicated.
func (s *Service) CreateScript(instanceID, user string, f ScriptFields) (Script, error) {
	if strings.TrimSpace(f.ScriptName) == "" {
		return Script{}, core.Errorf(http.StatusBadRequest, "MissingScriptName", "ScriptName is mandatory for this action.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in, err := s.instanceLocked(instanceID)
	if err != nil {
		return Script{}, err
	}
	if err := s.checkScriptNameLocked(in, nil, f.ScriptName); err != nil {
		return Script{}, err
	}
	now := s.millis()
	sc := &Script{
		ScriptID:       core.NewUUID(),
		InstanceID:     instanceID,
		ScriptFields:   f.clone(),
		IsDrafted:      true,
		IsDebugDrafted: true,
		Versions:       []ScriptVersion{},
		History:        []PublishRecord{},
		CreatorName:    user,
		CreateTime:     now,
		UpdateTime:     now,
	}
	sc.refresh()
	in.Scripts = append(in.Scripts, sc)
	s.saveLocked()
	return sc.clone(), nil
}

// ScriptUpdate is a ModifyScript: nil fields are left as they are.
type ScriptUpdate struct {
	ScriptName                 *string
	Industry                   *string
	Scene                      *string
	ScriptDescription          *string
	ChatbotID                  *string
	ScriptContent              []string
	ScriptWaveform             []string
	MiniPlaybackConfigListJSON *string
	TtsConfig                  *string
	AsrConfig                  *string
	NlsConfig                  *string
	EmotionEnable              *bool
	NewBargeInEnable           *bool
	MiniPlaybackEnable         *bool
	LongWaitEnable             *bool
}

func inReviewError(sc *Script) *core.APIError {
	return core.Errorf(http.StatusBadRequest, CodeScriptInReview,
		"The script %s is in review; withdraw the review or wait for its result.", sc.ScriptID)
}

func statusError(sc *Script, action string) *core.APIError {
	return core.Errorf(http.StatusBadRequest, CodeScriptStatus,
		"The script %s cannot be %s in status %s (IsDrafted %t).", sc.ScriptID, action, sc.Status, sc.IsDrafted)
}

// ModifyScript changes the working copy of a script, which marks it drafted and drops an
// approval that was not published yet. A script in review refuses with CodeScriptInReview.
func (s *Service) ModifyScript(instanceID, scriptID string, u ScriptUpdate) (Script, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, sc, err := s.scriptLocked(instanceID, scriptID)
	if err != nil {
		return Script{}, err
	}
	if sc.Review == reviewPending {
		return Script{}, inReviewError(sc)
	}
	if u.ScriptName != nil {
		if strings.TrimSpace(*u.ScriptName) == "" {
			return Script{}, core.Errorf(http.StatusBadRequest, "InvalidParameter.ScriptName", "The parameter ScriptName is empty.")
		}
		if err := s.checkScriptNameLocked(in, sc, *u.ScriptName); err != nil {
			return Script{}, err
		}
	}
	setS := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	setB := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	f := &sc.ScriptFields
	setS(&f.ScriptName, u.ScriptName)
	setS(&f.Industry, u.Industry)
	setS(&f.Scene, u.Scene)
	setS(&f.ScriptDescription, u.ScriptDescription)
	setS(&f.ChatbotID, u.ChatbotID)
	setS(&f.MiniPlaybackConfigListJSON, u.MiniPlaybackConfigListJSON)
	setS(&f.TtsConfig, u.TtsConfig)
	setS(&f.AsrConfig, u.AsrConfig)
	setS(&f.NlsConfig, u.NlsConfig)
	setB(&f.EmotionEnable, u.EmotionEnable)
	setB(&f.NewBargeInEnable, u.NewBargeInEnable)
	setB(&f.MiniPlaybackEnable, u.MiniPlaybackEnable)
	setB(&f.LongWaitEnable, u.LongWaitEnable)
	if u.ScriptContent != nil {
		f.ScriptContent = slices.Clone(u.ScriptContent)
	}
	if u.ScriptWaveform != nil {
		f.ScriptWaveform = slices.Clone(u.ScriptWaveform)
	}
	sc.IsDrafted, sc.IsDebugDrafted = true, true
	sc.Review = reviewNone
	sc.UpdateTime = s.millis()
	sc.refresh()
	s.saveLocked()
	return sc.clone(), nil
}

// Script returns a copy of one script.
func (s *Service) Script(instanceID, scriptID string) (Script, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, sc, err := s.scriptLocked(instanceID, scriptID)
	if err != nil {
		return Script{}, err
	}
	return sc.clone(), nil
}

// Scripts returns copies of every script of an instance, in creation order.
func (s *Service) Scripts(instanceID string) ([]Script, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, err := s.instanceLocked(instanceID)
	if err != nil {
		return nil, err
	}
	out := make([]Script, 0, len(in.Scripts))
	for _, sc := range in.Scripts {
		out = append(out, sc.clone())
	}
	return out, nil
}

// page returns the bounds of page pageNumber (from 1) of size pageSize over total items.
func page(total, pageNumber, pageSize int) (start, end int) {
	start = min((pageNumber-1)*pageSize, total)
	end = min(start+pageSize, total)
	return start, end
}

// ListScripts returns one page of an instance's scripts in creation order, and their number.
func (s *Service) ListScripts(instanceID string, pageNumber, pageSize int) ([]Script, int, error) {
	all, err := s.Scripts(instanceID)
	if err != nil {
		return nil, 0, err
	}
	start, end := page(len(all), pageNumber, pageSize)
	return all[start:end], len(all), nil
}

// DeleteScript removes a script, whatever its status.
func (s *Service) DeleteScript(instanceID, scriptID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, sc, err := s.scriptLocked(instanceID, scriptID)
	if err != nil {
		return err
	}
	in.Scripts = slices.DeleteFunc(in.Scripts, func(x *Script) bool { return x == sc })
	s.saveLocked()
	return nil
}

// SubmitReview hands the drafted working copy to review. A script already in review answers
// CodeScriptInReview; one with nothing drafted, or already approved, answers CodeScriptStatus.
// With AutoApprove set the review is approved at once.
func (s *Service) SubmitReview(instanceID, scriptID, description string) (Script, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, sc, err := s.scriptLocked(instanceID, scriptID)
	if err != nil {
		return Script{}, err
	}
	switch {
	case sc.Review == reviewPending:
		return Script{}, inReviewError(sc)
	case sc.Review == reviewApproved || !sc.IsDrafted:
		return Script{}, statusError(sc, "submitted for review")
	}
	sc.Review, sc.ReviewDescription, sc.RejectReason = reviewPending, description, ""
	if s.settings.AutoApprove {
		sc.Review = reviewApproved
	}
	sc.UpdateTime = s.millis()
	sc.refresh()
	s.saveLocked()
	return sc.clone(), nil
}

// WithdrawReview takes a script out of review: it is drafted again, as before the submission.
// A script that is not in review answers CodeScriptStatus.
func (s *Service) WithdrawReview(instanceID, scriptID string) (Script, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, sc, err := s.scriptLocked(instanceID, scriptID)
	if err != nil {
		return Script{}, err
	}
	if sc.Review != reviewPending {
		return Script{}, statusError(sc, "withdrawn from review")
	}
	sc.Review, sc.ReviewDescription = reviewNone, ""
	sc.UpdateTime = s.millis()
	sc.refresh()
	s.saveLocked()
	return sc.clone(), nil
}

// ApproveReview decides a pending review in favour of the script, as the platform's reviewers
// do; the script may then be published. A script not in review answers CodeScriptStatus.
func (s *Service) ApproveReview(instanceID, scriptID string) (Script, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, sc, err := s.scriptLocked(instanceID, scriptID)
	if err != nil {
		return Script{}, err
	}
	if sc.Review != reviewPending {
		return Script{}, statusError(sc, "approved")
	}
	sc.Review, sc.RejectReason = reviewApproved, ""
	sc.UpdateTime = s.millis()
	sc.refresh()
	s.saveLocked()
	return sc.clone(), nil
}

// RejectReview decides a pending review against the script with reason, which the script then
// reports as RejectReason; it is drafted again. A script not in review answers
// CodeScriptStatus.
func (s *Service) RejectReview(instanceID, scriptID, reason string) (Script, error) {
	if strings.TrimSpace(reason) == "" {
		return Script{}, core.Errorf(http.StatusBadRequest, "MissingReason", "reason is mandatory for this operation.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, sc, err := s.scriptLocked(instanceID, scriptID)
	if err != nil {
		return Script{}, err
	}
	if sc.Review != reviewPending {
		return Script{}, statusError(sc, "rejected")
	}
	sc.Review, sc.ReviewDescription, sc.RejectReason = reviewNone, "", reason
	sc.UpdateTime = s.millis()
	sc.refresh()
	s.saveLocked()
	return sc.clone(), nil
}

// Publish publishes the approved working copy as the next version (one more than the highest
// published so far), applies it and records it in the publish history with description. A
// script in review answers CodeScriptInReview; one without an approved review answers
// CodeScriptStatus.
func (s *Service) Publish(instanceID, scriptID, description string) (Script, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, sc, err := s.scriptLocked(instanceID, scriptID)
	if err != nil {
		return Script{}, err
	}
	switch sc.Review {
	case reviewPending:
		return Script{}, inReviewError(sc)
	case reviewNone:
		return Script{}, statusError(sc, "published without an approved review")
	}
	highest := 0
	for _, v := range sc.Versions {
		if n, err := strconv.Atoi(v.Version); err == nil && n > highest {
			highest = n
		}
	}
	now := s.millis()
	v := strconv.Itoa(highest + 1)
	sc.Versions = append(sc.Versions, ScriptVersion{Version: v, Fields: sc.ScriptFields.clone(), PublishTime: now})
	sc.History = append(sc.History, PublishRecord{ScriptVersion: v, Description: description, PublishTime: now})
	sc.AppliedVersion, sc.DebugVersion = v, v
	sc.IsDrafted, sc.IsDebugDrafted = false, false
	sc.Review, sc.ReviewDescription, sc.RejectReason = reviewNone, "", ""
	sc.UpdateTime = now
	sc.refresh()
	s.saveLocked()
	return sc.clone(), nil
}

// Rollback makes the earlier published version the applied one again: the working copy takes
// that version's content (the script keeps its current name) and any drafted change or
// approval is dropped; the rollback is recorded in the publish history. An unknown version
// answers CodeInvalidRollbackVersion; a script in review answers CodeScriptInReview.
func (s *Service) Rollback(instanceID, scriptID, version string) (Script, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, sc, err := s.scriptLocked(instanceID, scriptID)
	if err != nil {
		return Script{}, err
	}
	if sc.Review == reviewPending {
		return Script{}, inReviewError(sc)
	}
	v, ok := sc.version(version)
	if !ok {
		return Script{}, core.Errorf(http.StatusBadRequest, CodeInvalidRollbackVersion,
			"The script %s has no published version %q.", scriptID, version)
	}
	name := sc.ScriptName
	sc.ScriptFields = v.Fields.clone()
	sc.ScriptName = name
	now := s.millis()
	sc.History = append(sc.History, PublishRecord{ScriptVersion: version, Description: "Rollback to version " + version, PublishTime: now})
	sc.AppliedVersion, sc.DebugVersion = version, version
	sc.IsDrafted, sc.IsDebugDrafted = false, false
	sc.Review, sc.ReviewDescription, sc.RejectReason = reviewNone, "", ""
	sc.UpdateTime = now
	sc.refresh()
	s.saveLocked()
	return sc.clone(), nil
}

// PublishHistory returns one page of a script's publish history, newest first, and the
// number of entries.
func (s *Service) PublishHistory(instanceID, scriptID string, pageNumber, pageSize int) ([]PublishRecord, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, sc, err := s.scriptLocked(instanceID, scriptID)
	if err != nil {
		return nil, 0, err
	}
	all := slices.Clone(sc.History)
	slices.Reverse(all)
	start, end := page(len(all), pageNumber, pageSize)
	out := all[start:end]
	if out == nil {
		out = []PublishRecord{}
	}
	return out, len(all), nil
}

// Settings returns the current platform-wide settings.
func (s *Service) Settings() Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.settings
}

// SetConcurrencyLimit changes the account-wide concurrency limit. It applies to later creates
// and increases only: instances already over it are left alone.
func (s *Service) SetConcurrencyLimit(n int) error {
	if n < 1 {
		return core.Errorf(http.StatusBadRequest, "InvalidParameter.ConcurrencyLimit", "concurrencyLimit must be a positive integer.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settings.ConcurrencyLimit = n
	return nil
}

// SetAutoApprove turns automatic approval of submitted reviews on or off.
func (s *Service) SetAutoApprove(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settings.AutoApprove = on
}

// InjectFault arms f: the next f.Count calls of f.Action fail with its error. A Count of 0
// disarms the action's fault.
func (s *Service) InjectFault(f Fault) error {
	if f.Action == "" || f.Count < 0 {
		return core.Errorf(http.StatusBadRequest, "InvalidParameter.Fault", "a fault needs an action and a non-negative count.")
	}
	if f.Code == "" {
		f.Code = CodeInternalError
	}
	if f.HTTPStatus == 0 {
		f.HTTPStatus = http.StatusInternalServerError
	}
	if f.HTTPStatus < 400 || f.HTTPStatus > 599 {
		return core.Errorf(http.StatusBadRequest, "InvalidParameter.Fault", "httpStatus must be an HTTP error status.")
	}
	if f.Message == "" {
		f.Message = "An error occurred while processing your request. Please try again later."
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Count == 0 {
		delete(s.faults, f.Action)
		return nil
	}
	s.faults[f.Action] = &f
	return nil
}

// takeFault consumes one armed fault of action and returns its error, nil when none is armed.
func (s *Service) takeFault(action string) *core.APIError {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.faults[action]
	if !ok {
		return nil
	}
	f.Count--
	if f.Count <= 0 {
		delete(s.faults, action)
	}
	return &core.APIError{HTTPStatus: f.HTTPStatus, Code: f.Code, Message: f.Message}
}
