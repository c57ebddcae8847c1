package websocket

import (
	"bytes"
	"testing"
)

// nopSink counts messages.
type nopSink struct{ n int }

func (s *nopSink) message(text bool, data []byte) error { s.n += len(data); return nil }
func (s *nopSink) control(op byte, p []byte) error      { return nil }

// BenchmarkReadSmallFrames parses and unmasks 64 client frames of 32 bytes
// (text, UTF-8 checked) per iteration: it must not allocate.
func BenchmarkReadSmallFrames(b *testing.B) {
	var stream []byte
	for i := 0; i < 64; i++ {
		stream = append(stream, rawFrame(true, 0, opText, []byte("{\"event\":\"chat\",\"msg\":\"hello!\"}"), true)...)
	}
	buf := make([]byte, len(stream))
	r := &reader{server: true, max: 1 << 20}
	s := &nopSink{}
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		copy(buf, stream) // the reader unmasks in place
		if err := r.feed(buf, s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnmask unmasks 4 KiB.
func BenchmarkUnmask(b *testing.B) {
	buf := make([]byte, 4096)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		maskBytes(0x12345678, 1, buf)
	}
}

// BenchmarkEncode encodes a 32-byte server frame into a reused buffer.
func BenchmarkEncode(b *testing.B) {
	c := &Conn{server: true}
	payload := []byte("{\"event\":\"chat\",\"msg\":\"hello!\"}")
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf = c.appendFrame(buf[:0], opText, false, payload)
	}
}

// BenchmarkEncodeMasked is the client's encoding (random key, masking).
func BenchmarkEncodeMasked(b *testing.B) {
	c := &Conn{}
	payload := bytes.Repeat([]byte("x"), 1024)
	buf := make([]byte, 0, 2048)
	b.SetBytes(1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = c.appendFrame(buf[:0], opBinary, false, payload)
	}
}

// echoSink answers each message with a server frame, as an echo handler
// does, into out (the socket stand-in).
type echoSink struct {
	c   *Conn
	out []byte
}

func (s *echoSink) message(text bool, data []byte) error {
	s.out = s.c.appendFrame(s.out, opText, false, data)
	return nil
}
func (s *echoSink) control(op byte, p []byte) error { return nil }

// BenchmarkEcho runs the protocol's message path without sockets: parse,
// unmask, validate, then encode the answer.
func BenchmarkEcho(b *testing.B) {
	frame := rawFrame(true, 0, opText, []byte("{\"event\":\"chat\",\"msg\":\"hello!\"}"), true)
	buf := make([]byte, len(frame))
	r := &reader{server: true, max: 1 << 20}
	s := &echoSink{c: &Conn{server: true}, out: make([]byte, 0, 128)}
	b.ReportAllocs()
	for b.Loop() {
		copy(buf, frame)
		s.out = s.out[:0]
		if err := r.feed(buf, s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewMessage is the once-per-broadcast encoding.
func BenchmarkNewMessage(b *testing.B) {
	payload := bytes.Repeat([]byte("x"), 256)
	b.ReportAllocs()
	for b.Loop() {
		NewMessage(true, payload)
	}
}
