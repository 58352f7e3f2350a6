package cloud

import "context"

// ContentPublisher is implemented by FlowClients of platforms that publish a flow's content in
// one write instead of opening, committing and publishing a draft (Amazon Connect: a flow has one
// saved content, "$SAVED", and UpdateContactFlowContent on the plain ID publishes and saves).
// A controller type-asserts a FlowClient to it and then publishes the exact bytes it diffed,
// never whatever the saved content holds by then.
type ContentPublisher interface {
	// PublishContent publishes definition exactly as given (the platform validates it: an
	// invalid flow is ClassInvalid with the platform's Problems). For a flow of a type the
	// platform versions (Amazon Connect: CAMPAIGN), it then creates a version of it, guarded by
	// the checksum of exactly these bytes, and returns the version's name; for other types it
	// returns "". A version refused because the published content changed in between is
	// ClassTransient with Code CodeConcurrentEdit: the content was published, but the version
	// was not created of content the caller did not send. description is the version's.
	PublishContent(ctx context.Context, key FlowKey, flowType, definition, description string) (version string, err error)

	// VersionDefinition returns the content stored as version (a name PublishContent returned)
	// of the flow. It never changes anything. A version the flow does not have is ClassNotFound.
	VersionDefinition(ctx context.Context, key FlowKey, version string) (string, error)
}
