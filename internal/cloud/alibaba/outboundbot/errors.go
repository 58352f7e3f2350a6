package outboundbot

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

// CodeScriptInReview is the code of a change refused because the script waits for the
// platform's reviewers. The platform's documentation names no code for it; this is the one the
// emulator answers, and the adapter reports it as ClassLocked held by LockedByReview.
const CodeScriptInReview = "OperationDenied.ScriptInReview"

// LockedByReview is the LockedBy of a script in review: the platform's reviewers hold it.
const LockedByReview = "review"

// maxMessageLen bounds a message taken from a response, so that a proxy's HTML page cannot
// flood a condition.
const maxMessageLen = 512

// queryPattern matches the query of a URL in an error text: it holds the signature, the
// request's values and, with STS, the security token.
var queryPattern = regexp.MustCompile(`\?[^\s"']*`)

// classify maps a platform error code (and the HTTP status when there is no code) onto the
// taxonomy. The order matters: InvalidAccessKeyId.NotFound is an authorization problem, not a
// missing instance, and InvalidInstanceName.Duplicated is a name clash, not a bad parameter.
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
	case code == CodeScriptInReview:
		return cloud.ClassLocked
	case hasPrefix("InvalidAccessKeyId", "InvalidAccessKeySecret", "SignatureDoesNotMatch", "IncompleteSignature",
		"InvalidSecurityToken", "InvalidTimeStamp", "Forbidden", "NoPermission", "Unauthorized"):
		return cloud.ClassUnauthorized
	case hasPrefix("InvalidAction", "InvalidVersion", "UnsupportedHTTPMethod"):
		return cloud.ClassInvalid
	case hasPrefix("NotExist.", "NotExists.", "NotFound") || hasSuffix(".NotFound", ".NotExist", ".NotExists"):
		return cloud.ClassNotFound
	case hasPrefix("Throttling", "TooManyRequests") || status == 429:
		return cloud.ClassThrottled
	case hasPrefix("LimitExceeded", "QuotaExceeded") || hasSuffix(".LimitExceeded", ".QuotaExceeded"):
		return cloud.ClassQuotaExceeded
	case hasPrefix("Duplicated", "AlreadyExists") || hasSuffix(".Duplicated", ".AlreadyExists"):
		return cloud.ClassAlreadyExists
	case hasPrefix("InvalidParameter", "InvalidParam", "IllegalParam", "MissingParameter", "Missing", "OperationDenied") ||
		hasSuffix(".Malformed"):
		return cloud.ClassInvalid
	}
	// InternalError, ServiceUnavailable and anything unknown: worth a retry.
	return cloud.ClassTransient
}

// mapError turns whatever the SDK returned into a *cloud.Error. Messages come from the
// platform's answer or from a sanitized transport error, never from the request, so they
// cannot carry credentials; the known secrets (and extra, the call's own secret values) are
// scrubbed once more anyway.
func (c *Client) mapError(action string, err error, extra []string) error {
	if err == nil {
		return nil
	}
	ce := &cloud.Error{Platform: cloud.PlatformAlibabaOutboundBot, Action: action}

	var se *sdkerrors.ServerError
	var cle *sdkerrors.ClientError
	var ue *url.Error
	var credErr *acs.CredentialsError
	switch {
	case errors.As(err, &se):
		c.fromServer(ce, se.HttpStatus(), se.ErrorCode(), se.Message(), se.RequestId(), extra)
		// The SDK's ServerError text includes response headers and, for signature errors,
		// the string to sign; it is not kept.
		return ce
	case errors.As(err, &credErr):
		ce.Class = cloud.ClassUnauthorized
		ce.Code = "CredentialsUnavailable"
		ce.Message = c.scrub(credErr.Error(), extra)
		ce.Err = credErr
	case errors.As(err, &ue):
		ce.Class = cloud.ClassTransient
		ce.Code = "RequestFailed"
		redacted := &url.Error{Op: ue.Op, URL: redactURL(ue.URL), Err: ue.Err}
		ce.Message = c.scrub(redacted.Error(), extra)
		ce.Err = redacted
	case errors.As(err, &cle):
		ce.Code = cle.ErrorCode()
		ce.Class = cloud.ClassTransient
		switch ce.Code {
		case sdkerrors.CanNotResolveEndpointErrorCode, sdkerrors.UnsupportedCredentialErrorCode,
			sdkerrors.MissingParamErrorCode, sdkerrors.InvalidParamErrorCode:
			ce.Class = cloud.ClassInvalid
		}
		ce.Message = c.scrub(cle.Message(), extra)
		if origin := cle.OriginError(); origin != nil {
			ce.Err = errors.New(c.scrub(origin.Error(), extra))
		}
	default:
		// Context cancellation, deadline, anything else: worth a retry.
		ce.Class = cloud.ClassTransient
		ce.Message = c.scrub(err.Error(), extra)
		ce.Err = err
	}
	return ce
}

// fromServer fills ce from a platform answer.
func (c *Client) fromServer(ce *cloud.Error, status int, code, message, requestID string, extra []string) {
	ce.Code, ce.RequestID = code, requestID
	ce.Class = classify(status, code)
	if code == "" {
		// Not a platform error body (a proxy, a wrong endpoint): say so without echoing it.
		ce.Message = fmt.Sprintf("HTTP %d without a platform error body", status)
		return
	}
	// A signature error carries the server's string to sign: long, different on every call
	// (timestamp, nonce) and including every request value (an NLU secret key, the security
	// token with STS). Keep only the sentence.
	if i := strings.Index(message, "server string to sign is:"); i >= 0 {
		message = strings.TrimSpace(message[:i])
	}
	ce.Message = c.scrub(message, extra)
	if ce.Class == cloud.ClassLocked && code == CodeScriptInReview {
		ce.LockedBy = LockedByReview
	}
}

// scrub removes URL queries and the secrets from a text and bounds its length.
func (c *Client) scrub(s string, extra []string) string {
	s = queryPattern.ReplaceAllString(s, "?[redacted]")
	for _, list := range [][]string{c.secrets, extra} {
		for _, secret := range list {
			if secret != "" {
				s = strings.ReplaceAll(s, secret, "[redacted]")
			}
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

// envelope is the part of every OutboundBot answer that says whether it succeeded.
type envelope struct {
	httpStatus int
	bodyStatus int
	code       string
	message    string
	requestID  string
	success    bool
}

// checkBody refuses a 2xx answer whose envelope still reports a failure (an error code, or
// Success false): OutboundBot answers some errors that way, and a silent success would be worse
// than a retry.
func (c *Client) checkBody(action string, e envelope) error {
	if (e.code == "" || e.code == "OK") && e.success {
		return nil
	}
	status := e.httpStatus
	if e.bodyStatus != 0 {
		status = e.bodyStatus
	}
	ce := &cloud.Error{Platform: cloud.PlatformAlibabaOutboundBot, Action: action}
	if e.code == "" || e.code == "OK" {
		ce.Class, ce.Code, ce.RequestID = cloud.ClassTransient, e.code, e.requestID
		ce.Message = "the platform answered without reporting success"
		return ce
	}
	c.fromServer(ce, status, e.code, e.message, e.requestID, nil)
	return ce
}
