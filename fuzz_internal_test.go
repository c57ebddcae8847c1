package plezi

import (
	"encoding/json"
	"testing"
)

// FuzzDecodeEvent: decodeEvent never panics, accepts only JSON objects
// whose "event" is a string, and what it accepts survives a round trip.
func FuzzDecodeEvent(f *testing.F) {
	for _, s := range []string{
		`{"event":"chat","text":"hi"}`, `{"event":1}`, `  {"event":"x","_EID_":3}`,
		`{"event":"a"} {"event":"b"}`, `[]`, `not json`, `{"a":{"b":[1,2,{"c":null}]}}`, "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, ev, ok := decodeEvent(data)
		if !ok {
			return
		}
		if got, _ := msg["event"].(string); got != ev {
			t.Fatalf("event %q, message says %v", ev, msg["event"])
		}
		b, err := json.Marshal(msg)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if _, ev2, ok := decodeEvent(b); !ok || ev2 != ev {
			t.Fatalf("round trip of %s: %q %v", b, ev2, ok)
		}
	})
}

// FuzzValidID: validID accepts only short lowercase IDs, so a channel
// name built from one cannot be a pattern or another prefix's channel.
func FuzzValidID(f *testing.F) {
	for _, s := range []string{"0a1b2c3d4e5f-2n", "", "a*", "A", "x:y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !validID(s) {
			return
		}
		if len(s) == 0 || len(s) > maxIDLen {
			t.Fatalf("accepted %q", s)
		}
		for _, c := range []byte(s) {
			if c == '*' || c == '?' || c == '[' || c == ':' || c >= 0x80 {
				t.Fatalf("accepted %q", s)
			}
		}
	})
}

// FuzzReceive: any message, text or binary, goes through dispatch (or
// OnMessage) without a panic escaping, whatever the event methods do
// with it.
func FuzzReceive(f *testing.F) {
	f.Add([]byte(`{"event":"chat","_EID_":1}`), true)
	f.Add([]byte(`{"event":"other","x":[1]}`), true)
	f.Add([]byte(`{"event":"nope"}`), true)
	f.Add([]byte{0xff, 0}, false)
	ct, reason := analyze(&benchCtrl{})
	if reason != "" {
		f.Fatal(reason)
	}
	f.Fuzz(func(t *testing.T, data []byte, text bool) {
		inst := ct.newInstance()
		lc := &liveConn{app: &App{}, ct: ct, inst: inst, c: inst.(controllerBase).base()}
		lc.receive(data, text)
	})
}
