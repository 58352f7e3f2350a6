package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// PublishPolicy says whether a changed definition is published or only saved as a draft.
// +kubebuilder:validation:Enum=Publish;Draft
type PublishPolicy string

const (
	// PublishPolicyPublish commits a changed definition and publishes it.
	PublishPolicyPublish PublishPolicy = "Publish"
	// PublishPolicyDraft commits a changed definition into a draft and leaves publishing to a
	// person on the console.
	PublishPolicyDraft PublishPolicy = "Draft"
)

// LockPolicy says what the operator does when someone else holds the flow's draft or lock.
// +kubebuilder:validation:Enum=Wait;TakeOver
type LockPolicy string

const (
	// LockPolicyWait reports the holder in status and waits until the draft is published or
	// discarded on the console.
	LockPolicyWait LockPolicy = "Wait"
	// LockPolicyTakeOver discards the other user's draft (it is never published) and applies the
	// spec, with an Event.
	LockPolicyTakeOver LockPolicy = "TakeOver"
)

// FlowEvent is one outgoing edge of an activity: when the event fires, the flow goes on at the
// activity named by next.
type FlowEvent struct {
	// Event is the name of the activity's outcome, for example complete, timeout or 1.
	// +kubebuilder:validation:MinLength=1
	Event string `json:"event"`
	// Next is the id of the activity the flow goes on at; null or absent ends the flow here.
	// +nullable
	// +optional
	Next *string `json:"next,omitempty"`
	// EdgeID is the console's identity of the arrow. Layout only: never compared.
	// +optional
	EdgeID string `json:"edgeId,omitempty"`
}

// FlowActivity is one node of the IVR graph.
type FlowActivity struct {
	// Type of the activity, for example INCOMING_CALL (the start), PLAY_SAY, GET_DIGITS, MENU,
	// TRANSFER_TO_SKILL_GROUP or HANGUP.
	// +kubebuilder:validation:MinLength=1
	Type string `json:"type"`
	// ID of the activity, unique within the flow; events name it in next.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	ID string `json:"id"`
	// Name shown on the console.
	// +optional
	Name string `json:"name,omitempty"`
	// Properties of the activity, as the platform defines them for its type (for PLAY_SAY: say,
	// audioType, audioResourceId, audioInterrupt). properties.position is layout only: never
	// compared, and kept from the console when omitted.
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Type=object
	// +optional
	Properties *runtime.RawExtension `json:"properties,omitempty"`
	// Events are the activity's outgoing edges.
	// +optional
	Events []FlowEvent `json:"events,omitempty"`
	// NodeIndex is the console's drawing order. Layout only: never compared.
	// +optional
	NodeIndex *int64 `json:"nodeIndex,omitempty"`
}

// FlowDefinition is an IVR flow as a graph of activities, written as YAML instead of the escaped
// JSON string the platform stores. The operator validates it (one INCOMING_CALL start, every
// next names an existing activity, no unreachable activity, unique ids) before any remote call.
type FlowDefinition struct {
	// Activities of the flow. Their order does not matter.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=1000
	// +listType=atomic
	Activities []FlowActivity `json:"activities"`
	// Description stored inside the definition.
	// +optional
	Description string `json:"description,omitempty"`
}

// ReferenceKind is the kind of platform object a PlatformReference names.
// +kubebuilder:validation:Enum=ContactFlow;Queue;SkillGroup;Prompt;Function
type ReferenceKind string

// PlatformReference names an object on the platform by its name or ID in this environment.
// +kubebuilder:validation:XValidation:rule="has(self.name) != has(self.id)",message="set exactly one of name and id"
type PlatformReference struct {
	// Kind of the object: Queue and Function (AmazonConnect: a queue, a Lambda function
	// associated with the instance), SkillGroup (AlibabaCCC, AlibabaCloudCallCenter), Prompt
	// (an AmazonConnect prompt, an AlibabaCCC audio file, an AlibabaCloudCallCenter media),
	// ContactFlow (a flow of the instance that no ContactFlow manages).
	Kind ReferenceKind `json:"kind"`
	// Name of the object on the platform; the operator looks its ID up.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Name string `json:"name,omitempty"`
	// ID of the object on the platform (an ARN on AmazonConnect also works); the operator checks
	// that it exists.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=512
	// +optional
	ID string `json:"id,omitempty"`
}

// FlowReference is something a flow's definition refers to. The definition writes
// ${ref:NAME} inside any string value where the platform wants the object's ID (an ARN on
// AmazonConnect); the operator puts in the live ID of this environment before it diffs and
// publishes.
// +kubebuilder:validation:XValidation:rule="has(self.contactFlow) != has(self.platform)",message="set exactly one of contactFlow and platform"
type FlowReference struct {
	// Name is how the definition refers to it: ${ref:NAME}.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9]([-_.A-Za-z0-9]*[A-Za-z0-9])?$`
	Name string `json:"name"`
	// ContactFlow names another ContactFlow in this namespace, on the same ProviderConfig and
	// instance. Flows may refer to each other in a cycle: each is created unpublished first, so
	// that all IDs exist before anything is published.
	// +optional
	ContactFlow *LocalObjectReference `json:"contactFlow,omitempty"`
	// Platform names an object on the platform by its name or ID in this environment.
	// +optional
	Platform *PlatformReference `json:"platform,omitempty"`
}

// PhoneNumberBinding is an inbound number the flow answers.
type PhoneNumberBinding struct {
	// Number as the platform lists it: E.164 on AmazonConnect (+14155550100), the number as
	// CCC shows it on the Alibaba platforms.
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern=`^\+?[0-9]+$`
	Number string `json:"number"`
	// TakeOver moves the number to this flow when another flow answers it. Without it, such a
	// binding is reported (Ready False, NumberInUse) and left alone.
	// +optional
	TakeOver bool `json:"takeOver,omitempty"`
}

// ContactFlowSpec is the desired IVR flow.
// +kubebuilder:validation:XValidation:rule="has(self.definition) != has(self.content)",message="set exactly one of spec.definition (the activity graph of an AlibabaCCC flow) and spec.content (the platform-native flow of an AlibabaCloudCallCenter or AmazonConnect flow)"
type ContactFlowSpec struct {
	// ProviderConfigRef names the ProviderConfig (same namespace) of the account the flow lives in.
	ProviderConfigRef LocalObjectReference `json:"providerConfigRef"`
	// InstanceID is the contact-center instance the flow belongs to. Immutable: a flow cannot
	// move between instances; create a new ContactFlow instead.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="instanceId is immutable; create a new ContactFlow for another instance"
	InstanceID string `json:"instanceId"`
	// FlowName is the flow's name on the platform, unique within the instance.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	FlowName string `json:"flowName"`
	// Type of the flow, as the platform names flow types; empty means the platform's default.
	// Immutable: the platform cannot change it in place. The operator and the admission webhook
	// check it against the platform of the ProviderConfig:
	// AlibabaCCC: MAIN_FLOW (default), SUB_FLOW or SURVEY_FLOW.
	// AlibabaCloudCallCenter: an upper-case name such as MAIN_FLOW (default) or SUB_FLOW.
	// AmazonConnect: CONTACT_FLOW (default), CUSTOMER_QUEUE, CUSTOMER_HOLD, CUSTOMER_WHISPER,
	// AGENT_HOLD, AGENT_WHISPER, OUTBOUND_WHISPER, AGENT_TRANSFER, QUEUE_TRANSFER or CAMPAIGN
	// (only CAMPAIGN flows keep numbered versions on Amazon Connect).
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[A-Z][A-Z0-9_]*$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="type is immutable; create a new ContactFlow for a flow of another type"
	// +optional
	Type string `json:"type,omitempty"`
	// Description of the flow version the operator commits.
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	Description string `json:"description,omitempty"`
	// Definition is the flow as an activity graph, for AlibabaCCC (CCC 2020-07-01) flows. Set
	// exactly one of definition and content.
	// +optional
	Definition *FlowDefinition `json:"definition,omitempty"`
	// Content is the flow in the platform's own format, for the platforms whose flows are not
	// written as spec.definition; set exactly one of definition and content.
	// AlibabaCloudCallCenter: the classic Content, a JSON object of nodes
	// ({"start": "welcome", "nodes": [{"id", "type", "name", "properties", "next": {outcome:
	// id}}]}); the version's Canvas (layout) is kept from the console.
	// AmazonConnect: the flow language document ({"Version": "2019-10-30", "StartAction",
	// "Actions": [...]}); its top-level Metadata is layout: never compared, and kept from the
	// console when omitted.
	// The operator checks the graph (start, every next names a node, no unreachable node) before
	// any remote call.
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Type=object
	// +optional
	Content *runtime.RawExtension `json:"content,omitempty"`
	// PublishPolicy: Publish (default) publishes every real change; Draft only saves it into a
	// draft for a person to publish.
	// +kubebuilder:default=Publish
	// +optional
	PublishPolicy PublishPolicy `json:"publishPolicy,omitempty"`
	// LockPolicy: Wait (default) reports a draft held by someone else and waits; TakeOver
	// discards that draft (never publishing it) and applies the spec.
	// +kubebuilder:default=Wait
	// +optional
	LockPolicy LockPolicy `json:"lockPolicy,omitempty"`
	// DeletionPolicy: Delete (default) deletes the remote flow with the resource; Orphan leaves it.
	// +kubebuilder:default=Delete
	// +optional
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`
	// AdoptByName takes over an existing flow of the same name in the instance instead of
	// failing with AlreadyExists. To adopt a flow by ID, set the annotation
	// contactflow.io/adopt-id instead.
	// +optional
	AdoptByName bool `json:"adoptByName,omitempty"`
	// References name what the definition refers to, by Kubernetes object or by platform name
	// or ID; the definition writes ${ref:NAME} where the platform wants an ID. The operator
	// resolves them at every reconcile, waits (Ready False, ReferencesUnresolved, naming what
	// is missing) until all resolve, and publishes again when a referenced flow's ID changes.
	// +kubebuilder:validation:MaxItems=100
	// +listType=map
	// +listMapKey=name
	// +optional
	References []FlowReference `json:"references,omitempty"`
	// PhoneNumbers lists the inbound numbers this flow answers. The operator binds each to the
	// flow once it is published; a number answered by another flow is only taken with
	// takeOver. While any number is bound to the flow, deleting the resource waits (unless
	// deletionPolicy is Orphan). Removing a number from the list unbinds it.
	// +kubebuilder:validation:MaxItems=100
	// +listType=map
	// +listMapKey=number
	// +optional
	PhoneNumbers []PhoneNumberBinding `json:"phoneNumbers,omitempty"`
	// RollbackTo, when set, makes an earlier published version run again instead of the spec's
	// flow, named as the platform names versions (status.versions lists them):
	// AlibabaCloudCallCenter: a ContactFlowVersionId or its Version label (FallbackContactFlowVersion);
	// AmazonConnect: a version number of a CAMPAIGN flow, whose content is published again;
	// AlibabaCCC and Amazon Connect flows of other types, which keep no versions: a version
	// number the operator gave when it published (status.versions), whose definition it kept in
	// the ConfigMap <name>-flow-history and publishes again as a new version.
	// Clear it to publish the spec's flow again.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	RollbackTo string `json:"rollbackTo,omitempty"`
}

// FlowVersionStatus is one published version of a flow.
type FlowVersionStatus struct {
	// Version is the platform's name of the version (classic ContactFlowVersionId, Amazon
	// Connect version number); empty where the platform does not number versions.
	// +optional
	Version string `json:"version,omitempty"`
	// Hash is the canonical hash (sha256, layout excluded) of the version's flow.
	// +optional
	Hash string `json:"hash,omitempty"`
	// Time is when the version was published.
	// +optional
	Time *metav1.Time `json:"time,omitempty"`
	// Description says what the version changed, or the platform's description of it.
	// +optional
	Description string `json:"description,omitempty"`
}

// ResolvedReference is one reference of spec.references as the operator resolved it.
type ResolvedReference struct {
	// Name of the reference.
	Name string `json:"name"`
	// Target says what it names: ContactFlow/<name> or <Kind>/<name or id>.
	Target string `json:"target"`
	// Value is the live ID (ARN on AmazonConnect) put into the definition; empty while it does
	// not resolve.
	// +optional
	Value string `json:"value,omitempty"`
	// Problem says why it does not resolve, while it does not.
	// +optional
	Problem string `json:"problem,omitempty"`
}

// ContactFlowStatus is what the operator last observed of the remote flow.
type ContactFlowStatus struct {
	// ContactFlowID is the platform's ID of the flow.
	// +optional
	ContactFlowID string `json:"contactFlowId,omitempty"`
	// ContactFlowARN is the flow's ARN on AmazonConnect: what other flows' references to this
	// one resolve to there.
	// +optional
	ContactFlowARN string `json:"contactFlowArn,omitempty"`
	// InstanceID is the instance the flow was found or created in.
	// +optional
	InstanceID string `json:"instanceId,omitempty"`
	// Published reports whether a version of the flow has been published.
	// +optional
	Published bool `json:"published,omitempty"`
	// DraftID is the open draft: the operator's own under publishPolicy Draft, or the draft held
	// by Editor.
	// +optional
	DraftID string `json:"draftId,omitempty"`
	// Editor is the user holding a draft that is not the operator's. Under lockPolicy Wait the
	// operator does not write while it is set.
	// +optional
	Editor string `json:"editor,omitempty"`
	// EditingSince is when the other user's draft was last changed, as the platform reports it.
	// +optional
	EditingSince string `json:"editingSince,omitempty"`
	// PublishedHash is the canonical hash (sha256, layout excluded) of the published definition.
	// +optional
	PublishedHash string `json:"publishedHash,omitempty"`
	// DraftHash is the canonical hash of the open draft's definition, when there is one.
	// +optional
	DraftHash string `json:"draftHash,omitempty"`
	// DesiredHash is the canonical hash of spec.definition (or spec.content) the status was
	// computed for.
	// +optional
	DesiredHash string `json:"desiredHash,omitempty"`
	// PendingChanges is a short readable summary of how the live flow differs from the spec,
	// while it does.
	// +optional
	PendingChanges string `json:"pendingChanges,omitempty"`
	// ObservedRevision is the platform's mark of the flow's last change (Amazon Connect: its
	// LastModifiedTime, to the millisecond) as of the last observation that showed no unpublished
	// change; empty after one that showed a change, and where the platform has no such mark.
	// While a list of the instance shows the flow at this revision, nothing has happened to it
	// since, so the list serves its observation instead of a direct read, also right after the
	// operator restarts.
	// +optional
	ObservedRevision string `json:"observedRevision,omitempty"`
	// NumberList holds the phone numbers bound to the flow, as the platform last reported them.
	// +optional
	NumberList []string `json:"numberList,omitempty"`
	// ManagedNumbers are the numbers the operator bound to the flow because spec.phoneNumbers
	// lists them; removing one from the spec unbinds it. Numbers bound on the console appear in
	// numberList only and are left alone.
	// +listType=set
	// +optional
	ManagedNumbers []string `json:"managedNumbers,omitempty"`
	// References are spec.references as last resolved: each name with the live value put into
	// the definition, or why it does not resolve.
	// +listType=map
	// +listMapKey=name
	// +optional
	References []ResolvedReference `json:"references,omitempty"`
	// LastPublishedTime is when the operator last published the flow.
	// +optional
	LastPublishedTime *metav1.Time `json:"lastPublishedTime,omitempty"`
	// PublishedVersion names the running version as the platform names versions: the classic
	// ContactFlowVersionId, the Amazon Connect version number of a CAMPAIGN flow; where the
	// platform keeps no versions (AlibabaCCC, Amazon Connect flows of other types), the number
	// the operator gave the publish (1, 2, ...).
	// +optional
	PublishedVersion string `json:"publishedVersion,omitempty"`
	// Versions is a short history of the published versions, newest first, at most 10: the
	// platform's own list where it keeps one (AlibabaCloudCallCenter), otherwise what the
	// operator published. A version named here can be given to spec.rollbackTo.
	// +kubebuilder:validation:MaxItems=10
	// +listType=atomic
	// +optional
	Versions []FlowVersionStatus `json:"versions,omitempty"`
	// ObservedGeneration is the generation the status describes; it moves only when a reconcile
	// of that generation reached a conclusion.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// Conditions: Ready, Synced, Reconciling, Stalled.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=contactcenter,shortName=cf
// +kubebuilder:printcolumn:name="Flow ID",type=string,JSONPath=`.status.contactFlowId`
// +kubebuilder:printcolumn:name="Published",type=boolean,JSONPath=`.status.published`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Version",type=string,JSONPath=`.status.publishedVersion`,priority=1
// +kubebuilder:printcolumn:name="Editor",type=string,JSONPath=`.status.editor`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// ContactFlow is an IVR contact flow kept in Git: the operator creates it on the platform, and
// commits and publishes a new version whenever the live flow really differs from the spec.
type ContactFlow struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired flow.
	Spec ContactFlowSpec `json:"spec"`
	// Status is what the operator last observed.
	// +optional
	Status ContactFlowStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// ContactFlowList is a list of ContactFlows.
type ContactFlowList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ContactFlow `json:"items"`
}

func init() {
	SchemeBuilder.Register(&ContactFlow{}, &ContactFlowList{})
}
