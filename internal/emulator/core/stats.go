package core

import "sync"

// StatsSnapshot is a copy of the call counters, keyed by platform and then action. It is the
// JSON body of GET /_emulator/stats.
type StatsSnapshot struct {
	// Calls counts every call that reached a platform's router, successful or not.
	Calls map[string]map[string]int64 `json:"calls"`
	// Errors counts the calls that were answered with an error code.
	Errors map[string]map[string]int64 `json:"errors"`
	// Throttled counts the calls refused by an injected quota (also counted in Calls and
	// Errors).
	Throttled map[string]map[string]int64 `json:"throttled"`
	// Total is the sum of Calls.
	Total int64 `json:"total"`
}

// Count returns how many times platform's action was called.
func (s StatsSnapshot) Count(platform, action string) int64 { return s.Calls[platform][action] }

// ErrorCount returns how many calls of platform's action were answered with an error.
func (s StatsSnapshot) ErrorCount(platform, action string) int64 {
	return s.Errors[platform][action]
}

// PlatformTotal returns how many calls platform received, across actions.
func (s StatsSnapshot) PlatformTotal(platform string) int64 {
	var n int64
	for _, c := range s.Calls[platform] {
		n += c
	}
	return n
}

// Stats counts calls per platform and action. Tests and benchmarks read it to assert how many
// API calls a reconcile cost; it is safe for concurrent use.
type Stats struct {
	mu        sync.Mutex
	calls     map[string]map[string]int64
	errors    map[string]map[string]int64
	throttled map[string]map[string]int64
	total     int64
}

// NewStats returns empty counters.
func NewStats() *Stats {
	s := &Stats{}
	s.Reset()
	return s
}

// Record counts one call; failed marks it as answered with an error.
func (s *Stats) Record(platform, action string, failed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inc(s.calls, platform, action)
	if failed {
		inc(s.errors, platform, action)
	}
	s.total++
}

// RecordThrottled counts one call refused by an injected quota.
func (s *Stats) RecordThrottled(platform, action string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inc(s.throttled, platform, action)
}

// Reset zeroes every counter.
func (s *Stats) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]map[string]int64{}
	s.errors = map[string]map[string]int64{}
	s.throttled = map[string]map[string]int64{}
	s.total = 0
}

// Snapshot returns a deep copy, so callers may keep it while calls go on.
func (s *Stats) Snapshot() StatsSnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return StatsSnapshot{Calls: clone(s.calls), Errors: clone(s.errors), Throttled: clone(s.throttled), Total: s.total}
}

func inc(m map[string]map[string]int64, platform, action string) {
	byAction, ok := m[platform]
	if !ok {
		byAction = map[string]int64{}
		m[platform] = byAction
	}
	byAction[action]++
}

func clone(m map[string]map[string]int64) map[string]map[string]int64 {
	out := make(map[string]map[string]int64, len(m))
	for p, byAction := range m {
		c := make(map[string]int64, len(byAction))
		for a, n := range byAction {
			c[a] = n
		}
		out[p] = c
	}
	return out
}
