package acs

import (
	"errors"
	"testing"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
)

func TestReadPages(t *testing.T) {
	calls := 0
	// 250 items in pages of 100: three calls.
	err := ReadPages("p", "List", func(n int) (int, int, error) {
		calls++
		return min(100, 250-(n-1)*100), 250, nil
	})
	if err != nil || calls != 3 {
		t.Errorf("250 items: %d calls, %v; want 3, nil", calls, err)
	}
	calls = 0
	// A total that overstates what there is ends at the first empty page.
	err = ReadPages("p", "List", func(n int) (int, int, error) {
		calls++
		if n > 1 {
			return 0, 500, nil
		}
		return 100, 500, nil
	})
	if err != nil || calls != 2 {
		t.Errorf("empty page: %d calls, %v; want 2, nil", calls, err)
	}
	// A list that keeps growing is a transient error of the action, after MaxPages.
	calls = 0
	err = ReadPages("p", "List", func(n int) (int, int, error) {
		calls++
		return 100, n*100 + 1, nil
	})
	if ce := cloud.AsError(err); ce == nil || ce.Class != cloud.ClassTransient || ce.Action != "List" || calls != MaxPages {
		t.Errorf("growing list: %d calls, %v", calls, err)
	}
	// A page's error ends the read.
	boom := errors.New("boom")
	if err := ReadPages("p", "List", func(int) (int, int, error) { return 0, 0, boom }); !errors.Is(err, boom) {
		t.Errorf("error = %v", err)
	}
}
