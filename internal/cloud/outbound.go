package cloud

import (
	"context"
	"time"
)

// Script statuses as OutboundBot reports them in Script.Status. DRAFTED, PUBLISHED,
// EXAMINE_IN_PROGRESS and PUBLISHED_AND_EXAMINE_IN_PROGRESS are the platform's documented
// values; the platform documents no value for a review that passed but is not published yet,
// and the emulator reports the two *_EXAMINE_PASSED values for it. Other documented values
// (PUBLISH_IN_PROGRESS, ROLLBACK_IN_PROGRESS, PUBLISH_FAILED, ROLLBACK_FAILED, ...) are passed
// through unchanged.
const (
	// ScriptStatusDrafted: never published and not in review.
	ScriptStatusDrafted = "DRAFTED"
	// ScriptStatusPublished: a version is applied and no review is pending; Script.IsDrafted
	// tells whether the working copy changed since.
	ScriptStatusPublished = "PUBLISHED"
	// ScriptStatusInReview: never published; the working copy is in review.
	ScriptStatusInReview = "EXAMINE_IN_PROGRESS"
	// ScriptStatusPublishedInReview: a version is applied; the working copy is in review.
	ScriptStatusPublishedInReview = "PUBLISHED_AND_EXAMINE_IN_PROGRESS"
	// ScriptStatusApproved: never published; the working copy passed review and may be
	// published.
	ScriptStatusApproved = "EXAMINE_PASSED"
	// ScriptStatusPublishedApproved: a version is applied; the working copy passed review and
	// may be published.
	ScriptStatusPublishedApproved = "PUBLISHED_AND_EXAMINE_PASSED"
)

// OutboundInstance is what an adapter observed of one outbound-bot business instance.
//
// The platform does not report an instance's calling numbers or NLU credentials, so they are
// absent here: a controller tracks what it wrote (for example by hash in status) instead of
// diffing them.
type OutboundInstance struct {
	ID          string
	Name        string
	Description string
	// MaxConcurrentConversation is the instance's share of the account's concurrency quota.
	MaxConcurrentConversation int
	// CallCenterInstanceID is the contact-center instance the bot calls through; empty when
	// the platform's own lines are used.
	CallCenterInstanceID string
	// NluServiceType is the speech service the instance uses ("Managed", "Authorized", ...).
	NluServiceType string
	// NLUEndpoint is the endpoint of the instance's own NLU service, when it has one.
	NLUEndpoint     string
	ResourceGroupID string
	CreatorName     string
	OwnerName       string
	// CreationTime is zero when the platform does not say.
	CreationTime time.Time
}

// OutboundInstanceSpec is the desired state of an instance, as Create and Modify send it.
//
// Modify sends every field, but the platform treats an empty string (and an empty
// CallingNumbers) as "not given" and keeps its value: a description, CCC instance or calling
// number list cannot be cleared through the API, only replaced.
type OutboundInstanceSpec struct {
	Name        string
	Description string
	// MaxConcurrentConversation is mandatory and positive; the sum over the account's
	// instances is bounded by a quota (ClassQuotaExceeded when a Create or an increase would
	// pass it).
	MaxConcurrentConversation int
	// CallingNumbers are the caller IDs the bot dials from, in order. Write-only: see
	// OutboundInstance.
	CallingNumbers       []string
	CallCenterInstanceID string
	NluServiceType       string
	// NLUEndpoint and NLUCredentials configure a customer-owned NLU service
	// (NluServiceType "Authorized"); nil credentials send none. Write-only.
	NLUEndpoint    string
	NLUCredentials *Credentials
	// ResourceGroupID is used by Create only; the platform moves instances between resource
	// groups with another API.
	ResourceGroupID string
}

// ScriptKey identifies one remote script.
type ScriptKey struct {
	InstanceID string
	ScriptID   string
}

// Script is what an adapter observed of one outbound-bot script.
//
// The platform does not report a script's content (ScriptContent, ScriptWaveform, the
// mini-playback configuration list): a controller tracks what it wrote instead of diffing it.
type Script struct {
	InstanceID  string
	ID          string
	Name        string
	Industry    string
	Scene       string
	Description string
	ChatbotID   string
	// TTSConfig, ASRConfig and NLSConfig are the platform's JSON strings, unparsed.
	TTSConfig string
	ASRConfig string
	NLSConfig string

	EmotionEnabled            bool
	NewBargeInEnabled         bool
	MiniPlaybackEnabled       bool
	LongWaitEnabled           bool
	MiniPlaybackConfigEnabled bool

	// Status is the platform's status of the applied version and the review (the
	// ScriptStatus* constants).
	Status string
	// IsDrafted reports that the working copy has changes no published version has.
	IsDrafted bool
	// DebugStatus and IsDebugDrafted are the same for the debug version.
	DebugStatus    string
	IsDebugDrafted bool
	// AppliedVersion is the published version in use, empty before the first publish;
	// DebugVersion is the version in the debug environment.
	AppliedVersion string
	DebugVersion   string
	// RejectReason is the reviewers' reason when the last review was rejected, empty
	// otherwise; FailReason explains a failed publish or rollback.
	RejectReason string
	FailReason   string
	// UpdateTime is zero when the platform does not say.
	UpdateTime time.Time
}

// InReview reports whether the script's working copy is waiting for the platform's reviewers;
// while it is, the script cannot be modified, published or rolled back.
func (s *Script) InReview() bool {
	return s.Status == ScriptStatusInReview || s.Status == ScriptStatusPublishedInReview
}

// Approved reports whether the working copy passed review and may be published.
func (s *Script) Approved() bool {
	return s.Status == ScriptStatusApproved || s.Status == ScriptStatusPublishedApproved
}

// ScriptSpec is the desired state of a script, as Create and Modify send it. As for
// instances, the platform keeps its value for an empty string or list: a field can be
// replaced, not cleared. The booleans are always sent.
type ScriptSpec struct {
	Name        string
	Industry    string
	Scene       string
	Description string
	ChatbotID   string
	// Content is ScriptContent and Waveforms is ScriptWaveform, in order. Write-only: see
	// Script.
	Content   []string
	Waveforms []string
	// MiniPlaybackConfigListJSON is MiniPlaybackConfigListJsonString, unparsed. Write-only.
	MiniPlaybackConfigListJSON string
	TTSConfig                  string
	ASRConfig                  string
	// NLSConfig is sent by Modify only: the platform's CreateScript does not take it.
	NLSConfig string

	EmotionEnabled      bool
	NewBargeInEnabled   bool
	MiniPlaybackEnabled bool
	LongWaitEnabled     bool
}

// ScriptPublishRecord is one entry of a script's publish history: a publish or a rollback.
type ScriptPublishRecord struct {
	InstanceID  string
	ScriptID    string
	Version     string
	Description string
	// PublishTime is zero when the platform does not say.
	PublishTime time.Time
}

// ScriptPublishPage is one page of a script's publish history, newest first.
type ScriptPublishPage struct {
	Records    []ScriptPublishRecord
	PageNumber int
	PageSize   int
	TotalCount int
}

// OutboundClient drives one platform's outbound-bot instances and scripts. Every method is
// safe to call concurrently; none of them decides policy (submitting for review, withdrawing a
// review someone else submitted, publishing, rolling back are the controller's decisions) and
// none retries. Errors are *Error values classified as in errors.go.
type OutboundClient interface {
	// Platform names the platform, as in ProviderConfig spec.platform.
	Platform() string

	// GetInstance observes one instance. It never changes anything. A missing instance
	// returns a ClassNotFound error.
	GetInstance(ctx context.Context, instanceID string) (*OutboundInstance, error)

	// FindInstanceByName returns the account's instance with that exact name, or nil (and no
	// error) when there is none: the lookup that recovers a Create whose answer was lost.
	// The platform lists instances in one unpaged call.
	FindInstanceByName(ctx context.Context, name string) (*OutboundInstance, error)

	// CreateInstance creates an instance and returns it as the platform answered. A name
	// already taken returns ClassAlreadyExists; a concurrency over the account quota returns
	// ClassQuotaExceeded.
	CreateInstance(ctx context.Context, spec OutboundInstanceSpec) (*OutboundInstance, error)

	// ModifyInstance makes the instance match spec (see OutboundInstanceSpec for what cannot
	// be cleared) and returns it as the platform answered. A missing instance returns
	// ClassNotFound; the name and quota rules are those of CreateInstance.
	ModifyInstance(ctx context.Context, instanceID string, spec OutboundInstanceSpec) (*OutboundInstance, error)

	// DeleteInstance deletes the instance and its scripts. Deleting an instance that does not
	// exist is success.
	DeleteInstance(ctx context.Context, instanceID string) error

	// GetScript observes one script. It never changes anything. A missing script or instance
	// returns a ClassNotFound error.
	GetScript(ctx context.Context, key ScriptKey) (*Script, error)

	// FindScriptByName returns the instance's script with that exact name, or nil (and no
	// error) when there is none, paging through the instance's scripts. A missing instance
	// returns ClassNotFound.
	FindScriptByName(ctx context.Context, instanceID, name string) (*Script, error)

	// CreateScript creates a drafted, unpublished script and returns it as the platform
	// answered. A name already taken in the instance returns ClassAlreadyExists; a missing
	// instance returns ClassNotFound.
	CreateScript(ctx context.Context, instanceID string, spec ScriptSpec) (*Script, error)

	// ModifyScript changes the script's working copy to spec, which leaves it drafted (and
	// drops an approval not yet published), and returns it as the platform answered. A
	// script in review returns ClassLocked with LockedBy "review".
	ModifyScript(ctx context.Context, key ScriptKey, spec ScriptSpec) (*Script, error)

	// DeleteScript deletes the script, whatever its status. Deleting a script (or in an
	// instance) that does not exist is success.
	DeleteScript(ctx context.Context, key ScriptKey) error

	// SubmitScriptReview hands the drafted working copy to the platform's reviewers with a
	// description for them. A script already in review returns ClassLocked; one with nothing
	// drafted (or already approved) returns ClassInvalid.
	SubmitScriptReview(ctx context.Context, key ScriptKey, description string) error

	// WithdrawScriptReview takes the script out of review, drafted again, and returns it as
	// the platform answered. A script that is not in review returns ClassInvalid.
	WithdrawScriptReview(ctx context.Context, key ScriptKey) (*Script, error)

	// PublishScript publishes the approved working copy as the next version, with a
	// description for the publish history. A script in review returns ClassLocked; one
	// without an approved review returns ClassInvalid.
	PublishScript(ctx context.Context, key ScriptKey, description string) error

	// RollbackScript makes the earlier published version toVersion the applied one again. A
	// version the script never published returns ClassInvalid; a script in review returns
	// ClassLocked.
	RollbackScript(ctx context.Context, key ScriptKey, toVersion string) error

	// ListScriptPublishHistory returns one page (pageNumber from 1, pageSize 1-100) of the
	// script's publishes and rollbacks, newest first.
	ListScriptPublishHistory(ctx context.Context, key ScriptKey, pageNumber, pageSize int) (*ScriptPublishPage, error)
}

// OutboundClientFactory builds an OutboundClient for a Config. cmd/manager wires the real one;
// it is a function so that controllers never import an adapter.
type OutboundClientFactory func(ctx context.Context, cfg Config) (OutboundClient, error)
