package wsflate

import (
	"bytes"
	"fmt"
	"testing"
)

// modes are the context-takeover combinations a connection can agree on.
var modes = []struct {
	name    string
	p       Params
	cfg     Config
	maxSize int // largest message TestRoundTrip sends (slow levels: less)
}{
	{"default", Params{ServerNoContextTakeover: true}, Config{}, 1 << 20},
	{"no-context", Params{ServerNoContextTakeover: true, ClientNoContextTakeover: true}, Config{ClientNoContextTakeover: true}, 1 << 20},
	{"takeover", Params{}, Config{ServerContextTakeover: true}, 1 << 20},
	{"takeover-window-15", Params{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}, Config{ServerContextTakeover: true}, 1 << 20},
	{"level9", Params{}, Config{ServerContextTakeover: true, Level: 9}, 64 << 10},
	{"huffman-only", Params{ServerNoContextTakeover: true}, Config{Level: -2}, 64 << 10},
}

func TestRoundTrip(t *testing.T) {
	sizes := []int{0, 1, 125, 126, 64 << 10, 1 << 20}
	for _, m := range modes {
		for _, fromServer := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/server=%v", m.name, fromServer), func(t *testing.T) {
				t.Parallel()
				pr := newPair(m.p, m.cfg, fromServer)
				defer pr.release()
				// Through the sizes and back, so that messages follow
				// messages of every size with the window carried over.
				for i, n := range append(sizes, sizes[:len(sizes)-1]...) {
					if n > m.maxSize {
						continue
					}
					msg := textMsg(n, uint64(i))
					if i%3 == 1 {
						msg = randomMsg(n, uint64(i))
					}
					roundTrip(t, pr, msg)
				}
			})
		}
	}
}

// TestRoundTripHuge sends a 16 MiB message from the server without
// context takeover and from the client with it, each followed by a small
// message that may refer back into it. The message repeats 4 KiB of text
// per 64 KiB so that DEFLATE runs fast under the race detector.
func TestRoundTripHuge(t *testing.T) {
	msg := make([]byte, 0, 16<<20)
	for i := range 256 {
		chunk := textMsg(4<<10, uint64(i))
		for range 16 {
			msg = append(msg, chunk...)
		}
	}
	for i, m := range modes[1:3] {
		fromServer := i == 0
		t.Run(fmt.Sprintf("%s/server=%v", m.name, fromServer), func(t *testing.T) {
			t.Parallel()
			pr := newPair(m.p, m.cfg, fromServer)
			defer pr.release()
			roundTrip(t, pr, msg)
			roundTrip(t, pr, msg[len(msg)-1000:])
		})
	}
}

// roundTrip compresses msg with pr.c, decompresses with pr.d into a
// non-empty dst and checks the result.
func roundTrip(t *testing.T, pr pair, msg []byte) []byte {
	t.Helper()
	payload := pr.c.Compress(nil, msg)
	if len(msg) == 0 && !bytes.Equal(payload, []byte{0}) {
		t.Fatalf("empty message compressed to %x, want 00 (RFC 7692 §7.2.3.6)", payload)
	}
	prefix := []byte("prefix")
	out, err := pr.d.Decompress(prefix, payload, len(msg))
	if err != nil {
		t.Fatalf("Decompress(%d-byte message, %d-byte payload): %v", len(msg), len(payload), err)
	}
	if !bytes.HasPrefix(out, prefix) || !bytes.Equal(out[len(prefix):], msg) {
		t.Fatalf("round trip of %d bytes gave %d bytes", len(msg), len(out)-len(prefix))
	}
	return payload
}

// TestCompressAppends checks that Compress appends to dst and leaves its
// content alone.
func TestCompressAppends(t *testing.T) {
	msg := textMsg(1000, 1)
	dst := append(make([]byte, 0, 4096), "header"...)
	out := CompressOnce(dst, msg, 0)
	if string(out[:6]) != "header" || &out[0] != &dst[:1][0] {
		t.Fatal("CompressOnce did not append in place")
	}
	got, err := NewDecompressor(Params{ServerNoContextTakeover: true}, false).Decompress(nil, out[6:], 1000)
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("Decompress = %d bytes, %v", len(got), err)
	}
}

// TestContextTakeoverShrinks asserts that a repeated message costs little
// with context takeover and as much as the first without it.
func TestContextTakeoverShrinks(t *testing.T) {
	msg := textMsg(2000, 5)
	for _, fromServer := range []bool{true, false} {
		t.Run(fmt.Sprint("server=", fromServer), func(t *testing.T) {
			with := newPair(Params{}, Config{ServerContextTakeover: true}, fromServer)
			defer with.release()
			if !with.c.ContextTakeover() || !with.d.ContextTakeover() {
				t.Fatal("context takeover not in effect")
			}
			first := len(roundTrip(t, with, msg))
			second := len(roundTrip(t, with, msg))
			if second*10 > first {
				t.Fatalf("with context takeover: first %d bytes, second %d; want second < first/10", first, second)
			}
			without := newPair(Params{ServerNoContextTakeover: true, ClientNoContextTakeover: true}, Config{ClientNoContextTakeover: true}, fromServer)
			defer without.release()
			if without.c.ContextTakeover() || without.d.ContextTakeover() {
				t.Fatal("context takeover in effect")
			}
			a, b := len(roundTrip(t, without, msg)), len(roundTrip(t, without, msg))
			if a != b || a != first {
				t.Fatalf("without context takeover: %d then %d bytes, want %d twice", a, b, first)
			}
			t.Logf("2000-byte message: %d bytes, repeated with context %d bytes", first, second)
		})
	}
}

// TestBroadcastIntoTakeoverReceiver checks that bytes from CompressOnce
// decode on a receiver that keeps context, between messages that use it:
// a shared broadcast frame is valid for every peer.
func TestBroadcastIntoTakeoverReceiver(t *testing.T) {
	d := NewDecompressor(Params{ServerNoContextTakeover: true}, false)
	defer d.Release()
	shared := CompressOnce(nil, textMsg(3000, 8), 0)
	for i := range 5 {
		out, err := d.Decompress(nil, shared, 1<<20)
		if err != nil || !bytes.Equal(out, textMsg(3000, 8)) {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	// The same receiver also accepts a sender that does keep context.
	c := NewCompressor(Params{}, Config{}, false)
	defer c.Release()
	d2 := NewDecompressor(Params{}, true)
	defer d2.Release()
	for i := range 4 {
		p := c.Compress(nil, textMsg(500, 1))
		if i%2 == 1 {
			p = CompressOnce(nil, textMsg(500, 1), 0)
		}
		out, err := d2.Decompress(nil, p, 1<<20)
		if err != nil || !bytes.Equal(out, textMsg(500, 1)) {
			t.Fatalf("message %d: %v", i, err)
		}
	}
}

// TestReleaseTwice checks that Release is idempotent and that a released
// compressor still produces valid messages (without context).
func TestReleaseTwice(t *testing.T) {
	pr := newPair(Params{}, Config{ServerContextTakeover: true}, true)
	roundTrip(t, pr, textMsg(300, 1))
	pr.c.Release()
	pr.c.Release()
	if pr.c.ContextTakeover() {
		t.Fatal("released compressor claims context takeover")
	}
	roundTrip(t, pr, textMsg(300, 1))
	pr.d.Release()
	pr.d.Release()
}

func TestShouldCompress(t *testing.T) {
	tests := []struct {
		threshold, n int
		want         bool
	}{
		{0, DefaultThreshold - 1, false},
		{0, DefaultThreshold, true},
		{-1, 0, true},
		{10, 9, false},
		{10, 10, true},
	}
	for _, tt := range tests {
		cfg := Config{Threshold: tt.threshold}
		if got := cfg.ShouldCompress(tt.n); got != tt.want {
			t.Errorf("Threshold %d: ShouldCompress(%d) = %v", tt.threshold, tt.n, got)
		}
		if got := NewCompressor(Params{}, cfg, true).ShouldCompress(tt.n); got != tt.want {
			t.Errorf("Threshold %d: Compressor.ShouldCompress(%d) = %v", tt.threshold, tt.n, got)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	for _, l := range []int{-2, -1, 0, 1, 5, 9} {
		if err := (Config{Level: l}).Validate(); err != nil {
			t.Errorf("level %d: %v", l, err)
		}
	}
	for _, l := range []int{-3, 10, 100} {
		if err := (Config{Level: l}).Validate(); err == nil {
			t.Errorf("level %d: no error", l)
		}
		// An invalid level still compresses (with DefaultLevel).
		pr := newPair(Params{}, Config{Level: l}, false)
		roundTrip(t, pr, textMsg(500, 2))
		pr.release()
	}
}

// TestSmallOwnWindow checks that a compressor given a window below 15 bits
// for its own side (which Negotiate and Accept never agree on) makes no
// back-reference: a decoder that knows only the message itself, and
// nothing older, still reads every message, and repeated text is not
// shortened by matches.
func TestSmallOwnWindow(t *testing.T) {
	for _, server := range []bool{true, false} {
		p := Params{ServerMaxWindowBits: 9, ClientMaxWindowBits: 9}
		c := NewCompressor(p, Config{ServerContextTakeover: true}, server)
		msg := bytes.Repeat([]byte("abcdefgh"), 200)
		payload := c.Compress(nil, msg)
		if len(payload) < len(msg)/3 {
			t.Fatalf("server=%v: %d bytes for %d: back-references used", server, len(payload), len(msg))
		}
		d := NewDecompressor(Params{ServerNoContextTakeover: true, ClientNoContextTakeover: true}, !server)
		if out, err := d.Decompress(nil, payload, len(msg)); err != nil || !bytes.Equal(out, msg) {
			t.Fatalf("server=%v: %v", server, err)
		}
		c.Release()
	}
}
