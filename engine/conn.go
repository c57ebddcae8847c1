package engine

import (
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

type connState uint8

const (
	stateOpen    connState = iota
	stateClosing           // Close was called: flushing pending output
	stateClosed            // closed; only OnClose is left to run
)

// Conn is one connection driven by the engine: a socket on an event loop's
// poller, or any net.Conn on the portable transport (TLS, a connection
// hijacked from net/http, platforms without a poller). Protocols cannot tell
// the two apart.
//
// All methods are safe to call from any goroutine. For one connection the
// engine never runs two callbacks or Defer tasks at the same time: OnOpen
// runs first, OnClose last, and a Defer task runs only while the connection
// is open.
type Conn struct {
	e    *Engine
	l    *loop
	id   uint64
	fd   int      // poller transport; -1 on the portable transport
	nc   net.Conn // portable transport
	peer any      // poller transport: the accepted sockaddr, converted lazily

	timeout atomic.Int64 // idle timeout in seconds; 0: none
	active  atomic.Int64 // unix second of the last read or write
	inWheel atomic.Bool  // queued for, or in, the loop's timing wheel

	// Owned by the loop goroutine: the timing wheel's links.
	wnext, wprev *Conn
	wat          int64

	mu          sync.Mutex // guards the fields below
	state       connState
	running     bool // a goroutine is running this connection's tasks
	proto       Protocol
	tasks       taskQueue
	out         outQueue
	pending     int   // outbound bytes queued, not yet written (files included)
	files       int   // file bytes among pending (not in memory)
	inQueued    int   // inbound bytes held in queued data tasks
	interest    uint8 // poller interest (registered once the loop took c in)
	inPoller    bool  // the loop registered fd with its poller
	shutQueued  bool  // OnShutdown was queued (once per connection)
	paused      bool  // reading paused: inQueued reached MaxQueuedInput
	held        bool  // reading paused by the protocol (PauseRead)
	eof         bool  // the peer ended its input
	backedUp    bool  // a write would have blocked since the last OnDrained
	flushPosted bool  // an opFlush job is queued on the loop (QueueShared)
	reason      error // why the connection closes (first cause wins)
	closeAt     int64 // unix second by which a closing connection must be flushed
	value       any
	portable    *portableState
}

// ID returns the connection's identifier: unique within the engine and, with
// distinct Engine.NodeID values, across the processes of a cluster.
func (c *Conn) ID() uint64 { return c.id }

// Engine returns the engine that drives the connection.
func (c *Conn) Engine() *Engine { return c.e }

// RemoteAddr returns the peer's address (nil when unknown).
func (c *Conn) RemoteAddr() net.Addr {
	if c.nc != nil {
		return c.nc.RemoteAddr()
	}
	return peerAddr(c.peer)
}

// Value returns the value stored with SetValue.
func (c *Conn) Value() any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.value
}

// SetValue stores one value with the connection (a session, a user ID):
// the per-connection slot for state that outlives a protocol swap.
func (c *Conn) SetValue(v any) {
	c.mu.Lock()
	c.value = v
	c.mu.Unlock()
}

// Open reports whether the connection is open: not closed and not closing.
func (c *Conn) Open() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state == stateOpen
}

// Pending returns the number of outbound bytes queued and not yet written
// to the socket.
func (c *Conn) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pending
}

// Protocol returns the connection's current protocol.
func (c *Conn) Protocol() Protocol {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.proto
}

// SetTimeout sets the idle timeout: after d without reading or writing a
// byte, the protocol's OnTimeout runs (or, without one, the connection
// closes with ErrTimeout). d is rounded up to whole seconds and the check
// is coarse: it fires between d and d+1s of idleness. 0 disables it.
// Timeouts are kept in a coarse timing wheel per loop, not in one runtime
// timer per connection.
func (c *Conn) SetTimeout(d time.Duration) {
	sec := int64((d + time.Second - 1) / time.Second)
	if d <= 0 {
		sec = 0
	}
	old := c.timeout.Swap(sec)
	if sec > 0 {
		c.active.Store(nowSec())
		if !c.inWheel.CompareAndSwap(false, true) && (old == 0 || sec >= old) {
			return // its check comes no later than the new deadline
		}
		// Not in the wheel yet, or its check is due later than the new,
		// shorter timeout allows: the loop (re)schedules it.
		c.l.post(job{op: opWheel, c: c})
	}
}

// Timeout returns the idle timeout.
func (c *Conn) Timeout() time.Duration { return time.Duration(c.timeout.Load()) * time.Second }

func (c *Conn) joinWheel() {
	if c.inWheel.CompareAndSwap(false, true) {
		c.l.post(job{op: opWheel, c: c})
	}
}

func (c *Conn) touch(now int64) {
	if c.timeout.Load() != 0 {
		c.active.Store(now)
	}
}

// Defer queues fn to run under the connection's serialization guarantee:
// never at the same time as a callback or another Defer task of this
// connection, in the order queued. fn runs only while the connection is
// open: tasks still queued when it closes are dropped. Defer returns
// ErrClosed when the connection is already closing or closed.
func (c *Conn) Defer(fn func()) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != stateOpen {
		return ErrClosed
	}
	c.tasks.push(task{kind: taskDefer, fn: fn})
	c.scheduleLocked()
	return nil
}

// SetProtocol replaces the connection's protocol. Between the callback
// running now (if any) and the next one, the old protocol's OnClose runs
// with ErrProtocolSwitched and then the new protocol's OnOpen; later input
// goes to the new protocol. The connection stays open.
func (c *Conn) SetProtocol(p Protocol) { c.SwitchProtocol(p, nil) }

// SwitchProtocol is SetProtocol for a protocol that takes over input the
// old one already read but did not consume (the bytes after an HTTP
// upgrade request): right after p's OnOpen, p.OnData gets a copy of
// buffered, before any later input. An empty buffered adds nothing.
func (c *Conn) SwitchProtocol(p Protocol, buffered []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == stateClosed {
		return
	}
	old := c.proto
	c.proto = p
	t := task{kind: taskSwap, proto: old}
	if len(buffered) > 0 {
		t.data = getBuf(buffered)
	}
	c.tasks.pushFront(t)
	c.scheduleLocked()
}

// PauseRead stops reading from the connection until ResumeRead: the
// protocol's flow control (a request body nobody consumes yet, too many
// pipelined responses pending). On the portable transport a read already
// in progress still delivers its bytes.
func (c *Conn) PauseRead() {
	c.mu.Lock()
	c.held = true
	c.updateReadLocked()
	c.mu.Unlock()
}

// ResumeRead undoes PauseRead.
func (c *Conn) ResumeRead() {
	c.mu.Lock()
	c.held = false
	c.updateReadLocked()
	c.mu.Unlock()
}

// readingLocked reports whether the connection should be read now.
// c.mu must be held.
func (c *Conn) readingLocked() bool { return !c.paused && !c.held && !c.eof }

// updateReadLocked applies readingLocked to the transport. c.mu must be
// held.
func (c *Conn) updateReadLocked() {
	if c.nc != nil {
		if c.readingLocked() {
			c.resumeReaderLocked()
		}
		return
	}
	if c.readingLocked() {
		c.setInterestLocked(c.interest | interestRead)
	} else {
		c.setInterestLocked(c.interest &^ interestRead)
	}
}

// Close closes the connection once its pending output is written (within
// the engine's CloseTimeout). Writes after Close fail with ErrClosed. The
// protocol's OnClose receives a nil reason.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeLocked(nil)
	return nil
}

// closeLocked starts a graceful close with the given reason.
// c.mu must be held.
func (c *Conn) closeLocked(reason error) {
	if c.state != stateOpen {
		return
	}
	c.state = stateClosing
	c.reason = reason
	if c.pending == 0 {
		c.hardCloseLocked(reason)
		return
	}
	c.closeAt = nowSec() + int64(c.e.cfg.closeTimeout/time.Second)
	if c.inWheel.CompareAndSwap(false, true) {
		c.l.post(job{op: opWheel, c: c})
	}
}

// hardClose closes the connection now, dropping pending output.
func (c *Conn) hardClose(reason error) {
	c.mu.Lock()
	c.hardCloseLocked(reason)
	c.mu.Unlock()
}

// hardCloseLocked closes the connection now: pending output and queued
// tasks are dropped, the transport is released and OnClose is queued as the
// last task. c.mu must be held.
func (c *Conn) hardCloseLocked(reason error) {
	if c.state == stateClosed {
		return
	}
	if c.state == stateOpen || c.reason == nil {
		c.reason = reason
	}
	c.state = stateClosed
	c.out.clear()
	c.pending, c.files = 0, 0
	c.tasks.push(task{kind: taskClose})
	c.scheduleLocked()
	if c.reason != nil && c.reason != errEOF {
		c.e.logConnClose(c, c.reason)
	}
	if c.nc != nil {
		c.closePortableLocked()
		return
	}
	c.l.post(job{op: opDetach, c: c})
}

// scheduleLocked makes sure a goroutine runs the queued tasks.
// c.mu must be held.
func (c *Conn) scheduleLocked() {
	if c.running || c.tasks.empty() {
		return
	}
	c.running = true
	c.e.schedule(c)
}

// Write queues p for the peer and never blocks. On the poller transport,
// when nothing is queued, p is written at once and not retained; what the
// socket does not take is copied (once) into the outbound queue. The
// returned n is len(p) unless err is not nil.
//
// Write fails with ErrClosed after Close, and with ErrSlowConsumer when the
// pending bytes would pass the engine's MaxPending: the connection is then
// closed with that reason.
func (c *Conn) Write(p []byte) (int, error) {
	return c.write(p, false)
}

// WriteShared is Write without the copy: p is queued as it is and must not
// be modified afterwards. It lets a broadcast encode a frame once and queue
// the same bytes on every subscriber.
func (c *Conn) WriteShared(p []byte) (int, error) {
	return c.write(p, true)
}

// QueueShared is WriteShared for fan-out: p is queued, not written now,
// and the connection's event loop writes everything queued meanwhile on
// its next turn, with one writev. A broadcast of many messages to many
// connections then costs one system call per connection per loop turn
// instead of one per message (the publisher never enters the kernel for
// a socket). When the queue reaches 64 KiB (or a quarter of MaxPending)
// the caller writes it at once, so a burst larger than MaxPending still
// reaches a peer that reads. Bounds and errors are Write's. On the
// portable transport it is WriteShared.
func (c *Conn) QueueShared(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != stateOpen {
		return 0, ErrClosed
	}
	if len(p) == 0 {
		return 0, nil
	}
	n, err := c.queueLocked(p, true, 0)
	if err != nil || c.nc != nil || c.backedUp {
		return n, err // a flush comes: the writer goroutine or write interest
	}
	if c.pending-c.files >= c.e.cfg.queueFlush {
		// A burst outruns the loop: write the batch now, so that only a
		// peer that does not read accumulates toward MaxPending.
		c.flushLocked()
		return n, nil
	}
	if c.flushPosted {
		return n, nil
	}
	c.flushPosted = true
	c.l.post(job{op: opFlush, c: c})
	return n, nil
}

// WriteString is Write for a string.
func (c *Conn) WriteString(s string) (int, error) {
	// Strings are immutable: queue the bytes without copying.
	return c.write(unsafe.Slice(unsafe.StringData(s), len(s)), true)
}

func (c *Conn) write(p []byte, shared bool) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != stateOpen {
		return 0, ErrClosed
	}
	if len(p) == 0 {
		return 0, nil
	}
	if c.nc != nil {
		return c.queueLocked(p, shared, 0)
	}
	if !c.out.empty() {
		return c.queueLocked(p, shared, 0)
	}
	n, err := write(c.fd, p)
	if n > 0 {
		c.touch(nowSec())
	}
	if n == len(p) {
		return n, nil
	}
	if err != nil && !isAgain(err) {
		c.hardCloseLocked(err)
		return n, err
	}
	if _, err := c.queueLocked(p[n:], shared, n); err != nil {
		return n, err
	}
	c.backedUp = true
	c.setInterestLocked(c.interest | interestWrite)
	return len(p), nil
}

// SendFile queues n bytes of f, from offset off, after what was written
// before; on Linux they go from the page cache to the socket with
// sendfile, without passing through user space. The connection takes f
// over: it is closed once sent, or when the connection closes. File bytes
// do not count against MaxPending (they are not in memory).
func (c *Conn) SendFile(f *os.File, off, n int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != stateOpen {
		f.Close()
		return ErrClosed
	}
	if n <= 0 {
		f.Close()
		return nil
	}
	c.out.pushFile(f, off, n)
	c.pending += int(n)
	c.files += int(n)
	if c.nc != nil {
		c.backedUp = true
		c.notifyWriterLocked()
		return nil
	}
	if c.out.head == len(c.out.segs)-1 { // nothing before it: start now
		c.flushLocked()
	}
	return nil
}

// queueLocked appends p to the outbound queue; done bytes of the caller's
// slice were already written. c.mu must be held.
func (c *Conn) queueLocked(p []byte, shared bool, done int) (int, error) {
	if c.pending-c.files+len(p) > c.e.cfg.maxPending {
		c.hardCloseLocked(ErrSlowConsumer)
		return done, ErrSlowConsumer
	}
	if c.nc != nil {
		// The portable transport never writes at once: every write
		// waits for the writer goroutine.
		c.backedUp = true
	}
	if shared {
		c.out.pushShared(p)
	} else {
		c.out.pushCopy(p)
	}
	c.pending += len(p)
	if c.nc != nil {
		c.notifyWriterLocked()
	}
	return done + len(p), nil
}

// flushLocked writes queued output until the socket would block (poller
// transport). c.mu must be held.
func (c *Conn) flushLocked() {
	if c.state == stateClosed {
		return
	}
	for !c.out.empty() {
		var n int
		var err error
		if s := &c.out.segs[c.out.head]; s.file != nil {
			n, err = sendfile(c.fd, s.file, s.off, s.n)
		} else {
			n, err = writev(c.fd, c.out.pending())
		}
		if n > 0 {
			c.consumeLocked(n)
			c.touch(nowSec())
		}
		if err != nil {
			if isAgain(err) {
				c.backedUp = true
				c.setInterestLocked(c.interest | interestWrite)
				return
			}
			c.hardCloseLocked(err)
			return
		}
	}
	c.setInterestLocked(c.interest &^ interestWrite)
	c.afterDrainLocked()
}

// consumeLocked drops n written bytes from the queue. c.mu must be held.
func (c *Conn) consumeLocked(n int) {
	// Account file bytes first: consume may release the file segment.
	if s := &c.out.segs[c.out.head]; s.file != nil {
		c.files -= min(n, int(s.n))
	}
	c.out.consume(n)
	c.pending -= n
}

// afterDrainLocked runs when the outbound queue became empty.
// c.mu must be held.
func (c *Conn) afterDrainLocked() {
	if c.state == stateClosing {
		c.hardCloseLocked(c.reason)
		return
	}
	if c.backedUp {
		c.backedUp = false
		if _, ok := c.proto.(Drainer); ok {
			c.tasks.push(task{kind: taskDrained})
			c.scheduleLocked()
		}
	}
}

// setInterestLocked updates the poller registration. c.mu must be held.
func (c *Conn) setInterestLocked(in uint8) {
	if in == c.interest || c.nc != nil || c.state == stateClosed {
		return
	}
	if !c.inPoller { // the loop registers c.interest when it takes c in
		c.interest = in
		return
	}
	if err := c.l.p.mod(c.fd, c.interest, in); err != nil {
		c.hardCloseLocked(err)
		return
	}
	c.interest = in
}
