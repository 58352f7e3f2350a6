package cloud

import "context"

// ResourceKind names a kind of platform object a flow definition refers to by ID (or ARN).
type ResourceKind string

const (
	// KindContactFlow is a contact flow of the same instance (one not managed by a ContactFlow
	// resource; managed ones are referred to by their Kubernetes name).
	KindContactFlow ResourceKind = "ContactFlow"
	// KindQueue is an Amazon Connect queue.
	KindQueue ResourceKind = "Queue"
	// KindSkillGroup is an Alibaba skill group (CCC 2020-07-01 and classic CloudCallCenter).
	KindSkillGroup ResourceKind = "SkillGroup"
	// KindPrompt is an audio prompt: an Amazon Connect prompt, a CCC audio file, a classic media.
	KindPrompt ResourceKind = "Prompt"
	// KindFunction is an AWS Lambda function associated with an Amazon Connect instance.
	KindFunction ResourceKind = "Function"
)

// Resource is one platform object a flow can refer to.
type Resource struct {
	Kind ResourceKind
	// ID is the platform's identifier of the object.
	ID string
	// Name is the object's name; for a Lambda function, the function name from its ARN.
	Name string
	// Ref is the value a flow definition uses to refer to it: the ID on the Alibaba platforms,
	// the ARN on Amazon Connect.
	Ref string
}

// ResourceLister is implemented by FlowClients whose platform can list what flows refer to, so
// that references written by name resolve to this environment's IDs, and an export can turn IDs
// back into names. A controller type-asserts a FlowClient (its Underlying adapter) to it.
type ResourceLister interface {
	// ResourceKinds lists the kinds ListResources serves on this platform.
	ResourceKinds() []ResourceKind
	// ListResources returns every object of kind in the instance, all pages read. A kind the
	// platform does not have is ClassInvalid; an unknown instance is ClassNotFound.
	ListResources(ctx context.Context, instanceID string, kind ResourceKind) ([]Resource, error)
}

// PhoneNumber is one phone number of an instance and the flow that answers it.
type PhoneNumber struct {
	// Number as the platform shows it (E.164 on Amazon Connect, for example +14155550100).
	Number string
	// ID is what the platform's binding calls take: the classic PhoneNumberId, the Amazon
	// Connect PhoneNumberId; the number itself on CCC 2020-07-01.
	ID string
	// FlowID is the flow the number is bound to, "" when none.
	FlowID string
	// FlowName is that flow's name, where the platform says.
	FlowName string
}

// NumberBinder is implemented by FlowClients whose platform binds inbound numbers to flows (CCC
// ModifyPhoneNumber, classic AssignContactFlowToPhoneNumber, Amazon Connect
// AssociatePhoneNumberContactFlow). It never decides whether a number may be taken from another
// flow: the controller does.
type NumberBinder interface {
	// ListNumbers returns the instance's phone numbers, all pages read, each with its flow.
	ListNumbers(ctx context.Context, instanceID string) ([]PhoneNumber, error)
	// BindNumber makes the number answer with flow flowID, replacing any other binding.
	BindNumber(ctx context.Context, instanceID string, n PhoneNumber, flowID string) error
	// UnbindNumber removes the number's binding to flowID. A number not bound to it is success.
	UnbindNumber(ctx context.Context, instanceID string, n PhoneNumber, flowID string) error
	// FlowsReportNumbers says whether GetFlow and ListFlows fill Flow.NumberList (the Alibaba
	// platforms' reads carry the bound numbers; Amazon Connect's do not), so that a caller
	// knows whether it must list the numbers to see a flow's bindings.
	FlowsReportNumbers() bool
}

// FlowRenamer is implemented by FlowClients whose platform renames a flow in place, keeping its
// ID (classic ModifyContactFlow, Amazon Connect UpdateContactFlowName). CCC 2020-07-01 has no
// such call, and its adapter does not implement it.
type FlowRenamer interface {
	// RenameFlow gives the flow a new name. A name taken by another flow of the instance is
	// ClassAlreadyExists.
	RenameFlow(ctx context.Context, key FlowKey, name string) error
}
