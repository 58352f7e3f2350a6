package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ReviewPolicy says how far the operator takes a changed script through the platform's review.
// +kubebuilder:validation:Enum=Publish;Submit;None
type ReviewPolicy string

const (
	// ReviewPolicyPublish submits every change for review and publishes it once approved.
	ReviewPolicyPublish ReviewPolicy = "Publish"
	// ReviewPolicySubmit submits every change for review and leaves publishing to a person.
	ReviewPolicySubmit ReviewPolicy = "Submit"
	// ReviewPolicyNone only saves changes into the script's working copy.
	ReviewPolicyNone ReviewPolicy = "None"
)

// ScriptSpeech holds the speech settings of a script, as the platform's JSON strings.
type ScriptSpeech struct {
	// TTSConfig is the text-to-speech configuration (voice, volume, speech rate) as JSON.
	// +kubebuilder:validation:MaxLength=8192
	// +optional
	TTSConfig string `json:"ttsConfig,omitempty"`
	// ASRConfig is the speech-recognition configuration as JSON.
	// +kubebuilder:validation:MaxLength=8192
	// +optional
	ASRConfig string `json:"asrConfig,omitempty"`
	// NLSConfig is the intelligent-speech configuration as JSON (sent on modification only;
	// the platform's create takes none).
	// +kubebuilder:validation:MaxLength=8192
	// +optional
	NLSConfig string `json:"nlsConfig,omitempty"`
}

// OutboundScriptSpec is the desired outbound-bot script.
type OutboundScriptSpec struct {
	// InstanceRef names the OutboundInstance (same namespace) the script belongs to. The
	// script waits, with a condition, until that instance has an ID. Immutable.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="instanceRef is immutable; create a new OutboundScript"
	InstanceRef LocalObjectReference `json:"instanceRef"`
	// ScriptName is the script's name on the platform, unique in the instance.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	ScriptName string `json:"scriptName"`
	// Industry the script is for, for example finance or e-commerce.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	Industry string `json:"industry"`
	// Scene the script is for, for example a payment reminder or a satisfaction survey.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	Scene string `json:"scene"`
	// ScriptDescription is shown on the console and to the reviewers.
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	ScriptDescription string `json:"scriptDescription,omitempty"`
	// ChatbotID names the dialogue bot behind the script, when it has one.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	ChatbotID string `json:"chatbotId,omitempty"`
	// Content holds the script's utterances (ScriptContent), in order. The platform does not
	// report them back: the operator tracks what it wrote (status.contentHash).
	// +kubebuilder:validation:MaxItems=1000
	// +listType=atomic
	// +optional
	Content []string `json:"content,omitempty"`
	// Waveforms holds recorded-audio references (ScriptWaveform), in order.
	// +kubebuilder:validation:MaxItems=1000
	// +listType=atomic
	// +optional
	Waveforms []string `json:"waveforms,omitempty"`
	// Speech holds the TTS, ASR and NLS settings.
	// +optional
	Speech ScriptSpeech `json:"speech,omitempty"`
	// EmotionEnabled turns on emotion detection.
	// +optional
	EmotionEnabled bool `json:"emotionEnabled,omitempty"`
	// NewBargeInEnabled lets callers interrupt the bot.
	// +optional
	NewBargeInEnabled bool `json:"newBargeInEnabled,omitempty"`
	// MiniPlaybackEnabled turns on short acknowledgements while the bot thinks.
	// +optional
	MiniPlaybackEnabled bool `json:"miniPlaybackEnabled,omitempty"`
	// LongWaitEnabled keeps the line open on long silences.
	// +optional
	LongWaitEnabled bool `json:"longWaitEnabled,omitempty"`
	// ReviewPolicy: Publish (default) submits every change for review and publishes it once
	// approved; Submit stops after submitting; None only saves the working copy.
	// +kubebuilder:default=Publish
	// +optional
	ReviewPolicy ReviewPolicy `json:"reviewPolicy,omitempty"`
	// RollbackToVersion, when set, makes that earlier published version the applied one again
	// (RollbackScript) instead of publishing the spec's content. Clear it to go forward again.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	RollbackToVersion string `json:"rollbackToVersion,omitempty"`
	// DeletionPolicy: Delete (default) deletes the script with the resource; Orphan leaves it.
	// +kubebuilder:default=Delete
	// +optional
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`
	// AdoptByName takes over an existing script of the same name in the instance.
	// +optional
	AdoptByName bool `json:"adoptByName,omitempty"`
}

// ScriptPublishEntry is one entry of the script's publish history.
type ScriptPublishEntry struct {
	// Version published (or rolled back to).
	Version string `json:"version"`
	// Description given with the publish.
	// +optional
	Description string `json:"description,omitempty"`
	// PublishTime is when it happened.
	// +optional
	PublishTime *metav1.Time `json:"publishTime,omitempty"`
}

// OutboundScriptStatus is what the operator last observed of the script.
type OutboundScriptStatus struct {
	// ScriptID is the platform's ID of the script.
	// +optional
	ScriptID string `json:"scriptId,omitempty"`
	// InstanceID is the OutboundBot instance the script lives in.
	// +optional
	InstanceID string `json:"instanceId,omitempty"`
	// Status is the platform's status (DRAFTED, EXAMINE_IN_PROGRESS, PUBLISHED, ...).
	// +optional
	Status string `json:"status,omitempty"`
	// IsDrafted reports that the working copy has changes no published version has.
	// +optional
	IsDrafted bool `json:"isDrafted,omitempty"`
	// DebugStatus is the platform's status of the debug version.
	// +optional
	DebugStatus string `json:"debugStatus,omitempty"`
	// AppliedVersion is the published version in use.
	// +optional
	AppliedVersion string `json:"appliedVersion,omitempty"`
	// RejectReason is the reviewers' reason when the last review was rejected.
	// +optional
	RejectReason string `json:"rejectReason,omitempty"`
	// ContentHash is the hash of the spec content the operator last wrote; the platform does
	// not report the content.
	// +optional
	ContentHash string `json:"contentHash,omitempty"`
	// SubmittedHash is the content hash of the working copy last submitted for review.
	// +optional
	SubmittedHash string `json:"submittedHash,omitempty"`
	// PublishedHash is the content hash of the version last published by the operator.
	// +optional
	PublishedHash string `json:"publishedHash,omitempty"`
	// PublishHistory holds the newest publishes and rollbacks (at most 10).
	// +listType=atomic
	// +optional
	PublishHistory []ScriptPublishEntry `json:"publishHistory,omitempty"`
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
// +kubebuilder:resource:categories=contactcenter,shortName=obs
// +kubebuilder:printcolumn:name="Script ID",type=string,JSONPath=`.status.scriptId`
// +kubebuilder:printcolumn:name="Status",type=string,JSONPath=`.status.status`
// +kubebuilder:printcolumn:name="Version",type=string,JSONPath=`.status.appliedVersion`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// OutboundScript is an Alibaba OutboundBot script kept in Git, taken through the platform's
// review and published once approved.
type OutboundScript struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired script.
	Spec OutboundScriptSpec `json:"spec"`
	// Status is what the operator last observed.
	// +optional
	Status OutboundScriptStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// OutboundScriptList is a list of OutboundScripts.
type OutboundScriptList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []OutboundScript `json:"items"`
}

func init() {
	SchemeBuilder.Register(&OutboundScript{}, &OutboundScriptList{})
}
