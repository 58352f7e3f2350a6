package controller

import (
	"regexp"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
)

// specChanged passes updates that a user made: a new generation, a changed adoption annotation
// or the start of a deletion. The operator's own writes (status, finalizer, write-ahead
// markers) do not wake the resource again, so they cost no extra platform reads.
var specChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		if e.ObjectOld == nil || e.ObjectNew == nil {
			return true
		}
		if e.ObjectOld.GetGeneration() != e.ObjectNew.GetGeneration() {
			return true
		}
		if e.ObjectOld.GetAnnotations()[cfv1.AnnotationAdoptID] != e.ObjectNew.GetAnnotations()[cfv1.AnnotationAdoptID] {
			return true
		}
		return e.ObjectOld.GetDeletionTimestamp().IsZero() != e.ObjectNew.GetDeletionTimestamp().IsZero()
	},
}

var secretLike = regexp.MustCompile(`(?i)(signature|accesskeysecret|accesskeyid|securitytoken|x-amz-security-token|authorization)=[^&\s]+`)

// sanitize makes an error text fit for a condition or an Event: query-string credentials and
// signatures are masked, white space is folded and the text is bounded.
func sanitize(s string) string {
	s = secretLike.ReplaceAllString(s, "$1=***")
	s = strings.Join(strings.Fields(s), " ")
	const max = 1024
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}
