package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// OutboundInstanceSpec is the desired outbound-bot business instance (Alibaba OutboundBot).
type OutboundInstanceSpec struct {
	// ProviderConfigRef names the ProviderConfig (same namespace, platform AlibabaOutboundBot)
	// of the account the instance lives in.
	ProviderConfigRef LocalObjectReference `json:"providerConfigRef"`
	// InstanceName is the instance's name on the platform, unique in the account.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	InstanceName string `json:"instanceName"`
	// InstanceDescription is shown on the console. The platform keeps the old value when this
	// is emptied: it can be replaced, not cleared.
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	InstanceDescription string `json:"instanceDescription,omitempty"`
	// MaxConcurrentConversation is the instance's share of the account's concurrent-call quota.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100000
	MaxConcurrentConversation int32 `json:"maxConcurrentConversation"`
	// CallingNumbers are the caller IDs the bot dials from, in order. The platform does not
	// report them back: the operator tracks what it wrote (status.callingNumbersHash).
	// +kubebuilder:validation:MaxItems=100
	// +listType=atomic
	// +optional
	CallingNumbers []string `json:"callingNumbers,omitempty"`
	// CallCenterInstanceID is the Alibaba Cloud Contact Center instance the bot calls through.
	// Immutable once set.
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:XValidation:rule="oldSelf == '' || self == oldSelf",message="callCenterInstanceId is immutable once set; create a new OutboundInstance"
	// +optional
	CallCenterInstanceID string `json:"callCenterInstanceId,omitempty"`
	// NluServiceType is the speech-understanding service (for example Managed).
	// +kubebuilder:validation:MaxLength=64
	// +optional
	NluServiceType string `json:"nluServiceType,omitempty"`
	// DeletionPolicy: Delete (default) deletes the instance, and its scripts, with the
	// resource; Orphan leaves it.
	// +kubebuilder:default=Delete
	// +optional
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`
	// AdoptByName takes over an existing instance of the same name instead of failing with
	// AlreadyExists. To adopt by ID, set the annotation contactflow.io/adopt-id.
	// +optional
	AdoptByName bool `json:"adoptByName,omitempty"`
}

// OutboundInstanceStatus is what the operator last observed of the instance.
type OutboundInstanceStatus struct {
	// InstanceID is the platform's ID of the instance.
	// +optional
	InstanceID string `json:"instanceId,omitempty"`
	// InstanceName, InstanceDescription, MaxConcurrentConversation, CallCenterInstanceID and
	// NluServiceType are the live values.
	// +optional
	InstanceName string `json:"instanceName,omitempty"`
	// +optional
	InstanceDescription string `json:"instanceDescription,omitempty"`
	// +optional
	MaxConcurrentConversation int32 `json:"maxConcurrentConversation,omitempty"`
	// +optional
	CallCenterInstanceID string `json:"callCenterInstanceId,omitempty"`
	// +optional
	NluServiceType string `json:"nluServiceType,omitempty"`
	// CallingNumbersHash is the hash of the calling numbers the operator last wrote; the
	// platform does not report them.
	// +optional
	CallingNumbersHash string `json:"callingNumbersHash,omitempty"`
	// CreationTime, CreatorName and OwnerName are as the platform reports them.
	// +optional
	CreationTime *metav1.Time `json:"creationTime,omitempty"`
	// +optional
	CreatorName string `json:"creatorName,omitempty"`
	// +optional
	OwnerName string `json:"ownerName,omitempty"`
	// ObservedGeneration is the generation the status describes.
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
// +kubebuilder:resource:categories=contactcenter,shortName=obi
// +kubebuilder:printcolumn:name="Instance ID",type=string,JSONPath=`.status.instanceId`
// +kubebuilder:printcolumn:name="Concurrency",type=integer,JSONPath=`.status.maxConcurrentConversation`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// OutboundInstance is an Alibaba OutboundBot business instance kept in Git: its name,
// description, concurrency and calling numbers.
type OutboundInstance struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired instance.
	Spec OutboundInstanceSpec `json:"spec"`
	// Status is what the operator last observed.
	// +optional
	Status OutboundInstanceStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// OutboundInstanceList is a list of OutboundInstances.
type OutboundInstanceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []OutboundInstance `json:"items"`
}

func init() {
	SchemeBuilder.Register(&OutboundInstance{}, &OutboundInstanceList{})
}
