//go:build linux

package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The load client's side of a WebSocket connection: the opening
// handshake (no extension offered, so compression is off whatever the
// server supports), then raw frames read into a per-connection buffer and
// parsed in place. After the handshake nothing allocates per message.

// errServerClosed is a close frame from the server.
var errServerClosed = errors.New("ws: the server sent a close frame")

// wsGUID is the handshake's magic string (RFC 6455 section 1.3).
const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// maxHandshake bounds the server's handshake answer.
const maxHandshake = 4096

// wsConn is one client connection after its handshake.
type wsConn struct {
	c    net.Conn
	buf  []byte // read buffer; frames are parsed in place
	r, w int    // unread input is buf[r:w]
	ctl  [maxClientHeader + 125]byte
	rng  xorshift
}

// newWSConn wraps c, whose handshake left rest unread, with a read buffer
// of bufSize bytes (the largest frame it can read, less 10).
func newWSConn(c net.Conn, rest []byte, bufSize int, seed uint32) *wsConn {
	w := &wsConn{c: c, buf: make([]byte, max(bufSize, len(rest)+16)), rng: xorshift(seed | 1)}
	w.w = copy(w.buf, rest)
	return w
}

// wsHandshake sends the opening handshake for path on c and checks the
// server's 101 answer: Upgrade, Connection, Sec-WebSocket-Accept, and no
// Sec-WebSocket-Extensions. It returns the bytes read after the answer.
func wsHandshake(c net.Conn, host, path string) ([]byte, error) {
	var k [16]byte
	if _, err := rand.Read(k[:]); err != nil {
		return nil, err
	}
	key := base64.StdEncoding.EncodeToString(k[:])
	req := "GET " + path + " HTTP/1.1\r\nHost: " + host +
		"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
		"\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := c.Write([]byte(req)); err != nil {
		return nil, err
	}
	head, rest, err := readHead(c)
	if err != nil {
		return nil, err
	}
	return rest, checkUpgrade(head, key)
}

// readHead reads from c until the end of an HTTP head and returns the
// head and what followed it.
func readHead(c net.Conn) (head, rest []byte, err error) {
	buf := make([]byte, 0, 512)
	for {
		if i := bytes.Index(buf, []byte("\r\n\r\n")); i >= 0 {
			return buf[:i+4], buf[i+4:], nil
		}
		if len(buf) >= maxHandshake {
			return nil, nil, fmt.Errorf("ws: handshake answer longer than %d bytes", maxHandshake)
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := c.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil && n == 0 {
			return nil, nil, fmt.Errorf("ws: reading the handshake answer: %w", err)
		}
	}
}

// checkUpgrade checks a handshake answer against the key sent.
func checkUpgrade(head []byte, key string) error {
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(head)), nil)
	if err != nil {
		return fmt.Errorf("ws: bad handshake answer: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return fmt.Errorf("ws: handshake answered %q", resp.Status)
	}
	h := resp.Header
	want := acceptKey(key)
	switch {
	case !strings.EqualFold(h.Get("Upgrade"), "websocket"):
		return fmt.Errorf("ws: the 101 answer lacks Upgrade: websocket (got %q)", h.Values("Upgrade"))
	case !headerHasToken(h, "Connection", "upgrade"):
		return fmt.Errorf("ws: the 101 answer lacks Connection: Upgrade (got %q)", h.Values("Connection"))
	case h.Get("Sec-WebSocket-Accept") != want:
		return fmt.Errorf("ws: Sec-WebSocket-Accept %q, want %q", h.Get("Sec-WebSocket-Accept"), want)
	case h.Get("Sec-WebSocket-Extensions") != "":
		return fmt.Errorf("ws: extensions %q negotiated although none was offered", h.Get("Sec-WebSocket-Extensions"))
	}
	return nil
}

// acceptKey is the Sec-WebSocket-Accept answer to key.
func acceptKey(key string) string {
	sum := sha1.Sum([]byte(key + wsGUID))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// headerHasToken reports whether a comma-separated header holds token
// (case-insensitive).
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// readFrame returns the next complete frame; payload points into the read
// buffer and is valid until the next call.
func (w *wsConn) readFrame() (op byte, payload []byte, err error) {
	limit := len(w.buf) - 10
	for {
		h, ok, err := parseHeader(w.buf[w.r:w.w], limit)
		if err != nil {
			return 0, nil, err
		}
		need := maxClientHeader
		if ok {
			need = h.hlen + h.plen
			if w.w-w.r >= need {
				p := w.buf[w.r+h.hlen : w.r+need]
				w.r += need
				if !h.fin || h.opcode == 0 {
					return 0, nil, errFragmented
				}
				return h.opcode, p, nil
			}
		}
		if w.r == w.w {
			w.r, w.w = 0, 0
		} else if w.r+need > len(w.buf) {
			w.w = copy(w.buf, w.buf[w.r:w.w])
			w.r = 0
		}
		n, err := w.c.Read(w.buf[w.w:])
		w.w += n
		if err != nil && n == 0 {
			return 0, nil, err
		}
	}
}

// readMessage returns the next data message, answering pings on the way.
func (w *wsConn) readMessage() (op byte, payload []byte, err error) {
	for {
		op, p, err := w.readFrame()
		if err != nil {
			return 0, nil, err
		}
		switch op {
		case opText, opBinary:
			return op, p, nil
		case opPing:
			n := putClientFrame(w.ctl[:], opPong, p, w.rng.next())
			if _, err := w.c.Write(w.ctl[:n]); err != nil {
				return 0, nil, err
			}
		case opPong:
		case opClose:
			return 0, nil, errServerClosed
		}
	}
}

// wsDialMany opens n WebSocket connections to addr (see dialMany), with
// at most par handshakes in flight. Each connection gets a bufSize-byte
// read buffer.
func wsDialMany(addr string, n, src, par, bufSize int) ([]*wsConn, error) {
	cs, err := dialMany(addr, n, src, par)
	if err != nil {
		closeAll(cs)
		return nil, err
	}
	ws := make([]*wsConn, n)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan int)
	)
	for range par {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c := cs[i]
				c.SetDeadline(time.Now().Add(30 * time.Second))
				rest, err := wsHandshake(c, addr, "/")
				c.SetDeadline(time.Time{})
				if err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("handshake %d of %d: %w", i+1, n, err)
					}
					mu.Unlock()
					continue
				}
				ws[i] = newWSConn(c, rest, bufSize, uint32(i)*2654435761)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if first != nil {
		closeAll(cs)
		return nil, first
	}
	return ws, nil
}

// closeAll closes every non-nil connection of cs.
func closeAll(cs []net.Conn) {
	for _, c := range cs {
		if c != nil {
			c.Close()
		}
	}
}
