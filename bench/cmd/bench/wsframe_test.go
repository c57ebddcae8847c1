//go:build linux

package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

func TestAcceptKey(t *testing.T) {
	// The example of RFC 6455 section 1.3.
	if got, want := acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="; got != want {
		t.Fatalf("acceptKey = %q, want %q", got, want)
	}
}

func TestParseHeader(t *testing.T) {
	long := []byte{0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0}
	tests := []struct {
		name string
		in   []byte
		ok   bool
		want frameHeader
		err  error
	}{
		{"empty", nil, false, frameHeader{}, nil},
		{"one byte", []byte{0x81}, false, frameHeader{}, nil},
		{"text 5", []byte{0x81, 5}, true, frameHeader{fin: true, opcode: opText, hlen: 2, plen: 5}, nil},
		{"binary 0", []byte{0x82, 0}, true, frameHeader{fin: true, opcode: opBinary, hlen: 2}, nil},
		{"continuation", []byte{0x00, 3}, true, frameHeader{hlen: 2, plen: 3}, nil},
		{"16-bit partial", []byte{0x82, 126, 1}, false, frameHeader{}, nil},
		{"16-bit", []byte{0x82, 126, 1, 0}, true, frameHeader{fin: true, opcode: opBinary, hlen: 4, plen: 256}, nil},
		{"64-bit partial", long[:9], false, frameHeader{}, nil},
		{"64-bit", long, true, frameHeader{fin: true, opcode: opBinary, hlen: 10, plen: 65536}, nil},
		{"too large", []byte{0x82, 127, 0, 0, 0, 0, 0, 1, 0, 1}, false, frameHeader{}, errFrameTooLarge},
		{"huge length", []byte{0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0}, false, frameHeader{}, errFrameTooLarge},
		{"masked", []byte{0x81, 0x85}, false, frameHeader{}, errMaskedFrame},
		{"rsv1 (deflate)", []byte{0xC1, 5}, false, frameHeader{}, errReservedBits},
		{"opcode 3", []byte{0x83, 0}, false, frameHeader{}, errBadOpcode},
		{"ping 125", []byte{0x89, 125}, true, frameHeader{fin: true, opcode: opPing, hlen: 2, plen: 125}, nil},
		{"ping 126", []byte{0x89, 126, 0, 126}, false, frameHeader{}, errControlFrame},
		{"fragmented close", []byte{0x08, 0}, false, frameHeader{}, errControlFrame},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, ok, err := parseHeader(tt.in, 65536)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if ok != tt.ok || (ok && h != tt.want) {
				t.Fatalf("got %+v ok=%v, want %+v ok=%v", h, ok, tt.want, tt.ok)
			}
		})
	}
}

// unmaskClientFrame decodes a client frame as a server would.
func unmaskClientFrame(t *testing.T, f []byte) (op byte, payload []byte) {
	t.Helper()
	if f[0]&0x80 == 0 || f[1]&0x80 == 0 {
		t.Fatalf("frame %x: FIN or MASK bit missing", f[:2])
	}
	n, i := uint64(f[1]&0x7F), 2
	switch n {
	case 126:
		n, i = uint64(binary.BigEndian.Uint16(f[2:])), 4
	case 127:
		n, i = binary.BigEndian.Uint64(f[2:]), 10
	}
	key := f[i : i+4]
	p := f[i+4:]
	if uint64(len(p)) != n {
		t.Fatalf("payload %d bytes, header says %d", len(p), n)
	}
	out := make([]byte, len(p))
	for j := range p {
		out[j] = p[j] ^ key[j&3]
	}
	return f[0] & 0x0F, out
}

func TestPutClientFrame(t *testing.T) {
	var rng xorshift = 7
	for _, n := range []int{0, 1, 4, 125, 126, 1000, 65535, 65536, 70000} {
		payload := bytes.Repeat([]byte("plezi"), n/5+1)[:n]
		dst := make([]byte, n+maxClientHeader)
		key := rng.next()
		m := putClientFrame(dst, opBinary, payload, key)
		wantHead := 2
		switch {
		case n > 0xFFFF:
			wantHead = 10
		case n > 125:
			wantHead = 4
		}
		if m != wantHead+4+n {
			t.Fatalf("size %d: frame %d bytes, want %d", n, m, wantHead+4+n)
		}
		if got := binary.BigEndian.Uint32(dst[wantHead:]); got != key {
			t.Fatalf("size %d: key %#x, want %#x", n, got, key)
		}
		op, p := unmaskClientFrame(t, dst[:m])
		if op != opBinary || !bytes.Equal(p, payload) {
			t.Fatalf("size %d: decoded opcode %d, payload differs: %v", n, op, !bytes.Equal(p, payload))
		}
	}
}

func TestXorshiftVaries(t *testing.T) {
	var rng xorshift = 1
	seen := map[uint32]bool{}
	for range 1000 {
		seen[rng.next()] = true
	}
	if len(seen) != 1000 {
		t.Fatalf("%d distinct keys in 1000", len(seen))
	}
}

func TestSeq(t *testing.T) {
	for _, seq := range []uint64{0, 1, 0xabcdef, 1<<64 - 1} {
		p := bcastPayload(seq, 32)
		got, ok := parseSeq(p)
		if !ok || got != seq {
			t.Fatalf("parseSeq(%q) = %d, %v; want %d", p, got, ok, seq)
		}
	}
	for _, bad := range []string{"", "012345678901234", "0123456789abcdeX", "0123456789ABCDEF"} {
		if _, ok := parseSeq([]byte(bad)); ok {
			t.Fatalf("parseSeq(%q) accepted", bad)
		}
	}
	p := []byte("xxxx")
	putHex(p, 0x1234f)
	if string(p) != "234f" {
		t.Fatalf("putHex wrote %q, want the lowest digits 234f", p)
	}
}

// serverFrame is an unmasked server frame.
func serverFrame(op byte, payload []byte) []byte {
	f := []byte{0x80 | op}
	switch n := len(payload); {
	case n < 126:
		f = append(f, byte(n))
	case n <= 0xFFFF:
		f = append(f, 126, byte(n>>8), byte(n))
	default:
		f = append(f, 127)
		f = binary.BigEndian.AppendUint64(f, uint64(n))
	}
	return append(f, payload...)
}

// trickleConn hands out its input a few bytes per Read and records
// what is written.
type trickleConn struct {
	net.Conn // nil: only Read and Write are used
	in       []byte
	step     int
	out      bytes.Buffer
}

func (c *trickleConn) Read(p []byte) (int, error) {
	if len(c.in) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.step)], c.in)
	c.in = c.in[n:]
	return n, nil
}

func (c *trickleConn) Write(p []byte) (int, error) { return c.out.Write(p) }

func TestReadMessage(t *testing.T) {
	var in []byte
	var want [][]byte
	for i, n := range []int{0, 1, 40, 125, 126, 3000} {
		p := bytes.Repeat([]byte{byte('a' + i)}, n)
		want = append(want, p)
		in = append(in, serverFrame(opText, p)...)
		if i == 2 {
			in = append(in, serverFrame(opPing, []byte("hi"))...)
			in = append(in, serverFrame(opPong, nil)...)
		}
	}
	for _, step := range []int{1, 3, 7, 100, 5000} {
		c := &trickleConn{in: bytes.Clone(in), step: step}
		w := newWSConn(c, nil, 4096, 1)
		for i, p := range want {
			op, got, err := w.readMessage()
			if err != nil || op != opText || !bytes.Equal(got, p) {
				t.Fatalf("step %d, message %d: opcode %d, %d bytes, %v; want %d bytes", step, i, op, len(got), err, len(p))
			}
		}
		if _, _, err := w.readMessage(); err != io.EOF {
			t.Fatalf("step %d: after the last message: %v, want EOF", step, err)
		}
		op, p := unmaskClientFrame(t, c.out.Bytes())
		if op != opPong || string(p) != "hi" {
			t.Fatalf("step %d: answer to the ping: opcode %d %q", step, op, p)
		}
	}
}

func TestReadMessageErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"close", serverFrame(opClose, []byte{3, 232}), errServerClosed},
		{"fragment", []byte{0x01, 1, 'x'}, errFragmented},
		{"too large for the buffer", serverFrame(opBinary, make([]byte, 5000)), errFrameTooLarge},
		{"masked", []byte{0x81, 0x81, 0, 0, 0, 0, 'x'}, errMaskedFrame},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWSConn(&trickleConn{in: tt.in, step: 2}, nil, 4096, 1)
			if _, _, err := w.readMessage(); !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestReadMessageKeepsHandshakeRest(t *testing.T) {
	rest := serverFrame(opBinary, []byte("early"))
	w := newWSConn(&trickleConn{in: serverFrame(opBinary, []byte("late")), step: 1}, rest, 4096, 1)
	for _, want := range []string{"early", "late"} {
		_, p, err := w.readMessage()
		if err != nil || string(p) != want {
			t.Fatalf("got %q, %v; want %q", p, err, want)
		}
	}
}

// FuzzParseHeader checks that any input gives a clear answer, never a
// panic, and that accepted headers are self-consistent.
func FuzzParseHeader(f *testing.F) {
	f.Add([]byte{0x81, 5})
	f.Add([]byte{0x82, 126, 1, 0})
	f.Add([]byte{0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0})
	f.Add([]byte{0x89, 0x85})
	f.Fuzz(func(t *testing.T, p []byte) {
		h, ok, err := parseHeader(p, 1<<20)
		if err != nil && ok {
			t.Fatal("ok with an error")
		}
		if !ok {
			return
		}
		if h.hlen != 2 && h.hlen != 4 && h.hlen != 10 || h.hlen > len(p) || h.plen < 0 || h.plen > 1<<20 {
			t.Fatalf("bad header %+v from %x", h, p)
		}
		if h.opcode >= 0x8 && h.plen > 125 {
			t.Fatalf("control frame of %d bytes accepted", h.plen)
		}
	})
}

// FuzzReadMessage feeds any byte stream to the client's reader in small
// pieces: it must return messages or an error, never panic or loop.
func FuzzReadMessage(f *testing.F) {
	f.Add(append(serverFrame(opText, []byte("hello")), serverFrame(opPing, nil)...), uint8(1))
	f.Add(serverFrame(opBinary, make([]byte, 300)), uint8(7))
	f.Add([]byte{0x82, 127, 0xff, 0, 0, 0, 0, 0, 0, 0}, uint8(3))
	f.Fuzz(func(t *testing.T, in []byte, step uint8) {
		c := &trickleConn{in: in, step: int(step%16) + 1}
		w := newWSConn(c, nil, 512, 1)
		deadline := time.Now().Add(time.Second)
		for time.Now().Before(deadline) {
			op, p, err := w.readMessage()
			if err != nil {
				return
			}
			if op != opText && op != opBinary || len(p) > 512 {
				t.Fatalf("message opcode %d, %d bytes", op, len(p))
			}
		}
		t.Fatal("reader did not finish a finite input")
	})
}

// loopConn serves the same input over and over (for benchmarks).
type loopConn struct {
	net.Conn
	in  []byte
	off int
}

func (c *loopConn) Read(p []byte) (int, error) {
	n := copy(p, c.in[c.off:])
	c.off = (c.off + n) % len(c.in)
	return n, nil
}

// BenchmarkReadMessage is the load client's receive path: 32-byte
// broadcast messages parsed in place (0 allocations expected).
func BenchmarkReadMessage(b *testing.B) {
	var in []byte
	for i := range 128 {
		in = append(in, serverFrame(opText, bcastPayload(uint64(i), 32))...)
	}
	w := newWSConn(&loopConn{in: in}, nil, 4096, 1)
	b.ReportAllocs()
	b.SetBytes(32)
	for b.Loop() {
		if _, _, err := w.readMessage(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPutClientFrame is the load client's send path: a 64-byte
// message masked with a fresh key (0 allocations expected).
func BenchmarkPutClientFrame(b *testing.B) {
	payload := bytes.Repeat([]byte("x"), 64)
	out := make([]byte, 64+maxClientHeader)
	var rng xorshift = 3
	b.ReportAllocs()
	b.SetBytes(64)
	for b.Loop() {
		putClientFrame(out, opText, payload, rng.next())
	}
}
