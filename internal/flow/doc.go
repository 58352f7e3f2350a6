// Package flow holds the pure, platform-format logic for contact-flow definitions: parsing,
// validation, canonical hashing, layout carry-over and semantic diffing. It performs no I/O and
// knows nothing about Kubernetes or any cloud SDK, so the controller can decide "is the remote
// flow already what the spec asks for?" deterministically and the logic can be tested and fuzzed
// in isolation.
//
// For Alibaba Cloud Contact Center (CCC 2020-07-01) a definition is a JSON document whose
// "activities" form a graph. The console adds canvas layout (node positions, node indexes, edge
// identities) that carries no call-handling meaning; everything here treats layout as invisible
// to equality so that someone moving boxes around in the console does not trigger a rewrite.
package flow
