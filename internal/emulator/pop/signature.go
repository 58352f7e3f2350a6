package pop

import (
	"crypto/subtle"
	"net/url"
	"strings"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/utils"
)

// StringToSign builds the POP RPC (signature version 1.0) string to sign from every request
// parameter except Signature, the same way the official SDK does before it signs: the SDK's own
// form encoder, its three percent-encoding fix-ups, then the method and the encoded "/" path.
// The emulator recomputes it from what arrived, so any divergence from the SDK shows up as
// SignatureDoesNotMatch exactly as it would against the platform.
func StringToSign(method string, params map[string]string) string {
	signed := make(map[string]string, len(params))
	for k, v := range params {
		if k != "Signature" {
			signed[k] = v
		}
	}
	s := utils.GetUrlFormedMap(signed)
	s = strings.ReplaceAll(s, "+", "%20")
	s = strings.ReplaceAll(s, "*", "%2A")
	s = strings.ReplaceAll(s, "%7E", "~")
	return method + "&%2F&" + url.QueryEscape(s)
}

// Sign computes the HMAC-SHA1 signature of stringToSign with the SDK's own HMAC helper; the
// key is the secret followed by '&', as signature version 1.0 defines it.
func Sign(stringToSign, secret string) string {
	return utils.ShaHmac1(stringToSign, secret+"&")
}

// signatureMatches compares in constant time so that response timing reveals nothing about
// how much of a forged signature was right.
func signatureMatches(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
