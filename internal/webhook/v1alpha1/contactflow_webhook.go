// Package v1alpha1 holds the admission webhooks of the contactflow.io/v1alpha1 kinds. They
// refuse at `kubectl apply` time what the operator would otherwise only stall on later: a flow
// graph that does not hold together, an unknown activity type, a change to an immutable field.
// CEL rules in the CRD say what the schema alone can; these say the rest.
package v1alpha1

import (
	"context"
	"encoding/json"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/flow"
)

// +kubebuilder:webhook:path=/validate-contactflow-io-v1alpha1-contactflow,mutating=false,failurePolicy=fail,sideEffects=None,groups=contactflow.io,resources=contactflows,verbs=create;update,versions=v1alpha1,name=vcontactflow-v1alpha1.contactflow.io,admissionReviewVersions=v1

// ContactFlowValidator validates ContactFlows on create and update.
type ContactFlowValidator struct{}

var _ admission.Validator[*cfv1.ContactFlow] = ContactFlowValidator{}

// SetupContactFlowWebhookWithManager registers the validating webhook.
func SetupContactFlowWebhookWithManager(mgr ctrl.Manager) error {
	return ctrl.NewWebhookManagedBy(mgr, &cfv1.ContactFlow{}).WithValidator(ContactFlowValidator{}).Complete()
}

var contactFlowGK = schema.GroupKind{Group: cfv1.GroupVersion.Group, Kind: "ContactFlow"}

// ValidateCreate refuses a ContactFlow whose definition does not validate.
func (ContactFlowValidator) ValidateCreate(_ context.Context, cf *cfv1.ContactFlow) (admission.Warnings, error) {
	return nil, invalid(cf, validateDefinition(cf))
}

// ValidateUpdate refuses a definition that does not validate and a change of an immutable
// field. An object being deleted is let through, so that a finalizer can always finish.
func (ContactFlowValidator) ValidateUpdate(_ context.Context, oldCF, cf *cfv1.ContactFlow) (admission.Warnings, error) {
	if !cf.DeletionTimestamp.IsZero() {
		return nil, nil
	}
	errs := validateDefinition(cf)
	spec := field.NewPath("spec")
	if oldCF.Spec.InstanceID != cf.Spec.InstanceID {
		errs = append(errs, field.Forbidden(spec.Child("instanceId"), "instanceId is immutable; create a new ContactFlow for another instance"))
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
