package sse

import (
	"net/http"
	"time"

	"github.com/plezi-go/plezi/engine"
)

// Handler receives a stream's life events. It may be nil, or any value
// implementing some of Opener, Shutdowner and Closer: only the callbacks
// a handler has are called (as net/http does with Flusher).
//
// The engine's guarantee holds: for one stream no two callbacks or Defer
// tasks run at the same time, OnOpen runs first and OnClose last. State
// touched only from them needs no mutex.
type Handler any

// Opener is implemented by handlers that act when the stream opens: the
// response head is on its way and events can be sent (replaying those
// after LastEventID, say).
type Opener interface {
	OnOpen(s *Stream)
}

// Shutdowner is implemented by handlers that want a word when the engine
// shuts down (a last event telling clients to come back later). The
// stream closes right after OnShutdown returns, once what it queued is
// written: an event stream has no closing handshake to wait for.
type Shutdowner interface {
	OnShutdown(s *Stream)
}

// Closer is implemented by handlers that want to know when the stream
// ends. OnClose is the last callback; reason is nil after Close, io.EOF
// when the client left, engine.ErrSlowConsumer when the client did not
// read fast enough, engine.ErrShutdown when shutdown cut the stream off,
// or another network error.
type Closer interface {
	OnClose(s *Stream, reason error)
}

// DefaultKeepAlive is the idle time after which a stream sends a comment
// line, when Options.KeepAlive is zero.
const DefaultKeepAlive = 15 * time.Second

// EarlyLimit bounds the bytes a stream holds for events sent before it
// opens (between Upgrade and OnOpen): past it Send fails with
// engine.ErrSlowConsumer and the stream closes as soon as it opens.
const EarlyLimit = 1 << 20

// Options configures a stream. The zero value (or a nil *Options) works
// on Plezi's server; a plain net/http server also needs Engine.
type Options struct {
	// KeepAlive is the idle time (nothing written) after which the stream
	// writes a comment line, so that clients and proxies that drop silent
	// connections keep it. It uses the engine's timing wheel (one-second
	// resolution, no timer per stream). 0 means DefaultKeepAlive (15 s);
	// a negative value sends none and cancels the server's idle timeout.
	KeepAlive time.Duration

	// Retry, when positive, is sent first as the client's reconnection
	// delay.
	Retry time.Duration

	// Engine runs streams hijacked from a server that is not Plezi's
	// (one whose ResponseWriter is not an httpd.Upgrader). It must be
	// running. Upgrade fails with ErrNoEngine when it is needed and nil.
	Engine *engine.Engine

	// Header holds extra response headers. They are set after the
	// stream's own (Content-Type, Cache-Control, X-Accel-Buffering), so
	// they may replace them.
	Header http.Header
}
