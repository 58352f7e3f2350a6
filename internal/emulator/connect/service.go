// Package connect emulates the contact flows of Amazon Connect behind the platform's own wire
// protocol (REST-JSON with SigV4 signatures), so that aws-sdk-go-v2's service/connect is its
// client unchanged. It holds instances, flows, their saved and published content and their
// versions, serves the flow operations on resource paths such as /contact-flows/{InstanceId}
// and offers console-style admin operations under /_emulator/connect/.
//
// The content model: a flow has a saved content (what the $SAVED alias shows, always the
// latest) and, once published, a published content. CreateContactFlow with Status SAVED only
// saves; with PUBLISHED (the default) it publishes too. UpdateContactFlowContent on "id:$SAVED"
// saves without publishing; on the plain ID it publishes (and saves). Publishing validates the
// content graph and its references (flows, queues, prompts and Lambda functions of the
// instance's directory, see directory.go and references.go) and refuses it with
// InvalidContactFlowException and its problems; saving only requires a JSON object. CreateContactFlowVersion snapshots the published content as an
// immutable, monotonically numbered version, for CAMPAIGN flows only, and only when the given
// FlowContentSha256 matches the published content (see ContentSha256).
package connect

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

const (
	// Platform is the key of this platform in stats, the state file and admin paths.
	Platform = "connect"
	// DefaultRegion is the region recorded for changes made without a signed request (admin
	// operations, in-process calls that name none).
	DefaultRegion = "us-east-1"
	// AccountID is the account every emulated ARN belongs to.
	AccountID = "000000000000"
	// DefaultMaxFlowsPerInstance bounds the flows of one instance, like the platform's
	// "flows per instance" quota; CreateContactFlow beyond it answers LimitExceededException.
	DefaultMaxFlowsPerInstance = 1000
)

// Qualifiers of a ContactFlowId ("id:$SAVED", "id:3").
const (
	// QualifierSaved selects the saved content, published or not.
	QualifierSaved = "$SAVED"
	// QualifierLatest selects the published content, like the plain ID.
	QualifierLatest = "$LATEST"
)

// Flow status and state values, as in the SDK's types.ContactFlowStatus and ContactFlowState.
const (
	// StatusSaved marks content that is saved but not published (or a flow never published).
	StatusSaved = "SAVED"
	// StatusPublished marks published content (or a flow published at least once).
	StatusPublished = "PUBLISHED"
	// StateActive is a flow in use.
	StateActive = "ACTIVE"
	// StateArchived is a flow archived through UpdateContactFlowMetadata.
	StateArchived = "ARCHIVED"
	// TypeCampaign is the only flow type CreateContactFlowVersion accepts (seed 003).
	TypeCampaign = "CAMPAIGN"
)

// FlowTypes are the values of the SDK's types.ContactFlowType that CreateContactFlow accepts.
var FlowTypes = []string{
	"CONTACT_FLOW", "CUSTOMER_QUEUE", "CUSTOMER_HOLD", "CUSTOMER_WHISPER", "AGENT_HOLD",
	"AGENT_WHISPER", "OUTBOUND_WHISPER", "AGENT_TRANSFER", "QUEUE_TRANSFER", TypeCampaign,
}

// Error codes, sent as the x-amzn-ErrorType header so that the SDK decodes the typed error of
// the same name from service/connect/types.
const (
	CodeResourceNotFound        = "ResourceNotFoundException"           // HTTP 404
	CodeDuplicateResource       = "DuplicateResourceException"          // HTTP 409
	CodeInvalidContactFlow      = "InvalidContactFlowException"         // HTTP 400, with problems
	CodeInvalidParameter        = "InvalidParameterException"           // HTTP 400
	CodeInvalidRequest          = "InvalidRequestException"             // HTTP 400
	CodeContactFlowNotPublished = "ContactFlowNotPublishedException"    // HTTP 404
	CodeLimitExceeded           = "LimitExceededException"              // HTTP 429
	CodeThrottling              = "ThrottlingException"                 // HTTP 429
	CodeInternalService         = "InternalServiceException"            // HTTP 500
	CodeUnrecognizedClient      = "UnrecognizedClientException"         // HTTP 403, unknown access key
	CodeInvalidSignature        = "InvalidSignatureException"           // HTTP 403, signature mismatch or expired
	CodeIncompleteSignature     = "IncompleteSignatureException"        // HTTP 400, malformed Authorization
	CodeMissingAuthToken        = "MissingAuthenticationTokenException" // HTTP 403, unsigned
	CodeUnknownOperation        = "UnknownOperationException"           // HTTP 404, no such route
)

// Limits the platform documents for flow fields.
const (
	maxNameLen        = 127
	maxDescriptionLen = 500
	maxContentLen     = 256000
	maxTags           = 50
	maxTagKeyLen      = 128
	maxTagValueLen    = 256
	maxVersion        = int64(1) << 60
)

// InvalidFlowError is InvalidContactFlowException: the content cannot be published, for the
// listed problems. It unwraps to the *core.APIError that protocols answer with; the REST front
// end adds Problems to the body as the SDK's InvalidContactFlowException.Problems.
type InvalidFlowError struct {
	Problems []string
}

// Error renders the code and the problems.
func (e *InvalidFlowError) Error() string { return e.apiError().Error() }

// Unwrap returns the APIError (HTTP 400, CodeInvalidContactFlow).
func (e *InvalidFlowError) Unwrap() error { return e.apiError() }

func (e *InvalidFlowError) apiError() *core.APIError {
	return core.Errorf(http.StatusBadRequest, CodeInvalidContactFlow,
		"The flow is not valid: %s", strings.Join(e.Problems, " "))
}

// Throttled is the platform's ThrottlingException (HTTP 429), for fault-injection middleware.
func Throttled() *core.APIError {
	return core.Errorf(http.StatusTooManyRequests, CodeThrottling, "Rate exceeded")
}

func badParam(format string, args ...any) *core.APIError {
	return core.Errorf(http.StatusBadRequest, CodeInvalidParameter, format, args...)
}

func badRequest(format string, args ...any) *core.APIError {
	return core.Errorf(http.StatusBadRequest, CodeInvalidRequest, format, args...)
}

func notFound(format string, args ...any) *core.APIError {
	return core.Errorf(http.StatusNotFound, CodeResourceNotFound, format, args...)
}

// Flow is the emulator's whole record of one flow: what the admin API shows and the state file
// keeps.
type Flow struct {
	ContactFlowID string `json:"contactFlowId"`
	InstanceID    string `json:"instanceId"`
	Arn           string `json:"arn"`
	Name          string `json:"name"`
	Type          string `json:"type"`
	Description   string `json:"description"`
	// State is ACTIVE or ARCHIVED.
	State string `json:"state"`
	// SavedContent is the latest content, what "id:$SAVED" describes.
	SavedContent       string `json:"savedContent"`
	SavedContentSha256 string `json:"savedContentSha256"`
	// Published reports whether the flow was ever published.
	Published bool `json:"published"`
	// PublishedContent is what the plain ID describes; empty until the first publish.
	PublishedContent       string            `json:"publishedContent"`
	PublishedContentSha256 string            `json:"publishedContentSha256,omitempty"`
	Tags                   map[string]string `json:"tags"`
	// Versions are the immutable versions, oldest first, numbered from 1.
	Versions           []Version `json:"versions"`
	LastModifiedRegion string    `json:"lastModifiedRegion"`
	LastModifiedTime   time.Time `json:"lastModifiedTime"`
	CreatedTime        time.Time `json:"createdTime"`
	// Seq orders flows by creation; paging tokens carry it so that deletes between pages
	// neither skip nor repeat a flow.
	Seq int64 `json:"seq"`
}

// Version is one immutable version of a flow.
type Version struct {
	Version           int64     `json:"version"`
	Description       string    `json:"description"`
	Content           string    `json:"content"`
	FlowContentSha256 string    `json:"flowContentSha256"`
	CreatedTime       time.Time `json:"createdTime"`
}

// Status is the flow's status as ListContactFlows reports it: PUBLISHED once published.
func (f *Flow) Status() string {
	if f.Published {
		return StatusPublished
	}
	return StatusSaved
}

// HasUnpublishedChanges reports whether the saved content differs from the published one (or
// the flow was never published): then "id:$SAVED" describes Status SAVED.
func (f *Flow) HasUnpublishedChanges() bool {
	return !f.Published || f.SavedContent != f.PublishedContent
}

func (f *Flow) clone() Flow {
	c := *f
	c.Tags = maps.Clone(f.Tags)
	if c.Tags == nil {
		c.Tags = map[string]string{}
	}
	c.Versions = slices.Clone(f.Versions)
	if c.Versions == nil {
		c.Versions = []Version{}
	}
	return c
}

// View is one flow as DescribeContactFlow shows it through a qualifier: the content, status
// and checksum of the plain (published), $SAVED or numbered version view.
type View struct {
	Flow
	Content           string
	Status            string
	FlowContentSha256 string
	// Version and VersionDescription are set for a numbered version only.
	Version            int64
	VersionDescription string
	// ViewArn is the flow ARN, with ":N" for a numbered version.
	ViewArn string
}

type instance struct {
	// Flows are kept in creation order, which is the list order.
	Flows []*Flow `json:"flows"`
	// The directory (see directory.go), each list in creation order.
	Queues    []*Resource    `json:"queues,omitempty"`
	Prompts   []*Resource    `json:"prompts,omitempty"`
	Functions []*Resource    `json:"functions,omitempty"`
	Numbers   []*PhoneNumber `json:"numbers,omitempty"`
}

type persisted struct {
	Instances map[string]*instance `json:"instances"`
	NextSeq   int64                `json:"nextSeq"`
}

// Options configure a Service.
type Options struct {
	// Store persists the state; nil keeps it in memory only.
	Store *core.Store
	// Instances are created at start when the state does not have them yet.
	Instances []string
	// MaxFlowsPerInstance bounds the flows of one instance; 0 means
	// DefaultMaxFlowsPerInstance.
	MaxFlowsPerInstance int
	// Logger receives state-file errors; nil discards.
	Logger *slog.Logger
	// Now is the clock for modification times; nil means time.Now.
	Now func() time.Time
}

// Service holds the Connect state. All methods are safe for concurrent use; every mutation is
// saved to the Store before the method returns. Methods return *core.APIError (or
// *InvalidFlowError) refusals in the platform's codes.
type Service struct {
	store    *core.Store
	logger   *slog.Logger
	now      func() time.Time
	maxFlows int

	mu        sync.Mutex
	instances map[string]*instance
	nextSeq   int64
}

// New loads the Connect section of the store and adds the configured instances.
func New(opts Options) (*Service, error) {
	s := &Service{store: opts.Store, logger: opts.Logger, now: opts.Now, maxFlows: opts.MaxFlowsPerInstance,
		instances: map[string]*instance{}}
	if s.store == nil {
		s.store, _ = core.OpenStore("")
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.maxFlows <= 0 {
		s.maxFlows = DefaultMaxFlowsPerInstance
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
			inst.normalize()
			s.instances[id] = inst
		}
		s.nextSeq = p.NextSeq
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

// saveLocked writes the state; a failure is logged, not returned, because the mutation has
// already happened in memory and the caller's answer must reflect it.
func (s *Service) saveLocked() {
	if err := s.store.Put(Platform, persisted{Instances: s.instances, NextSeq: s.nextSeq}); err != nil {
		s.logger.Error("Failed to save state", "platform", Platform, "error", err)
	}
}

// stamp records a modification: the time (millisecond precision, as the wire carries it) and
// the region it was made from. Every change of a flow moves its LastModifiedTime forward, a
// save into $SAVED included, even two changes within one millisecond (the later one is stamped
// a millisecond after the earlier), so that a client comparing LastModifiedTime values never
// takes a changed flow for an unchanged one.
func (s *Service) stamp(f *Flow, region string) {
	if region == "" {
		region = DefaultRegion
	}
	t := s.now().UTC().Truncate(time.Millisecond)
	if !t.After(f.LastModifiedTime) && !f.LastModifiedTime.IsZero() {
		t = f.LastModifiedTime.Add(time.Millisecond)
	}
	f.LastModifiedTime = t
	f.LastModifiedRegion = region
}

func (s *Service) instanceLocked(id string) (*instance, *core.APIError) {
	inst, ok := s.instances[id]
	if !ok {
		return nil, notFound("Instance not found: %s", id)
	}
	return inst, nil
}

// FlowRef is a parsed ContactFlowId: the flow ID and its qualifier ("", $SAVED, $LATEST or a
// version number).
type FlowRef struct {
	ID        string
	Qualifier string
	Version   int64
}

// ParseFlowRef parses a ContactFlowId as the API accepts it: "id", "id:$SAVED", "id:$LATEST",
// "id:N", or a flow ARN ending in one of those.
func ParseFlowRef(s string) (FlowRef, *core.APIError) {
	rest := s
	if strings.HasPrefix(s, "arn:") {
		i := strings.Index(s, "/contact-flow/")
		if i < 0 {
			return FlowRef{}, badParam("The ARN %s is not a contact flow ARN.", s)
		}
		rest = s[i+len("/contact-flow/"):]
	}
	id, q, hasQ := strings.Cut(rest, ":")
	if id == "" || (hasQ && q == "") {
		return FlowRef{}, badParam("The contact flow identifier %s is not valid.", s)
	}
	ref := FlowRef{ID: id, Qualifier: q}
	switch {
	case !hasQ, q == QualifierSaved, q == QualifierLatest:
	default:
		n, err := strconv.ParseInt(q, 10, 64)
		if err != nil || n < 1 || n > maxVersion {
			return FlowRef{}, badParam("The contact flow qualifier %s is not valid: use $SAVED, $LATEST or a version number.", q)
		}
		ref.Version = n
	}
	return ref, nil
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
	return inst, nil, notFound("Contact flow not found: %s", flowID)
}

func (s *Service) arn(region, instanceID, flowID string) string {
	return fmt.Sprintf("arn:aws:connect:%s:%s:instance/%s/contact-flow/%s", region, AccountID, instanceID, flowID)
}

func validateName(name string) *core.APIError {
	if strings.TrimSpace(name) == "" || len([]rune(name)) > maxNameLen {
		return badParam("Name must be 1 to %d characters.", maxNameLen)
	}
	return nil
}

func validateDescription(d string) *core.APIError {
	if len([]rune(d)) > maxDescriptionLen {
		return badParam("Description must be at most %d characters.", maxDescriptionLen)
	}
	return nil
}

func validateType(t string) *core.APIError {
	if !slices.Contains(FlowTypes, t) {
		return badParam("Type %q is not a flow type (one of %s).", t, strings.Join(FlowTypes, ", "))
	}
	return nil
}

// validateForSave checks what saving needs: the length limits and a JSON object.
func validateForSave(content string) error {
	if len(content) == 0 || len(content) > maxContentLen {
		return badParam("Content must be 1 to %d characters.", maxContentLen)
	}
	if p := checkSyntax(content); p != nil {
		return &InvalidFlowError{Problems: p}
	}
	return nil
}

// publishCheckLocked checks what publishing needs beyond saving, against the instance's
// current state: a valid graph (ValidateContent) and references that name objects of the
// instance (referenceProblemsLocked). All problems are reported together, graph first.
func publishCheckLocked(inst *instance, instanceID, content string) error {
	p := ValidateContent(content)
	p = append(p, referenceProblemsLocked(inst, instanceID, content)...)
	if len(p) > 0 {
		return &InvalidFlowError{Problems: p}
	}
	return nil
}

func validateTags(tags map[string]string) *core.APIError {
	if len(tags) > maxTags {
		return badParam("A resource can have at most %d tags.", maxTags)
	}
	for k, v := range tags {
		if k == "" || len([]rune(k)) > maxTagKeyLen || strings.HasPrefix(strings.ToLower(k), "aws:") {
			return badParam("The tag key %q is not valid.", k)
		}
		if len([]rune(v)) > maxTagValueLen {
			return badParam("The value of tag %q is longer than %d characters.", k, maxTagValueLen)
		}
	}
	return nil
}

// AddInstance creates an instance; it reports false when the instance already existed, which
// is not an error so that setup can be repeated.
func (s *Service) AddInstance(id string) (bool, error) {
	if strings.TrimSpace(id) == "" {
		return false, badParam("InstanceId must not be empty.")
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
	return slices.Sorted(maps.Keys(s.instances))
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
		out = append(out, f.clone())
	}
	return out, nil
}

// Flow returns a copy of one flow by its plain ID.
func (s *Service) Flow(instanceID, flowID string) (Flow, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, f, err := s.flowLocked(instanceID, flowID)
	if err != nil {
		return Flow{}, err
	}
	return f.clone(), nil
}

// NewFlow describes a flow to create.
type NewFlow struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
	Content     string `json:"content"`
	// Status is SAVED or PUBLISHED; empty means PUBLISHED, as on the platform.
	Status string            `json:"status,omitempty"`
	Tags   map[string]string `json:"tags,omitempty"`
}

// CreateFlow creates a flow in an instance, saved and (unless Status is SAVED) published, as a
// change made from region. A name already used in the instance answers DuplicateResource.
func (s *Service) CreateFlow(instanceID, region string, in NewFlow) (Flow, error) {
	if err := validateName(in.Name); err != nil {
		return Flow{}, err
	}
	if err := validateType(in.Type); err != nil {
		return Flow{}, err
	}
	if err := validateDescription(in.Description); err != nil {
		return Flow{}, err
	}
	if err := validateTags(in.Tags); err != nil {
		return Flow{}, err
	}
	publish := true
	switch in.Status {
	case "", StatusPublished:
	case StatusSaved:
		publish = false
	default:
		return Flow{}, badParam("Status %q must be SAVED or PUBLISHED.", in.Status)
	}
	if err := validateForSave(in.Content); err != nil {
		return Flow{}, err
	}
	if region == "" {
		region = DefaultRegion
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	inst, err := s.instanceLocked(instanceID)
	if err != nil {
		return Flow{}, err
	}
	if publish {
		if err := publishCheckLocked(inst, instanceID, in.Content); err != nil {
			return Flow{}, err
		}
	}
	for _, f := range inst.Flows {
		if f.Name == in.Name {
			return Flow{}, core.Errorf(http.StatusConflict, CodeDuplicateResource,
				"A contact flow named %s already exists in instance %s.", in.Name, instanceID)
		}
	}
	if len(inst.Flows) >= s.maxFlows {
		return Flow{}, core.Errorf(http.StatusTooManyRequests, CodeLimitExceeded,
			"The instance %s already has the maximum number of contact flows (%d).", instanceID, s.maxFlows)
	}
	s.nextSeq++
	id := core.NewUUID()
	f := &Flow{
		ContactFlowID:      id,
		InstanceID:         instanceID,
		Arn:                s.arn(region, instanceID, id),
		Name:               in.Name,
		Type:               in.Type,
		Description:        in.Description,
		State:              StateActive,
		SavedContent:       in.Content,
		SavedContentSha256: ContentSha256(in.Content),
		Tags:               maps.Clone(in.Tags),
		Versions:           []Version{},
		Seq:                s.nextSeq,
	}
	if f.Tags == nil {
		f.Tags = map[string]string{}
	}
	if publish {
		f.Published, f.PublishedContent, f.PublishedContentSha256 = true, in.Content, f.SavedContentSha256
	}
	s.stamp(f, region)
	f.CreatedTime = f.LastModifiedTime
	inst.Flows = append(inst.Flows, f)
	s.saveLocked()
	return f.clone(), nil
}

// viewOf shows f through ref's qualifier.
func viewOf(f *Flow, ref FlowRef) (View, *core.APIError) {
	v := View{Flow: f.clone(), ViewArn: f.Arn}
	switch {
	case ref.Qualifier == QualifierSaved:
		v.Content, v.FlowContentSha256 = f.SavedContent, f.SavedContentSha256
		v.Status = StatusPublished
		if f.HasUnpublishedChanges() {
			v.Status = StatusSaved
		}
	case ref.Version > 0:
		i := slices.IndexFunc(f.Versions, func(x Version) bool { return x.Version == ref.Version })
		if i < 0 {
			return View{}, notFound("Version %d of contact flow %s not found.", ref.Version, f.ContactFlowID)
		}
		ver := f.Versions[i]
		v.Content, v.FlowContentSha256, v.Status = ver.Content, ver.FlowContentSha256, StatusPublished
		v.Version, v.VersionDescription = ver.Version, ver.Description
		v.ViewArn = fmt.Sprintf("%s:%d", f.Arn, ver.Version)
	default:
		if !f.Published {
			return View{}, core.Errorf(http.StatusNotFound, CodeContactFlowNotPublished,
				"The contact flow %s has not been published; describe %s:%s for its saved content.",
				f.ContactFlowID, f.ContactFlowID, QualifierSaved)
		}
		v.Content, v.FlowContentSha256, v.Status = f.PublishedContent, f.PublishedContentSha256, StatusPublished
	}
	return v, nil
}

// Describe shows one flow through the qualifier of contactFlowID (see ParseFlowRef): the
// published content for the plain ID or $LATEST (ContactFlowNotPublishedException while never
// published), the saved content for $SAVED (Status SAVED while it differs from the published
// one), a version's content for "id:N".
func (s *Service) Describe(instanceID, contactFlowID string) (View, error) {
	ref, aerr := ParseFlowRef(contactFlowID)
	if aerr != nil {
		return View{}, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, f, aerr := s.flowLocked(instanceID, ref.ID)
	if aerr != nil {
		return View{}, aerr
	}
	v, aerr := viewOf(f, ref)
	if aerr != nil {
		return View{}, aerr
	}
	return v, nil
}

// UpdateContent writes content as a change made from region: on "id:$SAVED" it saves without
// publishing (only a JSON object is required); on the plain ID or $LATEST it validates,
// publishes and saves. A version cannot be changed (InvalidRequestException).
func (s *Service) UpdateContent(instanceID, contactFlowID, content, region string) error {
	ref, aerr := ParseFlowRef(contactFlowID)
	if aerr != nil {
		return aerr
	}
	if ref.Version > 0 {
		return badRequest("Version %d of contact flow %s is immutable.", ref.Version, ref.ID)
	}
	publish := ref.Qualifier != QualifierSaved
	if err := validateForSave(content); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, f, aerr := s.flowLocked(instanceID, ref.ID)
	if aerr != nil {
		return aerr
	}
	if publish {
		if err := publishCheckLocked(inst, instanceID, content); err != nil {
			return err
		}
	}
	f.SavedContent, f.SavedContentSha256 = content, ContentSha256(content)
	if publish {
		f.Published, f.PublishedContent, f.PublishedContentSha256 = true, content, f.SavedContentSha256
	}
	s.stamp(f, region)
	s.saveLocked()
	return nil
}

// MetadataUpdate holds the fields UpdateContactFlowMetadata may change; nil or empty fields
// are left as they are.
type MetadataUpdate struct {
	Name        *string
	Description *string
	// State is ACTIVE, ARCHIVED or empty.
	State string
}

// UpdateMetadata changes a flow's name, description and state as a change made from region.
// A name used by another flow of the instance answers DuplicateResource.
func (s *Service) UpdateMetadata(instanceID, contactFlowID, region string, u MetadataUpdate) error {
	ref, aerr := ParseFlowRef(contactFlowID)
	if aerr != nil {
		return aerr
	}
	if ref.Qualifier != "" {
		return badRequest("The metadata of a flow is changed through its plain identifier, not %s.", contactFlowID)
	}
	if u.Name != nil {
		if err := validateName(*u.Name); err != nil {
			return err
		}
	}
	if u.Description != nil {
		if err := validateDescription(*u.Description); err != nil {
			return err
		}
	}
	switch u.State {
	case "", StateActive, StateArchived:
	default:
		return badParam("ContactFlowState %q must be ACTIVE or ARCHIVED.", u.State)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, f, aerr := s.flowLocked(instanceID, ref.ID)
	if aerr != nil {
		return aerr
	}
	if u.Name != nil && *u.Name != f.Name {
		for _, o := range inst.Flows {
			if o != f && o.Name == *u.Name {
				return core.Errorf(http.StatusConflict, CodeDuplicateResource,
					"A contact flow named %s already exists in instance %s.", *u.Name, instanceID)
			}
		}
		f.Name = *u.Name
	}
	if u.Description != nil {
		f.Description = *u.Description
	}
	if u.State != "" {
		f.State = u.State
	}
	s.stamp(f, region)
	s.saveLocked()
	return nil
}

// VersionRequest is a CreateContactFlowVersion request's guards and description.
type VersionRequest struct {
	// FlowContentSha256, when set, must equal the published content's checksum.
	FlowContentSha256 *string
	// ContactFlowVersion, when set, must be the number the new version gets (the latest plus
	// one): an optimistic guard against a concurrent version.
	ContactFlowVersion *int64
	Description        string
}

// CreateVersion snapshots the published content of a CAMPAIGN flow as the next version and
// returns the flow and the version number. Versions are immutable and numbered 1, 2, ... It
// refuses (InvalidRequestException) other flow types, a flow never published, a
// FlowContentSha256 that is not the published content's, and a ContactFlowVersion that is not
// the next number.
func (s *Service) CreateVersion(instanceID, flowID string, req VersionRequest) (Flow, int64, error) {
	if err := validateDescription(req.Description); err != nil {
		return Flow{}, 0, err
	}
	if v := req.ContactFlowVersion; v != nil && (*v < 1 || *v > maxVersion) {
		return Flow{}, 0, badParam("ContactFlowVersion must be between 1 and %d.", maxVersion)
	}
	ref, aerr := ParseFlowRef(flowID)
	if aerr != nil {
		return Flow{}, 0, aerr
	}
	if ref.Qualifier != "" {
		return Flow{}, 0, badRequest("Versions are created from the plain flow identifier, not %s.", flowID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, f, aerr := s.flowLocked(instanceID, ref.ID)
	if aerr != nil {
		return Flow{}, 0, aerr
	}
	if f.Type != TypeCampaign {
		return Flow{}, 0, badRequest("This API only supports creating versions for flows of type %s; flow %s is %s.",
			TypeCampaign, f.ContactFlowID, f.Type)
	}
	if !f.Published {
		return Flow{}, 0, badRequest("The contact flow %s has no published content to version.", f.ContactFlowID)
	}
	if req.FlowContentSha256 != nil && *req.FlowContentSha256 != f.PublishedContentSha256 {
		return Flow{}, 0, badRequest("FlowContentSha256 %s does not match the latest published content of contact flow %s.",
			*req.FlowContentSha256, f.ContactFlowID)
	}
	next := int64(1)
	if n := len(f.Versions); n > 0 {
		next = f.Versions[n-1].Version + 1
	}
	if req.ContactFlowVersion != nil && *req.ContactFlowVersion != next {
		return Flow{}, 0, badRequest("ContactFlowVersion %d is not the next version of contact flow %s (%d).",
			*req.ContactFlowVersion, f.ContactFlowID, next)
	}
	f.Versions = append(f.Versions, Version{
		Version:           next,
		Description:       req.Description,
		Content:           f.PublishedContent,
		FlowContentSha256: f.PublishedContentSha256,
		CreatedTime:       s.now().UTC().Truncate(time.Millisecond),
	})
	s.saveLocked()
	return f.clone(), next, nil
}

// Delete deletes a flow and its versions, and removes its phone-number associations. It is
// not refused for the flow being referenced by another flow's content.
func (s *Service) Delete(instanceID, contactFlowID string) error {
	ref, aerr := ParseFlowRef(contactFlowID)
	if aerr != nil {
		return aerr
	}
	if ref.Qualifier != "" {
		return badRequest("A flow is deleted through its plain identifier, not %s.", contactFlowID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, f, aerr := s.flowLocked(instanceID, ref.ID)
	if aerr != nil {
		return aerr
	}
	inst.Flows = slices.DeleteFunc(inst.Flows, func(x *Flow) bool { return x == f })
	// The flow's phone numbers lose their association, as when a number's flow is removed in
	// the console; flows that transfer to it are not checked (the platform does not either).
	for _, n := range inst.Numbers {
		if n.ContactFlowID == f.ContactFlowID {
			n.ContactFlowID = ""
		}
	}
	s.saveLocked()
	return nil
}

// List returns up to limit flows of an instance created after the flow with sequence number
// after (0 for the first page), in creation order, keeping those whose type is in types (all
// when empty), and the sequence number to continue after (0 when this was the last page).
func (s *Service) List(instanceID string, types []string, after int64, limit int) ([]Flow, int64, error) {
	for _, t := range types {
		if err := validateType(t); err != nil {
			return nil, 0, err
		}
	}
	return s.page(instanceID, after, limit, func(f *Flow) bool {
		return len(types) == 0 || slices.Contains(types, f.Type)
	})
}

// page returns up to limit matching flows after sequence number after, the continuation and,
// through the matcher, nothing else: callers count totals themselves.
func (s *Service) page(instanceID string, after int64, limit int, match func(*Flow) bool) ([]Flow, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, aerr := s.instanceLocked(instanceID)
	if aerr != nil {
		return nil, 0, aerr
	}
	out := []Flow{}
	var next int64
	for _, f := range inst.Flows {
		if f.Seq <= after || !match(f) {
			continue
		}
		if len(out) == limit {
			next = out[len(out)-1].Seq
			break
		}
		out = append(out, f.clone())
	}
	return out, next, nil
}

// Search returns up to limit flows matching match after sequence number after, the
// continuation (0 on the last page) and how many flows match in all.
func (s *Service) Search(instanceID string, after int64, limit int, match func(*Flow) bool) ([]Flow, int64, int, error) {
	flows, next, err := s.page(instanceID, after, limit, match)
	if err != nil {
		return nil, 0, 0, err
	}
	s.mu.Lock()
	total := 0
	if inst, ok := s.instances[instanceID]; ok {
		for _, f := range inst.Flows {
			if match(f) {
				total++
			}
		}
	}
	s.mu.Unlock()
	return flows, next, total, nil
}

// Versions returns up to limit versions of a flow numbered above after (0 for the first page),
// oldest first, and the number to continue after (0 on the last page).
func (s *Service) Versions(instanceID, flowID string, after int64, limit int) ([]Version, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, f, aerr := s.flowLocked(instanceID, flowID)
	if aerr != nil {
		return nil, 0, aerr
	}
	out := []Version{}
	var next int64
	for _, v := range f.Versions {
		if v.Version <= after {
			continue
		}
		if len(out) == limit {
			next = out[len(out)-1].Version
			break
		}
		out = append(out, v)
	}
	return out, next, nil
}

// flowByArnLocked finds a flow by its ARN (without qualifier).
func (s *Service) flowByArnLocked(arn string) (*Flow, *core.APIError) {
	for _, inst := range s.instances {
		for _, f := range inst.Flows {
			if f.Arn == arn {
				return f, nil
			}
		}
	}
	return nil, notFound("Resource not found: %s", arn)
}

// Tag adds or replaces tags on the flow with that ARN.
func (s *Service) Tag(arn string, tags map[string]string) error {
	if len(tags) == 0 {
		return badParam("tags must not be empty.")
	}
	if err := validateTags(tags); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, aerr := s.flowByArnLocked(arn)
	if aerr != nil {
		return aerr
	}
	merged := maps.Clone(f.Tags)
	if merged == nil {
		merged = map[string]string{}
	}
	maps.Copy(merged, tags)
	if err := validateTags(merged); err != nil {
		return err
	}
	f.Tags = merged
	s.saveLocked()
	return nil
}

// Untag removes tag keys from the flow with that ARN; absent keys are ignored.
func (s *Service) Untag(arn string, keys []string) error {
	if len(keys) == 0 {
		return badParam("tagKeys must not be empty.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, aerr := s.flowByArnLocked(arn)
	if aerr != nil {
		return aerr
	}
	for _, k := range keys {
		delete(f.Tags, k)
	}
	s.saveLocked()
	return nil
}
