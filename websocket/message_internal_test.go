package websocket

import (
	"bytes"
	"testing"
)

// TestMessageEncodedOnce: the frame and the compressed frame are built
// once and shared.
func TestMessageEncodedOnce(t *testing.T) {
	m := NewMessage(true, bytes.Repeat([]byte("abc"), 100))
	h, err := parseHeader(m.frame[:headerSize(m.frame[1])])
	if err != nil || !h.fin || h.op != opText || h.masked || h.length != 300 {
		t.Fatalf("frame header %+v %v", h, err)
	}
	z1 := m.compressed(1)
	z2 := m.compressed(9)
	if &z1[0] != &z2[0] {
		t.Fatal("compressed frame built twice")
	}
	if z1[0] != 0x80|0x40|opText || len(z1) >= len(m.frame) {
		t.Fatalf("compressed frame %x... (%d bytes)", z1[:2], len(z1))
	}
}

// TestReaderReleasesBigBuffers: after a message over keepBuffer the
// reader holds no large buffer (an idle connection stays small).
func TestReaderReleasesBigBuffers(t *testing.T) {
	r := &reader{server: true, max: 1 << 20}
	rec := &recorder{}
	big := bytes.Repeat([]byte("b"), 100<<10)
	stream := join(rawFrame(false, 0, opBinary, big[:50<<10], true), rawFrame(true, 0, opContinuation, big[50<<10:], true))
	if err := r.feed(stream, rec); err != nil || len(rec.out) != 1 {
		t.Fatalf("%v %d", err, len(rec.out))
	}
	if cap(r.msg) > keepBuffer {
		t.Fatalf("reader keeps %d bytes after the message", cap(r.msg))
	}
	small := join(rawFrame(false, 0, opBinary, []byte("ab"), true), rawFrame(true, 0, opContinuation, []byte("c"), true))
	if err := r.feed(small, rec); err != nil || rec.out[1] != `bin:"abc"` {
		t.Fatalf("%v %q", err, rec.out)
	}
	if cap(r.msg) == 0 {
		t.Fatal("small buffer not kept for reuse")
	}
}
