package connect

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
)

// Platform error codes the adapter gives a meaning beyond their class.
const (
	// CodeContactFlowNotPublished answers DescribeContactFlow of the plain ID of a flow that was
	// never published; GetFlow reads it as "not published", elsewhere it is ClassNotFound.
	CodeContactFlowNotPublished = "ContactFlowNotPublishedException"
	// CodeInvalidContactFlow refuses content that cannot be published; its problems fill
	// cloud.Error.Problems.
	CodeInvalidContactFlow = "InvalidContactFlowException"
)

// maxMessageLen bounds a message taken from a response, so that a proxy's page cannot flood a
// condition.
const maxMessageLen = 512

// queryPattern matches the query of a URL in an error text: presigned URLs carry credentials
// there.
var queryPattern = regexp.MustCompile(`\?[^\s"']*`)

var codeClasses = map[string]cloud.Class{
	"ResourceNotFoundException":           cloud.ClassNotFound,
	CodeContactFlowNotPublished:           cloud.ClassNotFound,
	"DuplicateResourceException":          cloud.ClassAlreadyExists,
	"ResourceConflictException":           cloud.ClassAlreadyExists,
	CodeInvalidContactFlow:                cloud.ClassInvalid,
	"InvalidParameterException":           cloud.ClassInvalid,
	"InvalidRequestException":             cloud.ClassInvalid,
	"ValidationException":                 cloud.ClassInvalid,
	"SerializationException":              cloud.ClassInvalid,
	"UnknownOperationException":           cloud.ClassInvalid,
	"ThrottlingException":                 cloud.ClassThrottled,
	"TooManyRequestsException":            cloud.ClassThrottled,
	"Throttling":                          cloud.ClassThrottled,
	"RequestLimitExceeded":                cloud.ClassThrottled,
	"LimitExceededException":              cloud.ClassQuotaExceeded,
	"ServiceQuotaExceededException":       cloud.ClassQuotaExceeded,
	"UnrecognizedClientException":         cloud.ClassUnauthorized,
	"InvalidSignatureException":           cloud.ClassUnauthorized,
	"IncompleteSignatureException":        cloud.ClassUnauthorized,
	"MissingAuthenticationTokenException": cloud.ClassUnauthorized,
	"AccessDeniedException":               cloud.ClassUnauthorized,
	"ExpiredTokenException":               cloud.ClassUnauthorized,
	"InvalidClientTokenId":                cloud.ClassUnauthorized,
	"SignatureDoesNotMatch":               cloud.ClassUnauthorized,
	"UnauthorizedException":               cloud.ClassUnauthorized,
	"InternalServiceException":            cloud.ClassTransient,
	"ServiceUnavailableException":         cloud.ClassTransient,
}

// classify maps a platform error code, and the HTTP status when the code is unknown, onto the
// taxonomy. An unknown code on a 404 stays Transient: it is more likely a wrong endpoint than
// a missing flow, and NotFound would make a controller create the flow again.
func classify(status int, code string) cloud.Class {
	if c, ok := codeClasses[code]; ok {
		return c
	}
	switch {
	case status == 429:
		return cloud.ClassThrottled
	case status == 401 || status == 403:
		return cloud.ClassUnauthorized
	}
	return cloud.ClassTransient
}

// mapError turns whatever the SDK returned into a *cloud.Error. Messages come from the
// platform's answer or from a scrubbed transport error, never from the request, so they cannot
// carry credentials; the known secrets are scrubbed once more anyway.
func (c *Client) mapError(action string, err error) error {
	if err == nil {
		return nil
	}
	if ours := cloud.AsError(err); ours != nil {
		// Already classified on the way: the client-side rate limiter's refusal.
		return ours
	}
	ce := &cloud.Error{Platform: cloud.PlatformAmazonConnect, Action: action, Err: err}

	var credErr *credentialsError
	var apiErr smithy.APIError
	var paramsErr smithy.InvalidParamsError
	var serErr *smithy.SerializationError
	var deserErr *smithy.DeserializationError
	switch {
	case errors.As(err, &credErr):
		ce.Class, ce.Code = cloud.ClassUnauthorized, "CredentialsUnavailable"
		ce.Message = c.scrub(credErr.Error())
		ce.Err = errors.New(ce.Message)
	case errors.As(err, &paramsErr):
		ce.Class, ce.Code = cloud.ClassInvalid, "InvalidParameter"
		ce.Message = c.scrub(paramsErr.Error())
	case errors.As(err, &serErr):
		// The SDK refuses to build the request, e.g. an empty InstanceId in the path.
		ce.Class, ce.Code = cloud.ClassInvalid, "InvalidParameter"
		ce.Message = c.scrub(serErr.Error())
	case errors.As(err, &apiErr):
		status := 0
		var re *smithyhttp.ResponseError
		if errors.As(err, &re) {
			status = re.HTTPStatusCode()
		}
		var are *awshttp.ResponseError
		if errors.As(err, &are) {
			ce.RequestID = are.ServiceRequestID()
		}
		ce.Code = apiErr.ErrorCode()
		ce.Class = classify(status, ce.Code)
		ce.Message = c.scrub(apiErr.ErrorMessage())
		var ice *types.InvalidContactFlowException
		if errors.As(err, &ice) {
			for _, p := range ice.Problems {
				if p.Message != nil {
					ce.Problems = append(ce.Problems, c.scrub(*p.Message))
				}
			}
			if ce.Message == "" {
				ce.Message = "the flow content is not valid"
			}
		}
		if ce.Code == "UnknownError" || ce.Code == "" {
			// Not a platform error (a proxy, a wrong endpoint): say so without echoing it.
			ce.Message = fmt.Sprintf("HTTP %d without a platform error type", status)
		}
	case errors.As(err, &deserErr):
		ce.Class, ce.Code = cloud.ClassTransient, "DeserializationError"
		ce.Message = "the response could not be decoded"
		var re *smithyhttp.ResponseError
		if errors.As(err, &re) {
			ce.Message = fmt.Sprintf("HTTP %d: the response could not be decoded", re.HTTPStatusCode())
		}
		ce.Err = errors.New(ce.Message)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		ce.Class, ce.Code = cloud.ClassTransient, "RequestCanceled"
		ce.Message = c.scrub(err.Error())
	default:
		// Connection refused, TLS, timeouts: worth a retry.
		ce.Class, ce.Code = cloud.ClassTransient, "RequestFailed"
		ce.Message = c.scrub(err.Error())
		ce.Err = errors.New(ce.Message)
	}
	return ce
}

// scrub removes URL queries and the configured secrets from a text and bounds its length.
func (c *Client) scrub(s string) string { return scrubText(s, c.secrets) }

func scrubText(s string, secrets []string) string {
	s = queryPattern.ReplaceAllString(s, "?[redacted]")
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	if len(s) > maxMessageLen {
		s = strings.ToValidUTF8(s[:maxMessageLen], "") + "..."
	}
	return s
}

// staleVersionError reclassifies a refused CreateContactFlowVersion whose FlowContentSha256 guard
// failed. The platform answers a stale checksum like any other bad request
// (InvalidRequestException), which would read as ClassInvalid, a spec to stall on; but the
// caller's content is fine: someone changed the published content between the caller's write
// (or read) and the version. The refusal is stale when the platform's message names the
// checksum, or, failing that, when the published content's checksum is no longer sha256 (one
// DescribeContactFlow, on this failure path only). Then it is ClassTransient with Code
// cloud.CodeConcurrentEdit, the platform's code and message kept in Message. Any other error is
// returned as it is.
func (c *Client) staleVersionError(ctx context.Context, key cloud.FlowKey, sha256 string, err error) error {
	ce := cloud.AsError(err)
	if ce == nil || ce.Class != cloud.ClassInvalid || sha256 == "" {
		return err
	}
	stale := strings.Contains(strings.ToLower(ce.Message), "sha256")
	if !stale {
		pub, derr := c.describe(ctx, key.InstanceID, key.FlowID)
		if derr != nil {
			return err
		}
		live := aws.ToString(pub.FlowContentSha256)
		if live == "" {
			live = ContentSha256(aws.ToString(pub.Content))
		}
		stale = live != sha256
	}
	if !stale {
		return err
	}
	return &cloud.Error{
		Class: cloud.ClassTransient, Platform: cloud.PlatformAmazonConnect, Action: ce.Action,
		Code: cloud.CodeConcurrentEdit, RequestID: ce.RequestID, Err: ce,
		Message: fmt.Sprintf("the published content changed before its version was created (%s: %s); observe and diff again", ce.Code, ce.Message),
	}
}
