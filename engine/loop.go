package engine

import (
	"sync"
	"time"
)

// Interest bits for the poller.
const (
	interestRead uint8 = 1 << iota
	interestWrite
)

// Readiness bits reported by the poller.
const (
	evRead uint8 = 1 << iota
	evWrite
	evHup
)

// readBufSize is the size of a loop's read buffer, shared by all its
// connections: an idle connection holds no read buffer.
const readBufSize = 64 << 10

// jobOp says what a posted loop job does.
type jobOp uint8

const (
	opFunc       jobOp = iota // run fn (a Run task with Threads 0)
	opDrain                   // run c's queued tasks (Threads 0)
	opRegister                // take c into the loop (poller transport)
	opAdopt                   // take c into the loop (portable transport)
	opDetach                  // drop c and close its descriptor
	opWheel                   // put c in the timing wheel
	opFlush                   // write c's queued output (QueueShared)
	opListen                  // start watching a listener
	opUnlisten                // stop watching a listener
	opShutdown                // queue OnShutdown on every connection
	opForceClose              // close every connection with ErrShutdown
	opExit                    // leave the loop
)

// job is one unit of work posted to a loop from another goroutine.
type job struct {
	op jobOp
	c  *Conn
	ln *Listener
	fn func()
	t  *Timer
}

// loop is one event loop: a goroutine that owns a poller, the read side of
// its connections and a timing wheel. Other goroutines hand it work with
// post, which queues a job and wakes the poller.
type loop struct {
	e   *Engine
	id  int
	p   *poller
	buf []byte

	// Owned by the loop goroutine.
	conns     []*Conn // poller connections by descriptor
	portable  map[*Conn]struct{}
	listeners map[int]*Listener
	wheel     wheel
	exiting   bool

	mu    sync.Mutex // guards jobs
	jobs  []job
	spare []job
	done  chan struct{}
}

func newLoop(e *Engine, id int) (*loop, error) {
	p, err := newPoller()
	if err != nil {
		return nil, err
	}
	l := &loop{
		e:         e,
		id:        id,
		p:         p,
		buf:       make([]byte, readBufSize),
		portable:  make(map[*Conn]struct{}),
		listeners: make(map[int]*Listener),
		done:      make(chan struct{}),
	}
	l.wheel.cur = nowSec()
	return l, nil
}

// post queues a job for the loop and wakes it. Lock order: a Conn's mu may
// be held while posting; the loop never holds l.mu while taking a Conn's mu.
func (l *loop) post(j job) {
	l.mu.Lock()
	l.jobs = append(l.jobs, j)
	l.mu.Unlock()
	l.p.wake()
}

// run is the loop goroutine.
func (l *loop) run() {
	defer close(l.done)
	defer l.p.close()
	for !l.exiting {
		msec := -1
		if l.wheel.count > 0 {
			msec = 1000 - time.Now().Nanosecond()/1e6
		}
		n, err := l.p.wait(msec)
		if err != nil {
			l.e.logError("poller wait failed", err)
			time.Sleep(10 * time.Millisecond) // never spin on a broken poller
		}
		now := nowSec()
		for i := 0; i < n; i++ {
			fd, ev := l.p.event(i)
			if fd < 0 {
				continue
			}
			if fd < len(l.conns) && l.conns[fd] != nil {
				l.connEvent(l.conns[fd], ev, now)
			} else if ln := l.listeners[fd]; ln != nil {
				l.accept(ln)
			}
		}
		l.runJobs()
		if l.wheel.count > 0 {
			l.wheel.advance(now, l.due)
		}
	}
}

// runJobs runs the jobs posted since the last turn.
func (l *loop) runJobs() {
	l.mu.Lock()
	jobs := l.jobs
	l.jobs = l.spare[:0]
	l.mu.Unlock()
	for i := range jobs {
		l.doJob(jobs[i])
		jobs[i] = job{}
	}
	l.mu.Lock()
	l.spare = jobs[:0]
	l.mu.Unlock()
}

func (l *loop) doJob(j job) {
	switch j.op {
	case opFunc:
		l.e.runTask(runItem{fn: j.fn, t: j.t})
	case opDrain:
		j.c.drain()
	case opRegister:
		l.register(j.c)
	case opAdopt:
		l.adopt(j.c)
	case opDetach:
		l.detach(j.c)
	case opWheel:
		if j.c.wat == 0 {
			l.due(j.c)
		} else {
			l.reschedule(j.c)
		}
	case opFlush:
		c := j.c
		c.mu.Lock()
		c.flushPosted = false
		c.flushLocked()
		c.mu.Unlock()
	case opListen:
		l.listen(j.ln)
	case opUnlisten:
		l.unlisten(j.ln)
	case opShutdown:
		l.forEach(func(c *Conn) { c.shutdown() })
	case opForceClose:
		l.forEach(func(c *Conn) { c.hardClose(ErrShutdown) })
	case opExit:
		l.exiting = true
	}
}

func (l *loop) forEach(fn func(c *Conn)) {
	for _, c := range l.conns {
		if c != nil {
			fn(c)
		}
	}
	for c := range l.portable {
		fn(c)
	}
}

// register takes a new poller connection in and starts it: OnOpen is
// queued and newConn marked it running, so this is where its first turn is
// handed out. A connection closed before it got here (its protocol
// factory leaked it to another goroutine) is only started, so that OnClose
// runs; its descriptor was already closed by detach.
func (l *loop) register(c *Conn) {
	c.mu.Lock()
	if c.state != stateClosed {
		for c.fd >= len(l.conns) {
			l.conns = append(l.conns, make([]*Conn, len(l.conns)+64)...)
		}
		l.conns[c.fd] = c
		if err := l.p.add(c.fd, c.interest); err != nil {
			c.hardCloseLocked(err)
		} else {
			c.inPoller = true
		}
	}
	c.mu.Unlock()
	c.shutdownIfStopping()
	l.startConn(c)
}

// adopt takes a new portable connection in and starts it.
func (l *loop) adopt(c *Conn) {
	c.mu.Lock()
	if c.state != stateClosed {
		l.portable[c] = struct{}{}
	}
	c.mu.Unlock()
	c.shutdownIfStopping()
	l.startConn(c)
}

// startConn gives a new connection its first turn (OnOpen): inline with
// Threads 0, on the pool otherwise.
func (l *loop) startConn(c *Conn) {
	if c.timeout.Load() > 0 {
		c.joinWheel()
	}
	if l.e.cfg.threads == 0 {
		c.drain()
		return
	}
	l.e.pool.pushConn(c)
}

// detach drops a closed connection from the loop.
func (l *loop) detach(c *Conn) {
	l.wheel.remove(c)
	if c.nc != nil {
		delete(l.portable, c)
		return
	}
	if c.fd >= 0 && c.fd < len(l.conns) && l.conns[c.fd] == c {
		l.conns[c.fd] = nil
	}
	closeFD(c.fd) // removes it from the poller too
}

// connEvent handles readiness of a poller connection.
func (l *loop) connEvent(c *Conn, ev uint8, now int64) {
	if ev&evWrite != 0 {
		c.mu.Lock()
		c.flushLocked()
		c.mu.Unlock()
	}
	if ev&(evRead|evHup) == 0 {
		return
	}
	c.mu.Lock()
	reading, st := c.readingLocked(), c.state
	c.mu.Unlock()
	if st == stateClosed {
		return
	}
	if !reading {
		if ev&evHup != 0 {
			c.hardClose(errEOF)
		}
		return
	}
	n, err := read(c.fd, l.buf)
	switch {
	case n > 0:
		c.touch(now)
		c.deliver(l.buf[:n])
	case err == nil:
		l.eof(c)
	case isAgain(err):
	default:
		c.hardClose(err)
	}
}

// eof handles the peer's end of input: the connection stops reading and is
// closed gracefully once the tasks queued before it (input included) ran.
func (l *loop) eof(c *Conn) {
	c.mu.Lock()
	c.eof = true
	c.updateReadLocked()
	c.mu.Unlock()
	c.event(taskEOF)
}

// due checks a connection whose wheel second has come.
func (l *loop) due(c *Conn) {
	now := nowSec()
	c.mu.Lock()
	st, closeAt := c.state, c.closeAt
	c.mu.Unlock()
	switch {
	case st == stateClosed:
		c.inWheel.Store(false)
		return
	case st == stateClosing:
		if now >= closeAt {
			c.hardClose(ErrTimeout)
			c.inWheel.Store(false)
			return
		}
		l.wheel.add(c, closeAt)
		return
	}
	to := c.timeout.Load()
	if to == 0 {
		c.inWheel.Store(false)
		return
	}
	// Seconds are coarse: idle from x.99 to x+to is only to-1 seconds, so
	// fire strictly after active+to (between to and to+1 s of idleness).
	deadline := c.active.Load() + to + 1
	if now >= deadline {
		c.active.Store(now)
		c.event(taskTimeout)
		deadline = now + to + 1
	}
	l.wheel.add(c, deadline)
}

// reschedule moves a connection already in the wheel to an earlier slot
// when its timeout was shortened.
func (l *loop) reschedule(c *Conn) {
	c.mu.Lock()
	st := c.state
	c.mu.Unlock()
	to := c.timeout.Load()
	if st != stateOpen || to == 0 {
		return // a closing deadline or no timeout: due sorts it out
	}
	if at := c.active.Load() + to + 1; at < c.wat {
		l.wheel.remove(c)
		l.wheel.add(c, at)
	}
}

// listen starts watching ln on this loop.
func (l *loop) listen(ln *Listener) {
	if ln.isClosed() {
		return
	}
	if _, ok := l.listeners[ln.fd]; ok {
		return
	}
	if err := l.p.addListener(ln.fd); err != nil {
		l.e.logError("listener registration failed", err)
		return
	}
	l.listeners[ln.fd] = ln
}

// unlisten stops watching ln on this loop; the last loop to let go closes
// its descriptor when the listener is closed.
//
// A shared listener is drained first: the kernel may have woken this
// loop alone for connections waiting in the backlog (EPOLLEXCLUSIVE), and
// other loops or processes watching the same socket would not hear of
// them until the next connection arrives. Once the loop stopped
// watching, it accepts what is waiting; later arrivals wake the others.
func (l *loop) unlisten(ln *Listener) {
	if _, ok := l.listeners[ln.fd]; ok {
		l.p.del(ln.fd, interestRead)
		delete(l.listeners, ln.fd)
		for listenerShared && l.accept(ln) {
		}
	}
	ln.loopDone()
}

// nowSec returns the current unix second.
func nowSec() int64 { return time.Now().Unix() }
