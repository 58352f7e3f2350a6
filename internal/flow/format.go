package flow

import "fmt"

// Definition is a parsed flow of any platform: a *CCCDefinition, a *ClassicDefinition or a
// *ConnectDefinition. It is what a controller holds when it should not care which platform it
// talks to; the per-format types remain the place to look for what each method means.
type Definition interface {
	// Validate checks that the flow is runnable; it returns nil or a *ValidationError listing
	// every problem.
	Validate() error
	// Canonical is the layout-free, order-free canonical JSON the hash is computed from.
	Canonical() []byte
	// Hash is the lowercase hex SHA-256 of Canonical: equal hashes mean equal behaviour.
	Hash() string
	// JSON renders the whole flow, layout included, as the bytes to send to the platform.
	JSON() []byte
}

// Format is one platform's flow format behind a common face: parse its serialized form, diff two
// flows and carry the console's layout over to a flow about to be written. Formats are stateless
// and safe for concurrent use.
//
// Diff and WithLayoutFrom take Definitions that Parse of the same Format returned (nil means
// absent: a flow that does not exist yet, or a live flow with no layout to keep). A Definition of
// another format is read through its JSON; a controller never needs that.
type Format interface {
	// Parse decodes the platform's serialized flow. Problems are a *ValidationError; the graph is
	// not checked (call Validate).
	Parse(raw []byte) (Definition, error)
	// Diff is the semantic difference from live to desired, layout excluded. Diff(a, b).Empty()
	// holds exactly when a.Hash() == b.Hash().
	Diff(desired, live Definition) Diff
	// WithLayoutFrom returns desired with the layout it does not specify taken from live; its
	// Hash equals desired's. A nil desired returns nil.
	WithLayoutFrom(desired, live Definition) Definition
}

// Platform names, as in a ProviderConfig's spec.platform (the same strings as the cloud
// package's Platform constants; a test keeps them equal without this package importing it).
const (
	platformAlibabaCCC             = "AlibabaCCC"
	platformAlibabaCloudCallCenter = "AlibabaCloudCallCenter"
	platformAmazonConnect          = "AmazonConnect"
)

// FormatFor returns the flow format of a platform: CCC 2020-07-01 definitions for AlibabaCCC,
// classic Content for AlibabaCloudCallCenter, the flow language for AmazonConnect. Any other
// platform (AlibabaOutboundBot has no contact flows) is an error that names the supported ones.
func FormatFor(platform string) (Format, error) {
	switch platform {
	case platformAlibabaCCC:
		return cccFormat{}, nil
	case platformAlibabaCloudCallCenter:
		return classicFormat{}, nil
	case platformAmazonConnect:
		return connectFormat{}, nil
	}
	return nil, fmt.Errorf("platform %q has no contact-flow format; supported: %s, %s, %s",
		platform, platformAlibabaCCC, platformAlibabaCloudCallCenter, platformAmazonConnect)
}

// The adapters below only convert between the interface and the per-format functions; every
// rule lives in ccc.go, classic.go and connect.go.

type cccFormat struct{}

func (cccFormat) Parse(raw []byte) (Definition, error) {
	d, err := ParseCCC(raw)
	if err != nil {
		return nil, err
	}
	return d, nil
}

func (cccFormat) Diff(desired, live Definition) Diff { return DiffCCC(asCCC(desired), asCCC(live)) }

func (cccFormat) WithLayoutFrom(desired, live Definition) Definition {
	d := asCCC(desired)
	if d == nil {
		return nil
	}
	return d.WithLayoutFrom(asCCC(live))
}

func asCCC(d Definition) *CCCDefinition {
	switch x := d.(type) {
	case nil:
		return nil
	case *CCCDefinition:
		return x
	}
	p, _ := ParseCCC(d.JSON())
	return p
}

type classicFormat struct{}

func (classicFormat) Parse(raw []byte) (Definition, error) {
	d, err := ParseClassic(raw)
	if err != nil {
		return nil, err
	}
	return d, nil
}

func (classicFormat) Diff(desired, live Definition) Diff {
	return DiffClassic(asClassic(desired), asClassic(live))
}

// WithLayoutFrom returns desired as it is: classic layout is the version's Canvas, which is not
// part of Content; the adapter keeps the live Canvas on commit (see ClassicCanvas).
func (classicFormat) WithLayoutFrom(desired, _ Definition) Definition {
	d := asClassic(desired)
	if d == nil {
		return nil
	}
	return d
}

func asClassic(d Definition) *ClassicDefinition {
	switch x := d.(type) {
	case nil:
		return nil
	case *ClassicDefinition:
		return x
	}
	p, _ := ParseClassic(d.JSON())
	return p
}

type connectFormat struct{}

func (connectFormat) Parse(raw []byte) (Definition, error) {
	d, err := ParseConnect(raw)
	if err != nil {
		return nil, err
	}
	return d, nil
}

func (connectFormat) Diff(desired, live Definition) Diff {
	return DiffConnect(asConnect(desired), asConnect(live))
}

func (connectFormat) WithLayoutFrom(desired, live Definition) Definition {
	d := asConnect(desired)
	if d == nil {
		return nil
	}
	return d.WithLayoutFrom(asConnect(live))
}

func asConnect(d Definition) *ConnectDefinition {
	switch x := d.(type) {
	case nil:
		return nil
	case *ConnectDefinition:
		return x
	}
	p, _ := ParseConnect(d.JSON())
	return p
}
