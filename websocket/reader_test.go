package websocket

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// rawFrame builds a frame; masked frames use a fixed key.
func rawFrame(fin bool, rsv, op byte, payload []byte, masked bool) []byte {
	var b []byte
	b0 := op | rsv<<4
	if fin {
		b0 |= 0x80
	}
	b = appendHeader(b, false, false, 0, len(payload), masked, 0x78563412)
	b[0] = b0
	start := len(b)
	b = append(b, payload...)
	if masked {
		maskBytes(0x78563412, 0, b[start:])
	}
	return b
}

// recorder is a sink that writes what it gets as lines.
type recorder struct{ out []string }

func (r *recorder) message(text bool, data []byte) error {
	kind := "bin"
	if text {
		kind = "text"
	}
	r.out = append(r.out, fmt.Sprintf("%s:%q", kind, data))
	return nil
}

func (r *recorder) control(op byte, p []byte) error {
	r.out = append(r.out, fmt.Sprintf("ctrl%d:%q", op, p))
	if op == opClose {
		return errStopped
	}
	return nil
}

var errStopped = errors.New("close seen")

func parseAll(server bool, max int, chunks ...[]byte) ([]string, error) {
	r := &reader{server: server, max: max}
	rec := &recorder{}
	for _, c := range chunks {
		if err := r.feed(c, rec); err != nil {
			return rec.out, err
		}
	}
	return rec.out, nil
}

func join(bs ...[]byte) []byte { return bytes.Join(bs, nil) }

func TestMaskMatchesBytewise(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 0; n < 100; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		key := [4]byte{1, 2, 3, 4}
		for pos := 0; pos < 4; pos++ {
			want := bytes.Clone(b)
			for i := range want {
				want[i] ^= key[(pos+i)&3]
			}
			got := bytes.Clone(b)
			next := maskBytes(0x04030201, pos, got)
			if !bytes.Equal(got, want) || next != (pos+n)&3 {
				t.Fatalf("n=%d pos=%d: mask mismatch", n, pos)
			}
		}
	}
}

func TestHeaderRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 125, 126, 65535, 65536, 1 << 24} {
		for _, masked := range []bool{false, true} {
			b := appendHeader(nil, true, true, opBinary, n, masked, 0xdeadbeef)
			if len(b) != headerSize(b[1]) || len(b)+n != frameSize(n, masked) {
				t.Fatalf("n=%d: header size %d", n, len(b))
			}
			h, err := parseHeader(b)
			if err != nil || !h.fin || h.rsv != 4 || h.op != opBinary || h.length != int64(n) || h.masked != masked {
				t.Fatalf("n=%d: got %+v, %v", n, h, err)
			}
			if masked && h.mask != 0xdeadbeef {
				t.Fatalf("mask %x", h.mask)
			}
		}
	}
}

// TestReaderSplitAnywhere: a stream of frames split at every pair of
// boundaries parses exactly like the whole stream.
func TestReaderSplitAnywhere(t *testing.T) {
	stream := join(
		rawFrame(true, 0, opText, []byte("hello"), true),
		rawFrame(false, 0, opBinary, []byte("ab"), true),
		rawFrame(true, 0, opPing, []byte("p"), true),
		rawFrame(false, 0, opContinuation, bytes.Repeat([]byte("c"), 200), true),
		rawFrame(true, 0, opContinuation, nil, true),
		rawFrame(true, 0, opText, []byte("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"), true),
		rawFrame(true, 0, opText, bytes.Repeat([]byte("x"), 300), true),
		rawFrame(true, 0, opBinary, bytes.Repeat([]byte("y"), 700), true),
		rawFrame(true, 0, opClose, []byte{3, 232, 'o', 'k'}, true),
	)
	want, err := parseAll(true, 1<<20, bytes.Clone(stream))
	if err != errStopped || len(want) != 7 {
		t.Fatalf("whole stream: %v %q", err, want)
	}
	for i := 0; i < len(stream); i += 11 {
		for j := i; j < len(stream); j += 17 {
			s := bytes.Clone(stream)
			got, err := parseAll(true, 1<<20, s[:i], s[i:j], s[j:])
			if err != errStopped || strings.Join(got, "|") != strings.Join(want, "|") {
				t.Fatalf("split %d,%d: %v %q", i, j, err, got)
			}
		}
	}
}

// TestReaderRandomSplits: large frames cut into random pieces.
func TestReaderRandomSplits(t *testing.T) {
	stream := join(
		rawFrame(true, 0, opBinary, bytes.Repeat([]byte("y"), 70000), true),
		rawFrame(false, 0, opText, bytes.Repeat([]byte("\u20ac"), 30000), true),
		rawFrame(true, 0, opContinuation, bytes.Repeat([]byte("z"), 1<<17), true),
	)
	want, err := parseAll(true, 1<<20, bytes.Clone(stream))
	if err != nil || len(want) != 2 {
		t.Fatalf("%v %d", err, len(want))
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for range 15 {
		s := bytes.Clone(stream)
		var chunks [][]byte
		for len(s) > 0 {
			n := min(len(s), 1+rng.IntN(20000))
			chunks = append(chunks, s[:n])
			s = s[n:]
		}
		got, err := parseAll(true, 1<<20, chunks...)
		if err != nil || strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("%v", err)
		}
	}
}

func TestReaderByteByByte(t *testing.T) {
	stream := join(
		rawFrame(false, 0, opText, []byte("h\xc3"), true),
		rawFrame(true, 0, opContinuation, []byte("\xa9!"), true),
	)
	var chunks [][]byte
	for i := range stream {
		chunks = append(chunks, stream[i:i+1])
	}
	got, err := parseAll(true, 100, chunks...)
	if err != nil || len(got) != 1 || got[0] != `text:"hé!"` {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestReaderViolations(t *testing.T) {
	long := bytes.Repeat([]byte("a"), 126)
	cases := []struct {
		name   string
		server bool
		in     []byte
		code   int
	}{
		{"unmasked client frame", true, rawFrame(true, 0, opText, []byte("a"), false), 1002},
		{"masked server frame", false, rawFrame(true, 0, opText, []byte("a"), true), 1002},
		{"rsv1 without extension", true, rawFrame(true, 4, opText, []byte("a"), true), 1002},
		{"rsv2", true, rawFrame(true, 2, opBinary, nil, true), 1002},
		{"rsv3 on ping", true, rawFrame(true, 1, opPing, nil, true), 1002},
		{"opcode 3", true, rawFrame(true, 0, 3, nil, true), 1002},
		{"opcode 11", true, rawFrame(true, 0, 11, nil, true), 1002},
		{"long ping", true, rawFrame(true, 0, opPing, long, true), 1002},
		{"fragmented ping", true, rawFrame(false, 0, opPing, nil, true), 1002},
		{"lone continuation", true, rawFrame(true, 0, opContinuation, []byte("a"), true), 1002},
		{"text inside fragments", true, join(rawFrame(false, 0, opText, []byte("a"), true), rawFrame(true, 0, opText, []byte("b"), true)), 1002},
		{"invalid utf8", true, rawFrame(true, 0, opText, []byte{0xce, 0xba, 0xff}, true), 1007},
		{"truncated utf8", true, rawFrame(true, 0, opText, []byte{0xce}, true), 1007},
		{"surrogate", true, rawFrame(true, 0, opText, []byte{0xed, 0xa0, 0x80}, true), 1007},
		{"too big", true, rawFrame(true, 0, opBinary, make([]byte, 101), true), 1009},
		{"too big in fragments", true, join(rawFrame(false, 0, opBinary, make([]byte, 60), true), rawFrame(true, 0, opContinuation, make([]byte, 60), true)), 1009},
		{"64-bit length high bit", true, []byte{0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0}, 1002},
	}
	for _, tc := range cases {
		_, err := parseAll(tc.server, 100, tc.in)
		var ce *CloseError
		if !errors.As(err, &ce) || ce.Code != tc.code {
			t.Errorf("%s: got %v, want close %d", tc.name, err, tc.code)
		}
	}
}

// TestReaderFailFast: invalid UTF-8 is caught in the frame (even the
// part of a frame) it arrives in, before the message ends (Autobahn 6.4.x).
func TestReaderFailFast(t *testing.T) {
	r := &reader{server: true, max: 1 << 20}
	rec := &recorder{}
	if err := r.feed(rawFrame(false, 0, opText, []byte("\xce\xba\xe1\xbd\xb9"), true), rec); err != nil {
		t.Fatal(err)
	}
	f := rawFrame(false, 0, opContinuation, []byte("\xf4\x90\x80\x80more"), true)
	if err := r.feed(f[:8], rec); !errors.Is(err, errInvalidUTF8) {
		t.Fatalf("got %v, want 1007 on the bad prefix", err)
	}
}

func TestUTF8Incremental(t *testing.T) {
	texts := []string{"", "abc", "κόσμε", "\U0010FFFF", "a\u00e9\u20ac\U0001F600z", "\xed\x9f\xbf", "\xee\x80\x80"}
	bad := []string{"\xc0\xaf", "\xe0\x80\xaf", "\xf4\x90\x80\x80", "\xed\xa0\x80", "\xff", "\x80", "\xf8\x88\x80\x80\x80"}
	for _, s := range append(texts, bad...) {
		want := strings.ToValidUTF8(s, "\uFFFD") == s
		for cut := 0; cut <= len(s); cut++ {
			var st utf8State
			ok := st.feed([]byte(s[:cut])) && st.feed([]byte(s[cut:])) && st.done()
			if ok != want {
				t.Fatalf("%q cut %d: got %v want %v", s, cut, ok, want)
			}
		}
	}
}

func TestParseClose(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		code int
		err  bool
	}{
		{nil, 1005, false},
		{[]byte{3, 232}, 1000, false},
		{[]byte{3, 232, 'h', 'i'}, 1000, false},
		{[]byte{3}, 0, true},
		{[]byte{3, 237}, 0, true}, // 1005
		{[]byte{3, 238}, 0, true}, // 1006
		{[]byte{3, 236}, 0, true}, // 1004
		{[]byte{11, 184}, 3000, false},
		{[]byte{19, 135}, 4999, false},
		{[]byte{19, 136}, 0, true}, // 5000
		{[]byte{3, 232, 0xff}, 0, true},
	} {
		code, _, err := parseClose(tc.in)
		if (err != nil) != tc.err || (!tc.err && code != tc.code) {
			t.Errorf("%v: got %d %v", tc.in, code, err)
		}
	}
}
