package acs

import (
	"fmt"

	"github.com/contactflow-operator/contactflow-operator/internal/cloud"
)

// PageSize is the page size of the list calls that read everything: the largest the Alibaba
// list actions accept.
const PageSize = 100

// MaxPages bounds a read of all pages, in case a platform's TotalCount never stops growing:
// 100 pages of 100 is more than an instance holds.
const MaxPages = 100

// ReadPages calls page for pages 1, 2, ... until the items read reach the total, a page comes
// back empty, or MaxPages were read (a transient error of platform's action: the list kept
// growing). page returns how many items it read and the total the platform reported.
func ReadPages(platform, action string, page func(n int) (got, total int, err error)) error {
	seen := 0
	for n := 1; n <= MaxPages; n++ {
		got, total, err := page(n)
		if err != nil {
			return err
		}
		seen += got
		if got == 0 || seen >= total {
			return nil
		}
	}
	return &cloud.Error{Class: cloud.ClassTransient, Platform: platform, Action: action,
		Message: fmt.Sprintf("more than %d pages: the list kept growing while it was read", MaxPages)}
}
