package httpd

import (
	"io"
	"sync"

	"github.com/plezi-go/plezi/engine"
)

// pipeLimit bounds the body bytes held for an async handler: past it the
// connection stops reading until the handler consumed half.
const pipeLimit = 256 << 10

// bodyPipe carries a streamed request body from the connection's callbacks
// (write) to the handler's goroutine (Read).
type bodyPipe struct {
	c      *engine.Conn
	mu     sync.Mutex
	cond   sync.Cond
	buf    []byte
	err    error // set once the writer is done: io.EOF or why not
	paused bool
}

func newBodyPipe(c *engine.Conn) *bodyPipe {
	p := &bodyPipe{c: c}
	p.cond.L = &p.mu
	return p
}

// write queues body bytes; past pipeLimit it pauses the connection's
// reading until Read caught up.
func (p *bodyPipe) write(b []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf = append(p.buf, b...)
	p.cond.Signal()
	if len(p.buf) >= pipeLimit && !p.paused {
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
		p.cond.Wait()
	}
	if len(p.buf) == 0 {
		return 0, p.err
	}
	n := copy(b, p.buf)
	p.buf = p.buf[:copy(p.buf, p.buf[n:])]
	if p.paused && len(p.buf) <= pipeLimit/2 {
		p.paused = false
		p.c.ResumeRead()
	}
	return n, nil
}

// Close lets a handler abandon the body.
func (p *bodyPipe) Close() error { return nil }
