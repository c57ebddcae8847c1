package httpd

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/plezi-go/plezi/engine"
)

// hijackBuffer bounds the input a hijacked connection holds before its
// reader consumed it: past it the connection stops reading.
const hijackBuffer = 1 << 20

// hijackWriteBacklog is the pending output past which Write on a hijacked
// connection waits for the peer (a blocking net.Conn, as callers expect).
const hijackWriteBacklog = 1 << 20

var errHijacked = errors.New("httpd: connection already hijacked")

// Hijack takes the connection over (http.Hijacker). The returned net.Conn
// reads what the client sends after this request and writes straight to
// it; the server no longer answers on it. Requests asking for an upgrade
// (Connection: upgrade) and CONNECT run their handler on its own
// goroutine, so a handler that hijacks and then blocks on the connection
// (a WebSocket library's read loop) never stalls an event loop. Any other
// handler that hijacks runs where handlers run and must not block.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.hijacked {
		return nil, nil, errHijacked
	}
	if w.wroteHeader && w.x.res.headSent {
		return nil, nil, errors.New("httpd: Hijack after the response was sent")
	}
	w.hijacked = true
	w.x.res.hijacked = true
	hc := w.x.hc
	hj := newHijacked(hc.c)
	if w.x.res.async {
		// On the handler's goroutine: switch protocols between the
		// connection's callbacks, and wait for it.
		done := make(chan struct{})
		if err := hc.c.Defer(func() { hc.handOver(hj); close(done) }); err != nil {
			return nil, nil, err
		}
		<-done
	} else {
		hc.flush() // earlier pipelined responses go first
		hc.handOver(hj)
	}
	return hj, bufio.NewReadWriter(bufio.NewReader(hj), bufio.NewWriter(hj)), nil
}

// handOver gives the connection to hj: input kept so far goes to it, and
// it becomes the connection's protocol. It runs in a callback or Defer
// task.
func (hc *conn) handOver(hj *hijacked) {
	hc.hijacked = hj
	hj.push(hc.stash)
	hc.stash = nil
	hc.release()
	hc.c.SetProtocol(hj)
}

// hijacked is a net.Conn view of an engine connection taken over by a
// handler. It is also the connection's engine protocol from then on.
type hijacked struct {
	c *engine.Conn

	mu       sync.Mutex
	cond     sync.Cond
	in       []byte
	err      error // io.EOF once the peer closed, or why the conn ended
	paused   bool
	rdl, wdl time.Time
	timers   [2]*time.Timer
}

func newHijacked(c *engine.Conn) *hijacked {
	h := &hijacked{c: c}
	h.cond.L = &h.mu
	return h
}

// push queues input for Read (from the connection's callbacks).
func (h *hijacked) push(p []byte) {
	if len(p) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.in = append(h.in, p...)
	h.cond.Broadcast()
	if len(h.in) >= hijackBuffer && !h.paused {
		h.paused = true
		h.c.PauseRead()
	}
}

// OnData implements engine.Protocol.
func (h *hijacked) OnData(c *engine.Conn, p []byte) { h.push(p) }

// OnDrained wakes writers waiting for the backlog to shrink.
func (h *hijacked) OnDrained(c *engine.Conn) {
	h.mu.Lock()
	h.cond.Broadcast()
	h.mu.Unlock()
}

// OnEOF keeps the connection open for writing: the reader sees io.EOF.
func (h *hijacked) OnEOF(c *engine.Conn) { h.end(io.EOF) }

// OnClose ends reads and writes.
func (h *hijacked) OnClose(c *engine.Conn, reason error) {
	if reason == nil {
		reason = net.ErrClosed
	}
	h.end(reason)
}

func (h *hijacked) end(err error) {
	h.mu.Lock()
	if h.err == nil {
		h.err = err
	}
	h.cond.Broadcast()
	h.mu.Unlock()
}

// Read implements net.Conn.
func (h *hijacked) Read(b []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for len(h.in) == 0 && h.err == nil {
		if expired(h.rdl) {
			return 0, os.ErrDeadlineExceeded
		}
		h.cond.Wait()
	}
	if len(h.in) == 0 {
		return 0, h.err
	}
	n := copy(b, h.in)
	h.in = h.in[:copy(h.in, h.in[n:])]
	if h.paused && len(h.in) <= hijackBuffer/2 {
		h.paused = false
		h.c.ResumeRead()
	}
	return n, nil
}

// Write implements net.Conn: it queues p and waits while the peer is far
// behind.
func (h *hijacked) Write(b []byte) (int, error) {
	h.mu.Lock()
	for h.c.Pending() > hijackWriteBacklog {
		if h.err != nil && h.err != io.EOF {
			h.mu.Unlock()
			return 0, h.err
		}
		if expired(h.wdl) {
			h.mu.Unlock()
			return 0, os.ErrDeadlineExceeded
		}
		h.cond.Wait()
	}
	h.mu.Unlock()
	return h.c.Write(b)
}

// Close implements net.Conn.
func (h *hijacked) Close() error {
	h.end(net.ErrClosed)
	return h.c.Close()
}

func (h *hijacked) LocalAddr() net.Addr  { return nil }
func (h *hijacked) RemoteAddr() net.Addr { return h.c.RemoteAddr() }

func (h *hijacked) SetDeadline(t time.Time) error {
	h.SetReadDeadline(t)
	return h.SetWriteDeadline(t)
}

func (h *hijacked) SetReadDeadline(t time.Time) error  { return h.setDeadline(0, t) }
func (h *hijacked) SetWriteDeadline(t time.Time) error { return h.setDeadline(1, t) }

// setDeadline sets a read (0) or write (1) deadline; waiters wake when it
// passes.
func (h *hijacked) setDeadline(i int, t time.Time) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if i == 0 {
		h.rdl = t
	} else {
		h.wdl = t
	}
	if h.timers[i] != nil {
		h.timers[i].Stop()
		h.timers[i] = nil
	}
	if !t.IsZero() {
		h.timers[i] = time.AfterFunc(time.Until(t), func() {
			h.mu.Lock()
			h.cond.Broadcast()
			h.mu.Unlock()
		})
	}
	h.cond.Broadcast()
	return nil
}

func expired(t time.Time) bool { return !t.IsZero() && !time.Now().Before(t) }
