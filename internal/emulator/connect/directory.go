package connect

import (
	"cmp"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

// The instance directory: the objects a flow refers to (queues, prompts, the Lambda functions
// associated with the instance) and the phone numbers claimed to the instance, each with the
// flow that answers it. They are created through the admin API (the console), listed through
// ListQueues, ListPrompts, ListLambdaFunctions and ListPhoneNumbersV2, and numbers are bound
// to flows through AssociatePhoneNumberContactFlow.

// Kinds of directory objects, as the admin API names them.
const (
	KindQueue    = "Queue"
	KindPrompt   = "Prompt"
	KindFunction = "Function"
)

// ResourceKinds are the kinds the admin API accepts.
var ResourceKinds = []string{KindQueue, KindPrompt, KindFunction}

// QueueTypeStandard is the type of every queue the emulator holds (the SDK's
// types.QueueTypeStandard); AGENT queues belong to agents, which the emulator does not model.
const QueueTypeStandard = "STANDARD"

// QueueTypes are the values of the SDK's types.QueueType that ListQueues accepts as a filter.
var QueueTypes = []string{QueueTypeStandard, "AGENT"}

// Phone number defaults for numbers added without a type or a recognised country prefix.
const (
	PhoneNumberTypeDID = "DID"
)

// PhoneNumberTypes are the values of the SDK's types.PhoneNumberType.
var PhoneNumberTypes = []string{
	"TOLL_FREE", PhoneNumberTypeDID, "UIFN", "SHARED", "THIRD_PARTY_TF", "THIRD_PARTY_DID", "SHORT_CODE",
}

// ResourceTypeVoicePhoneNumber is the ListFlowAssociations resource type of phone numbers.
const ResourceTypeVoicePhoneNumber = "VOICE_PHONE_NUMBER"

// FlowAssociationResourceTypes are the values of the SDK's
// types.ListFlowAssociationResourceType; only voice phone numbers have associations here.
var FlowAssociationResourceTypes = []string{
	"WHATSAPP_MESSAGING_PHONE_NUMBER", ResourceTypeVoicePhoneNumber, "INBOUND_EMAIL", "OUTBOUND_EMAIL", "ANALYTICS_CONNECTOR",
}

var (
	e164Pattern         = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)
	functionNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	resourceIDPattern   = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`)
	regionNamePattern   = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)
)

// countryPrefixes maps calling-code prefixes onto ISO country codes for the numbers the
// emulator is most often given; others need the admin request's countryCode.
var countryPrefixes = []struct{ prefix, country string }{
	{"+1", "US"}, {"+44", "GB"}, {"+49", "DE"}, {"+33", "FR"}, {"+34", "ES"}, {"+39", "IT"},
	{"+61", "AU"}, {"+64", "NZ"}, {"+81", "JP"}, {"+82", "KR"}, {"+86", "CN"}, {"+65", "SG"},
	{"+91", "IN"}, {"+353", "IE"}, {"+31", "NL"}, {"+55", "BR"}, {"+52", "MX"}, {"+27", "ZA"},
}

// Resource is one queue, prompt or associated Lambda function of an instance: what the admin
// API shows and the state file keeps. A function's ID is its ARN, since Connect knows functions
// by ARN only.
type Resource struct {
	Kind       string `json:"kind"`
	ID         string `json:"id"`
	Arn        string `json:"arn"`
	Name       string `json:"name"`
	InstanceID string `json:"instanceId"`
	// QueueType is STANDARD for queues, empty for the other kinds.
	QueueType          string    `json:"queueType,omitempty"`
	LastModifiedRegion string    `json:"lastModifiedRegion"`
	LastModifiedTime   time.Time `json:"lastModifiedTime"`
	// Seq orders the objects by creation, for paging tokens.
	Seq int64 `json:"seq"`
}

// PhoneNumber is one phone number claimed to an instance and the flow associated with it.
type PhoneNumber struct {
	PhoneNumberID  string `json:"phoneNumberId"`
	PhoneNumberArn string `json:"phoneNumberArn"`
	// PhoneNumber is the number in E.164 (+14155550100).
	PhoneNumber string `json:"phoneNumber"`
	CountryCode string `json:"countryCode,omitempty"`
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
	InstanceID  string `json:"instanceId"`
	// TargetArn is the ARN of the instance the number is claimed to.
	TargetArn string `json:"targetArn"`
	// ContactFlowID is the ID of the flow the number is associated with, "" when none.
	ContactFlowID string `json:"contactFlowId,omitempty"`
	Seq           int64  `json:"seq"`
}

// NewResource describes a directory object to create through the admin API. Name is the
// function name for a Function, whose ARN is made up in the account and Region; ID is
// optional (a UUID by default) and ignored for functions.
type NewResource struct {
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	ID     string `json:"id,omitempty"`
	Region string `json:"region,omitempty"`
}

// NewPhoneNumber describes a number to claim to an instance through the admin API. The type
// defaults to DID; the country code defaults to the one of the number's calling code when the
// emulator knows it.
type NewPhoneNumber struct {
	Number      string `json:"number"`
	ID          string `json:"id,omitempty"`
	Type        string `json:"type,omitempty"`
	CountryCode string `json:"countryCode,omitempty"`
	Description string `json:"description,omitempty"`
	Region      string `json:"region,omitempty"`
}

// InstanceArn is the ARN of an instance, as phone numbers' TargetArn names it.
func InstanceArn(region, instanceID string) string {
	return fmt.Sprintf("arn:aws:connect:%s:%s:instance/%s", region, AccountID, instanceID)
}

// FunctionArn is the ARN the emulator gives a Lambda function of that name.
func FunctionArn(region, name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", region, AccountID, name)
}

func resourceArn(region, instanceID, kind, id string) string {
	seg := map[string]string{KindQueue: "queue", KindPrompt: "prompt"}[kind]
	return fmt.Sprintf("%s/%s/%s", InstanceArn(region, instanceID), seg, id)
}

func phoneNumberArn(region, id string) string {
	return fmt.Sprintf("arn:aws:connect:%s:%s:phone-number/%s", region, AccountID, id)
}

func (inst *instance) resources(kind string) *[]*Resource {
	switch kind {
	case KindQueue:
		return &inst.Queues
	case KindPrompt:
		return &inst.Prompts
	case KindFunction:
		return &inst.Functions
	}
	return nil
}

// normalize fills the lists an older state file does not have.
func (inst *instance) normalize() {
	if inst.Flows == nil {
		inst.Flows = []*Flow{}
	}
	for _, l := range []*[]*Resource{&inst.Queues, &inst.Prompts, &inst.Functions} {
		if *l == nil {
			*l = []*Resource{}
		}
	}
	if inst.Numbers == nil {
		inst.Numbers = []*PhoneNumber{}
	}
}

func newInstance() *instance {
	inst := &instance{}
	inst.normalize()
	return inst
}

func duplicate(format string, args ...any) *core.APIError {
	return core.Errorf(http.StatusConflict, CodeDuplicateResource, format, args...)
}

func checkRegion(r string) (string, *core.APIError) {
	if r == "" {
		return DefaultRegion, nil
	}
	if !regionNamePattern.MatchString(r) {
		return "", badParam("region %q is not a Region name.", r)
	}
	return r, nil
}

// AddResource creates a queue, prompt or associated Lambda function in an instance (what the
// console does) and returns it. Queue and prompt names are unique per kind in the instance, a
// function is associated once; a repeat answers DuplicateResourceException.
func (s *Service) AddResource(instanceID string, in NewResource) (Resource, error) {
	if !slices.Contains(ResourceKinds, in.Kind) {
		return Resource{}, badParam("kind %q must be one of %s.", in.Kind, strings.Join(ResourceKinds, ", "))
	}
	region, aerr := checkRegion(in.Region)
	if aerr != nil {
		return Resource{}, aerr
	}
	if in.Kind == KindFunction {
		if !functionNamePattern.MatchString(in.Name) {
			return Resource{}, badParam("name %q is not a Lambda function name (1 to 64 letters, digits, - or _).", in.Name)
		}
	} else if err := validateName(in.Name); err != nil {
		return Resource{}, badParam("name must be 1 to %d characters.", maxNameLen)
	}
	if in.ID != "" && in.Kind != KindFunction && !resourceIDPattern.MatchString(in.ID) {
		return Resource{}, badParam("id %q must be 1 to 100 letters, digits, '.', '-' or '_'.", in.ID)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	inst, aerr := s.instanceLocked(instanceID)
	if aerr != nil {
		return Resource{}, aerr
	}
	list := inst.resources(in.Kind)
	r := &Resource{Kind: in.Kind, Name: in.Name, InstanceID: instanceID, LastModifiedRegion: region,
		LastModifiedTime: s.now().UTC().Truncate(time.Millisecond)}
	if in.Kind == KindFunction {
		r.Arn = FunctionArn(region, in.Name)
		r.ID = r.Arn
	} else {
		r.ID = in.ID
		if r.ID == "" {
			r.ID = core.NewUUID()
		}
		r.Arn = resourceArn(region, instanceID, in.Kind, r.ID)
		if in.Kind == KindQueue {
			r.QueueType = QueueTypeStandard
		}
	}
	for _, o := range *list {
		switch {
		case in.Kind == KindFunction && o.Arn == r.Arn:
			return Resource{}, duplicate("The function %s is already associated with instance %s.", r.Arn, instanceID)
		case in.Kind != KindFunction && o.ID == r.ID:
			return Resource{}, duplicate("A %s with ID %s already exists in instance %s.", strings.ToLower(in.Kind), r.ID, instanceID)
		case in.Kind != KindFunction && o.Name == r.Name:
			return Resource{}, duplicate("A %s named %s already exists in instance %s.", strings.ToLower(in.Kind), r.Name, instanceID)
		}
	}
	s.nextSeq++
	r.Seq = s.nextSeq
	*list = append(*list, r)
	s.saveLocked()
	return *r, nil
}

// Resources returns copies of an instance's objects of kind (every kind when empty), queues
// first, then prompts, then functions, each in creation order.
func (s *Service) Resources(instanceID, kind string) ([]Resource, error) {
	if kind != "" && !slices.Contains(ResourceKinds, kind) {
		return nil, badParam("kind %q must be one of %s.", kind, strings.Join(ResourceKinds, ", "))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, aerr := s.instanceLocked(instanceID)
	if aerr != nil {
		return nil, aerr
	}
	out := []Resource{}
	for _, k := range ResourceKinds {
		if kind != "" && k != kind {
			continue
		}
		for _, r := range *inst.resources(k) {
			out = append(out, *r)
		}
	}
	return out, nil
}

// resourcePage returns up to limit objects of kind after sequence number after that match,
// and the sequence number to continue after (0 on the last page).
func (s *Service) resourcePage(instanceID, kind string, after int64, limit int, match func(*Resource) bool) ([]Resource, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, aerr := s.instanceLocked(instanceID)
	if aerr != nil {
		return nil, 0, aerr
	}
	out := []Resource{}
	var next int64
	for _, r := range *inst.resources(kind) {
		if r.Seq <= after || (match != nil && !match(r)) {
			continue
		}
		if len(out) == limit {
			next = out[len(out)-1].Seq
			break
		}
		out = append(out, *r)
	}
	return out, next, nil
}

// AddNumber claims a phone number to an instance (what the console's "claim a number" does)
// and returns it, unassociated. A number already claimed anywhere in the account answers
// DuplicateResourceException.
func (s *Service) AddNumber(instanceID string, in NewPhoneNumber) (PhoneNumber, error) {
	if !e164Pattern.MatchString(in.Number) {
		return PhoneNumber{}, badParam("number %q is not in E.164 format (+ and 2 to 15 digits, e.g. +14155550100).", in.Number)
	}
	typ := in.Type
	if typ == "" {
		typ = PhoneNumberTypeDID
	}
	if !slices.Contains(PhoneNumberTypes, typ) {
		return PhoneNumber{}, badParam("type %q must be one of %s.", typ, strings.Join(PhoneNumberTypes, ", "))
	}
	country := in.CountryCode
	if country == "" {
		best := ""
		for _, p := range countryPrefixes {
			if strings.HasPrefix(in.Number, p.prefix) && len(p.prefix) > len(best) {
				best, country = p.prefix, p.country
			}
		}
	} else if len(country) != 2 || strings.ToUpper(country) != country {
		return PhoneNumber{}, badParam("countryCode %q must be an upper-case ISO 3166 alpha-2 code.", country)
	}
	if in.ID != "" && !resourceIDPattern.MatchString(in.ID) {
		return PhoneNumber{}, badParam("id %q must be 1 to 100 letters, digits, '.', '-' or '_'.", in.ID)
	}
	region, aerr := checkRegion(in.Region)
	if aerr != nil {
		return PhoneNumber{}, aerr
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	inst, aerr := s.instanceLocked(instanceID)
	if aerr != nil {
		return PhoneNumber{}, aerr
	}
	id := in.ID
	if id == "" {
		id = core.NewUUID()
	}
	for other, oi := range s.instances {
		for _, n := range oi.Numbers {
			if n.PhoneNumber == in.Number {
				return PhoneNumber{}, duplicate("The phone number %s is already claimed to instance %s.", in.Number, other)
			}
			if n.PhoneNumberID == id {
				return PhoneNumber{}, duplicate("A phone number with ID %s already exists.", id)
			}
		}
	}
	s.nextSeq++
	n := &PhoneNumber{
		PhoneNumberID: id, PhoneNumberArn: phoneNumberArn(region, id), PhoneNumber: in.Number,
		CountryCode: country, Type: typ, Description: in.Description, InstanceID: instanceID,
		TargetArn: InstanceArn(region, instanceID), Seq: s.nextSeq,
	}
	inst.Numbers = append(inst.Numbers, n)
	s.saveLocked()
	return *n, nil
}

// Numbers returns copies of the phone numbers claimed to an instance, in claim order.
func (s *Service) Numbers(instanceID string) ([]PhoneNumber, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, aerr := s.instanceLocked(instanceID)
	if aerr != nil {
		return nil, aerr
	}
	out := make([]PhoneNumber, 0, len(inst.Numbers))
	for _, n := range inst.Numbers {
		out = append(out, *n)
	}
	return out, nil
}

// NumberFilter selects phone numbers for ListPhoneNumbersV2: an instance ("" for every
// instance), a prefix of the E.164 number, country codes and types (any when empty).
type NumberFilter struct {
	InstanceID string
	Prefix     string
	Countries  []string
	Types      []string
}

// NumberPage returns up to limit numbers matching f claimed after sequence number after, and
// the sequence number to continue after (0 on the last page). Numbers of every instance are
// ordered by claim.
func (s *Service) NumberPage(f NumberFilter, after int64, limit int) ([]PhoneNumber, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []*PhoneNumber
	if f.InstanceID != "" {
		inst, aerr := s.instanceLocked(f.InstanceID)
		if aerr != nil {
			return nil, 0, aerr
		}
		all = inst.Numbers
	} else {
		for _, inst := range s.instances {
			all = append(all, inst.Numbers...)
		}
		slices.SortFunc(all, func(a, b *PhoneNumber) int { return cmp.Compare(a.Seq, b.Seq) })
	}
	out := []PhoneNumber{}
	var next int64
	for _, n := range all {
		if n.Seq <= after || !strings.HasPrefix(n.PhoneNumber, f.Prefix) ||
			(len(f.Countries) > 0 && !slices.Contains(f.Countries, n.CountryCode)) ||
			(len(f.Types) > 0 && !slices.Contains(f.Types, n.Type)) {
			continue
		}
		if len(out) == limit {
			next = out[len(out)-1].Seq
			break
		}
		out = append(out, *n)
	}
	return out, next, nil
}

// numberLocked finds a number of the instance by its PhoneNumberId or its ARN.
func (s *Service) numberLocked(inst *instance, instanceID, phoneNumberID string) (*PhoneNumber, *core.APIError) {
	for _, n := range inst.Numbers {
		if n.PhoneNumberID == phoneNumberID || n.PhoneNumberArn == phoneNumberID {
			return n, nil
		}
	}
	return nil, notFound("Phone number %s is not claimed to instance %s.", phoneNumberID, instanceID)
}

// AssociateNumber makes the flow answer the number, replacing any association it had. The
// flow is named by ID or ARN (no qualifier); the number by PhoneNumberId or ARN.
func (s *Service) AssociateNumber(instanceID, phoneNumberID, contactFlowID string) error {
	ref, aerr := ParseFlowRef(contactFlowID)
	if aerr != nil {
		return aerr
	}
	if ref.Qualifier != "" {
		return badParam("ContactFlowId %s must name a flow, not a version or alias of it.", contactFlowID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, f, aerr := s.flowLocked(instanceID, ref.ID)
	if aerr != nil {
		return aerr
	}
	n, aerr := s.numberLocked(inst, instanceID, phoneNumberID)
	if aerr != nil {
		return aerr
	}
	n.ContactFlowID = f.ContactFlowID
	s.saveLocked()
	return nil
}

// DisassociateNumber removes the number's flow association; a number with none is success.
func (s *Service) DisassociateNumber(instanceID, phoneNumberID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, aerr := s.instanceLocked(instanceID)
	if aerr != nil {
		return aerr
	}
	n, aerr := s.numberLocked(inst, instanceID, phoneNumberID)
	if aerr != nil {
		return aerr
	}
	if n.ContactFlowID != "" {
		n.ContactFlowID = ""
		s.saveLocked()
	}
	return nil
}

// FlowAssociation is one number-to-flow association, as ListFlowAssociations shows it: the
// number's ARN and the flow's ARN.
type FlowAssociation struct {
	ResourceID string
	FlowID     string
	Seq        int64
}

// AssociationPage returns up to limit phone-number associations of an instance after sequence
// number after (the numbers' claim order), and the number to continue after (0 on the last
// page).
func (s *Service) AssociationPage(instanceID string, after int64, limit int) ([]FlowAssociation, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, aerr := s.instanceLocked(instanceID)
	if aerr != nil {
		return nil, 0, aerr
	}
	out := []FlowAssociation{}
	var next int64
	for _, n := range inst.Numbers {
		if n.Seq <= after || n.ContactFlowID == "" {
			continue
		}
		if len(out) == limit {
			next = out[len(out)-1].Seq
			break
		}
		flowArn := ""
		for _, f := range inst.Flows {
			if f.ContactFlowID == n.ContactFlowID {
				flowArn = f.Arn
			}
		}
		out = append(out, FlowAssociation{ResourceID: n.PhoneNumberArn, FlowID: flowArn, Seq: n.Seq})
	}
	return out, next, nil
}

// Admin bodies of the directory.
type (
	// ResourcesResponse is the body of GET .../instances/{instanceId}/resources.
	ResourcesResponse struct {
		Resources []Resource `json:"resources"`
	}
	// NumbersResponse is the body of GET .../instances/{instanceId}/numbers.
	NumbersResponse struct {
		Numbers []PhoneNumber `json:"numbers"`
	}
)

// registerDirectoryAdmin adds the directory's console operations:
//
//	GET  /_emulator/connect/instances/{id}/resources[?kind=Queue]   queues, prompts, functions
//	POST /_emulator/connect/instances/{id}/resources NewResource     create one → Resource
//	GET  /_emulator/connect/instances/{id}/numbers                   claimed numbers and their flows
//	POST /_emulator/connect/instances/{id}/numbers NewPhoneNumber    claim one → PhoneNumber
func (s *Service) registerDirectoryAdmin(mux *http.ServeMux) {
	const inst = AdminPrefix + "/instances/{instanceId}"
	mux.HandleFunc("GET "+inst+"/resources", func(w http.ResponseWriter, r *http.Request) {
		list, err := s.Resources(r.PathValue("instanceId"), r.URL.Query().Get("kind"))
		if err != nil {
			core.WriteAdminError(w, err)
			return
		}
		core.WriteAdminJSON(w, http.StatusOK, ResourcesResponse{Resources: list})
	})
	mux.HandleFunc("POST "+inst+"/resources", func(w http.ResponseWriter, r *http.Request) {
		var req NewResource
		if err := core.DecodeAdminJSON(r, &req); err != nil {
			core.WriteAdminError(w, err)
			return
		}
		res, err := s.AddResource(r.PathValue("instanceId"), req)
		if err != nil {
			core.WriteAdminError(w, err)
			return
		}
		core.WriteAdminJSON(w, http.StatusCreated, res)
	})
	mux.HandleFunc("GET "+inst+"/numbers", func(w http.ResponseWriter, r *http.Request) {
		list, err := s.Numbers(r.PathValue("instanceId"))
		if err != nil {
			core.WriteAdminError(w, err)
			return
		}
		core.WriteAdminJSON(w, http.StatusOK, NumbersResponse{Numbers: list})
	})
	mux.HandleFunc("POST "+inst+"/numbers", func(w http.ResponseWriter, r *http.Request) {
		var req NewPhoneNumber
		if err := core.DecodeAdminJSON(r, &req); err != nil {
			core.WriteAdminError(w, err)
			return
		}
		n, err := s.AddNumber(r.PathValue("instanceId"), req)
		if err != nil {
			core.WriteAdminError(w, err)
			return
		}
		core.WriteAdminJSON(w, http.StatusCreated, n)
	})
}
