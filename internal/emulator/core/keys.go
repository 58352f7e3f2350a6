package core

import (
	"fmt"
	"strings"
)

// Demo credentials, used when no key is configured so that `make demo` and a first try work
// without setup. They guard nothing: the emulator serves loopback and holds no real data.
const (
	DemoAccessKeyID     = "demo-access-key-id"
	DemoAccessKeySecret = "demo-access-key-secret"
	// DefaultUser is the console user a key acts as when its spec names none.
	DefaultUser = "operator"
)

// AccessKey is one accepted key pair and the console user it acts as.
type AccessKey struct {
	ID     string `json:"id"`
	Secret string `json:"secret"`
	User   string `json:"user,omitempty"`
}

// String redacts the secret so that a stray %v in a log cannot leak it.
func (k AccessKey) String() string { return fmt.Sprintf("%s:[redacted]:%s", k.ID, k.user()) }

// GoString redacts the secret for %#v as well.
func (k AccessKey) GoString() string { return "core.AccessKey{" + k.String() + "}" }

func (k AccessKey) user() string {
	if k.User == "" {
		return DefaultUser
	}
	return k.User
}

// ParseAccessKey parses "ID:SECRET[:USER]". The secret may not contain ':' because the user
// name follows it; the error never echoes the input, which holds the secret.
func ParseAccessKey(s string) (AccessKey, error) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return AccessKey{}, fmt.Errorf("access key must be ID:SECRET[:USER] with a non-empty ID and SECRET")
	}
	k := AccessKey{ID: parts[0], Secret: parts[1]}
	if len(parts) == 3 {
		if parts[2] == "" {
			return AccessKey{}, fmt.Errorf("access key %s: USER after the second ':' is empty", parts[0])
		}
		k.User = parts[2]
	}
	return k, nil
}

// KeyStore is the immutable set of accepted keys.
type KeyStore struct {
	keys map[string]AccessKey
}

// NewKeyStore indexes keys by ID; the demo pair is used when keys is empty. A repeated ID is
// refused because which secret would win is not obvious.
func NewKeyStore(keys []AccessKey) (*KeyStore, error) {
	if len(keys) == 0 {
		keys = []AccessKey{{ID: DemoAccessKeyID, Secret: DemoAccessKeySecret}}
	}
	ks := &KeyStore{keys: make(map[string]AccessKey, len(keys))}
	for _, k := range keys {
		if k.ID == "" || k.Secret == "" {
			return nil, fmt.Errorf("access key with an empty ID or secret")
		}
		if _, dup := ks.keys[k.ID]; dup {
			return nil, fmt.Errorf("access key %s is configured twice", k.ID)
		}
		k.User = k.user()
		ks.keys[k.ID] = k
	}
	return ks, nil
}

// Lookup returns the key with that ID; User is always set.
func (ks *KeyStore) Lookup(id string) (AccessKey, bool) {
	k, ok := ks.keys[id]
	return k, ok
}
