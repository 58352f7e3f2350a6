package v1alpha1

// Condition types. Ready and Synced are on every kind; Reconciling and Stalled are set the way
// kstatus reads them (present and True only while they apply).
const (
	// ConditionReady is True when the remote object matches the spec as far as the spec asks
	// (published, or saved as a draft under publishPolicy Draft).
	ConditionReady = "Ready"
	// ConditionSynced is True when the last reconcile reached the platform and did what it had to.
	ConditionSynced = "Synced"
	// ConditionReconciling is True while the operator is working towards the spec.
	ConditionReconciling = "Reconciling"
	// ConditionStalled is True when the operator cannot progress without a change to the spec or
	// on the platform.
	ConditionStalled = "Stalled"
)

// Condition reasons (CamelCase, matchable by machines).
const (
	ReasonAvailable              = "Available"
	ReasonPublished              = "Published"
	ReasonDraftSaved             = "DraftSaved"
	ReasonUpToDate               = "UpToDate"
	ReasonCreating               = "Creating"
	ReasonUpdating               = "Updating"
	ReasonProgressing            = "Progressing"
	ReasonDeleting               = "Deleting"
	ReasonInvalidSpec            = "InvalidSpec"
	ReasonInvalidDefinition      = "InvalidDefinition"
	ReasonProviderConfigNotFound = "ProviderConfigNotFound"
	ReasonProviderConfigInvalid  = "ProviderConfigInvalid"
	ReasonCredentialsNotFound    = "CredentialsNotFound"
	ReasonUnauthorized           = "Unauthorized"
	ReasonLockedByOther          = "LockedByOther"
	ReasonConcurrentEdit         = "ConcurrentEdit"
	ReasonAlreadyExists          = "AlreadyExists"
	ReasonQuotaExceeded          = "QuotaExceeded"
	ReasonRejectedByPlatform     = "RejectedByPlatform"
	ReasonThrottled              = "Throttled"
	ReasonRemoteNotFound         = "RemoteNotFound"
	ReasonCloudError             = "CloudError"
	ReasonPlatformNotSupported   = "PlatformNotSupported"
)

// Condition reasons of the outbound-bot kinds (OutboundInstance, OutboundScript).
const (
	// ReasonInstanceNotReady: the OutboundInstance a script names does not exist yet, has no
	// instance ID yet or is being deleted.
	ReasonInstanceNotReady = "InstanceNotReady"
	// ReasonInReview: the script's working copy waits for the platform's reviewers.
	ReasonInReview = "InReview"
	// ReasonReviewRejected: the reviewers rejected the spec's content; it is not submitted again
	// until the spec changes.
	ReasonReviewRejected = "ReviewRejected"
	// ReasonReviewPassed: the spec's content passed review and waits for a person to publish it
	// (reviewPolicy Submit).
	ReasonReviewPassed = "ReviewPassed"
	// ReasonRolledBack: the script runs the earlier version named by spec.rollbackToVersion.
	ReasonRolledBack = "RolledBack"
)

// Condition reasons of ContactFlow versions and rollback (spec.rollbackTo). A ContactFlow that
// runs the version spec.rollbackTo names is Ready with ReasonRolledBack, as a script is.
const (
	// ReasonRollbackNotSupported is no longer reported: every platform can roll back, to its
	// own versions or to the definitions the operator kept (status.versions). It stays so that
	// clients matching on it still compile.
	ReasonRollbackNotSupported = "RollbackNotSupported"
	// ReasonVersionNotFound: spec.rollbackTo names no version the platform has (or one it never
	// published); nothing is written until it is fixed or cleared.
	ReasonVersionNotFound = "VersionNotFound"
)

// Reasons of a ContactFlow whose flow refers to other objects or serves phone numbers.
const (
	// ReasonReferencesUnresolved: a reference in spec.references does not resolve yet (a
	// ContactFlow without a remote ID, a platform object of that name missing); the message names
	// each. The flow exists unpublished so that flows referring to it can resolve.
	ReasonReferencesUnresolved = "ReferencesUnresolved"
	// ReasonNumberInUse: a number in spec.phoneNumbers is bound to another flow and takeOver is
	// not set; the binding is left alone.
	ReasonNumberInUse = "NumberInUse"
	// ReasonNumberNotFound: a number in spec.phoneNumbers is not a number of the instance.
	ReasonNumberNotFound = "NumberNotFound"
	// ReasonInUse: a ContactFlow being deleted is still referred to by other ContactFlows or
	// bound to phone numbers; the remote flow stays until they are gone.
	ReasonInUse = "InUse"
	// ReasonRenameNotSupported: spec.flowName changed on a platform that cannot rename a flow in
	// place (AlibabaCCC).
	ReasonRenameNotSupported = "RenameNotSupported"
)

// Annotations the operator reads or writes.
const (
	// AnnotationAdoptID names an existing remote object (for a ContactFlow, its ContactFlowId)
	// that the resource takes over instead of creating a new one.
	AnnotationAdoptID = "contactflow.io/adopt-id"
	// AnnotationCreatePending is written before a remote Create and removed once the remote ID is
	// in status, so that a crash in between is recovered by a lookup by name, never by a second
	// Create.
	AnnotationCreatePending = "contactflow.io/create-pending"
)

// Finalizer is the finalizer the operator puts on every resource with a remote object.
const Finalizer = "contactflow.io/finalizer"

// DeletionPolicy says what happens to the remote object when the resource is deleted.
// +kubebuilder:validation:Enum=Delete;Orphan
type DeletionPolicy string

const (
	// DeletionPolicyDelete deletes the remote object with the resource.
	DeletionPolicyDelete DeletionPolicy = "Delete"
	// DeletionPolicyOrphan leaves the remote object in place.
	DeletionPolicyOrphan DeletionPolicy = "Orphan"
)

// LocalObjectReference names an object in the same namespace.
type LocalObjectReference struct {
	// Name of the referenced object, in the same namespace.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
}
