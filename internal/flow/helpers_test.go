package flow

import (
	"os"
	"testing"
)

func ptr[T any](v T) *T { return &v }

func mustParse(t testing.TB, s string) *CCCDefinition {
	t.Helper()
	d, err := ParseCCC([]byte(s))
	if err != nil {
		t.Fatalf("ParseCCC(%s): %v", s, err)
	}
	return d
}

func seedBytes(t testing.TB) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/ccc_seed.json")
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// seedNoLayout is the seed definition with all layout removed and activities reordered.
const seedNoLayout = `{"description":"","activities":[
 {"type":"PLAY_SAY","id":"2d3ad2c2","name":"放音","properties":{"say":"您好,欢迎来到云联络中心。","audioResourceId":"","audioType":"tts","audioInterrupt":false},"events":[{"event":"complete","next":"bd4f37e2"}]},
 {"type":"INCOMING_CALL","id":"e98f0d47","name":"开始","properties":{},"events":[{"event":"complete","next":"2d3ad2c2"}]},
 {"type":"HANGUP","id":"bd4f37e2","name":"挂机","properties":{},"events":[{"event":"complete","next":null}]}
]}`

// seedWith returns the seed definition with PLAY_SAY's say text, its next, and its extra
// properties replaced; it keeps the test tables short.
func seedWith(say, next, extraProps string) string {
	return `{"description":"","activities":[
 {"type":"INCOMING_CALL","id":"e98f0d47","name":"开始","properties":{"position":{"x":263,"y":164}},"events":[{"event":"complete","next":"2d3ad2c2","edgeId":"41f7dbd0"}],"nodeIndex":0},
 {"type":"HANGUP","id":"bd4f37e2","name":"挂机","properties":{"position":{"x":765,"y":185}},"events":[{"event":"complete","next":null}],"nodeIndex":999},
 {"type":"PLAY_SAY","id":"2d3ad2c2","name":"放音","properties":{"say":"` + say + `"` + extraProps + `,"position":{"x":485.5,"y":153.5}},"events":[{"event":"complete","next":` + next + `,"edgeId":"e1af4f1f"}],"nodeIndex":1}
]}`
}
