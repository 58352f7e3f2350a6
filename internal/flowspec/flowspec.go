// Package flowspec turns the Kubernetes form of a flow definition (spec.definition of a
// ContactFlow) into the platform form that internal/flow parses, validates, hashes and diffs.
//
// It is the one path from a ContactFlow to a flow definition: the controller uses it before any
// remote call and kubectl-contactflow uses it offline, so that a file the plugin accepts is a
// file the operator accepts, and a message the plugin prints is the message the operator would
// put into the Stalled condition.
//
// Desired extends that to every platform: AlibabaCCC flows come from spec.definition, the
// classic CloudCallCenter's and Amazon Connect's from spec.content in the platform's own format
// (internal/flow.FormatFor); FlowType checks spec.type against the platform's flow types. The
// controller and the admission webhook both use them.
package flowspec

import (
	"encoding/json"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
	"github.com/contactflow-operator/contactflow-operator/internal/flow"
)

// Field is the path of the definition inside a ContactFlow, used to prefix messages.
const Field = "spec.definition"

// CCC returns spec.definition as a parsed and validated CCC 2020-07-01 definition.
//
// The definition is encoded to JSON exactly as the API types define it and then goes through
// flow.ParseCCC and Validate. A definition that parses but does not validate, or does not parse,
// yields a nil definition and an error that is a *flow.ValidationError listing every problem.
// Any other error is encoding/json's, returned as it is: the definition could not be encoded at
// all. Callers treat both as an invalid spec.
func CCC(def cfv1.FlowDefinition) (*flow.CCCDefinition, error) {
	d, err := ParseCCC(def)
	if err != nil {
		return nil, err
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return d, nil
}

// ParseCCC is CCC without the graph checks of Validate: it returns the parsed definition even
// when the graph is broken, for tools that show a broken flow (a rendering of it) rather than
// refuse it. Its errors are those of CCC for a definition that does not parse.
func ParseCCC(def cfv1.FlowDefinition) (*flow.CCCDefinition, error) {
	raw, err := json.Marshal(def)
	if err != nil {
		return nil, err
	}
	return flow.ParseCCC(raw)
}
