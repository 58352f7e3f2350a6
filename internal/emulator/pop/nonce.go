package pop

import (
	"sync"
	"time"
)

// nonceCache remembers the SignatureNonces seen within the timestamp window, because the
// platform refuses a replayed request even when its signature is valid.
type nonceCache struct {
	window time.Duration

	mu      sync.Mutex
	seen    map[string]time.Time
	inserts int
}

func newNonceCache(window time.Duration) *nonceCache {
	return &nonceCache{window: window, seen: map[string]time.Time{}}
}

// use records nonce and reports whether it was fresh.
func (c *nonceCache) use(nonce string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if exp, ok := c.seen[nonce]; ok && now.Before(exp) {
		return false
	}
	c.seen[nonce] = now.Add(c.window)
	c.inserts++
	if c.inserts%1024 == 0 {
		for n, exp := range c.seen {
			if !now.Before(exp) {
				delete(c.seen, n)
			}
		}
	}
	return true
}
