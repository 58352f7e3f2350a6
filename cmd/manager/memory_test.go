package main

import (
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	toolscache "k8s.io/client-go/tools/cache"

	cfv1 "github.com/contactflow-operator/contactflow-operator/api/v1alpha1"
)

func TestTrimForCache(t *testing.T) {
	cf := &cfv1.ContactFlow{ObjectMeta: metav1.ObjectMeta{
		Name: "ivr", Namespace: "ns",
		Annotations:   map[string]string{lastApplied: `{"spec":{}}`, "contactflow.io/adopt": "flow-1"},
		ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl", FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:spec":{}}`)}}},
		Finalizers:    []string{cfv1.Finalizer},
	}}
	out, err := trimForCache(cf)
	if err != nil {
		t.Fatal(err)
	}
	got := out.(*cfv1.ContactFlow)
	if got.ManagedFields != nil {
		t.Errorf("managedFields kept: %v", got.ManagedFields)
	}
	if want := map[string]string{"contactflow.io/adopt": "flow-1"}; len(got.Annotations) != 1 || got.Annotations["contactflow.io/adopt"] != "flow-1" {
		t.Errorf("annotations = %v, want %v", got.Annotations, want)
	}
	if len(got.Finalizers) != 1 || got.Name != "ivr" {
		t.Errorf("other metadata changed: %+v", got.ObjectMeta)
	}

	// Only the last-applied annotation: none left.
	sec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "keys", Annotations: map[string]string{lastApplied: "{}"}},
		Data: map[string][]byte{"accessKeyId": []byte("id")}}
	out, _ = trimForCache(sec)
	if s := out.(*corev1.Secret); s.Annotations != nil || string(s.Data["accessKeyId"]) != "id" {
		t.Errorf("secret trimmed wrongly: annotations %v, data kept %v", s.Annotations, s.Data != nil)
	}

	// Tombstones and objects without metadata pass through.
	tomb := toolscache.DeletedFinalStateUnknown{Key: "ns/ivr", Obj: cf}
	if out, err := trimForCache(tomb); err != nil || out != any(tomb) {
		t.Errorf("tombstone changed: %v, %v", out, err)
	}
	if out, err := trimForCache("not an object"); err != nil || out != "not an object" {
		t.Errorf("non-object changed: %v, %v", out, err)
	}
}

func TestCgroupMemoryLimit(t *testing.T) {
	for _, tc := range []struct {
		name, file, content string
		want                int64
		ok                  bool
	}{
		{"v2 limit", "memory.max", "268435456\n", 268435456, true},
		{"v2 unlimited", "memory.max", "max\n", 0, false},
		{"v1 limit", "memory/memory.limit_in_bytes", "134217728\n", 134217728, true},
		{"v1 unlimited", "memory/memory.limit_in_bytes", "9223372036854771712\n", 0, false},
		{"none", "", "", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			if tc.file != "" {
				p := filepath.Join(root, tc.file)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(tc.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, ok := cgroupMemoryLimit(root)
			if got != tc.want || ok != tc.ok {
				t.Errorf("cgroupMemoryLimit = %d, %v; want %d, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestSetMemoryLimitRatio(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	if _, err := setMemoryLimit(1.5, t.TempDir()); err == nil {
		t.Error("a ratio above 1 was accepted")
	}
	if got, err := setMemoryLimit(0.9, t.TempDir()); err != nil || got != 0 {
		t.Errorf("without a cgroup limit: %d, %v; want 0, nil", got, err)
	}
}
