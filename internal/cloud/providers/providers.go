// Package providers is the one place that knows every adapter: it turns a cloud.Config into the
// client for its platform. cmd/manager wires it into the controllers, which never import an
// adapter themselves.
package providers

import (
	"context"
	"fmt"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/alibaba/ccc"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/alibaba/classic"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/alibaba/outboundbot"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/aws/connect"
)

// NewFlowClient builds the FlowClient for cfg.Platform. It is a cloud.FlowClientFactory.
func NewFlowClient(ctx context.Context, cfg cloud.Config) (cloud.FlowClient, error) {
	switch cfg.Platform {
	case cloud.PlatformAlibabaCCC:
		return ccc.New(cfg)
	case cloud.PlatformAlibabaCloudCallCenter:
		return classic.New(cfg)
	case cloud.PlatformAmazonConnect:
		return connect.New(ctx, cfg)
	default:
		return nil, fmt.Errorf("platform %s has no contact-flow support in this version of the operator", cfg.Platform)
	}
}

var _ cloud.FlowClientFactory = NewFlowClient

// NewOutboundClient builds the OutboundClient for cfg.Platform. It is a
// cloud.OutboundClientFactory; only Alibaba OutboundBot has outbound bots.
func NewOutboundClient(_ context.Context, cfg cloud.Config) (cloud.OutboundClient, error) {
	switch cfg.Platform {
	case cloud.PlatformAlibabaOutboundBot:
		return outboundbot.New(cfg)
	default:
		return nil, fmt.Errorf("platform %s has no outbound-bot support in this version of the operator", cfg.Platform)
	}
}

var _ cloud.OutboundClientFactory = NewOutboundClient
