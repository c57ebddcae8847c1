package httpd

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
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
// handler. It is also the connection's engine protocol from then on. Its
// input goes through a bodyPipe, whose mutex also guards the write
// deadline and whose condition also signals drained output.
type hijacked struct {
	c      *engine.Conn
	in     *bodyPipe
	wdl    time.Time      // guarded by in.mu
	timers [2]*time.Timer // guarded by in.mu
}

func newHijacked(c *engine.Conn) *hijacked {
	return &hijacked{c: c, in: newBodyPipe(c, hijackBuffer)}
}

// push queues input for Read (from the connection's callbacks).
func (h *hijacked) push(p []byte) { h.in.write(p) }

// OnData implements engine.Protocol.
func (h *hijacked) OnData(c *engine.Conn, p []byte) { h.in.write(p) }

// OnDrained wakes writers waiting for the backlog to shrink.
func (h *hijacked) OnDrained(c *engine.Conn) { h.in.wake() }

// OnEOF keeps the connection open for writing: the reader sees io.EOF.
func (h *hijacked) OnEOF(c *engine.Conn) { h.in.closeWrite(io.EOF) }

// OnClose ends reads and writes.
func (h *hijacked) OnClose(c *engine.Conn, reason error) {
	if reason == nil {
		reason = net.ErrClosed
	}
	h.in.closeWrite(reason)
}

// Read implements net.Conn.
func (h *hijacked) Read(b []byte) (int, error) { return h.in.Read(b) }

// Write implements net.Conn: it queues p and waits while the peer is far
// behind.
func (h *hijacked) Write(b []byte) (int, error) {
	p := h.in
	p.mu.Lock()
	for h.c.Pending() > hijackWriteBacklog {
		if p.err != nil && p.err != io.EOF {
			p.mu.Unlock()
			return 0, p.err
		}
		if expired(h.wdl) {
			p.mu.Unlock()
			return 0, os.ErrDeadlineExceeded
		}
		p.cond.Wait()
	}
	p.mu.Unlock()
	return h.c.Write(b)
}

// Close implements net.Conn.
func (h *hijacked) Close() error {
	h.in.closeWrite(net.ErrClosed)
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
	p := h.in
	p.mu.Lock()
	defer p.mu.Unlock()
	if i == 0 {
		p.rdl = t
	} else {
		h.wdl = t
	}
	if h.timers[i] != nil {
		h.timers[i].Stop()
		h.timers[i] = nil
	}
	if !t.IsZero() {
		h.timers[i] = time.AfterFunc(time.Until(t), p.wake)
	}
	p.cond.Broadcast()
	return nil
}
