package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// lastApplied is the annotation `kubectl apply` (client-side) keeps a whole copy of the object
// in; the operator never reads it.
const lastApplied = corev1.LastAppliedConfigAnnotation

// trimForCache drops what the operator never reads from every object before it goes into the
// informer cache: managedFields and kubectl's last-applied-configuration annotation. With
// thousands of ContactFlows they are a large part of the cache (each holds the definition
// again). Writes are unaffected: the controllers write with merge patches computed against
// the cached copy, which never mention either field, so the server keeps both.
func trimForCache(obj any) (any, error) {
	if _, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
		return obj, nil
	}
	accessor, err := meta.Accessor(obj)
	if err != nil {
		// Not an object with metadata: cache it as it is.
		return obj, nil
	}
	accessor.SetManagedFields(nil)
	if ann := accessor.GetAnnotations(); ann != nil {
		if _, ok := ann[lastApplied]; ok {
			trimmed := make(map[string]string, len(ann)-1)
			for k, v := range ann {
				if k != lastApplied {
					trimmed[k] = v
				}
			}
			if len(trimmed) == 0 {
				trimmed = nil
			}
			accessor.SetAnnotations(trimmed)
		}
	}
	return obj, nil
}

// cacheOptions configures the informer cache to keep only what the controllers read.
func cacheOptions() cache.Options {
	return cache.Options{DefaultTransform: trimForCache}
}

// uncached are the kinds the manager's client reads straight from the API server instead of
// through a cluster-wide informer: ConfigMaps are read only when a flow is published or rolled
// back (its version history), so caching every ConfigMap of the cluster, history included,
// would cost far more memory than the occasional read.
func uncached() *client.CacheOptions {
	return &client.CacheOptions{DisableFor: []client.Object{&corev1.ConfigMap{}}}
}

// setMemoryLimit sets Go's soft memory limit to ratio of the container's memory limit (read
// from the cgroup), so that the garbage collector works harder before the kernel would kill
// the pod, instead of letting the heap grow to twice its live size. A GOMEMLIMIT in the
// environment wins; a ratio of 0 or no limit in the cgroup leaves the runtime's default. It
// returns the limit set, 0 when none.
func setMemoryLimit(ratio float64, cgroupRoot string) (int64, error) {
	if ratio <= 0 || os.Getenv("GOMEMLIMIT") != "" {
		return 0, nil
	}
	if ratio > 1 {
		return 0, fmt.Errorf("--memory-limit-ratio %v: must be between 0 and 1", ratio)
	}
	limit, ok := cgroupMemoryLimit(cgroupRoot)
	if !ok {
		return 0, nil
	}
	soft := int64(float64(limit) * ratio)
	debug.SetMemoryLimit(soft)
	return soft, nil
}

// cgroupMemoryLimit reads the memory limit of the process's cgroup (v2 memory.max, else v1
// memory.limit_in_bytes); ok is false when there is none.
func cgroupMemoryLimit(root string) (int64, bool) {
	for _, f := range []string{root + "/memory.max", root + "/memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		s := strings.TrimSpace(string(b))
		if s == "max" {
			return 0, false
		}
		n, err := strconv.ParseInt(s, 10, 64)
		// cgroup v1 reports "no limit" as a huge number near the maximum int64.
		if err != nil || n <= 0 || n >= 1<<60 {
			return 0, false
		}
		return n, true
	}
	return 0, false
}
