package classic

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
	"github.com/contactflow-operator/contactflow-operator/internal/cloud/alibaba/acs"
)

// Platform codes the adapter gives a meaning beyond the generic rules in classify.
const (
	// CodeVersionLocked is the code for a flow whose open version another user holds; its
	// message ends with "is locked by <user>.".
	CodeVersionLocked = "Forbidden.ContactFlowVersionLocked"
	// CodeVersionNotLocked is the code for a version that is no longer open for modification
	// (published meanwhile, or an old version). For a caller that named it as its draft, the
	// draft is gone: the adapter classifies it ClassNotFound.
	CodeVersionNotLocked = "IncorrectStatus.ContactFlowVersion"
	// CodeInvalidContent is the code for a content the platform refuses: not a JSON object
	// with nodes, or (on publish) one whose nodes refer to flows, skill groups or medias the
	// instance does not have. Its problems become cloud.Error.Problems.
	CodeInvalidContent = "InvalidParameter.Content"
	// CodePhoneNumberNotExists is the code for a PhoneNumberId the instance does not have:
	// ClassNotFound, kept as the Code so that a caller can tell it from a missing flow.
	CodePhoneNumberNotExists = "NotExists.PhoneNumberId"
	// CodePhoneNumberAssigned is the code for removing a number from a flow it is not assigned
	// to; UnbindNumber treats it as done.
	CodePhoneNumberAssigned = "InvalidParameter.PhoneNumberId"
)

// maxMessageLen bounds a message taken from a response, so that a proxy's HTML page cannot
// flood a condition.
const maxMessageLen = 512

var (
	lockedByPattern = regexp.MustCompile(`(?:is locked by|is being edited by) (.+?)\.?$`)
	// queryPattern matches the query of a URL in an error text: it holds the signature and,
	// with STS, the security token.
	queryPattern = regexp.MustCompile(`\?[^\s"']*`)
)

// classify maps a platform error code (and the HTTP status when there is no code) onto the
// taxonomy. The order matters: InvalidAccessKeyId.NotFound is an authorization problem, not a
// missing flow, and a lock code starts with Forbidden like the permission codes.
func classify(status int, code string) cloud.Class {
	hasPrefix := func(prefixes ...string) bool {
		for _, p := range prefixes {
			if strings.HasPrefix(code, p) {
				return true
			}
		}
		return false
	}
	hasSuffix := func(suffixes ...string) bool {
		for _, s := range suffixes {
			if strings.HasSuffix(code, s) {
				return true
			}
		}
		return false
	}
	switch {
	case code == "":
		if status == 429 {
			return cloud.ClassThrottled
		}
		return cloud.ClassTransient
	case code == CodeVersionLocked || hasSuffix(".ContactFlowVersionLocked", ".ContactFlowLocked"):
		return cloud.ClassLocked
	case code == CodeVersionNotLocked:
		return cloud.ClassNotFound
	case hasPrefix("InvalidAccessKeyId", "InvalidAccessKeySecret", "SignatureDoesNotMatch", "IncompleteSignature",
		"InvalidSecurityToken", "InvalidTimeStamp", "Forbidden", "NoPermission", "Unauthorized"):
		return cloud.ClassUnauthorized
	case hasPrefix("InvalidAction", "InvalidVersion", "UnsupportedHTTPMethod"):
		return cloud.ClassInvalid
	case hasPrefix("NotExists.", "NotExist.", "NotFound") || hasSuffix(".NotFound", ".NotExist", ".NotExists"):
		return cloud.ClassNotFound
	case hasPrefix("Throttling", "TooManyRequests") || status == 429:
		return cloud.ClassThrottled
	case hasPrefix("QuotaExceeded", "LimitExceeded") || hasSuffix(".LimitExceeded", ".QuotaExceeded"):
		return cloud.ClassQuotaExceeded
	case hasPrefix("Duplicated", "AlreadyExists") || hasSuffix(".Duplicated", ".AlreadyExists"):
		return cloud.ClassAlreadyExists
	case hasPrefix("InvalidParameter", "InvalidParam", "IllegalParam", "MissingParameter", "Missing") ||
		hasSuffix(".Malformed"):
		return cloud.ClassInvalid
	}
	return cloud.ClassTransient
}

// mapError turns whatever the SDK returned into a *cloud.Error. Messages come from the
// platform's answer or from a sanitized transport error, never from the request, so they
// cannot carry credentials; the known secrets are scrubbed once more anyway.
func (c *Client) mapError(action string, err error) error {
	if err == nil {
		return nil
	}
	ce := &cloud.Error{Platform: cloud.PlatformAlibabaCloudCallCenter, Action: action}

	var se *sdkerrors.ServerError
	var cle *sdkerrors.ClientError
	var ue *url.Error
	var credErr *acs.CredentialsError
	switch {
	case errors.As(err, &se):
		c.fromServer(ce, se.HttpStatus(), se.ErrorCode(), se.Message(), se.RequestId())
		// The SDK's ServerError text includes response headers and, for signature errors,
		// the string to sign; it is not kept.
		return ce
	case errors.As(err, &credErr):
		ce.Class = cloud.ClassUnauthorized
		ce.Code = "CredentialsUnavailable"
		ce.Message = c.scrub(credErr.Error())
		ce.Err = credErr
	case errors.As(err, &ue):
		ce.Class = cloud.ClassTransient
		ce.Code = "RequestFailed"
		redacted := &url.Error{Op: ue.Op, URL: redactURL(ue.URL), Err: ue.Err}
		ce.Message = c.scrub(redacted.Error())
		ce.Err = redacted
	case errors.As(err, &cle):
		ce.Code = cle.ErrorCode()
		ce.Class = cloud.ClassTransient
		switch ce.Code {
		case sdkerrors.CanNotResolveEndpointErrorCode, sdkerrors.UnsupportedCredentialErrorCode,
			sdkerrors.MissingParamErrorCode, sdkerrors.InvalidParamErrorCode:
			ce.Class = cloud.ClassInvalid
		}
		ce.Message = c.scrub(cle.Message())
		if origin := cle.OriginError(); origin != nil {
			ce.Err = errors.New(c.scrub(origin.Error()))
		}
	default:
		// Context cancellation, deadline, anything else: worth a retry.
		ce.Class = cloud.ClassTransient
		ce.Message = c.scrub(err.Error())
		ce.Err = err
	}
	return ce
}

// fromServer fills ce from a platform answer.
func (c *Client) fromServer(ce *cloud.Error, status int, code, message, requestID string) {
	ce.Code, ce.RequestID = code, requestID
	ce.Class = classify(status, code)
	if code == "" {
		// Not a platform error body (a proxy, a wrong endpoint): say so without echoing it.
		ce.Message = fmt.Sprintf("HTTP %d without a platform error body", status)
		return
	}
	// A signature error carries the server's string to sign: long, different on every call
	// (timestamp, nonce) and including the security token with STS. Keep only the sentence.
	if i := strings.Index(message, "server string to sign is:"); i >= 0 {
		message = strings.TrimSpace(message[:i])
	}
	ce.Message = c.scrub(message)
	if ce.Class == cloud.ClassInvalid && code == CodeInvalidContent {
		// "The parameter Content is invalid: <problem>; <problem>." (a publish refused for
		// references it cannot resolve lists one problem per node and property).
		ce.Message, ce.Problems = acs.SplitProblems(ce.Message)
	}
	if ce.Class == cloud.ClassLocked {
		if m := lockedByPattern.FindStringSubmatch(ce.Message); m != nil {
			ce.LockedBy = m[1]
		}
	}
}

// scrub removes URL queries and the configured secrets from a text and bounds its length.
func (c *Client) scrub(s string) string {
	s = queryPattern.ReplaceAllString(s, "?[redacted]")
	for _, secret := range c.secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	if len(s) > maxMessageLen {
		s = strings.ToValidUTF8(s[:maxMessageLen], "") + "..."
	}
	return s
}

// redactURL keeps scheme, host and path: the query holds the signature and request data.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "[redacted URL]"
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	return u.String()
}

// checkBody refuses a 2xx answer whose envelope still carries an error code or says
// Success false: some POP products answer errors that way, and a silent success would be
// worse than a retry.
func (c *Client) checkBody(action string, status int, success bool, code, message, requestID string) error {
	if code == "" || code == "OK" {
		if success || code == "OK" {
			return nil
		}
		// No code and no success: not an answer the adapter can trust.
		return &cloud.Error{Class: cloud.ClassTransient, Platform: cloud.PlatformAlibabaCloudCallCenter,
			Action: action, RequestID: requestID, Message: fmt.Sprintf("HTTP %d answer without success or a code", status)}
	}
	ce := &cloud.Error{Platform: cloud.PlatformAlibabaCloudCallCenter, Action: action}
	c.fromServer(ce, status, code, message, requestID)
	return ce
}

// unexpected reports a success answer that lacks what the action must return.
func unexpected(action, requestID, what string) *cloud.Error {
	return &cloud.Error{Class: cloud.ClassTransient, Platform: cloud.PlatformAlibabaCloudCallCenter,
		Action: action, RequestID: requestID, Message: "the answer " + what}
}
