package ccc

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

// CodeFlowLocked is the platform code for a flow whose draft another user holds; its message
// ends with "is being edited by <user>.".
const CodeFlowLocked = "Forbidden.ContactFlowLocked"

// CodeInvalidDefinition is the platform code for a definition it refuses: not a JSON object
// with activities, or (on publish) one whose activities refer to flows, skill groups or audio
// files the instance does not have. Its problems become cloud.Error.Problems.
const CodeInvalidDefinition = "InvalidParameter.Definition"

// CodeNumberNotExists is the platform code for a phone number the instance does not have
// (ModifyPhoneNumber); it is ClassNotFound and kept as the Code, so that a caller can tell a
// missing number from a missing flow (NotExists.ContactFlowId).
const CodeNumberNotExists = "NotExists.Number"

// maxMessageLen bounds a message taken from a response, so that a proxy's HTML page cannot
// flood a condition.
const maxMessageLen = 512

var (
	lockedByPattern = regexp.MustCompile(`is being edited by (.+?)\.?$`)
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
	switch {
	case code == "":
		if status == 429 {
			return cloud.ClassThrottled
		}
		return cloud.ClassTransient
	case code == CodeFlowLocked || strings.HasSuffix(code, ".ContactFlowLocked"):
		return cloud.ClassLocked
	case hasPrefix("InvalidAccessKeyId", "InvalidAccessKeySecret", "SignatureDoesNotMatch", "IncompleteSignature",
		"InvalidSecurityToken", "InvalidTimeStamp", "Forbidden", "NoPermission", "Unauthorized"):
		return cloud.ClassUnauthorized
	case hasPrefix("InvalidAction", "InvalidVersion", "UnsupportedHTTPMethod"):
		return cloud.ClassInvalid
	case hasPrefix("NotExists.", "NotExist.", "NotFound") || strings.HasSuffix(code, ".NotFound") ||
		strings.HasSuffix(code, ".NotExist") || strings.HasSuffix(code, ".NotExists"):
		return cloud.ClassNotFound
	case hasPrefix("Throttling", "TooManyRequests") || status == 429:
		return cloud.ClassThrottled
	case hasPrefix("QuotaExceeded", "LimitExceeded") || strings.HasSuffix(code, ".LimitExceeded") ||
		strings.HasSuffix(code, ".QuotaExceeded"):
		return cloud.ClassQuotaExceeded
	case hasPrefix("Duplicated", "AlreadyExists") || strings.HasSuffix(code, ".Duplicated") ||
		strings.HasSuffix(code, ".AlreadyExists"):
		return cloud.ClassAlreadyExists
	case hasPrefix("InvalidParameter", "InvalidParam", "IllegalParam", "MissingParameter", "Missing") ||
		strings.HasSuffix(code, ".Malformed"):
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
	ce := &cloud.Error{Platform: cloud.PlatformAlibabaCCC, Action: action}

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
	if ce.Class == cloud.ClassInvalid && code == CodeInvalidDefinition {
		// "The parameter Definition is invalid: <problem>; <problem>." (a publish refused for
		// references it cannot resolve lists one problem per activity and property).
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

// checkBody refuses a 2xx answer whose envelope still carries an error code: some POP products
// answer errors that way, and a silent success would be worse than a retry.
func (c *Client) checkBody(action string, status int, code, message, requestID string) error {
	if code == "" || code == "OK" {
		return nil
	}
	ce := &cloud.Error{Platform: cloud.PlatformAlibabaCCC, Action: action}
	c.fromServer(ce, status, code, message, requestID)
	return ce
}
