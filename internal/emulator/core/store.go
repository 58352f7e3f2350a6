package core

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// Store persists the platforms' state in one JSON file, one section per platform key, so that
// an emulator restarted on the same file sees the same flows. Every Put rewrites the file
// atomically (temporary file, fsync, rename): a crash leaves either the old or the new state,
// never a torn one. With no path the Store only keeps sections in memory.
type Store struct {
	path string

	mu       sync.Mutex
	sections map[string]json.RawMessage
}

// OpenStore loads path; a missing file is an empty state. An empty path gives a memory-only
// Store.
func OpenStore(path string) (*Store, error) {
	s := &Store{path: path, sections: map[string]json.RawMessage{}}
	if path == "" {
		return s, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading state file: %w", err)
	}
	if len(data) == 0 {
		return s, nil
	}
	if err := json.Unmarshal(data, &s.sections); err != nil {
		return nil, fmt.Errorf("parsing state file %s: %w", path, err)
	}
	return s, nil
}

// Path returns the state file, "" for a memory-only Store.
func (s *Store) Path() string { return s.path }

// Section returns the saved JSON of a platform, nil when there is none.
func (s *Store) Section(name string) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sections[name]
}

// Put replaces a platform's section with v and saves the file. Platforms call it while holding
// their own lock, so the file sees mutations in the order they were made; Put never calls back
// into a platform, so that cannot deadlock.
func (s *Store) Put(name string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding %s state: %w", name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sections[name] = data
	if s.path == "" {
		return nil
	}
	out, err := json.MarshalIndent(s.sections, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding state: %w", err)
	}
	return writeFileAtomic(s.path, append(out, '\n'))
}

func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("saving state: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this is a no-op
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("saving state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("saving state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("saving state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("saving state: %w", err)
	}
	// Make the rename itself durable; not every file system supports syncing a directory.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
