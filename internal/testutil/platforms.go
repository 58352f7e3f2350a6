package testutil

import (
	"encoding/json"
	"os"
	"path/filepath"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
)

// connectContent is a small Amazon Connect flow without layout: greet, then hang up.
const connectContent = `{
  "Version": "2019-10-30",
  "StartAction": "greet",
  "Actions": [
    {"Identifier": "greet", "Type": "MessageParticipant",
     "Parameters": {"Text": "Thank you for calling."},
     "Transitions": {"NextAction": "bye", "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingError"}]}},
    {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}
  ]
}`

// ClassicContent returns the classic CloudCallCenter Content of internal/flow's test data:
// Play → Menu → transfer to a skill group or hang up.
func ClassicContent() *k8sruntime.RawExtension {
	raw, err := os.ReadFile(filepath.Join(RepoRoot(), "internal", "flow", "testdata", "classic_seed.json"))
	if err != nil {
		panic(err)
	}
	return compact(raw)
}

// ConnectContent returns a small Amazon Connect flow without layout: MessageParticipant
// "greet" (Parameters.Text) → DisconnectParticipant "bye".
func ConnectContent() *k8sruntime.RawExtension { return compact([]byte(connectContent)) }

func compact(raw []byte) *k8sruntime.RawExtension {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		panic(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return &k8sruntime.RawExtension{Raw: b}
}

// ContentFlow returns a ContactFlow whose spec.content is content (flow type typ; "" leaves
// the platform's default).
func ContentFlow(ns, name, providerConfig, instance, typ string, content *k8sruntime.RawExtension) *cfv1.ContactFlow {
	return &cfv1.ContactFlow{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: cfv1.ContactFlowSpec{
			ProviderConfigRef: cfv1.LocalObjectReference{Name: providerConfig},
			InstanceID:        instance,
			FlowName:          name,
			Type:              typ,
			Content:           content,
		},
	}
}

// EditContent decodes content, lets edit change the generic JSON form and encodes it again.
func EditContent(content *k8sruntime.RawExtension, edit func(doc map[string]any)) *k8sruntime.RawExtension {
	doc := map[string]any{}
	if err := json.Unmarshal(content.Raw, &doc); err != nil {
		panic(err)
	}
	edit(doc)
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return &k8sruntime.RawExtension{Raw: b}
}

// Child walks doc by keys (strings) and indexes (ints) to an object, and panics when the path
// does not lead to one: test data is fixed.
func Child(doc map[string]any, path ...any) map[string]any {
	var cur any = doc
	for _, step := range path {
		switch k := step.(type) {
		case string:
			cur = cur.(map[string]any)[k]
		case int:
			cur = cur.([]any)[k]
		}
	}
	return cur.(map[string]any)
}

// ReverseList reverses the array at doc[key] in place: for a flow whose list order carries no
// meaning (classic nodes, Connect actions) a change that is no change.
func ReverseList(doc map[string]any, key string) {
	list := doc[key].([]any)
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
}
