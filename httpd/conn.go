package httpd

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/http1"
)

// maxStash bounds the input kept while an async handler answers.
const maxStash = 64 << 10

// maxPendingOut is the outbound backlog past which a connection stops
// reading pipelined requests until its output drained: responses to
// requests read ahead are bounded by bytes, not by count (a read brings at
// most 64 KiB of requests, answered into one buffer).
const maxPendingOut = 1 << 20

// conn is the HTTP/1.1 protocol of one connection. Its fields are touched
// only from engine callbacks and Defer tasks (the engine serializes them),
// except where a comment says otherwise.
type conn struct {
	s *Server
	c *engine.Conn
	p http1.Parser

	out []byte // responses of the current input batch, written at its end
	// asyncOut is the response buffer of an async handler's goroutine;
	// only that goroutine touches it.
	asyncOut []byte
	x        Ctx    // the request being served (reused)
	body     []byte // buffered request body

	inReq    bool // a head was parsed, its message is not done yet
	partial  bool // bytes of a head arrived, the head is not complete
	streamed bool // the current request's body goes to an async handler
	async    bool // an async handler runs: requests after it wait
	closing  bool // close once the output is written
	shutting bool // the server is shutting down: close after the next response
	served   bool // a request was answered
	held     bool // reading paused for backpressure
	stash    []byte
	hijacked *hijacked       // the connection was taken over (Hijack)
	upgrade  engine.Protocol // set by Upgrade: the connection's next protocol
	upgraded bool            // switched to upgrade's protocol
	remote   string          // the peer's address, once asked for
	rw       *responseWriter

	timer *engine.Timer // header or body deadline
	phase uint64        // bumped per request phase; stale timers ignore

	gone   atomic.Bool // the client ended its input
	ctxMu  sync.Mutex  // guards ctx and cancel (adapter goroutines read them)
	ctx    context.Context
	cancel context.CancelFunc
}

// OnData parses input and serves every complete request in it.
func (hc *conn) OnData(c *engine.Conn, data []byte) {
	if hc.hijacked != nil { // input that raced the protocol switch
		hc.hijacked.push(data)
		return
	}
	if hc.async && !hc.inReq {
		// An async handler is still answering and its request is
		// complete: keep what follows for later, in order. Reading goes
		// on (so a client that leaves is noticed) until the stash is
		// full.
		hc.stash = append(hc.stash, data...)
		if len(hc.stash) >= maxStash {
			hc.hold()
		}
		return
	}
	hc.feed(data)
	hc.flush()
}

// feed runs the parser over data until it needs more input.
func (hc *conn) feed(data []byte) {
	for !hc.closing {
		n, ev, err := hc.p.Parse(data)
		data = data[n:]
		if err != nil {
			hc.fail(err)
			return
		}
		switch ev {
		case http1.EventHead:
			hc.head()
		case http1.EventBody:
			hc.bodyChunk(hc.p.Body())
		case http1.EventDone:
			hc.done()
			if !hc.async && hc.upgrade != nil { // async: the handler goroutine owns upgrade
				hc.switchProtocol(data)
				return
			}
			if hc.hijacked != nil {
				hc.hijacked.push(data)
				return
			}
			if hc.async {
				hc.stash = append(hc.stash[:0], data...)
				return
			}
		default: // need more input
			hc.waiting(n)
			return
		}
	}
}

// head starts a request whose head just completed.
func (hc *conn) head() {
	hc.inReq, hc.partial = true, false
	hc.stopTimer()
	req := hc.p.Request()
	hc.x.reset(hc, req)
	if hc.shutting {
		hc.x.res.close = true
	}
	hc.body = hc.body[:0]
	hc.streamed = false
	if hc.s.Native == nil && upgradeRequest(hc) {
		hc.p.Detach() // served on a goroutine after this read's buffer is reused
	}
	if !hasBody(req) {
		return
	}
	// The body comes in later reads: the head must outlive this one's
	// buffer.
	hc.p.Detach()
	if req.Expect100 {
		hc.out = append(hc.out, "HTTP/1.1 100 Continue\r\n\r\n"...)
		hc.flush()
	}
	if req.Chunked || req.ContentLength > int64(hc.s.bufferedBody()) {
		hc.startAsync()
	}
}

func hasBody(r *http1.Request) bool { return r.Chunked || r.ContentLength > 0 }

// bodyChunk takes decoded body bytes.
func (hc *conn) bodyChunk(p []byte) {
	if hc.streamed {
		hc.x.pipe.write(p)
		return
	}
	hc.body = append(hc.body, p...)
}

// done ends the current request: a buffered one is served now.
func (hc *conn) done() {
	hc.inReq, hc.served = false, true
	hc.stopTimer()
	if hc.streamed {
		hc.x.pipe.closeWrite(nil)
		return
	}
	hc.x.body = hc.body
	if hc.s.Native == nil && upgradeRequest(hc) {
		// A net/http handler may hijack and block: give it a goroutine.
		// A native handler upgrades with Ctx.Upgrade, inline.
		hc.serveAsync()
		return
	}
	hc.serve()
	if hc.c.Pending()+len(hc.out) > maxPendingOut {
		hc.hold() // the peer reads slower than it pipelines
	}
}

// waiting arms the header or body deadline while input is incomplete.
func (hc *conn) waiting(consumed int) {
	switch {
	case hc.inReq:
		hc.armTimer(hc.s.bodyTimeout())
	case consumed > 0 || hc.partial:
		hc.partial = true
		hc.armTimer(hc.s.headerTimeout())
	}
}

// fail answers a request the parser refused, and closes.
func (hc *conn) fail(err error) {
	status := 400
	var pe *http1.Error
	if errors.As(err, &pe) {
		status = pe.Status
	}
	hc.errorResponse(status, err.Error())
}

// errorResponse writes a short plain-text answer and closes.
func (hc *conn) errorResponse(status int, msg string) {
	if hc.async {
		// The handler's goroutine owns the response: just end it all.
		hc.closing = true
		if hc.x.pipe != nil {
			hc.x.pipe.closeWrite(errClientGone)
		}
		return
	}
	if hc.x.res.headSent {
		hc.closing = true
		return
	}
	hc.out = appendStatusLine(hc.out, status)
	hc.out = append(hc.out, dates.line(time.Now())...)
	hc.out = append(hc.out, "Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: "...)
	body := appendStatusText(nil, status, msg)
	hc.out = appendInt(hc.out, len(body))
	hc.out = append(hc.out, "\r\n\r\n"...)
	hc.out = append(hc.out, body...)
	hc.closing = true
}

// flush writes the batch's responses with one call and closes if asked.
func (hc *conn) flush() {
	if len(hc.out) > 0 {
		hc.c.Write(hc.out)
		if cap(hc.out) > 64<<10 {
			hc.out = nil
		} else {
			hc.out = hc.out[:0]
		}
	}
	if hc.closing {
		hc.c.Close()
	}
}

// hold pauses reading (backpressure); OnDrained or the end of an async
// handler resumes it.
func (hc *conn) hold() {
	if !hc.held {
		hc.held = true
		hc.c.PauseRead()
	}
}

func (hc *conn) release() {
	if hc.held {
		hc.held = false
		hc.c.ResumeRead()
	}
}

// OnDrained resumes reading once a backlog of responses was written.
func (hc *conn) OnDrained(c *engine.Conn) {
	if !hc.async {
		hc.release()
	}
}

// shutdownGrace is how long a connection that has not sent its first
// request when the server shuts down has to send it (it is answered
// with Connection: close).
const shutdownGrace = 2 * time.Second

// OnShutdown ends the connection gracefully. An idle keep-alive
// connection closes at once (clients retry an idempotent request on a
// reused connection that closed). A request in progress is answered,
// then the connection closes. So is the first request of a connection
// that has not sent one yet (accepted as the server began to stop, or a
// head in part): its client is about to send it and would not retry.
func (hc *conn) OnShutdown(c *engine.Conn) {
	hc.shutting = true
	switch {
	case hc.async:
		hc.closing = true // after the handler's response
	case hc.inReq:
		hc.x.res.close = true // the rest of the request is still read
	case hc.partial || !hc.served:
		c.SetTimeout(shutdownGrace)
	default:
		c.Close()
	}
}

// OnEOF: the client ended its input. As net/http does, that counts as the
// client going away (request contexts are cancelled), but a response in
// progress is still written before the connection closes.
func (hc *conn) OnEOF(c *engine.Conn) {
	hc.cancelContext()
	if hc.async {
		hc.closing = true // resume closes after the handler's response
		if hc.inReq && hc.x.pipe != nil {
			hc.x.pipe.closeWrite(errClientGone)
		}
		return
	}
	c.Close()
}

func (hc *conn) cancelContext() {
	hc.gone.Store(true)
	hc.ctxMu.Lock()
	if hc.cancel != nil {
		hc.cancel()
	}
	hc.ctxMu.Unlock()
}

// OnClose cancels the contexts of requests still running.
func (hc *conn) OnClose(c *engine.Conn, reason error) {
	if reason == engine.ErrProtocolSwitched {
		return // hijacked: the connection lives on
	}
	hc.stopTimer()
	if hc.x.pipe != nil {
		hc.x.pipe.closeWrite(errClientGone)
	}
	hc.cancelContext()
}

// connContext returns the connection's context (cancelled when it closes).
// Safe from any goroutine.
func (hc *conn) connContext() context.Context {
	hc.ctxMu.Lock()
	defer hc.ctxMu.Unlock()
	if hc.ctx == nil {
		hc.ctx, hc.cancel = context.WithCancel(hc.s.baseContext())
		if !hc.c.Open() || hc.gone.Load() {
			hc.cancel()
		}
	}
	return hc.ctx
}

// armTimer starts the deadline of the current phase unless it runs.
func (hc *conn) armTimer(d time.Duration) {
	if hc.timer != nil {
		return
	}
	phase := hc.phase
	c := hc.c
	hc.timer = c.Engine().RunAfter(d, func() {
		c.Defer(func() { hc.timedOut(phase) })
	})
}

func (hc *conn) stopTimer() {
	hc.phase++
	if hc.timer != nil {
		hc.timer.Stop()
		hc.timer = nil
	}
}

// timedOut answers 408 to a request whose head or body came too slowly.
func (hc *conn) timedOut(phase uint64) {
	if phase != hc.phase {
		return
	}
	hc.timer = nil
	hc.errorResponse(408, "request timeout")
	hc.flush()
}

// resume continues with the requests that arrived while an async handler
// answered. It runs as a Defer task.
func (hc *conn) resume() {
	hc.async = false
	if hc.hijacked != nil || hc.upgraded {
		return
	}
	if hc.upgrade != nil {
		stash := hc.stash
		hc.stash = nil
		hc.switchProtocol(stash)
		return
	}
	if hc.x.res.close {
		hc.closing = true
	}
	stash := hc.stash
	hc.stash = nil
	hc.feed(stash)
	hc.flush()
	if !hc.async && !hc.closing {
		hc.release()
	}
}
