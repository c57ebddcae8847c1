package sse

import (
	"errors"
	"github.com/plezi-go/plezi/pubsub"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plezi-go/plezi/engine"
)

// Stream is one open event stream: the server side of a browser's
// EventSource. All its methods are safe for concurrent use and none
// blocks: writes are queued on the engine connection, bounded by the
// engine's MaxPending (a client that does not read is closed with
// engine.ErrSlowConsumer rather than making memory grow).
//
// Between Upgrade and OnOpen the stream has no connection yet: what is
// sent meanwhile is held (up to EarlyLimit bytes) and written right after
// the response head, Defer tasks wait for OnOpen, and ID returns 0. On
// Plezi's server a stream opens after the HTTP handler returned; a stream
// hijacked from another server may open before Upgrade returns.
type Stream struct {
	h         Handler
	keepAlive time.Duration // 0: none
	lastID    string

	conn atomic.Pointer[engine.Conn] // set at OnOpen: writes go straight to it
	subs pubsub.Memberships          // where Subscribe subscribed the stream

	head []byte // the response head of a hijacked connection

	mu         sync.Mutex // guards the fields below
	early      []byte     // retry, events sent before OnOpen
	defers     []func()   // Defer tasks queued before OnOpen
	closeEarly bool       // Close before OnOpen
	earlyErr   error      // the early bytes overflowed: OnClose's reason
	value      any
}

func newStream(h Handler, o *Options, lastID string) *Stream {
	s := &Stream{h: h, lastID: lastID, keepAlive: o.KeepAlive}
	if s.keepAlive == 0 {
		s.keepAlive = DefaultKeepAlive
	}
	if s.keepAlive < 0 {
		s.keepAlive = 0
	}
	return s
}

// LastEventID returns the Last-Event-ID header of the request: the id of
// the last event a reconnecting client received, or "" on a first
// connection.
func (s *Stream) LastEventID() string { return s.lastID }

// Send writes ev to the client. It fails with an *EventError for an event
// that cannot be encoded, ErrClosed on a closed stream, and
// engine.ErrSlowConsumer when the client fell too far behind (the stream
// is then closed).
func (s *Stream) Send(ev *Event) error {
	if c := s.conn.Load(); c != nil {
		bp := getBuf()
		b, err := AppendEvent((*bp)[:0], ev)
		if err == nil {
			_, err = c.Write(b)
		}
		putBuf(bp, b)
		return mapErr(err)
	}
	if err := ev.check(); err != nil {
		return err
	}
	return s.early1(func(dst []byte) []byte { dst, _ = AppendEvent(dst, ev); return dst })
}

// SendPrepared writes a prepared event. Its bytes are queued as they are,
// not copied: one encoding serves every stream of a broadcast.
func (s *Stream) SendPrepared(m *Message) error { return s.SendShared(m.b) }

// SendShared writes p, one or more events already encoded (by
// AppendEvent, or by a broker's encoder), without copying it: p must not
// be modified afterwards. It is how a pub/sub broker delivers one
// encoding to many streams. p must end at an event boundary.
func (s *Stream) SendShared(p []byte) error {
	if c := s.conn.Load(); c != nil {
		_, err := c.QueueShared(p)
		return mapErr(err)
	}
	return s.early1(func(dst []byte) []byte { return append(dst, p...) })
}

// Comment writes text as comment lines, which clients ignore (see
// AppendComment).
func (s *Stream) Comment(text string) error {
	if c := s.conn.Load(); c != nil {
		bp := getBuf()
		b := AppendComment((*bp)[:0], text)
		_, err := c.Write(b)
		putBuf(bp, b)
		return mapErr(err)
	}
	return s.early1(func(dst []byte) []byte { return AppendComment(dst, text) })
}

// early1 appends output to the early buffer, or writes it when the stream
// opened meanwhile.
func (s *Stream) early1(enc func([]byte) []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.conn.Load(); c != nil { // opened while we waited
		bp := getBuf()
		b := enc((*bp)[:0])
		_, err := c.Write(b)
		putBuf(bp, b)
		return mapErr(err)
	}
	if s.closeEarly {
		return ErrClosed
	}
	b := enc(s.early)
	if len(b) > EarlyLimit {
		s.early, s.closeEarly, s.earlyErr = nil, true, engine.ErrSlowConsumer
		return engine.ErrSlowConsumer
	}
	s.early = b
	return nil
}

// Close ends the stream once what was sent is written. The client's
// EventSource will reconnect (after its retry delay) unless the page
// closes it; answer the reconnection with 204 No Content to stop it for
// good.
func (s *Stream) Close() error {
	if c := s.conn.Load(); c != nil {
		return c.Close()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.conn.Load(); c != nil {
		return c.Close()
	}
	s.closeEarly = true
	return nil
}

// Defer queues fn to run under the stream's serialization guarantee:
// never at the same time as a handler callback or another Defer task of
// this stream, in the order queued, and only while the stream is open.
// It returns ErrClosed on a closed stream.
func (s *Stream) Defer(fn func()) error {
	if c := s.conn.Load(); c != nil {
		return mapErr(c.Defer(fn))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.conn.Load(); c != nil {
		return mapErr(c.Defer(fn))
	}
	if s.closeEarly {
		return ErrClosed
	}
	s.defers = append(s.defers, fn)
	return nil
}

// ID returns the connection's identifier (see engine.Conn.ID), or 0
// before the stream opened.
func (s *Stream) ID() uint64 {
	if c := s.conn.Load(); c != nil {
		return c.ID()
	}
	return 0
}

// Conn returns the engine connection, or nil before the stream opened.
func (s *Stream) Conn() *engine.Conn { return s.conn.Load() }

// Pending returns the bytes queued for the client and not yet written.
func (s *Stream) Pending() int {
	if c := s.conn.Load(); c != nil {
		return c.Pending()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.early)
}

// Value returns the value stored with SetValue.
func (s *Stream) Value() any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.value
}

// SetValue stores one value with the stream (a user, a subscription).
func (s *Stream) SetValue(v any) {
	s.mu.Lock()
	s.value = v
	s.mu.Unlock()
}

// mapErr turns the engine's closed error into the package's.
func mapErr(err error) error {
	if errors.Is(err, engine.ErrClosed) {
		return ErrClosed
	}
	return err
}
