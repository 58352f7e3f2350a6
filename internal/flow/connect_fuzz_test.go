package flow_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	emuconnect "github.com/contactflow-operator/contactflow-operator/internal/emulator/connect"
	"github.com/contactflow-operator/contactflow-operator/internal/flow"
)

// emulatorKeys are the keys the emulator's publishing check reads. encoding/json matches struct
// fields case-insensitively, so a key that only folds to one of these ("nextaction") is read by
// the emulator although it is an unknown key to the flow language and to this package.
var emulatorKeys = []string{"Version", "StartAction", "Actions", "Identifier", "Type", "Transitions",
	"NextAction", "Errors", "ErrorType", "Conditions"}

// hasFoldedAlias reports whether v contains, at any depth, an object key that is not one of
// emulatorKeys but matches one case-insensitively.
func hasFoldedAlias(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, item := range x {
			for _, want := range emulatorKeys {
				if k != want && strings.EqualFold(k, want) {
					return true
				}
			}
			if hasFoldedAlias(item) {
				return true
			}
		}
	case []any:
		for _, item := range x {
			if hasFoldedAlias(item) {
				return true
			}
		}
	}
	return false
}

func FuzzParseConnect(f *testing.F) {
	// Seeds stay small: an input that finds new coverage is minimised, which for a document of
	// several kilobytes takes longer than a short fuzzing run. The full sample is checked by
	// TestConnectSample and TestConnectValidateAgreesWithEmulator.
	f.Add([]byte(connectSmall))
	f.Add([]byte(connectSmallMoved))
	f.Add([]byte(`{"Version":"2019-10-30","StartAction":"x","Actions":[{"Identifier":"x","Type":"A","Transitions":{"NextAction":"x"}},{"Identifier":"x","Type":"B"}],"Settings":{"Actions":1}}`))
	f.Add([]byte(`{"Actions":[{"Identifier":"m","Parameters":{"n":1e400,"o":[null,true,"\u2028"]},"Transitions":{"Errors":[{"NextAction":null,"ErrorType":null}],"Conditions":[{"NextAction":""}]},"Color":"red"}],"Metadata":null}`))
	f.Add([]byte(`{"Actions":{"Identifier":"a"},"Version":7,"Metadata":[]}`))
	f.Add([]byte(`{"Actions":[{"Transitions":{"Errors":{},"Conditions":[1]}}]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"Actions":[`))

	f.Fuzz(func(t *testing.T, raw []byte) {
		d, err := flow.ParseConnect(raw)
		if err != nil {
			var verr *flow.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("error is %T, want *flow.ValidationError: %v", err, err)
			}
			return
		}
		full := d.JSON()
		if !json.Valid(full) {
			t.Fatalf("JSON is not valid JSON: %q", full)
		}
		canon := d.Canonical()
		if !json.Valid(canon) {
			t.Fatalf("Canonical is not valid JSON: %q", canon)
		}
		verr := d.Validate()

		d2, err := flow.ParseConnect(full)
		if err != nil {
			t.Fatalf("ParseConnect(JSON()) failed: %v\nJSON: %s", err, full)
		}
		if d.Hash() != d2.Hash() {
			t.Fatalf("hash changed across JSON round trip\nbefore: %s\nafter:  %s", canon, d2.Canonical())
		}
		// reflect.DeepEqual first: cmp.Diff is slow enough to stall input minimisation.
		if !reflect.DeepEqual(d, d2) {
			t.Fatalf("JSON round trip changed the definition (-before +after):\n%s", cmp.Diff(d, d2))
		}
		if string(d2.JSON()) != string(full) {
			t.Fatalf("JSON is not stable across a round trip\nfirst:  %s\nsecond: %s", full, d2.JSON())
		}
		d3, err := flow.ParseConnect(canon)
		if err != nil {
			t.Fatalf("ParseConnect(Canonical()) failed: %v", err)
		}
		if d.Hash() != d3.Hash() {
			t.Fatalf("Canonical is not a fixed point\nbefore: %s\nafter:  %s", canon, d3.Canonical())
		}
		if diff := flow.DiffConnect(d, d); !diff.Empty() {
			t.Fatalf("DiffConnect(d, d) not empty: %s", diff)
		}
		if diff := flow.DiffConnect(d, d3); !diff.Empty() {
			t.Fatalf("DiffConnect(d, canonical(d)) not empty: %s", diff)
		}
		if flow.DiffConnect(d, nil).Empty() != (d.Hash() == (*flow.ConnectDefinition)(nil).Hash()) {
			t.Fatalf("DiffConnect(d, nil) disagrees with the hashes")
		}
		if got := d3.WithLayoutFrom(d); got.Hash() != d.Hash() {
			t.Fatalf("WithLayoutFrom changed the content hash")
		}
		if got := flow.ContentSha256(full); got != emuconnect.ContentSha256(string(full)) {
			t.Fatalf("ContentSha256 disagrees with the emulator for %s", full)
		}

		// Content this package accepts is content the platform publishes. (The converse does not
		// hold: Validate also rejects unreachable actions.)
		if verr == nil {
			var generic any
			if err := json.Unmarshal(full, &generic); err != nil {
				t.Fatal(err)
			}
			if !hasFoldedAlias(generic) {
				if problems := emuconnect.ValidateContent(string(full)); problems != nil {
					t.Fatalf("Validate accepts what the emulator rejects: %q\ncontent: %s", problems, full)
				}
			}
		}
	})
}
