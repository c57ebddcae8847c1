package engine

// Protocol handles the bytes a connection receives. It is the one callback
// every protocol needs; the others are optional interfaces (Opener, Drainer,
// Shutdowner, Closer, TimeoutHandler) that the engine detects at run time, the
// way net/http detects Flusher and Hijacker.
//
// For one connection the engine never runs two callbacks (or Defer tasks) at
// the same time, so state touched only from callbacks and Defer tasks needs no
// mutex.
type Protocol interface {
	// OnData receives bytes read from the connection. data is only valid
	// during the call: the engine reuses the buffer afterwards, so a protocol
	// that needs the bytes later must copy them.
	OnData(c *Conn, data []byte)
}

// Opener is implemented by protocols that want to know when a connection
// starts. OnOpen is the first callback a connection receives (and the first a
// protocol receives after SetProtocol).
type Opener interface {
	OnOpen(c *Conn)
}

// Drainer is implemented by protocols that want to know when an outbound
// queue that had backed up (the socket would not take more bytes) is empty
// again. It is the signal to resume producing after Pending grew.
type Drainer interface {
	OnDrained(c *Conn)
}

// Shutdowner is implemented by protocols that want a word at shutdown. When
// the engine stops it calls OnShutdown once on every open connection; the
// protocol may still write (a WebSocket close frame 1001, say) and is then
// responsible for closing the connection. Connections still open at the
// shutdown deadline are closed by force. A protocol without OnShutdown is
// closed gracefully (pending writes flushed) right away.
type Shutdowner interface {
	OnShutdown(c *Conn)
}

// Closer is implemented by protocols that want to know when a connection
// ends. OnClose is the last callback a connection receives. reason is nil when
// the connection was closed by a local Close, io.EOF when the peer closed it,
// and otherwise says why: ErrSlowConsumer, ErrTimeout, ErrShutdown,
// ErrProtocolSwitched (after SetProtocol, for the old protocol), a *PanicError,
// or a system call error.
type Closer interface {
	OnClose(c *Conn, reason error)
}

// TimeoutHandler is implemented by protocols that want to act when a
// connection has been idle (nothing read or written) for its timeout, for
// instance by sending a ping. Without it the engine closes an idle connection
// with ErrTimeout. After OnTimeout returns, the idle clock starts again.
type TimeoutHandler interface {
	OnTimeout(c *Conn)
}

// EOFHandler is implemented by protocols that want to decide what the
// end of the peer's input means. Without it the engine closes the
// connection gracefully (pending output is written first) and OnClose
// receives io.EOF. A protocol with OnEOF may keep writing (an HTTP server
// finishing a response to a half-closed client) and must Close itself.
type EOFHandler interface {
	OnEOF(c *Conn)
}

// ProtocolFunc adapts a function to the Protocol interface.
type ProtocolFunc func(c *Conn, data []byte)

// OnData calls f(c, data).
func (f ProtocolFunc) OnData(c *Conn, data []byte) { f(c, data) }
