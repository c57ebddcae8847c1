package plezi

import (
	"encoding/json"
	"html/template"

	"github.com/plezi-go/plezi/sse"
	"github.com/plezi-go/plezi/websocket"
)

// The methods below serve controllers bound to a WebSocket connection or
// an event stream (see package doc, "Real-time controllers"). On a
// controller serving a plain HTTP request they do nothing and return
// ErrNotConnected (or false, 0, ""). They are safe to call from any
// goroutine (a Run task, a timer) once the connection opened.

// Write sends v to the client: a string (or template.HTML) as a text
// message or an SSE event's data, a []byte as a binary message (SSE: the
// event's data), anything else as JSON text.
func (c *Controller) Write(v any) error {
	lc := c.live
	if lc == nil || (lc.ws == nil && lc.sse == nil) {
		return ErrNotConnected
	}
	p, text, err := encode(v)
	if err != nil {
		return err
	}
	if lc.ws != nil {
		if text {
			return lc.ws.WriteText(p)
		}
		return lc.ws.WriteBinary(p)
	}
	return lc.sse.Send(&sse.Event{Data: p})
}

// encode turns a value into message bytes and tells whether they are
// text.
func encode(v any) ([]byte, bool, error) {
	switch x := v.(type) {
	case string:
		return []byte(x), true, nil
	case template.HTML:
		return []byte(x), true, nil
	case []byte:
		return x, false, nil
	}
	b, err := json.Marshal(v)
	return b, true, err
}

// Close closes the connection: a WebSocket closing handshake (1000), or
// the end of an event stream.
func (c *Controller) Close() error {
	switch lc := c.live; {
	case lc == nil:
		return ErrNotConnected
	case lc.ws != nil:
		return lc.ws.Close(websocket.CloseNormal, "")
	case lc.sse != nil:
		return lc.sse.Close()
	}
	return ErrNotConnected
}

// Defer runs fn after, and never concurrently with, the connection's
// callbacks and its other Defer tasks, in order, and only while the
// connection is open: state touched only from callbacks and Defer tasks
// needs no mutex.
func (c *Controller) Defer(fn func()) error {
	switch lc := c.live; {
	case lc == nil:
		return ErrNotConnected
	case lc.ws != nil:
		return lc.ws.Defer(func() { lc.guard("Defer", fn) })
	case lc.sse != nil:
		return lc.sse.Defer(func() { lc.guard("Defer", fn) })
	}
	return ErrNotConnected
}

// Open reports whether the connection is still open.
func (c *Controller) Open() bool {
	switch lc := c.live; {
	case lc == nil:
		return false
	case lc.ws != nil:
		return lc.ws.EngineConn().Open()
	case lc.sse != nil:
		ec := lc.sse.Conn()
		return ec != nil && ec.Open()
	}
	return false
}

// Pending returns the outbound bytes queued for the client and not yet
// written (0 without a connection).
func (c *Controller) Pending() int {
	switch lc := c.live; {
	case lc == nil:
		return 0
	case lc.ws != nil:
		return lc.ws.Pending()
	case lc.sse != nil:
		return lc.sse.Pending()
	}
	return 0
}

// ID returns the connection's identifier: unique across the processes
// and machines that share a pub/sub engine, it is what Unicast takes. It
// is "" without a connection.
func (c *Controller) ID() string {
	if c.live == nil {
		return ""
	}
	return c.live.id
}

// IsWebSocket reports whether the controller serves a WebSocket
// connection (false: an event stream, or a plain HTTP request).
func (c *Controller) IsWebSocket() bool { return c.live != nil && c.live.ws != nil }

// IsSSE reports whether the controller serves an event stream.
func (c *Controller) IsSSE() bool { return c.live != nil && c.live.sse != nil }

// Text reports whether the message OnMessage is handling is a text
// message (false: binary).
func (c *Controller) Text() bool { return c.live != nil && c.live.text }
