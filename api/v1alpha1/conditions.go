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
