package websocket

// Handler receives a connection's messages. The optional interfaces
// Opener, Drainer, Shutdowner and Closer add the other events; only the
// methods a type has are called.
//
// For one connection no two callbacks ever run at the same time, and none
// runs concurrently with a task queued with Conn.Defer: the engine's
// per-connection guarantee. State touched only from callbacks needs no
// mutex.
type Handler interface {
	// OnMessage receives a complete message, text (valid UTF-8) or
	// binary. data is valid only during the call: it points into the
	// connection's read buffer, which is reused afterwards; copy what you
	// keep.
	OnMessage(c *Conn, data []byte, text bool)
}

// Opener is implemented by handlers that want to know when a connection
// opens. OnOpen runs before any OnMessage.
type Opener interface {
	OnOpen(c *Conn)
}

// Drainer is implemented by handlers that want to know when the outbound
// queue, which had backed up, is empty again.
type Drainer interface {
	OnDrained(c *Conn)
}

// Shutdowner is implemented by handlers that want a word when the engine
// shuts down. The connection is then closed with 1001 "going away"
// (unless OnShutdown closed it already with another code).
type Shutdowner interface {
	OnShutdown(c *Conn)
}

// Closer is implemented by handlers that want to know when a connection
// ends. OnClose is the last callback. code and reason are the peer's close
// frame (1005 when it carried no code), or the code this side closed with
// after a protocol violation, or 1006 when the connection ended without a
// close frame (the peer vanished, did not answer a ping, or could not keep
// up with the output; reason then says why).
type Closer interface {
	OnClose(c *Conn, code int, reason string)
}

// HandlerFunc adapts a function to the Handler interface.
type HandlerFunc func(c *Conn, data []byte, text bool)

// OnMessage calls f(c, data, text).
func (f HandlerFunc) OnMessage(c *Conn, data []byte, text bool) { f(c, data, text) }
