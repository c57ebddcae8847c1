package websocket

import (
	"errors"
	"github.com/plezi-go/plezi/pubsub"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/internal/wsflate"
)

// Conn is a WebSocket connection on the engine, server or client side.
//
// The write methods (WriteText, WriteBinary, WriteMessage, Ping, Close)
// are safe to call from any goroutine and never block: frames are queued
// on the engine connection, whose pending output is bounded by the
// engine's MaxPending (past it the connection closes as a slow consumer).
// Handler callbacks run one at a time per connection (see Handler).
type Conn struct {
	ec     atomic.Pointer[engine.Conn] // set by OnOpen, or by Dial after Attach
	h      Handler
	tm     timing // ping, pong and close delays (from Options)
	server bool
	sub    string
	r      reader
	level  int // flate level of broadcast compression

	wmu       sync.Mutex // guards the fields below: the output side
	comp      *wsflate.Compressor
	closeSent bool
	closeTmr  *engine.Timer       // ends a Close the peer does not answer
	wclosed   bool                // OnClose ran: no more writes
	subs      *pubsub.Memberships // where Subscribe subscribed the connection

	// Owned by the engine callbacks (serialized per connection).
	decomp   *wsflate.Decompressor
	pingOut  bool   // a ping was sent and nothing came back yet
	gotClose bool   // the peer's close frame arrived
	code     int    // the close code OnClose reports
	reason   string // and its reason
}

// timing is the part of the options a connection keeps: a copy, so that
// no per-connection Options copy stays alive.
type timing struct{ ping, pong, close time.Duration }

func newConn(h Handler, o *config, server bool, sub string) *Conn {
	c := &Conn{h: h, server: server, sub: sub}
	c.tm = timing{ping: o.PingInterval, pong: o.PongTimeout, close: o.CloseTimeout}
	c.r.server = server
	c.r.max = o.MaxMessage
	return c
}

// Subprotocol returns the negotiated subprotocol ("" for none).
func (c *Conn) Subprotocol() string { return c.sub }

// Compressed reports whether permessage-deflate was negotiated.
func (c *Conn) Compressed() bool { return c.decomp != nil }

// ID returns the engine connection's identifier.
func (c *Conn) ID() uint64 { return c.eng().ID() }

// Value returns the value stored with SetValue.
func (c *Conn) Value() any { return c.eng().Value() }

// SetValue stores one value with the connection (a session, a user).
func (c *Conn) SetValue(v any) { c.eng().SetValue(v) }

// RemoteAddr returns the peer's address.
func (c *Conn) RemoteAddr() net.Addr { return c.eng().RemoteAddr() }

// Pending returns the outbound bytes queued and not yet written.
func (c *Conn) Pending() int { return c.eng().Pending() }

// Defer runs fn after, and never concurrently with, the connection's
// callbacks; it is dropped if the connection closes first (see
// engine.Conn.Defer).
func (c *Conn) Defer(fn func()) error { return c.eng().Defer(fn) }

// EngineConn returns the underlying engine connection.
func (c *Conn) EngineConn() *engine.Conn { return c.eng() }

func (c *Conn) eng() *engine.Conn { return c.ec.Load() }

// protocol is Conn as an engine.Protocol; the conversion keeps the
// engine's callbacks out of Conn's method set.
type protocol Conn

var (
	_ engine.Opener         = (*protocol)(nil)
	_ engine.Drainer        = (*protocol)(nil)
	_ engine.Shutdowner     = (*protocol)(nil)
	_ engine.Closer         = (*protocol)(nil)
	_ engine.TimeoutHandler = (*protocol)(nil)
)

func (p *protocol) conn() *Conn { return (*Conn)(p) }

// OnOpen starts the ping clock and calls the handler's OnOpen.
func (p *protocol) OnOpen(ec *engine.Conn) {
	c := p.conn()
	c.ec.CompareAndSwap(nil, ec)
	if c.tm.ping > 0 {
		ec.SetTimeout(c.tm.ping)
	} else {
		ec.SetTimeout(0)
	}
	if h, ok := c.h.(Opener); ok {
		h.OnOpen(c)
	}
}

// OnData parses input; a violation fails the connection with its code.
func (p *protocol) OnData(ec *engine.Conn, data []byte) {
	c := p.conn()
	if c.pingOut {
		c.pingOut = false
		ec.SetTimeout(c.tm.ping)
	}
	err := c.r.feed(data, (*sink)(c))
	var ce *CloseError
	if errors.As(err, &ce) {
		c.fail(ce)
	}
}

// OnDrained passes the event on to the handler.
func (p *protocol) OnDrained(ec *engine.Conn) {
	if h, ok := p.h.(Drainer); ok {
		h.OnDrained(p.conn())
	}
}

// OnShutdown lets the handler speak, then closes with 1001.
func (p *protocol) OnShutdown(ec *engine.Conn) {
	c := p.conn()
	if h, ok := c.h.(Shutdowner); ok {
		h.OnShutdown(c)
	}
	c.Close(CloseGoingAway, "going away")
}

// OnTimeout pings an idle peer, drops one that did not answer, and ends a
// close handshake the peer did not complete.
func (p *protocol) OnTimeout(ec *engine.Conn) {
	c := p.conn()
	switch {
	case c.closing():
		ec.Close()
	case c.pingOut:
		c.reason = "no answer to ping"
		ec.Close()
	default:
		c.pingOut = true
		c.Ping(nil)
		ec.SetTimeout(c.tm.pong)
	}
}

// OnClose reports the end to the handler and releases the connection's
// compression state.
func (p *protocol) OnClose(ec *engine.Conn, why error) {
	c := p.conn()
	c.wmu.Lock()
	c.wclosed = true
	if c.closeTmr != nil {
		c.closeTmr.Stop()
	}
	c.wmu.Unlock()
	c.unsubscribeAll()
	c.stopDeflate()
	code, reason := c.code, c.reason
	if code == 0 {
		code = CloseAbnormal
		if reason == "" && why != nil {
			reason = why.Error()
		}
	}
	if h, ok := c.h.(Closer); ok {
		h.OnClose(c, code, reason)
	}
}

// fail answers a protocol violation: a close frame with its code, then
// the TCP close (RFC 6455 section 7.1.7).
func (c *Conn) fail(ce *CloseError) {
	if c.code == 0 {
		c.code, c.reason = ce.Code, ce.Reason
	}
	c.sendClose(ce.Code, ce.Reason)
	c.eng().Close()
}

func (c *Conn) closing() bool {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.closeSent
}

// sink is Conn as the reader's sink.
type sink Conn

// errCloseReceived stops the reader after the peer's close frame.
var errCloseReceived = errors.New("websocket: close frame received")

func (s *sink) message(text bool, data []byte) error {
	c := (*Conn)(s)
	c.h.OnMessage(c, data, text)
	return nil
}

func (s *sink) control(op byte, payload []byte) error {
	c := (*Conn)(s)
	switch op {
	case opPing:
		c.writeControl(opPong, payload)
	case opClose:
		return c.peerClosed(payload)
	}
	return nil
}

// peerClosed handles the peer's close frame: answer it (when this side did
// not start the handshake) and close the TCP connection.
func (c *Conn) peerClosed(payload []byte) error {
	code, reason, ce := parseClose(payload)
	if ce != nil {
		return ce
	}
	c.gotClose = true
	c.code, c.reason = code, reason
	if code == CloseNoStatus {
		code = 0
	}
	c.sendClose(code, "")
	c.eng().Close()
	return errCloseReceived
}

// Close starts the closing handshake: it sends a close frame with code
// (0 sends none) and reason, waits for the peer's close frame up to
// Options.CloseTimeout, then closes the TCP connection. It returns
// ErrClosed when a close frame was sent already.
func (c *Conn) Close(code int, reason string) error {
	if code != 0 && !validSendCode(code) {
		return ErrInvalidCloseCode
	}
	if len(reason) > maxControlPayload-2 {
		return ErrControlTooLong
	}
	if !c.sendClose(code, reason) {
		return ErrClosed
	}
	// A runtime timer, only while a close handshake is under way: the
	// timing wheel cannot yet bring a connection's check forward (see
	// the package documentation).
	ec := c.eng()
	t := ec.Engine().RunAfter(c.tm.close, func() { ec.Close() })
	c.wmu.Lock()
	if c.wclosed {
		t.Stop()
	} else {
		c.closeTmr = t
	}
	c.wmu.Unlock()
	return nil
}

// sendClose queues a close frame unless one was sent; it reports whether
// it queued one.
func (c *Conn) sendClose(code int, reason string) bool {
	var buf [maxControlPayload]byte
	p := appendClose(buf[:0], code, reason)
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closeSent || c.wclosed {
		return false
	}
	c.closeSent = true
	c.writeFrameLocked(opClose, false, p)
	return true
}
