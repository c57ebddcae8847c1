package websocket_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// rawClient speaks WebSocket frame by frame, to send what no library
// would: the protocol-violation tests.
type rawClient struct {
	t        testing.TB
	c        net.Conn
	br       *bufio.Reader
	respHead string // the server's 101 head
}

// dialRaw connects and upgrades; extra is added to the request head.
func dialRaw(t testing.TB, url, extra string) *rawClient {
	t.Helper()
	addr := strings.TrimPrefix(url, "ws://")
	addr = addr[:strings.Index(addr, "/")]
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "GET /ws HTTP/1.1\r\nHost: %s\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n%s\r\n", addr, extra)
	r := &rawClient{t: t, c: c, br: bufio.NewReader(c)}
	head := r.head()
	r.respHead = head
	if !strings.HasPrefix(head, "HTTP/1.1 101 ") || !strings.Contains(head, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") {
		t.Fatalf("handshake answer %q", head)
	}
	return r
}

func (r *rawClient) head() string {
	var b strings.Builder
	for {
		line, err := r.br.ReadString('\n')
		if err != nil {
			r.t.Fatalf("reading head: %v (%q)", err, b.String())
		}
		b.WriteString(line)
		if line == "\r\n" {
			return b.String()
		}
	}
}

// frame encodes a masked client frame.
func frame(fin bool, rsv, op byte, payload []byte) []byte {
	b0 := op | rsv<<4
	if fin {
		b0 |= 0x80
	}
	b := []byte{b0}
	switch n := len(payload); {
	case n <= 125:
		b = append(b, 0x80|byte(n))
	case n <= 0xFFFF:
		b = append(b, 0x80|126, byte(n>>8), byte(n))
	default:
		b = append(b, 0x80|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	b = append(b, key[:]...)
	for i, c := range payload {
		b = append(b, c^key[i&3])
	}
	return b
}

func text(s string) []byte { return frame(true, 0, 0x1, []byte(s)) }

func closeFrame(code int, reason string) []byte {
	p := binary.BigEndian.AppendUint16(nil, uint16(code))
	return frame(true, 0, 0x8, append(p, reason...))
}

// send writes frames. Write errors are ignored: a server that fails
// fast closes the connection while the client is still sending, and the
// checks are on what the server answered.
func (r *rawClient) send(frames ...[]byte) {
	for _, f := range frames {
		if _, err := r.c.Write(f); err != nil {
			return
		}
	}
}

// sendSlowly writes b in pieces of n bytes with pauses, so that the server
// parses them separately.
func (r *rawClient) sendSlowly(b []byte, n int) {
	for len(b) > 0 {
		k := min(n, len(b))
		r.c.Write(b[:k])
		b = b[k:]
		time.Sleep(time.Millisecond)
	}
}

type rframe struct {
	fin  bool
	rsv  byte
	op   byte
	data []byte
}

// read reads one server frame, checking it is not masked.
func (r *rawClient) read() (rframe, error) {
	var h [2]byte
	if _, err := io.ReadFull(r.br, h[:]); err != nil {
		return rframe{}, err
	}
	if h[1]&0x80 != 0 {
		r.t.Fatal("server frame is masked")
	}
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126:
		var l [2]byte
		io.ReadFull(r.br, l[:])
		n = uint64(binary.BigEndian.Uint16(l[:]))
	case 127:
		var l [8]byte
		io.ReadFull(r.br, l[:])
		n = binary.BigEndian.Uint64(l[:])
	}
	data := make([]byte, n)
	if _, err := io.ReadFull(r.br, data); err != nil {
		return rframe{}, err
	}
	return rframe{h[0]&0x80 != 0, (h[0] >> 4) & 7, h[0] & 0xF, data}, nil
}

func (r *rawClient) expect(op byte, data []byte) {
	r.t.Helper()
	f, err := r.read()
	if err != nil {
		r.t.Fatalf("want frame op %d: %v", op, err)
	}
	if f.op != op || !bytes.Equal(f.data, data) || !f.fin {
		r.t.Fatalf("got op %d %q (fin %v), want op %d %q", f.op, trim(f.data), f.fin, op, trim(data))
	}
}

func trim(b []byte) []byte {
	if len(b) > 40 {
		return b[:40]
	}
	return b
}

// expectClose reads until the server's close frame, checks its code (0:
// an empty payload) and that the TCP connection then ends.
func (r *rawClient) expectClose(code int) {
	r.t.Helper()
	f, err := r.read()
	if err != nil {
		r.t.Fatalf("want close %d: %v", code, err)
	}
	if f.op != 0x8 {
		r.t.Fatalf("got op %d %q, want close %d", f.op, trim(f.data), code)
	}
	got := 0
	if len(f.data) >= 2 {
		got = int(binary.BigEndian.Uint16(f.data))
	}
	if got != code {
		r.t.Fatalf("close code %d (%q), want %d", got, f.data, code)
	}
	r.expectEOF()
}

// expectEOF checks the server closes the TCP connection.
func (r *rawClient) expectEOF() {
	r.t.Helper()
	r.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := r.br.ReadByte()
	if err == nil {
		r.t.Fatal("data after the close frame")
	}
	if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !strings.Contains(err.Error(), "reset") {
		r.t.Fatalf("want the TCP connection closed, got %v", err)
	}
}
