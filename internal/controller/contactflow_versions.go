package controller

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
)

// The version history in status and spec.rollbackTo, on every platform through the capability
// its client has: a cloud.FlowVersioner keeps versions and rolls back itself (classic
// CloudCallCenter); a cloud.ContentPublisher numbers the versions of some flow types and rolls
// back by publishing a version's content again (Amazon Connect); a client with neither keeps no
// versions (Alibaba CCC 2020-07-01), so the history is the operator's own and a rollback is
// refused before any call.

// maxVersionHistory bounds status.versions.
const maxVersionHistory = 10

// rollback makes the version spec.rollbackTo names run, instead of converging on the spec.
func (s *flowReconcile) rollback(ctx context.Context) error {
	cf, target := s.cf, s.cf.Spec.RollbackTo
	// Every platform can roll back: to its own versions where it keeps them, otherwise to the
	// definitions the operator kept when it published them.
	in := rollbackPlanInput{Exists: s.live != nil}
	recorded := false
	var key cloud.FlowKey
	var targetHash string
	var apply func() (string, error)
	if s.live != nil {
		key = cloud.FlowKey{InstanceID: cf.Spec.InstanceID, FlowID: s.live.ID}
		if err := s.askDraftOwner(ctx, key); err != nil {
			return err
		}
		pin, _ := s.planInput()
		s.recordObserved(pin)
		switch {
		case s.versioner != nil:
			vs, err := s.versioner.Versions(ctx, key)
			if err != nil {
				return err
			}
			s.recordVersions(vs)
			if v := findVersion(vs, target); v != nil {
				in.TargetFound, in.TargetRunning = true, v.Applied
				targetHash = s.hashOf(v.Definition, true)
				id := v.ID
				apply = func() (string, error) { return id, s.versioner.Rollback(ctx, key, id) }
				if v.Applied {
					// The version list is read from the platform itself: the truth, also when
					// the flow observation came from an older list.
					cf.Status.PublishedHash, cf.Status.PublishedVersion = targetHash, id
				}
			}
		case s.publisher != nil:
			content, err := s.publisher.VersionDefinition(ctx, key, target)
			switch {
			case cloud.IsNotFound(err):
			case err != nil:
				return err
			default:
				in.TargetFound = true
				targetHash = s.hashOf(content, true)
				in.TargetRunning = s.live.Published && pin.PublishedHash == targetHash
				apply = func() (string, error) {
					return s.publisher.PublishContent(ctx, key, s.liveType(), content, "contactflow-operator: rollback to version "+target)
				}
			}
		}
		if !in.TargetFound && s.versioner == nil {
			kept, err := s.r.readHistory(ctx, cf)
			if err != nil {
				return err
			}
			if content, ok := kept[target]; ok {
				def, perr := s.format.Parse([]byte(content))
				if perr != nil {
					return fmt.Errorf("kept version %s of %s does not parse: %w", target, historyName(cf), perr)
				}
				in.TargetFound = true
				targetHash = def.Hash()
				in.TargetRunning = s.live.Published && pin.PublishedHash == targetHash
				apply = func() (string, error) {
					// Published again through the normal path, as if the spec said it: the
					// same checks before writing, and a new version in the history.
					s.desired = def
					s.rollbackDesc = "rollback to version " + target
					recorded = true
					if err := s.converge(ctx); err != nil {
						return "", err
					}
					return s.cf.Status.PublishedVersion, nil
				}
			}
		}
	}

	switch planRollback(in) {
	case rbNotFound:
		why := fmt.Sprintf("flow %s has no published version %q (status.versions lists the versions)", key.FlowID, target)
		if s.live == nil {
			why = "the flow does not exist on the platform yet, so it has no version " + fmt.Sprintf("%q", target)
		}
		return &specError{field: "spec.rollbackTo", reason: cfv1.ReasonVersionNotFound,
			err: fmt.Errorf("%s; fix spec.rollbackTo or clear it to publish the spec", why)}
	case rbInPlace:
		s.rolledBack = target
		return nil
	}

	version, err := apply()
	if err != nil {
		if ce := cloud.AsError(err); ce != nil && ce.Code == cloud.CodeConcurrentEdit {
			s.r.event(cf, corev1.EventTypeWarning, "ConcurrentEdit", "Rollback",
				"Flow %s was changed by someone else during the rollback to version %s; observing it again", key.FlowID, target)
		}
		return err
	}
	now := metav1.NewTime(time.Now().UTC().Truncate(time.Second))
	st := &cf.Status
	st.Published, st.PublishedHash, st.LastPublishedTime = true, targetHash, &now
	s.rolledBack = target
	desc := "rollback to version " + target
	switch {
	case recorded:
		// converge recorded the publish (and kept the definition) itself.
	case s.versioner != nil:
		// The platform's history does not change: an earlier version runs again.
		st.PublishedVersion = version
	default:
		if version == "" {
			version = nextOwnVersion(*st)
			if kept, err := s.r.readHistory(ctx, cf); err == nil {
				if err := s.r.keepVersion(ctx, cf, version, kept[target]); err != nil {
					logf.FromContext(ctx).Info("Could not keep the published definition for rollbacks", "version", version, "error", sanitize(err.Error()))
				}
			}
		}
		s.recordOwn(version, targetHash, desc, now)
	}
	what := "version " + target
	if version != "" && version != target {
		what = fmt.Sprintf("version %s (published again as version %s)", target, version)
	}
	s.r.event(cf, corev1.EventTypeNormal, "RolledBack", "Rollback", "Rolled flow %s back to %s (spec.rollbackTo)", key.FlowID, what)
	return nil
}

// findVersion finds a version by its ID or its label.
func findVersion(vs []cloud.FlowVersion, name string) *cloud.FlowVersion {
	for i := range vs {
		if vs[i].ID == name || (vs[i].Label != "" && vs[i].Label == name) {
			return &vs[i]
		}
	}
	return nil
}

// refreshVersions reads a versioning platform's history when the running version is not in
// status yet (first observe, adoption, a publish or rollback on the console): one read then,
// none on an ordinary resync.
func (s *flowReconcile) refreshVersions(ctx context.Context, key cloud.FlowKey) error {
	v := s.live.PublishedVersion
	if s.versioner == nil || !s.live.Published || v == "" {
		return nil
	}
	for _, rec := range s.cf.Status.Versions {
		if rec.Version == v {
			return nil
		}
	}
	vs, err := s.versioner.Versions(ctx, key)
	if err != nil {
		return err
	}
	s.recordVersions(vs)
	return nil
}

// recordPublished records a publish in the history: the platform's own list where it keeps
// one, otherwise the operator's record of what it published (version is the platform's name
// for it, "" where it has none).
func (s *flowReconcile) recordPublished(ctx context.Context, key cloud.FlowKey, version, hash, msg string, at metav1.Time) error {
	if s.versioner != nil {
		vs, err := s.versioner.Versions(ctx, key)
		if err != nil {
			// The publish happened; refreshVersions catches up on the next reconcile.
			logf.FromContext(ctx).Info("Could not read the flow's versions after publishing", "error", sanitize(err.Error()))
			return nil
		}
		s.recordVersions(vs)
		return nil
	}
	if version == "" {
		// The platform numbers nothing: the operator numbers the version and keeps the
		// definition, so that spec.rollbackTo can return to it.
		version = nextOwnVersion(s.cf.Status)
		if err := s.r.keepVersion(ctx, s.cf, version, string(s.desired.JSON())); err != nil {
			// The publish happened; a missing history entry only limits later rollbacks.
			logf.FromContext(ctx).Info("Could not keep the published definition for rollbacks", "version", version, "error", sanitize(err.Error()))
		}
	}
	s.recordOwn(version, hash, msg, at)
	return nil
}

// recordOwn puts a publish of the operator's at the head of status.versions.
func (s *flowReconcile) recordOwn(version, hash, msg string, at metav1.Time) {
	st := &s.cf.Status
	st.PublishedVersion = version
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	rec := cfv1.FlowVersionStatus{Version: version, Hash: hash, Time: &at, Description: msg}
	st.Versions = append([]cfv1.FlowVersionStatus{rec}, st.Versions...)
	if len(st.Versions) > maxVersionHistory {
		st.Versions = st.Versions[:maxVersionHistory]
	}
}

// recordVersions replaces status.versions with a versioning platform's published versions,
// newest first, and names the running one in status.publishedVersion. A version open for
// modification (locked) is a draft, not a published version.
func (s *flowReconcile) recordVersions(vs []cloud.FlowVersion) {
	st := &s.cf.Status
	out := []cfv1.FlowVersionStatus{}
	for i := len(vs) - 1; i >= 0; i-- {
		v := vs[i]
		if v.Applied {
			st.PublishedVersion = v.ID
		}
		if v.LockedBy != "" || len(out) == maxVersionHistory {
			continue
		}
		desc := v.Description
		if desc == "" {
			desc = v.Label
		}
		out = append(out, cfv1.FlowVersionStatus{Version: v.ID, Hash: s.hashOf(v.Definition, true), Time: platformTime(v.LastModified), Description: desc})
	}
	st.Versions = out
}

// cst is the zone the Alibaba Cloud APIs write local times in ("2020-11-14 17:48:21").
var cst = time.FixedZone("CST", 8*3600)

// platformTime reads a platform's time stamp: RFC 3339, or the Alibaba Cloud local form in
// China Standard Time; nil when it is neither.
func platformTime(s string) *metav1.Time {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		mt := metav1.NewTime(t.UTC())
		return &mt
	}
	if t, err := time.ParseInLocation("2006-01-02 15:04:05", s, cst); err == nil {
		mt := metav1.NewTime(t.UTC())
		return &mt
	}
	return nil
}
