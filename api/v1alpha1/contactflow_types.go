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

// ContactFlowSpec is the desired IVR flow.
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
	// Type of the flow. Immutable: the platform cannot change it in place.
	// +kubebuilder:validation:Enum=MAIN_FLOW;SUB_FLOW;SURVEY_FLOW
	// +kubebuilder:default=MAIN_FLOW
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="type is immutable; create a new ContactFlow for a flow of another type"
	// +optional
	Type string `json:"type,omitempty"`
	// Description of the flow version the operator commits.
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	Description string `json:"description,omitempty"`
	// Definition is the flow's activity graph.
	Definition FlowDefinition `json:"definition"`
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
}

// ContactFlowStatus is what the operator last observed of the remote flow.
type ContactFlowStatus struct {
	// ContactFlowID is the platform's ID of the flow.
	// +optional
	ContactFlowID string `json:"contactFlowId,omitempty"`
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
	// DesiredHash is the canonical hash of spec.definition the status was computed for.
	// +optional
	DesiredHash string `json:"desiredHash,omitempty"`
	// PendingChanges is a short readable summary of how the live flow differs from the spec,
	// while it does.
	// +optional
	PendingChanges string `json:"pendingChanges,omitempty"`
	// NumberList holds the phone numbers bound to the flow.
	// +optional
	NumberList []string `json:"numberList,omitempty"`
	// LastPublishedTime is when the operator last published the flow.
	// +optional
	LastPublishedTime *metav1.Time `json:"lastPublishedTime,omitempty"`
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
