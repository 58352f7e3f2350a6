package cloud

import "context"

// FlowVersion is one stored version of a flow on a platform that keeps a version history (the
// classic CloudCallCenter). Definitions are the platform's own serialized form, unparsed.
type FlowVersion struct {
	// ID identifies the version in platform calls (classic ContactFlowVersionId).
	ID string
	// Label is the platform's human-facing version name (classic Version, "20201114174750").
	Label       string
	Description string
	// Status is the platform's status word, unmapped ("Created", "Updated", "Published").
	Status string
	// Applied reports whether this is the running version.
	Applied bool
	// LockedBy is the user holding the version open for modification; empty when it is not
	// open.
	LockedBy string
	// Definition is what runs (classic Content).
	Definition string
	// Layout is the editor's layout (classic Canvas); it never counts as drift.
	Layout         string
	LastModified   string
	LastModifiedBy string
}

// FlowVersioner is implemented by FlowClients whose platform keeps versions and can roll back.
// A controller type-asserts a FlowClient to it; adapters for platforms without versions simply
// do not implement it.
type FlowVersioner interface {
	// Versions lists the flow's versions in the platform's order (oldest first where the
	// platform says). It never changes anything; a missing flow returns ClassNotFound.
	Versions(ctx context.Context, key FlowKey) ([]FlowVersion, error)

	// Rollback makes the earlier published version versionID the running one again. Rolling
	// back to the running version is success. A version that was never published returns
	// ClassInvalid.
	Rollback(ctx context.Context, key FlowKey, versionID string) error
}
