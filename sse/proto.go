package sse

import "github.com/plezi-go/plezi/engine"

// proto is a Stream seen as the connection's engine protocol; the
// conversion keeps the engine callbacks out of Stream's method set.
type proto Stream

var (
	_ engine.Opener         = (*proto)(nil)
	_ engine.Shutdowner     = (*proto)(nil)
	_ engine.Closer         = (*proto)(nil)
	_ engine.TimeoutHandler = (*proto)(nil)
)

// keepAliveComment is what an idle stream writes every KeepAlive: an empty
// comment and a blank line, which dispatches nothing.
const keepAliveComment = ":\n\n"

// OnOpen writes what was held (the head of a hijacked response, the retry
// field, events sent before the stream opened), makes later writes go
// straight to c, then queues early Defer tasks and calls the handler.
func (p *proto) OnOpen(c *engine.Conn) {
	s := (*Stream)(p)
	c.SetTimeout(s.keepAlive) // replaces the server's keep-alive timeout
	if s.head != nil {
		c.Write(s.head)
		s.head = nil
	}
	s.mu.Lock()
	if len(s.early) > 0 && s.earlyErr == nil {
		c.Write(s.early) // a failure closes c: OnClose follows
	}
	defers, closeNow := s.defers, s.closeEarly
	s.early, s.defers = nil, nil
	s.conn.Store(c)
	s.mu.Unlock()
	for _, fn := range defers {
		c.Defer(fn)
	}
	if closeNow {
		c.Close()
	}
	if h, ok := s.h.(Opener); ok {
		h.OnOpen(s)
	}
}

// OnData discards input: an EventSource sends nothing after its request
// (bytes here are a misbehaving or pipelining client's).
func (p *proto) OnData(c *engine.Conn, data []byte) {}

// OnTimeout keeps an idle stream alive with a comment.
func (p *proto) OnTimeout(c *engine.Conn) { c.WriteString(keepAliveComment) }

// OnShutdown gives the handler its word, then closes the stream once its
// output is written.
func (p *proto) OnShutdown(c *engine.Conn) {
	s := (*Stream)(p)
	if h, ok := s.h.(Shutdowner); ok {
		h.OnShutdown(s)
	}
	c.Close()
}

// OnClose tells the handler the stream ended.
func (p *proto) OnClose(c *engine.Conn, reason error) {
	s := (*Stream)(p)
	s.mu.Lock()
	if s.earlyErr != nil {
		reason = s.earlyErr
	}
	s.mu.Unlock()
	s.unsubscribeAll()
	if h, ok := s.h.(Closer); ok {
		h.OnClose(s, reason)
	}
}
