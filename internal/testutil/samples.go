// Package testutil holds what the envtest and e2e suites share: sample objects and the seed
// flow definition. It is imported by tests only.
package testutil

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"

	k8sruntime "k8s.io/apimachinery/pkg/runtime"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
)

// RepoRoot is the repository's top directory, found from this file's location.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// SeedDefinition returns the flow of the platform's ListContactFlows example: INCOMING_CALL →
// PLAY_SAY → HANGUP, with console layout.
func SeedDefinition() cfv1.FlowDefinition {
	raw, err := os.ReadFile(filepath.Join(RepoRoot(), "internal", "flow", "testdata", "ccc_seed.json"))
	if err != nil {
		panic(err)
	}
	var def cfv1.FlowDefinition
	if err := json.Unmarshal(raw, &def); err != nil {
		panic(err)
	}
	return def
}

// Props encodes activity properties.
func Props(v map[string]any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// ProviderObjects returns a Secret with the key pair and a CCC ProviderConfig pointing at
// endpoint.
func ProviderObjects(ns, name, endpoint, keyID, keySecret string) (*corev1.Secret, *cfv1.ProviderConfig) {
	return ProviderObjectsFor(ns, name, cfv1.PlatformAlibabaCCC, endpoint, keyID, keySecret)
}

// ProviderObjectsFor is ProviderObjects for any platform (Amazon Connect gets region us-east-1,
// the Alibaba platforms cn-shanghai).
func ProviderObjectsFor(ns, name string, platform cfv1.Platform, endpoint, keyID, keySecret string) (*corev1.Secret, *cfv1.ProviderConfig) {
	region := "cn-shanghai"
	if platform == cfv1.PlatformAmazonConnect {
		region = "us-east-1"
	}
	sec := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name + "-credentials"},
		StringData: map[string]string{"accessKeyId": keyID, "accessKeySecret": keySecret},
	}
	pc := &cfv1.ProviderConfig{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: cfv1.ProviderConfigSpec{
			Platform: platform,
			Region:   region,
			Endpoint: endpoint,
			Credentials: cfv1.ProviderCredentials{
				Source:    cfv1.CredentialsSourceSecret,
				SecretRef: &cfv1.SecretCredentials{Name: sec.Name},
			},
		},
	}
	return sec, pc
}

// ContactFlow returns a ContactFlow with the seed definition.
func ContactFlow(ns, name, providerConfig, instance string) *cfv1.ContactFlow {
	return &cfv1.ContactFlow{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: cfv1.ContactFlowSpec{
			ProviderConfigRef: cfv1.LocalObjectReference{Name: providerConfig},
			InstanceID:        instance,
			FlowName:          name,
			Type:              "MAIN_FLOW",
			Definition:        new(SeedDefinition()),
		},
	}
}

// SetProperty sets properties[key] of the activity id in def (in place).
func SetProperty(def *cfv1.FlowDefinition, id, key string, value any) {
	for i := range def.Activities {
		a := &def.Activities[i]
		if a.ID != id {
			continue
		}
		props := map[string]any{}
		if a.Properties != nil && len(a.Properties.Raw) > 0 {
			if err := json.Unmarshal(a.Properties.Raw, &props); err != nil {
				panic(err)
			}
		}
		if value == nil {
			delete(props, key)
		} else {
			props[key] = value
		}
		a.Properties = &k8sruntime.RawExtension{Raw: Props(props)}
		return
	}
	panic("no activity " + id)
}

// SetNext points event index ev of activity id at next (nil ends the flow).
func SetNext(def *cfv1.FlowDefinition, id string, ev int, next *string) {
	for i := range def.Activities {
		if def.Activities[i].ID == id {
			def.Activities[i].Events[ev].Next = next
			return
		}
	}
	panic("no activity " + id)
}

// MoveLayout shifts every activity's console position and node index: a layout-only change.
func MoveLayout(def *cfv1.FlowDefinition, dx float64) {
	for i := range def.Activities {
		a := &def.Activities[i]
		props := map[string]any{}
		if a.Properties != nil && len(a.Properties.Raw) > 0 {
			_ = json.Unmarshal(a.Properties.Raw, &props)
		}
		props["position"] = map[string]any{"x": 100 + dx*float64(i+1), "y": 50 + dx}
		a.Properties = &k8sruntime.RawExtension{Raw: Props(props)}
		n := int64(500 + i)
		a.NodeIndex = &n
		for j := range a.Events {
			a.Events[j].EdgeID = "moved" + a.Events[j].EdgeID
		}
	}
}
