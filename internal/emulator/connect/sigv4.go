package connect

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/contactflow-operator/contactflow-operator/internal/emulator/core"
)

// SigningName is the service name in the SigV4 credential scope.
const SigningName = "connect"

// signatureWindow is how far X-Amz-Date may be from the emulator's clock, as on the platform.
const signatureWindow = 15 * time.Minute

const (
	signingAlgorithm = "AWS4-HMAC-SHA256"
	amzDateLayout    = "20060102T150405Z"
	scopeDateLayout  = "20060102"
)

// authorization is a parsed SigV4 Authorization header.
type authorization struct {
	accessKeyID   string
	date          string
	region        string
	service       string
	signedHeaders []string
	signature     string
}

func incomplete(format string, args ...any) *core.APIError {
	return core.Errorf(http.StatusBadRequest, CodeIncompleteSignature, format, args...)
}

func invalidSignature(format string, args ...any) *core.APIError {
	return core.Errorf(http.StatusForbidden, CodeInvalidSignature, format, args...)
}

// parseAuthorization splits "AWS4-HMAC-SHA256 Credential=ID/DATE/REGION/SERVICE/aws4_request,
// SignedHeaders=a;b, Signature=hex".
func parseAuthorization(h string) (authorization, *core.APIError) {
	if h == "" {
		return authorization{}, core.Errorf(http.StatusForbidden, CodeMissingAuthToken, "Missing Authentication Token")
	}
	rest, ok := strings.CutPrefix(h, signingAlgorithm+" ")
	if !ok {
		return authorization{}, incomplete("Authorization header requires the %s algorithm.", signingAlgorithm)
	}
	var a authorization
	var credential string
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			credential = v
		case "SignedHeaders":
			if v != "" {
				a.signedHeaders = strings.Split(v, ";")
			}
		case "Signature":
			a.signature = v
		}
	}
	if credential == "" || a.signedHeaders == nil || a.signature == "" {
		return authorization{}, incomplete("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.")
	}
	scope := strings.Split(credential, "/")
	if len(scope) != 5 || scope[0] == "" || scope[4] != "aws4_request" {
		return authorization{}, incomplete("Credential must have the form ACCESS_KEY_ID/DATE/REGION/SERVICE/aws4_request.")
	}
	a.accessKeyID, a.date, a.region, a.service = scope[0], scope[1], scope[2], scope[3]
	return a, nil
}

// verifier checks SigV4 signatures by signing the received request again with the SDK's own
// signer and the secret from the key store.
type verifier struct {
	keys   *core.KeyStore
	now    func() time.Time
	signer *v4.Signer
}

// verify authenticates r, whose body was already read into body, and returns the key and the
// region of the credential scope. Messages never carry the secret; like the platform's they
// may carry the key ID and the times.
func (v *verifier) verify(ctx context.Context, r *http.Request, body []byte) (core.AccessKey, string, *core.APIError) {
	a, aerr := parseAuthorization(r.Header.Get("Authorization"))
	if aerr != nil {
		return core.AccessKey{}, "", aerr
	}
	if a.service != SigningName {
		return core.AccessKey{}, "", invalidSignature("Credential should be scoped to correct service: '%s'.", SigningName)
	}
	amzDate := r.Header.Get("X-Amz-Date")
	signedAt, err := time.Parse(amzDateLayout, amzDate)
	if err != nil {
		return core.AccessKey{}, "", incomplete("Authorization header requires a valid X-Amz-Date header.")
	}
	if a.date != signedAt.Format(scopeDateLayout) {
		return core.AccessKey{}, "", invalidSignature("Credential should be scoped to a valid date, not %s.", a.date)
	}
	now := v.now().UTC()
	if d := now.Sub(signedAt); d > signatureWindow || d < -signatureWindow {
		return core.AccessKey{}, "", invalidSignature("Signature expired: %s is now earlier than %s (%s - 15 min.)",
			amzDate, now.Add(-signatureWindow).Format(amzDateLayout), now.Format(amzDateLayout))
	}
	key, ok := v.keys.Lookup(a.accessKeyID)
	if !ok {
		return core.AccessKey{}, "", core.Errorf(http.StatusForbidden, CodeUnrecognizedClient,
			"The security token included in the request is invalid.")
	}

	// Rebuild the request as the client signed it: the received (escaped) path and query, the
	// Host, the content length and exactly the headers it listed as signed.
	u := *r.URL
	u.Scheme, u.Host = "http", r.Host
	again := &http.Request{
		Method:        r.Method,
		URL:           &u,
		Host:          r.Host,
		Header:        http.Header{},
		ContentLength: r.ContentLength,
	}
	for _, name := range a.signedHeaders {
		switch name {
		case "host", "content-length":
			continue // the signer derives them from Host and ContentLength
		}
		for _, val := range r.Header.Values(name) {
			again.Header.Add(name, val)
		}
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}
	if err := v.signer.SignHTTP(ctx, creds, again, hex.EncodeToString(sum[:]), a.service, a.region, signedAt); err != nil {
		return core.AccessKey{}, "", core.AsAPIError(err)
	}
	want, aerr := parseAuthorization(again.Header.Get("Authorization"))
	if aerr != nil {
		return core.AccessKey{}, "", core.AsAPIError(aerr)
	}
	if subtle.ConstantTimeCompare([]byte(a.signature), []byte(want.signature)) != 1 {
		return core.AccessKey{}, "", invalidSignature("The request signature we calculated does not match the signature you provided. " +
			"Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	}
	return key, a.region, nil
}
