package flow

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// JSON renders the whole definition, layout included, in the form the platform accepts.
//
// The output is compact, object keys are sorted at every level and activities keep their slice
// order, so the same definition always yields the same bytes (stable requests, readable diffs in
// logs). Numbers keep their original text. An event's "next" is always present (null when the
// flow ends), "edgeId" and "nodeIndex" only when set. A nil receiver renders an empty definition.
// Parsing the result with ParseCCC gives back an equal definition.
func (d *CCCDefinition) JSON() []byte {
	return render(d, false)
}

// Canonical returns the canonical JSON of the definition's content, the basis of Hash.
//
// Layout (properties.position, nodeIndex, events[].edgeId) is dropped; activities are sorted by
// id (ties, which only an invalid definition has, by their canonical bytes); object keys are
// sorted; numbers are rewritten in one normal form so that 1, 1.0 and 1e0 are the same; events
// keep their order because it is meaningful. Two definitions that behave the same on the
// platform but differ only in layout or formatting have identical Canonical output.
// A nil receiver is treated as an empty definition.
func (d *CCCDefinition) Canonical() []byte {
	return render(d, true)
}

// Hash is the lowercase hex SHA-256 of Canonical. It is meant to be stored (for example in a
// status field) to notice drift cheaply; layout-only edits never change it.
func (d *CCCDefinition) Hash() string {
	sum := sha256.Sum256(d.Canonical())
	return hex.EncodeToString(sum[:])
}

// rawJSON is already-encoded JSON spliced into a larger document.
type rawJSON []byte

func render(d *CCCDefinition, canonical bool) []byte {
	if d == nil {
		d = &CCCDefinition{}
	}
	acts := make([][]byte, 0, len(d.Activities))
	ids := make([]string, 0, len(d.Activities))
	for _, a := range d.Activities {
		acts = append(acts, encode(activityObject(a, canonical), canonical))
		ids = append(ids, a.ID)
	}
	if canonical {
		idx := make([]int, len(acts))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(i, j int) bool {
			a, b := idx[i], idx[j]
			if ids[a] != ids[b] {
				return ids[a] < ids[b]
			}
			return bytes.Compare(acts[a], acts[b]) < 0
		})
		sorted := make([][]byte, len(acts))
		for i, k := range idx {
			sorted[i] = acts[k]
		}
		acts = sorted
	}
	var list bytes.Buffer
	list.WriteByte('[')
	for i, a := range acts {
		if i > 0 {
			list.WriteByte(',')
		}
		list.Write(a)
	}
	list.WriteByte(']')

	top := withExtra(d.Extra, definitionKeys)
	top["activities"] = rawJSON(list.Bytes())
	top["description"] = d.Description
	return encode(top, canonical)
}

func activityObject(a Activity, canonical bool) map[string]any {
	m := withExtra(a.Extra, activityKeys)
	m["type"] = a.Type
	m["id"] = a.ID
	m["name"] = a.Name
	props := make(map[string]any, len(a.Properties))
	for k, v := range a.Properties {
		if canonical && k == keyPosition {
			continue
		}
		props[k] = v
	}
	m["properties"] = props
	events := make([]any, 0, len(a.Events))
	for _, e := range a.Events {
		em := withExtra(e.Extra, eventKeys)
		em["event"] = e.Event
		if e.Next != nil {
			em["next"] = *e.Next
		} else {
			em["next"] = nil
		}
		if !canonical && e.EdgeID != "" {
			em["edgeId"] = e.EdgeID
		}
		events = append(events, em)
	}
	m["events"] = events
	if !canonical && a.NodeIndex != nil {
		m["nodeIndex"] = *a.NodeIndex
	}
	return m
}

// withExtra copies extra without the reserved keys, so a stray Extra entry can never shadow or
// duplicate a modelled field.
func withExtra(extra map[string]any, reserved map[string]bool) map[string]any {
	m := make(map[string]any, len(extra)+len(reserved))
	for k, v := range extra {
		if !reserved[k] {
			m[k] = v
		}
	}
	return m
}

func encode(v any, canonical bool) []byte {
	e := encoder{canonical: canonical}
	e.value(v)
	return e.buf.Bytes()
}

// encoder writes JSON with sorted object keys. It exists (instead of encoding/json) to control
// number normalisation and to keep non-ASCII text and <, >, & unescaped, which keeps the
// platform's Chinese prompts readable in rendered definitions.
type encoder struct {
	buf       bytes.Buffer
	canonical bool
}

func (e *encoder) value(v any) {
	switch x := v.(type) {
	case nil:
		e.buf.WriteString("null")
	case rawJSON:
		e.buf.Write(x)
	case bool:
		e.buf.WriteString(strconv.FormatBool(x))
	case string:
		writeString(&e.buf, x)
	case json.Number:
		e.number(string(x))
	case float64:
		e.float(x, 64)
	case float32:
		e.float(float64(x), 32)
	case int:
		e.number(strconv.FormatInt(int64(x), 10))
	case int8:
		e.number(strconv.FormatInt(int64(x), 10))
	case int16:
		e.number(strconv.FormatInt(int64(x), 10))
	case int32:
		e.number(strconv.FormatInt(int64(x), 10))
	case int64:
		e.number(strconv.FormatInt(x, 10))
	case uint:
		e.number(strconv.FormatUint(uint64(x), 10))
	case uint8:
		e.number(strconv.FormatUint(uint64(x), 10))
	case uint16:
		e.number(strconv.FormatUint(uint64(x), 10))
	case uint32:
		e.number(strconv.FormatUint(uint64(x), 10))
	case uint64:
		e.number(strconv.FormatUint(x, 10))
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		e.buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				e.buf.WriteByte(',')
			}
			writeString(&e.buf, k)
			e.buf.WriteByte(':')
			e.value(x[k])
		}
		e.buf.WriteByte('}')
	case []any:
		e.buf.WriteByte('[')
		for i, item := range x {
			if i > 0 {
				e.buf.WriteByte(',')
			}
			e.value(item)
		}
		e.buf.WriteByte(']')
	default:
		e.value(generic(v))
	}
}

// number writes a JSON number. Text that is not a valid JSON number (only possible in a
// hand-built json.Number) is written as a string so the output stays valid JSON.
func (e *encoder) number(s string) {
	dec, ok := parseDecimal(s)
	switch {
	case !ok:
		writeString(&e.buf, s)
	case e.canonical:
		e.buf.WriteString(dec.String())
	default:
		e.buf.WriteString(s)
	}
}

func (e *encoder) float(f float64, bits int) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		// JSON has no spelling for these; a string keeps the output valid and deterministic.
		writeString(&e.buf, strconv.FormatFloat(f, 'g', -1, bits))
		return
	}
	e.number(strconv.FormatFloat(f, 'g', -1, bits))
}

// generic converts a value of any other Go type into the shapes encoding/json produces with
// UseNumber, so that hand-built definitions render and compare like parsed ones.
func generic(v any) any {
	switch v.(type) {
	case nil, bool, string, json.Number, map[string]any, []any:
		return v
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return fmt.Sprint(v)
	}
	return out
}

func writeString(buf *bytes.Buffer, s string) {
	const hexDigits = "0123456789abcdef"
	buf.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '"':
			buf.WriteString(`\"`)
		case r == '\\':
			buf.WriteString(`\\`)
		case r == '\n':
			buf.WriteString(`\n`)
		case r == '\r':
			buf.WriteString(`\r`)
		case r == '\t':
			buf.WriteString(`\t`)
		case r < 0x20 || r == '\u2028' || r == '\u2029':
			// U+2028/2029 are escaped because some JavaScript consumers treat them as newlines.
			buf.WriteString(`\u`)
			buf.WriteByte(hexDigits[r>>12&0xf])
			buf.WriteByte(hexDigits[r>>8&0xf])
			buf.WriteByte(hexDigits[r>>4&0xf])
			buf.WriteByte(hexDigits[r&0xf])
		case r == utf8.RuneError && size == 1:
			// Invalid UTF-8 becomes U+FFFD, as encoding/json does when decoding.
			buf.WriteString("\ufffd")
		default:
			buf.WriteRune(r)
		}
	}
	buf.WriteByte('"')
}

// decimal is an exact JSON number: (-1)^neg × digits × 10^exp, where digits has no leading or
// trailing zeros. Zero is digits == "" (and never negative). Exact decimals, rather than
// float64, keep large integers and long fractions distinct when comparing.
type decimal struct {
	neg    bool
	digits string
	exp    *big.Int
}

// parseDecimal parses text following the JSON number grammar, tolerating a '+' in the exponent
// (which strconv emits) and nothing else.
func parseDecimal(s string) (decimal, bool) {
	i := 0
	neg := false
	if i < len(s) && s[i] == '-' {
		neg = true
		i++
	}
	start := i
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		return decimal{}, false
	}
	intPart := s[start:i]
	frac := ""
	if i < len(s) && s[i] == '.' {
		i++
		fs := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == fs {
			return decimal{}, false
		}
		frac = s[fs:i]
	}
	exp := new(big.Int)
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		es := i
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		ds := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == ds {
			return decimal{}, false
		}
		if _, ok := exp.SetString(s[es:i], 10); !ok {
			return decimal{}, false
		}
	}
	if i != len(s) {
		return decimal{}, false
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	exp.Sub(exp, big.NewInt(int64(len(frac))))
	trimmed := strings.TrimRight(digits, "0")
	if trimmed == "" {
		return decimal{exp: new(big.Int)}, true
	}
	exp.Add(exp, big.NewInt(int64(len(digits)-len(trimmed))))
	return decimal{neg: neg, digits: trimmed, exp: exp}, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func zeros(n int) string { return strings.Repeat("0", n) }

// String renders the normal form: plain integers up to 21 digits, plain decimals down to 1e-6,
// scientific notation ("1.5e30", "1e-7") otherwise — the same thresholds JavaScript uses, so the
// form looks familiar to anyone reading a console export.
func (d decimal) String() string {
	if d.digits == "" {
		return "0"
	}
	n := len(d.digits)
	point := new(big.Int).Add(d.exp, big.NewInt(int64(n))) // value = 0.digits × 10^point
	var b strings.Builder
	if d.neg {
		b.WriteByte('-')
	}
	switch {
	case d.exp.Sign() >= 0 && point.Cmp(big.NewInt(21)) <= 0:
		b.WriteString(d.digits)
		b.WriteString(zeros(int(d.exp.Int64())))
	case d.exp.Sign() < 0 && point.Sign() > 0:
		p := int(point.Int64())
		b.WriteString(d.digits[:p])
		b.WriteByte('.')
		b.WriteString(d.digits[p:])
	case d.exp.Sign() < 0 && point.Cmp(big.NewInt(-6)) > 0:
		b.WriteString("0.")
		b.WriteString(zeros(int(-point.Int64())))
		b.WriteString(d.digits)
	default:
		b.WriteByte(d.digits[0])
		if n > 1 {
			b.WriteByte('.')
			b.WriteString(d.digits[1:])
		}
		b.WriteByte('e')
		b.WriteString(new(big.Int).Sub(point, big.NewInt(1)).String())
	}
	return b.String()
}
