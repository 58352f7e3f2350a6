package controller

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/flowspec"
)

// referencedFlowIndex indexes ContactFlows by the ContactFlows their spec.references name.
const referencedFlowIndex = "spec.references.contactFlow.name"

// resourceCache keeps each instance's platform objects of one kind for a while, so that
// references by name cost one paged list per kind and instance per window, not one per flow.
type resourceCache struct {
	mu      sync.Mutex
	entries map[string]resourceEntry
}

type resourceEntry struct {
	at    time.Time
	items []cloud.Resource
}

// resourceTTL bounds how stale a listing that resolves a reference may be; a reference that
// does not resolve from the cached listing is looked up again after resourceRetry.
const (
	resourceTTL   = 5 * time.Minute
	resourceRetry = 10 * time.Second
)

// forget drops the instance's cached listings: a publish the platform refused may have named an
// object deleted since it was listed.
func (c *resourceCache) forget(key, instance string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.entries {
		if strings.HasPrefix(k, key+"|"+instance+"|") {
			delete(c.entries, k)
		}
	}
}

func (c *resourceCache) list(ctx context.Context, l cloud.ResourceLister, key, instance string, kind cloud.ResourceKind, fresh bool) ([]cloud.Resource, error) {
	k := key + "|" + instance + "|" + string(kind)
	c.mu.Lock()
	e, ok := c.entries[k]
	c.mu.Unlock()
	maxAge := resourceTTL
	if fresh {
		maxAge = resourceRetry
	}
	if ok && time.Since(e.at) < maxAge {
		return e.items, nil
	}
	items, err := l.ListResources(ctx, instance, kind)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]resourceEntry{}
	}
	c.entries[k] = resourceEntry{at: time.Now(), items: items}
	c.mu.Unlock()
	return items, nil
}

// resolveReferences resolves spec.references into the values the definition gets, and records
// them in status. It returns the names that do not resolve (each with its problem in status).
// A reference to a ContactFlow resolves to that flow's live ID (ARN on Amazon Connect) as its
// status reports it; a platform reference to the object of that name or ID in the instance.
func (s *flowReconcile) resolveReferences(ctx context.Context) (map[string]string, []string, error) {
	cf := s.cf
	values := map[string]string{}
	var missing []string
	resolved := make([]cfv1.ResolvedReference, 0, len(cf.Spec.References))
	for _, ref := range cf.Spec.References {
		rr := cfv1.ResolvedReference{Name: ref.Name}
		var err error
		switch {
		case ref.ContactFlow != nil:
			rr.Target = "ContactFlow/" + ref.ContactFlow.Name
			rr.Value, rr.Problem, err = s.resolveFlowRef(ctx, ref.ContactFlow.Name)
		case ref.Platform != nil:
			rr.Target = string(ref.Platform.Kind) + "/" + nonEmpty(ref.Platform.Name, ref.Platform.ID)
			rr.Value, rr.Problem, err = s.resolvePlatformRef(ctx, *ref.Platform)
		}
		if err != nil {
			return nil, nil, err
		}
		if rr.Value == "" && rr.Problem == "" {
			rr.Problem = "does not resolve"
		}
		if rr.Problem != "" {
			rr.Value = ""
			missing = append(missing, ref.Name)
		} else {
			values[ref.Name] = rr.Value
		}
		resolved = append(resolved, rr)
	}
	if len(resolved) == 0 {
		resolved = nil
	}
	cf.Status.References = resolved
	return values, missing, nil
}

// resolveFlowRef resolves a reference to another ContactFlow of the namespace.
func (s *flowReconcile) resolveFlowRef(ctx context.Context, name string) (value, problem string, err error) {
	cf := s.cf
	var target *cfv1.ContactFlow
	if name == cf.Name {
		target = cf
	} else {
		target = &cfv1.ContactFlow{}
		if err := s.r.Get(ctx, types.NamespacedName{Namespace: cf.Namespace, Name: name}, target); err != nil {
			if apierrors.IsNotFound(err) {
				return "", fmt.Sprintf("ContactFlow %q does not exist in namespace %s", name, cf.Namespace), nil
			}
			return "", "", err
		}
	}
	switch {
	case target.Spec.ProviderConfigRef.Name != cf.Spec.ProviderConfigRef.Name:
		return "", fmt.Sprintf("ContactFlow %q uses ProviderConfig %q, not %q: a flow can only refer to flows of its own account", name, target.Spec.ProviderConfigRef.Name, cf.Spec.ProviderConfigRef.Name), nil
	case target.Spec.InstanceID != cf.Spec.InstanceID:
		return "", fmt.Sprintf("ContactFlow %q is in instance %s, not %s", name, target.Spec.InstanceID, cf.Spec.InstanceID), nil
	case !target.DeletionTimestamp.IsZero() && target != cf:
		return "", fmt.Sprintf("ContactFlow %q is being deleted", name), nil
	}
	v := target.Status.ContactFlowID
	if target.Status.ContactFlowARN != "" {
		v = target.Status.ContactFlowARN
	}
	if v == "" {
		return "", fmt.Sprintf("ContactFlow %q has no flow on the platform yet", name), nil
	}
	return v, "", nil
}

// resolvePlatformRef resolves a reference to an object of the platform by name or ID.
func (s *flowReconcile) resolvePlatformRef(ctx context.Context, ref cfv1.PlatformReference) (value, problem string, err error) {
	lister, ok := cloud.Underlying(s.fc).(cloud.ResourceLister)
	kind := cloud.ResourceKind(ref.Kind)
	if !ok || !slices.Contains(lister.ResourceKinds(), kind) {
		return "", fmt.Sprintf("%s cannot look up %s objects", s.fc.Platform(), ref.Kind), nil
	}
	key := s.cf.Namespace + "/" + s.cf.Spec.ProviderConfigRef.Name
	for _, fresh := range []bool{false, true} {
		items, err := s.r.resources.list(ctx, lister, key, s.cf.Spec.InstanceID, kind, fresh)
		if err != nil {
			return "", "", err
		}
		var found []cloud.Resource
		for _, it := range items {
			if (ref.Name != "" && it.Name == ref.Name) || (ref.ID != "" && (it.ID == ref.ID || it.Ref == ref.ID)) {
				found = append(found, it)
			}
		}
		switch {
		case len(found) == 1:
			return found[0].Ref, "", nil
		case len(found) > 1:
			ids := make([]string, len(found))
			for i, f := range found {
				ids[i] = f.ID
			}
			return "", fmt.Sprintf("%d %s objects are named %q in instance %s (%s); refer to one by id", len(found), ref.Kind, ref.Name, s.cf.Spec.InstanceID, strings.Join(ids, ", ")), nil
		}
	}
	if ref.Name != "" {
		return "", fmt.Sprintf("no %s named %q in instance %s", ref.Kind, ref.Name, s.cf.Spec.InstanceID), nil
	}
	return "", fmt.Sprintf("no %s with id %q in instance %s", ref.Kind, ref.ID, s.cf.Spec.InstanceID), nil
}

// unresolvedError names every reference that does not resolve, with its problem.
func (s *flowReconcile) unresolvedError(missing []string) error {
	parts := make([]string, 0, len(missing))
	for _, rr := range s.cf.Status.References {
		if slices.Contains(missing, rr.Name) {
			parts = append(parts, fmt.Sprintf("%s (%s): %s", rr.Name, rr.Target, rr.Problem))
		}
	}
	what := "not published"
	if s.cf.Status.ContactFlowID != "" {
		what = fmt.Sprintf("flow %s exists unpublished so that flows referring to it can resolve", s.cf.Status.ContactFlowID)
		if s.cf.Status.Published {
			what = fmt.Sprintf("flow %s keeps its published version", s.cf.Status.ContactFlowID)
		}
	}
	return &waitError{reason: cfv1.ReasonReferencesUnresolved,
		message: fmt.Sprintf("Waiting for references: %s; %s", strings.Join(parts, "; "), what)}
}

// rename gives the remote flow spec.flowName in place, where the platform can.
func (s *flowReconcile) rename(ctx context.Context) error {
	cf, live := s.cf, s.live
	if live == nil || live.Name == "" || live.Name == cf.Spec.FlowName {
		return nil
	}
	renamer, ok := cloud.Underlying(s.fc).(cloud.FlowRenamer)
	if !ok {
		// The admission webhook refuses a change of spec.flowName on such a platform; what is
		// left is a flow adopted under another name. Its content is still managed; the name
		// difference is reported, not fought over.
		s.nameNote = fmt.Sprintf("the flow is named %q on the platform: %s cannot rename a flow in place, so spec.flowName %q is not applied", live.Name, s.fc.Platform(), cf.Spec.FlowName)
		s.r.event(cf, corev1.EventTypeWarning, cfv1.ReasonRenameNotSupported, "RenameFlow", "Flow %s: %s", live.ID, s.nameNote)
		return nil
	}
	key := cloud.FlowKey{InstanceID: cf.Spec.InstanceID, FlowID: live.ID}
	if err := renamer.RenameFlow(ctx, key, cf.Spec.FlowName); err != nil {
		if cloud.ClassOf(err) == cloud.ClassAlreadyExists {
			return &specError{field: "spec.flowName", reason: cfv1.ReasonAlreadyExists, err: fmt.Errorf(
				"another flow of instance %s is already named %q; the flow %s keeps the name %q", cf.Spec.InstanceID, cf.Spec.FlowName, live.ID, live.Name)}
		}
		return err
	}
	s.r.event(cf, corev1.EventTypeNormal, "Renamed", "RenameFlow", "Renamed flow %s from %q to %q", live.ID, live.Name, cf.Spec.FlowName)
	live.Name = cf.Spec.FlowName
	return nil
}

// bindNumbers makes the flow answer the numbers spec.phoneNumbers lists, once it is published,
// and unbinds the ones the operator bound that the spec no longer lists. A number another flow
// answers is taken only with takeOver; otherwise it is reported.
func (s *flowReconcile) bindNumbers(ctx context.Context) error {
	cf, live := s.cf, s.live
	binder, ok := cloud.Underlying(s.fc).(cloud.NumberBinder)
	want := make([]string, 0, len(cf.Spec.PhoneNumbers))
	for _, n := range cf.Spec.PhoneNumbers {
		want = append(want, n.Number)
	}
	if len(want) == 0 && len(cf.Status.ManagedNumbers) == 0 {
		return nil
	}
	if !ok {
		return &specError{field: "spec.phoneNumbers", err: fmt.Errorf("the %s adapter cannot bind numbers", s.fc.Platform())}
	}
	if live == nil || !cf.Status.Published {
		return nil
	}
	// Where reads report the numbers bound to the flow, a flow that answers exactly what the
	// spec and status say costs no call.
	if binder.FlowsReportNumbers() && sameSet(live.NumberList, want) && sameSet(cf.Status.ManagedNumbers, want) {
		return nil
	}
	numbers, err := binder.ListNumbers(ctx, cf.Spec.InstanceID)
	if err != nil {
		return err
	}
	byNumber := map[string]cloud.PhoneNumber{}
	for _, n := range numbers {
		byNumber[n.Number] = n
	}
	var problems []string
	reason := cfv1.ReasonNumberInUse
	managed := []string{}
	for _, b := range cf.Spec.PhoneNumbers {
		n, ok := byNumber[b.Number]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s is not a number of instance %s", b.Number, cf.Spec.InstanceID))
			reason = cfv1.ReasonNumberNotFound
			continue
		case n.FlowID == live.ID:
		case n.FlowID != "" && !b.TakeOver:
			problems = append(problems, fmt.Sprintf("%s is answered by flow %s; set takeOver: true on it to move it here", b.Number, nonEmpty(quoteName(n.FlowName), n.FlowID)))
			continue
		default:
			if err := binder.BindNumber(ctx, cf.Spec.InstanceID, n, live.ID); err != nil {
				return err
			}
			if n.FlowID != "" {
				s.r.event(cf, corev1.EventTypeWarning, "NumberTakenOver", "BindNumber", "Moved number %s from flow %s to flow %s (takeOver)", b.Number, nonEmpty(quoteName(n.FlowName), n.FlowID), live.ID)
			} else {
				s.r.event(cf, corev1.EventTypeNormal, "NumberBound", "BindNumber", "Bound number %s to flow %s", b.Number, live.ID)
			}
			n.FlowID = live.ID
			byNumber[b.Number] = n
		}
		managed = append(managed, b.Number)
	}
	for _, old := range cf.Status.ManagedNumbers {
		if slices.Contains(want, old) {
			continue
		}
		n, ok := byNumber[old]
		if !ok || n.FlowID != live.ID {
			continue
		}
		if err := binder.UnbindNumber(ctx, cf.Spec.InstanceID, n, live.ID); err != nil {
			return err
		}
		s.r.event(cf, corev1.EventTypeNormal, "NumberUnbound", "UnbindNumber", "Unbound number %s from flow %s (no longer in spec.phoneNumbers)", old, live.ID)
		n.FlowID = ""
		byNumber[old] = n
	}
	sort.Strings(managed)
	cf.Status.ManagedNumbers = managed
	bound := []string{}
	for _, n := range byNumber {
		if n.FlowID == live.ID {
			bound = append(bound, n.Number)
		}
	}
	sort.Strings(bound)
	cf.Status.NumberList = bound
	live.NumberList = bound
	if len(problems) > 0 {
		return &waitError{reason: reason, message: fmt.Sprintf("Flow %s is published, but: %s", live.ID, strings.Join(problems, "; "))}
	}
	return nil
}

func quoteName(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf("%q", s)
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// dependents names what still needs a flow being deleted: the ContactFlows that refer to it
// (other than ones being deleted themselves) and the numbers bound to it. Numbers are read from
// the platform where the adapter can list them.
func (r *ContactFlowReconciler) dependents(ctx context.Context, cf *cfv1.ContactFlow, fc cloud.FlowClient) ([]string, []string, error) {
	list := &cfv1.ContactFlowList{}
	if err := r.List(ctx, list, client.InNamespace(cf.Namespace), client.MatchingFields{referencedFlowIndex: cf.Name}); err != nil {
		return nil, nil, err
	}
	var flows []string
	for _, o := range list.Items {
		if o.Name == cf.Name || !o.DeletionTimestamp.IsZero() {
			continue
		}
		flows = append(flows, o.Name)
	}
	sort.Strings(flows)
	var numbers []string
	if binder, ok := cloud.Underlying(fc).(cloud.NumberBinder); ok && cf.Status.ContactFlowID != "" {
		all, err := binder.ListNumbers(ctx, cf.Spec.InstanceID)
		if err != nil {
			return nil, nil, err
		}
		for _, n := range all {
			if n.FlowID != cf.Status.ContactFlowID {
				continue
			}
			// A number the operator bound for this resource, and that its spec no longer lists,
			// is released: the user said so by removing it.
			if slices.Contains(cf.Status.ManagedNumbers, n.Number) && !specListsNumber(cf, n.Number) {
				if err := binder.UnbindNumber(ctx, cf.Spec.InstanceID, n, cf.Status.ContactFlowID); err != nil {
					return nil, nil, err
				}
				r.event(cf, corev1.EventTypeNormal, "NumberUnbound", "UnbindNumber", "Unbound number %s from flow %s (no longer in spec.phoneNumbers)", n.Number, cf.Status.ContactFlowID)
				continue
			}
			numbers = append(numbers, n.Number)
		}
	} else {
		numbers = append(numbers, cf.Status.NumberList...)
	}
	sort.Strings(numbers)
	return flows, numbers, nil
}

func specListsNumber(cf *cfv1.ContactFlow, number string) bool {
	for _, b := range cf.Spec.PhoneNumbers {
		if b.Number == number {
			return true
		}
	}
	return false
}

// inUseError says why a deletion waits.
func inUseError(cf *cfv1.ContactFlow, flows, numbers []string) error {
	var parts []string
	if len(flows) > 0 {
		parts = append(parts, "referred to by ContactFlow "+strings.Join(flows, ", "))
	}
	if len(numbers) > 0 {
		parts = append(parts, "answering number "+strings.Join(numbers, ", "))
	}
	return &waitError{reason: cfv1.ReasonInUse, message: fmt.Sprintf(
		"Flow %s is still in use: %s; it stays on the platform until they are gone (change those flows' references, move the numbers to another flow, or set spec.deletionPolicy: Orphan)",
		cf.Status.ContactFlowID, strings.Join(parts, "; "))}
}

// relatedFlows maps a change of one ContactFlow onto the ContactFlows that care: the ones that
// refer to it (its ID may have changed, or it is going away) and the ones it refers to (one of
// them may be waiting, being deleted, for this reference to go).
func (r *ContactFlowReconciler) relatedFlows(ctx context.Context, o client.Object) []reconcile.Request {
	cf, ok := o.(*cfv1.ContactFlow)
	if !ok {
		return nil
	}
	seen := map[string]bool{cf.Name: true}
	var reqs []reconcile.Request
	add := func(name string) {
		if !seen[name] {
			seen[name] = true
			reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: cf.Namespace, Name: name}})
		}
	}
	list := &cfv1.ContactFlowList{}
	if err := r.List(ctx, list, client.InNamespace(cf.Namespace), client.MatchingFields{referencedFlowIndex: cf.Name}); err == nil {
		for _, d := range list.Items {
			add(d.Name)
		}
	}
	for _, name := range referencedFlows(cf) {
		add(name)
	}
	return reqs
}

// referencedFlows lists the ContactFlows spec.references names.
func referencedFlows(cf *cfv1.ContactFlow) []string {
	var names []string
	for _, ref := range cf.Spec.References {
		if ref.ContactFlow != nil && !slices.Contains(names, ref.ContactFlow.Name) {
			names = append(names, ref.ContactFlow.Name)
		}
	}
	return names
}

// referenceRelevant passes the ContactFlow changes other flows care about: a remote ID or ARN
// appearing or changing, references changing, a deletion starting or ending.
var referenceRelevant = predicate.Funcs{
	CreateFunc:  func(event.CreateEvent) bool { return true },
	DeleteFunc:  func(event.DeleteEvent) bool { return true },
	GenericFunc: func(event.GenericEvent) bool { return false },
	UpdateFunc: func(e event.UpdateEvent) bool {
		a, ok1 := e.ObjectOld.(*cfv1.ContactFlow)
		b, ok2 := e.ObjectNew.(*cfv1.ContactFlow)
		if !ok1 || !ok2 {
			return false
		}
		return a.Status.ContactFlowID != b.Status.ContactFlowID ||
			a.Status.ContactFlowARN != b.Status.ContactFlowARN ||
			a.DeletionTimestamp.IsZero() != b.DeletionTimestamp.IsZero() ||
			!slices.Equal(referencedFlows(a), referencedFlows(b))
	},
}

// isWait reports whether err is a waitError.
func isWait(err error) (*waitError, bool) {
	var we *waitError
	ok := errors.As(err, &we)
	return we, ok
}

// validateReferences checks the references' declarations and uses against the platform.
func validateReferences(spec cfv1.ContactFlowSpec, platform string) error {
	err := flowspec.CheckReferences(spec, platform)
	var fe *flowspec.Error
	if errors.As(err, &fe) {
		return &specError{field: fe.Field, err: fe.Err}
	}
	return err
}
