package plezi

import (
	"github.com/plezi-go/plezi/sse"
	"github.com/plezi-go/plezi/websocket"
)

// liveConn binds a controller to its WebSocket connection or event
// stream. Its fields are set before the controller's first callback and
// not changed afterwards (transport methods are safe from any goroutine).
type liveConn struct {
	app   *App
	ct    *ctrlType
	inst  any
	c     *Controller
	ws    *websocket.Conn
	sse   *sse.Stream
	id    string // unique across processes and machines (see Controller.ID)
	token string // an event stream's secret inbound channel (POST fallback)
	text  bool   // the message being handled is text
}

// wsHandler serves a controller's WebSocket connection.
type wsHandler struct{ lc *liveConn }

// OnOpen binds the connection, subscribes it and calls OnOpen.
func (h wsHandler) OnOpen(c *websocket.Conn) {
	lc := h.lc
	lc.ws = c
	lc.id = lc.app.connID(c.ID())
	lc.subscribeDefaults()
	if o, ok := lc.inst.(Opener); ok {
		lc.guard("OnOpen", o.OnOpen)
	}
}

// OnMessage dispatches JSON events and passes other messages on.
func (h wsHandler) OnMessage(_ *websocket.Conn, data []byte, text bool) {
	h.lc.receive(data, text)
}

// OnDrained calls OnDrained.
func (h wsHandler) OnDrained(*websocket.Conn) {
	if d, ok := h.lc.inst.(Drainer); ok {
		h.lc.guard("OnDrained", d.OnDrained)
	}
}

// OnShutdown calls OnShutdown.
func (h wsHandler) OnShutdown(*websocket.Conn) { h.lc.shutdown() }

// OnClose calls OnClose.
func (h wsHandler) OnClose(*websocket.Conn, int, string) { h.lc.closed() }

// sseHandler serves a controller's event stream.
type sseHandler struct{ lc *liveConn }

// OnOpen binds the stream, sends its inbound token, subscribes it, then
// calls OnOpen and OnSSE.
func (h sseHandler) OnOpen(s *sse.Stream) {
	lc := h.lc
	lc.sse = s
	lc.id = lc.app.connID(s.ID())
	lc.token = newToken()
	lc.subscribeDefaults()
	lc.subscribeInbound() // before the client learns its token
	s.Send(&sse.Event{Event: "_plezi_", Data: helloEvent(lc.id, lc.token)})
	if o, ok := lc.inst.(Opener); ok {
		lc.guard("OnOpen", o.OnOpen)
	}
	if o, ok := lc.inst.(SSEOpener); ok {
		lc.guard("OnSSE", o.OnSSE)
	}
}

// OnShutdown calls OnShutdown.
func (h sseHandler) OnShutdown(*sse.Stream) { h.lc.shutdown() }

// OnClose calls OnClose.
func (h sseHandler) OnClose(*sse.Stream, error) { h.lc.closed() }

func (lc *liveConn) shutdown() {
	if s, ok := lc.inst.(Shutdowner); ok {
		lc.guard("OnShutdown", s.OnShutdown)
	}
}

func (lc *liveConn) closed() {
	if cl, ok := lc.inst.(Closer); ok {
		lc.guard("OnClose", cl.OnClose)
	}
}

// guard runs a callback, logging a panic instead of losing the loop.
func (lc *liveConn) guard(what string, fn func()) {
	defer func() {
		if v := recover(); v != nil {
			lc.app.log(what+" panic", errPanic(lc.inst, v))
		}
	}()
	fn()
}
