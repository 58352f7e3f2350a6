package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Platform names a contact-center platform (and API family) the operator drives.
// +kubebuilder:validation:Enum=AlibabaCCC;AlibabaCloudCallCenter;AlibabaOutboundBot;AmazonConnect
type Platform string

const (
	// PlatformAlibabaCCC is Alibaba Cloud Contact Center, API version 2020-07-01.
	PlatformAlibabaCCC Platform = "AlibabaCCC"
	// PlatformAlibabaCloudCallCenter is the classic Alibaba CloudCallCenter API, 2017-07-05.
	PlatformAlibabaCloudCallCenter Platform = "AlibabaCloudCallCenter"
	// PlatformAlibabaOutboundBot is Alibaba OutboundBot, API version 2019-12-26.
	PlatformAlibabaOutboundBot Platform = "AlibabaOutboundBot"
	// PlatformAmazonConnect is Amazon Connect.
	PlatformAmazonConnect Platform = "AmazonConnect"
)

// CredentialsSource says where the operator takes the platform credentials from.
// +kubebuilder:validation:Enum=Secret;Ambient
type CredentialsSource string

const (
	// CredentialsSourceSecret reads an access key pair from a Secret in the ProviderConfig's
	// namespace.
	CredentialsSourceSecret CredentialsSource = "Secret"
	// CredentialsSourceAmbient uses the pod's own identity: Alibaba RRSA (OIDC role) or AWS IRSA,
	// through each SDK's default credential chain.
	CredentialsSourceAmbient CredentialsSource = "Ambient"
)

// SecretCredentials locates an access key pair in a Secret.
type SecretCredentials struct {
	// Name of the Secret, in the ProviderConfig's namespace.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
	// AccessKeyIDKey is the key in the Secret that holds the AccessKey ID.
	// +kubebuilder:default=accessKeyId
	// +optional
	AccessKeyIDKey string `json:"accessKeyIdKey,omitempty"`
	// AccessKeySecretKey is the key in the Secret that holds the AccessKey secret.
	// +kubebuilder:default=accessKeySecret
	// +optional
	AccessKeySecretKey string `json:"accessKeySecretKey,omitempty"`
	// SecurityTokenKey is the key in the Secret that holds an STS session token, for temporary
	// credentials. Leave empty for a long-lived key pair.
	// +optional
	SecurityTokenKey string `json:"securityTokenKey,omitempty"`
}

// ProviderCredentials says how the operator authenticates to the platform.
// +kubebuilder:validation:XValidation:rule="self.source != 'Secret' || has(self.secretRef)",message="secretRef is required when source is Secret"
// +kubebuilder:validation:XValidation:rule="self.source != 'Ambient' || !has(self.secretRef)",message="secretRef must be empty when source is Ambient"
type ProviderCredentials struct {
	// Source of the credentials: Secret (an access key pair in a Secret) or Ambient (the pod's
	// identity: Alibaba RRSA or AWS IRSA).
	// +kubebuilder:default=Secret
	Source CredentialsSource `json:"source"`
	// SecretRef locates the access key pair when source is Secret.
	// +optional
	SecretRef *SecretCredentials `json:"secretRef,omitempty"`
}

// ProviderConfigSpec says which platform, region and account resources are reconciled against.
type ProviderConfigSpec struct {
	// Platform is the contact-center platform and API family.
	Platform Platform `json:"platform"`
	// Region is the platform region, for example cn-shanghai or us-east-1.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[a-z0-9-]+$`
	Region string `json:"region"`
	// Endpoint overrides the platform endpoint: "host:port" or a URL such as
	// "http://127.0.0.1:18080" (the emulator, a private endpoint or a proxy). Empty means the
	// SDK's own endpoint for the region.
	// +kubebuilder:validation:MaxLength=512
	// +optional
	Endpoint string `json:"endpoint,omitempty"`
	// Credentials says where the credentials come from.
	Credentials ProviderCredentials `json:"credentials"`
	// RateLimit overrides the operator's client-side budget for this account and region. The
	// defaults keep well under each platform's published quota (Amazon Connect: 1/s, burst 2,
	// of the account's 2/s, burst 5; Alibaba: 10/s, burst 20), leaving most of it to the
	// contact center's other tools.
	// +optional
	RateLimit *RateLimitSpec `json:"rateLimit,omitempty"`
}

// RateLimitSpec is a token bucket.
type RateLimitSpec struct {
	// QPS is the sustained rate of platform calls per second, as a decimal string (e.g. "0.5").
	// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]+)?$`
	QPS string `json:"qps"`
	// Burst is how many calls may go at once after a quiet spell.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	Burst int32 `json:"burst"`
	// PerAction adds tighter buckets for single API actions, for platforms that set quotas
	// per operation (Alibaba Quota Center).
	// +kubebuilder:validation:MaxItems=64
	// +listType=map
	// +listMapKey=action
	// +optional
	PerAction []ActionRateLimit `json:"perAction,omitempty"`
}

// ActionRateLimit is a token bucket for one API action.
type ActionRateLimit struct {
	// Action is the platform's API action name, for example PublishContactFlow.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	Action string `json:"action"`
	// QPS is the sustained rate, as a decimal string.
	// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]+)?$`
	QPS string `json:"qps"`
	// Burst is how many calls of the action may go at once.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	Burst int32 `json:"burst"`
}

// ProviderConfigStatus is what the operator last observed of the ProviderConfig.
type ProviderConfigStatus struct {
	// ObservedGeneration is the generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// Conditions: Ready is True when the credentials can be read.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=contactcenter,shortName=cfpc
// +kubebuilder:printcolumn:name="Platform",type=string,JSONPath=`.spec.platform`
// +kubebuilder:printcolumn:name="Region",type=string,JSONPath=`.spec.region`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// ProviderConfig tells the operator how to reach one contact-center account: the platform,
// its region, an optional endpoint override and where the credentials come from. ContactFlows
// and the other kinds point at it with spec.providerConfigRef.
type ProviderConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired configuration.
	Spec ProviderConfigSpec `json:"spec"`
	// Status is what the operator last observed.
	// +optional
	Status ProviderConfigStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// ProviderConfigList is a list of ProviderConfigs.
type ProviderConfigList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ProviderConfig `json:"items"`
}

func init() {
	SchemeBuilder.Register(&ProviderConfig{}, &ProviderConfigList{})
}
