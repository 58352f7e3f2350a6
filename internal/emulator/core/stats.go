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
	// log holds the most recent calls in order, a ring of logSize.
	log  []CallRecord
	next int
}

// CallRecord is one call in the order it arrived: what a test reads to check that one call came
// before another (every flow created before any was published).
type CallRecord struct {
	// Seq numbers the calls since the last Reset, from 1.
	Seq      int64  `json:"seq"`
	Platform string `json:"platform"`
	Action   string `json:"action"`
	// Target is the flow (or other object) the call named, where the request says: its ID, or
	// for a create its name.
	Target string `json:"target,omitempty"`
	Failed bool   `json:"failed,omitempty"`
}

// logSize bounds the call log: enough for a test's scenario, small enough to serve whole.
const logSize = 4096

// NewStats returns empty counters.
func NewStats() *Stats {
	s := &Stats{}
	s.Reset()
	return s
}

// Record counts one call; failed marks it as answered with an error.
func (s *Stats) Record(platform, action string, failed bool) {
	s.RecordCall(platform, action, "", failed)
}

// RecordCall counts one call and logs it with the object it named.
func (s *Stats) RecordCall(platform, action, target string, failed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inc(s.calls, platform, action)
	if failed {
		inc(s.errors, platform, action)
	}
	s.total++
	rec := CallRecord{Seq: s.total, Platform: platform, Action: action, Target: target, Failed: failed}
	if len(s.log) < logSize {
		s.log = append(s.log, rec)
	} else {
		s.log[s.next] = rec
	}
	s.next = (s.next + 1) % logSize
}

// Log returns the most recent calls (at most 4096) since the last Reset, oldest first.
func (s *Stats) Log() []CallRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.log) < logSize {
		return append([]CallRecord(nil), s.log...)
	}
	return append(append([]CallRecord(nil), s.log[s.next:]...), s.log[:s.next]...)
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
	s.log, s.next = nil, 0
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
