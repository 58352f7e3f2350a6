// Package v1alpha1 holds the admission webhooks of the contactflow.io/v1alpha1 kinds. They
// refuse at `kubectl apply` time what the operator would otherwise only stall on later: a flow
// graph that does not hold together, an unknown activity type, a change to an immutable field.
// CEL rules in the CRD say what the schema alone can; these say the rest.
//
// The platform of a ContactFlow is its ProviderConfig's, which the object does not carry. The
// webhook reads the ProviderConfig (one GET through the manager's API reader) and, when it
// exists, checks spec.content with that platform's flow format and spec.type with its flow
// types, exactly as the controller will (internal/flowspec). When it cannot (no reader, or the
// ProviderConfig is not there yet: `kubectl apply -f dir/` creates objects in file order), it
// checks what holds on every platform (spec.definition is a valid CCC graph; spec.content is a
// JSON object) and leaves the platform's rules to the controller, which checks them before any
// remote call and reports them in the Ready condition. A missing ProviderConfig never blocks an
// apply.
package v1alpha1

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation/field"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/flow"
	"github.com/contactflow-operator/contactflow-operator/internal/flowspec"
)

// +kubebuilder:webhook:path=/validate-contactflow-io-v1alpha1-contactflow,mutating=false,failurePolicy=fail,sideEffects=None,groups=contactflow.io,resources=contactflows,verbs=create;update,versions=v1alpha1,name=vcontactflow-v1alpha1.contactflow.io,admissionReviewVersions=v1

// ContactFlowValidator validates ContactFlows on create and update.
type ContactFlowValidator struct {
	// Reader reads the ProviderConfig a ContactFlow names, for the platform's rules; nil checks
	// only what holds on every platform (see the package documentation).
	Reader client.Reader
}

var _ admission.Validator[*cfv1.ContactFlow] = ContactFlowValidator{}

// SetupContactFlowWebhookWithManager registers the validating webhook. It reads ProviderConfigs
// with the manager's API reader (not the cache, which may not have started when the first
// admission request arrives).
func SetupContactFlowWebhookWithManager(mgr ctrl.Manager) error {
	return ctrl.NewWebhookManagedBy(mgr, &cfv1.ContactFlow{}).
		WithValidator(ContactFlowValidator{Reader: mgr.GetAPIReader()}).Complete()
}

var contactFlowGK = schema.GroupKind{Group: cfv1.GroupVersion.Group, Kind: "ContactFlow"}

// ValidateCreate refuses a ContactFlow whose flow does not validate.
func (v ContactFlowValidator) ValidateCreate(ctx context.Context, cf *cfv1.ContactFlow) (admission.Warnings, error) {
	return nil, invalid(cf, v.validateFlow(ctx, cf))
}

// ValidateUpdate refuses a flow that does not validate and a change of an immutable field. An
// object being deleted is let through, so that a finalizer can always finish.
func (v ContactFlowValidator) ValidateUpdate(ctx context.Context, oldCF, cf *cfv1.ContactFlow) (admission.Warnings, error) {
	if !cf.DeletionTimestamp.IsZero() {
		return nil, nil
	}
	errs := v.validateFlow(ctx, cf)
	spec := field.NewPath("spec")
	if oldCF.Spec.InstanceID != cf.Spec.InstanceID {
		errs = append(errs, field.Forbidden(spec.Child("instanceId"), "instanceId is immutable; create a new ContactFlow for another instance"))
	}
	if oldCF.Spec.FlowName != cf.Spec.FlowName && v.platform(ctx, cf) == string(cfv1.PlatformAlibabaCCC) {
		errs = append(errs, field.Forbidden(spec.Child("flowName"), fmt.Sprintf(
			"AlibabaCCC (CCC 2020-07-01) cannot rename a flow in place; keep %q, rename it on the console and then here, or create a new ContactFlow", oldCF.Spec.FlowName)))
	}
	if oldCF.Spec.Type != "" && oldCF.Spec.Type != cf.Spec.Type {
		errs = append(errs, field.Forbidden(spec.Child("type"), "type is immutable: the platform cannot change a flow's type in place; create a new ContactFlow"))
	}
	return nil, invalid(cf, errs)
}

// ValidateDelete allows every delete.
func (ContactFlowValidator) ValidateDelete(context.Context, *cfv1.ContactFlow) (admission.Warnings, error) {
	return nil, nil
}

// platform is the platform of the ProviderConfig cf names, "" when it cannot be read or has no
// contact flows.
func (v ContactFlowValidator) platform(ctx context.Context, cf *cfv1.ContactFlow) string {
	if v.Reader == nil {
		return ""
	}
	pc := &cfv1.ProviderConfig{}
	if err := v.Reader.Get(ctx, types.NamespacedName{Namespace: cf.Namespace, Name: cf.Spec.ProviderConfigRef.Name}, pc); err != nil {
		return ""
	}
	p := string(pc.Spec.Platform)
	if _, err := flow.FormatFor(p); err != nil {
		// The controller reports a platform without flows (PlatformNotSupported); refusing here
		// would only keep the object from being fixed or deleted.
		return ""
	}
	return p
}

// validateFlow runs the checks the controller runs before any remote call, as far as the
// platform is known, with field paths into spec.
func (v ContactFlowValidator) validateFlow(ctx context.Context, cf *cfv1.ContactFlow) field.ErrorList {
	spec := field.NewPath("spec")
	var errs field.ErrorList
	switch {
	case cf.Spec.Definition == nil && cf.Spec.Content == nil:
		return field.ErrorList{field.Required(spec.Child("definition"),
			"set spec.definition (an AlibabaCCC activity graph) or spec.content (an AlibabaCloudCallCenter or AmazonConnect flow)")}
	case cf.Spec.Definition != nil && cf.Spec.Content != nil:
		return field.ErrorList{field.Invalid(spec, "", "set exactly one of spec.definition and spec.content")}
	}
	platform := v.platform(ctx, cf)
	ccc := platform == string(cfv1.PlatformAlibabaCCC)
	if cf.Spec.Definition != nil {
		errs = append(errs, validateDefinition(cf)...)
		if platform != "" && !ccc {
			errs = append(errs, field.Forbidden(spec.Child("definition"), fmt.Sprintf(
				"spec.definition is for %s flows; ProviderConfig %q is for %s: write the flow in its own format in spec.content",
				cfv1.PlatformAlibabaCCC, cf.Spec.ProviderConfigRef.Name, platform)))
		}
	}
	if cf.Spec.Content != nil {
		errs = append(errs, validateContent(cf, platform)...)
	}
	if err := flowspec.CheckReferences(cf.Spec, platform); err != nil {
		var fe *flowspec.Error
		if errors.As(err, &fe) {
			errs = append(errs, field.Invalid(field.NewPath(fe.Field), "", fe.Err.Error()))
		} else {
			errs = append(errs, field.Invalid(spec.Child("references"), "", err.Error()))
		}
	}
	if platform != "" {
		if _, err := flowspec.FlowType(cf.Spec, platform); err != nil {
			var fe *flowspec.Error
			msg := err.Error()
			if errors.As(err, &fe) {
				msg = fe.Err.Error()
			}
			errs = append(errs, field.Invalid(spec.Child("type"), cf.Spec.Type, msg))
		}
	}
	return errs
}

// validateContent checks spec.content: a JSON object on every platform, and a valid flow of
// the platform's format when the platform is known.
func validateContent(cf *cfv1.ContactFlow, platform string) field.ErrorList {
	path := field.NewPath("spec", "content")
	raw, err := flowspec.ContentJSON(cf.Spec.Content)
	if err != nil {
		var fe *flowspec.Error
		msg := err.Error()
		if errors.As(err, &fe) {
			msg = fe.Err.Error()
		}
		return field.ErrorList{field.Invalid(path, "", msg)}
	}
	switch platform {
	case "":
		return nil
	case string(cfv1.PlatformAlibabaCCC):
		return field.ErrorList{field.Forbidden(path, fmt.Sprintf(
			"ProviderConfig %q is for %s, whose flows are written as an activity graph in spec.definition", cf.Spec.ProviderConfigRef.Name, platform))}
	}
	format, err := flow.FormatFor(platform)
	if err != nil {
		return nil
	}
	def, err := format.Parse(raw)
	if err == nil {
		err = def.Validate()
	}
	if err == nil {
		return nil
	}
	var ve *flow.ValidationError
	if !errors.As(err, &ve) {
		return field.ErrorList{field.Invalid(path, "", err.Error())}
	}
	var errs field.ErrorList
	for _, p := range ve.Problems {
		errs = append(errs, field.Invalid(path, p.ActivityID, p.String()))
	}
	return errs
}

// validateDefinition runs the same checks as the controller, with field paths that point into
// spec.definition.
func validateDefinition(cf *cfv1.ContactFlow) field.ErrorList {
	path := field.NewPath("spec", "definition")
	raw, err := json.Marshal(cf.Spec.Definition)
	if err != nil {
		return field.ErrorList{field.Invalid(path, "", err.Error())}
	}
	def, err := flow.ParseCCC(raw)
	if err == nil {
		err = def.Validate()
	}
	if err == nil {
		return nil
	}
	ve, ok := err.(*flow.ValidationError)
	if !ok {
		return field.ErrorList{field.Invalid(path, "", err.Error())}
	}
	index := map[string]int{}
	for i, a := range cf.Spec.Definition.Activities {
		if _, seen := index[a.ID]; !seen {
			index[a.ID] = i
		}
	}
	var errs field.ErrorList
	for _, p := range ve.Problems {
		fp := path.Child("activities")
		if i, ok := index[p.ActivityID]; ok && p.ActivityID != "" {
			fp = fp.Index(i)
		}
		errs = append(errs, field.Invalid(fp, p.ActivityID, p.String()))
	}
	return errs
}

func invalid(cf *cfv1.ContactFlow, errs field.ErrorList) error {
	if len(errs) == 0 {
		return nil
	}
	return apierrors.NewInvalid(contactFlowGK, cf.Name, errs)
}
