// Package providers is the one place that knows every adapter: it turns a cloud.Config into the
// client for its platform. cmd/manager wires it into the controllers, which never import an
// adapter themselves.
package providers

import (
	"context"
	"fmt"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/alibaba/ccc"
)

// NewFlowClient builds the FlowClient for cfg.Platform. It is a cloud.FlowClientFactory.
func NewFlowClient(_ context.Context, cfg cloud.Config) (cloud.FlowClient, error) {
	switch cfg.Platform {
	case cloud.PlatformAlibabaCCC:
		return ccc.New(cfg)
	default:
		return nil, fmt.Errorf("platform %s has no contact-flow support in this version of the operator", cfg.Platform)
	}
}

var _ cloud.FlowClientFactory = NewFlowClient
