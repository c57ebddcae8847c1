package engine

import (
	"io"
	"runtime/debug"
)

var errEOF = io.EOF

// drainBudget bounds the tasks one turn runs for a connection before it
// yields to others (the connection is then queued again).
const drainBudget = 64

// drain runs queued tasks of c. The caller made c.running true; drain makes
// it false when the queue is empty, or hands c back to the scheduler when
// the budget is spent.
func (c *Conn) drain() {
	for i := 0; ; i++ {
		c.mu.Lock()
		if c.tasks.empty() {
			c.running = false
			c.mu.Unlock()
			return
		}
		if i == drainBudget {
			c.mu.Unlock()
			c.e.schedule(c)
			return
		}
		t := c.tasks.pop()
		live := c.state == stateOpen
		p := c.proto
		c.mu.Unlock()
		c.runTask(t, p, live)
	}
}

// runTask runs one task with p, the protocol current when it was taken.
// Tasks other than OnClose and a protocol swap run only while the
// connection is open.
func (c *Conn) runTask(t task, p Protocol, live bool) {
	defer c.recoverTask(t.kind)
	switch t.kind {
	case taskData:
		n := len(*t.data)
		if live {
			p.OnData(c, *t.data)
		}
		putBuf(t.data)
		c.inputDone(n)
	case taskDefer:
		if live {
			t.fn()
		}
	case taskOpen:
		if o, ok := p.(Opener); ok && live {
			o.OnOpen(c)
		}
	case taskTimeout:
		if !live {
			return
		}
		if h, ok := p.(TimeoutHandler); ok {
			h.OnTimeout(c)
			return
		}
		c.hardClose(ErrTimeout)
	case taskDrained:
		if d, ok := p.(Drainer); ok && live {
			d.OnDrained(c)
		}
	case taskShutdown:
		if !live {
			return
		}
		if s, ok := p.(Shutdowner); ok {
			s.OnShutdown(c)
			return
		}
		c.Close()
	case taskEOF:
		if h, ok := p.(EOFHandler); ok && live {
			h.OnEOF(c)
			return
		}
		c.mu.Lock()
		c.closeLocked(errEOF)
		c.mu.Unlock()
	case taskSwap:
		if cl, ok := t.proto.(Closer); ok {
			cl.OnClose(c, ErrProtocolSwitched)
		}
		if o, ok := p.(Opener); ok && live {
			o.OnOpen(c)
		}
		if t.data != nil {
			if live && c.Open() {
				p.OnData(c, *t.data)
			}
			putBuf(t.data)
		}
	case taskClose:
		c.finish(p)
	}
}

// finish runs OnClose and releases what the connection still holds.
func (c *Conn) finish(p Protocol) {
	c.mu.Lock()
	reason := c.reason
	for !c.tasks.empty() { // nothing is queued after close; be safe
		if t := c.tasks.pop(); t.data != nil {
			putBuf(t.data)
		}
	}
	c.mu.Unlock()
	defer c.e.connDone()
	if cl, ok := p.(Closer); ok {
		cl.OnClose(c, reason)
	}
}

// recoverTask turns a panic in a callback into a logged error that closes
// only this connection.
func (c *Conn) recoverTask(kind taskKind) {
	v := recover()
	if v == nil {
		return
	}
	pe := &PanicError{Value: v, Stack: debug.Stack()}
	c.e.logPanic(c, pe)
	if kind != taskClose {
		c.hardClose(pe)
	}
}

// deliver hands input read from the socket to the protocol. data is
// borrowed (the reader reuses it): with Threads 0 and nothing queued, the
// protocol runs inline on the reading goroutine; otherwise the bytes are
// copied into a pooled buffer and queued. It reports whether reading should
// pause (the queued input reached MaxQueuedInput).
func (c *Conn) deliver(data []byte) (pause bool) { // pause: reading should stop
	c.mu.Lock()
	if c.state != stateOpen {
		c.mu.Unlock()
		return false
	}
	if c.e.cfg.threads == 0 && !c.running && c.tasks.empty() {
		c.running = true
		p := c.proto
		c.mu.Unlock()
		c.runData(p, data)
		c.drain()
		c.mu.Lock()
		pause = !c.readingLocked()
		c.mu.Unlock()
		return pause
	}
	c.tasks.push(task{kind: taskData, data: getBuf(data)})
	c.inQueued += len(data)
	c.scheduleLocked()
	if c.inQueued >= c.e.cfg.maxQueuedInput && !c.paused {
		c.paused = true
		c.updateReadLocked()
	}
	pause = !c.readingLocked()
	c.mu.Unlock()
	return pause
}

func (c *Conn) runData(p Protocol, data []byte) {
	defer c.recoverTask(taskData)
	p.OnData(c, data)
}

// inputDone accounts for n bytes of queued input handled and resumes
// reading once the backlog is down to half the bound.
func (c *Conn) inputDone(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inQueued -= n
	if c.paused && c.inQueued <= c.e.cfg.maxQueuedInput/2 {
		c.paused = false
		c.updateReadLocked()
	}
}

// event queues an engine event (timeout, shutdown, EOF) as a task.
// shutdown queues OnShutdown, once.
func (c *Conn) shutdown() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == stateClosed || c.shutQueued {
		return
	}
	c.shutQueued = true
	c.tasks.push(task{kind: taskShutdown})
	c.scheduleLocked()
}

// shutdownIfStopping queues OnShutdown on a connection taken in after
// the engine began to stop (accepted by one loop while the loop that
// takes it had already shut its connections down), behind its OnOpen.
// Its loop calls it before the connection's first turn.
func (c *Conn) shutdownIfStopping() {
	select {
	case <-c.e.stopping:
	default:
		return
	}
	c.mu.Lock()
	if c.state != stateClosed && !c.shutQueued {
		c.shutQueued = true
		c.tasks.push(task{kind: taskShutdown})
	}
	c.mu.Unlock()
}

func (c *Conn) event(kind taskKind) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == stateClosed {
		return
	}
	c.tasks.push(task{kind: kind})
	c.scheduleLocked()
}
