// Package certs gives the webhook server a serving certificate when nothing else does. With
// cert-manager (or any mounted Secret) the certificate files are already in the directory and
// nothing happens. Without it, a self-signed CA and a serving certificate for the given host
// names are generated at start-up, written into the directory, and the CA is put into the
// caBundle of the operator's ValidatingWebhookConfiguration, so the API server trusts them.
package certs

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// File names inside the certificate directory, as controller-runtime's webhook server and
// cert-manager's Secrets use them.
const (
	CertFile = "tls.crt"
	KeyFile  = "tls.key"
)

// Options says where the certificate goes and who must trust it.
type Options struct {
	// Dir is the webhook server's certificate directory (writable: an emptyDir in a pod).
	Dir string
	// Hosts are the DNS names and IP addresses the API server calls the webhook at, for
	// example contactflow-operator-webhook-service.contactflow-system.svc.
	Hosts []string
	// WebhookConfiguration is the name of the ValidatingWebhookConfiguration to inject the CA
	// into; empty skips the injection.
	WebhookConfiguration string
	// Validity of the generated certificates (default one year); they are regenerated at every
	// start, so a restart renews them.
	Validity time.Duration
}

// Ensure provides a serving certificate in opts.Dir. It reports whether it generated one.
func Ensure(ctx context.Context, c client.Client, opts Options) (bool, error) {
	if exists(filepath.Join(opts.Dir, CertFile)) && exists(filepath.Join(opts.Dir, KeyFile)) {
		return false, nil
	}
	if len(opts.Hosts) == 0 {
		return false, errors.New("no host names for the webhook certificate")
	}
	caPEM, certPEM, keyPEM, err := Generate(opts.Hosts, opts.Validity)
	if err != nil {
		return false, err
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return false, err
	}
	if err := os.WriteFile(filepath.Join(opts.Dir, CertFile), certPEM, 0o600); err != nil {
		return false, err
	}
	if err := os.WriteFile(filepath.Join(opts.Dir, KeyFile), keyPEM, 0o600); err != nil {
		return false, err
	}
	if opts.WebhookConfiguration != "" {
		if err := InjectCABundle(ctx, c, opts.WebhookConfiguration, caPEM); err != nil {
			return true, err
		}
	}
	return true, nil
}

// +kubebuilder:rbac:groups=admissionregistration.k8s.io,resources=validatingwebhookconfigurations,verbs=get;list;watch;patch

// InjectCABundle sets caBundle of every webhook in the named ValidatingWebhookConfiguration.
func InjectCABundle(ctx context.Context, c client.Client, name string, caPEM []byte) error {
	vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	if err := c.Get(ctx, types.NamespacedName{Name: name}, vwc); err != nil {
		return fmt.Errorf("reading ValidatingWebhookConfiguration %q: %w", name, err)
	}
	patch := client.MergeFrom(vwc.DeepCopy())
	for i := range vwc.Webhooks {
		vwc.Webhooks[i].ClientConfig.CABundle = caPEM
	}
	if err := c.Patch(ctx, vwc, patch); err != nil {
		return fmt.Errorf("injecting the CA into ValidatingWebhookConfiguration %q: %w", name, err)
	}
	return nil
}

// Generate returns a fresh CA certificate and a serving certificate and key signed by it, for
// hosts (DNS names or IP addresses), all PEM encoded.
func Generate(hosts []string, validity time.Duration) (caPEM, certPEM, keyPEM []byte, err error) {
	if validity <= 0 {
		validity = 365 * 24 * time.Hour
	}
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "contactflow-operator webhook CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, nil, nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, nil, nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: hosts[0]},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(validity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, nil, nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return big.NewInt(time.Now().UnixNano())
	}
	return n
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
