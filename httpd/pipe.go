package httpd

import (
	"io"
	"os"
	"sync"
	"time"

	"github.com/plezi-go/plezi/engine"
)

// pipeLimit bounds the body bytes held for an async handler: past it the
// connection stops reading until the handler consumed half.
const pipeLimit = 256 << 10

// bodyPipe carries input from the connection's callbacks (write) to a
// goroutine (Read): a streamed request body, or what a hijacked
// connection receives. It holds at most limit bytes: past it the
// connection stops reading until Read consumed half.
type bodyPipe struct {
	c      *engine.Conn
	limit  int
	mu     sync.Mutex
	cond   sync.Cond
	buf    []byte
	err    error     // set once the writer is done: io.EOF or why not
	rdl    time.Time // read deadline (hijacked connections)
	paused bool
}

func newBodyPipe(c *engine.Conn, limit int) *bodyPipe {
	p := &bodyPipe{c: c, limit: limit}
	p.cond.L = &p.mu
	return p
}

// write queues bytes; past the limit it pauses the connection's reading
// until Read caught up.
func (p *bodyPipe) write(b []byte) {
	if len(b) == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf = append(p.buf, b...)
	p.cond.Broadcast()
	if len(p.buf) >= p.limit && !p.paused {
		p.paused = true
		p.c.PauseRead()
	}
}

// closeWrite ends the body: io.EOF when err is nil.
func (p *bodyPipe) closeWrite(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return
	}
	if err == nil {
		err = io.EOF
	}
	p.err = err
	p.cond.Broadcast()
}

// Read implements io.Reader for the handler.
func (p *bodyPipe) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.buf) == 0 && p.err == nil {
		if expired(p.rdl) {
			return 0, os.ErrDeadlineExceeded
		}
		p.cond.Wait()
	}
	if len(p.buf) == 0 {
		return 0, p.err
	}
	n := copy(b, p.buf)
	p.buf = p.buf[:copy(p.buf, p.buf[n:])]
	if p.paused && len(p.buf) <= p.limit/2 {
		p.paused = false
		p.c.ResumeRead()
	}
	return n, nil
}

// Close lets a handler abandon the body.
func (p *bodyPipe) Close() error { return nil }

// wake wakes every goroutine waiting on the pipe (a deadline passed, the
// output drained).
func (p *bodyPipe) wake() {
	p.mu.Lock()
	p.cond.Broadcast()
	p.mu.Unlock()
}

func expired(t time.Time) bool { return !t.IsZero() && !time.Now().Before(t) }
