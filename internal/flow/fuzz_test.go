package flow

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func FuzzParseCCC(f *testing.F) {
	f.Add(seedBytes(f))
	f.Add([]byte(seedNoLayout))
	f.Add([]byte(seedWith("再见", `"zzz"`, `,"n":1.0,"big":12345678901234567890e-3,"o":{"k":[null,true,"\u2028"]}`)))
	f.Add([]byte(`{"activities":[{"id":"x","type":"A","nodeIndex":1e2},{"id":"x","type":"B"}],"extra":{"activities":1}}`))
	f.Add([]byte(`{"activities":[{"id":"m","events":[{"event":"1","next":"m","edgeId":"e","cond":{}}],"color":"red"}],"description":null}`))
	f.Add([]byte(`{"activities":{"id":"a"},"description":7}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"activities":[`))

	f.Fuzz(func(t *testing.T, raw []byte) {
		d, err := ParseCCC(raw)
		if err != nil {
			if _, ok := err.(*ValidationError); !ok {
				t.Fatalf("error is %T, want *ValidationError: %v", err, err)
			}
			return
		}
		canon := d.Canonical()
		if !json.Valid(canon) {
			t.Fatalf("Canonical is not valid JSON: %q", canon)
		}
		full := d.JSON()
		if !json.Valid(full) {
			t.Fatalf("JSON is not valid JSON: %q", full)
		}
		_ = d.Validate()

		d2, err := ParseCCC(full)
		if err != nil {
			t.Fatalf("ParseCCC(JSON()) failed: %v\nJSON: %s", err, full)
		}
		if d.Hash() != d2.Hash() {
			t.Fatalf("hash changed across JSON round trip\nbefore: %s\nafter:  %s", canon, d2.Canonical())
		}
		if diff := cmp.Diff(d, d2); diff != "" {
			t.Fatalf("JSON round trip changed the definition (-before +after):\n%s", diff)
		}
		// Canonical is itself a definition with the same content.
		d3, err := ParseCCC(canon)
		if err != nil {
			t.Fatalf("ParseCCC(Canonical()) failed: %v", err)
		}
		if d.Hash() != d3.Hash() {
			t.Fatalf("Canonical is not a fixed point\nbefore: %s\nafter:  %s", canon, d3.Canonical())
		}
		if diff := DiffCCC(d, d); !diff.Empty() {
			t.Fatalf("DiffCCC(d, d) not empty: %s", diff)
		}
		if diff := DiffCCC(d, d3); !diff.Empty() {
			t.Fatalf("DiffCCC(d, canonical(d)) not empty: %s", diff)
		}
		if got := d.WithLayoutFrom(d3); got.Hash() != d.Hash() {
			t.Fatalf("WithLayoutFrom changed the content hash")
		}
	})
}
