package plezi_test

import (
	"testing"

	gws "github.com/gorilla/websocket"
	"github.com/plezi-go/plezi"
)

// Pinger answers the "ping" event.
type Pinger struct{ plezi.Controller }

func (c *Pinger) OnMessage(data []byte)      { c.Write(data) }
func (c *Pinger) Ping(m plezi.Params) any    { return map[string]any{"event": "pong", "n": m["n"]} }
func (c *Pinger) Shout(m plezi.Params) error { return c.Broadcast(m.Get("text")) }

// BenchmarkWebSocketEvent: a JSON event's round trip over loopback
// (decode, dispatch through reflection, JSON answer), client included.
func BenchmarkWebSocketEvent(b *testing.B) {
	a := newApp()
	mustRoute(b, a, "/", &Pinger{})
	ws := dialWS(b, serve(b, a), "/")
	msg := []byte(`{"event":"ping","n":1}`)
	b.ReportAllocs()
	for b.Loop() {
		ws.WriteMessage(gws.TextMessage, msg)
		if _, _, err := ws.ReadMessage(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWebSocketPlain: the same round trip for a plain message
// (OnMessage, no JSON), the baseline of the one above.
func BenchmarkWebSocketPlain(b *testing.B) {
	a := newApp()
	mustRoute(b, a, "/", &Pinger{})
	ws := dialWS(b, serve(b, a), "/")
	msg := []byte(`ping 1`)
	b.ReportAllocs()
	for b.Loop() {
		ws.WriteMessage(gws.TextMessage, msg)
		if _, _, err := ws.ReadMessage(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBroadcast100: one event broadcast to 100 WebSocket
// connections of the controller type, until each client read it.
func BenchmarkBroadcast100(b *testing.B) {
	a := newApp()
	mustRoute(b, a, "/", &Pinger{})
	base := serve(b, a)
	conns := make([]*gws.Conn, 100)
	for i := range conns {
		conns[i] = dialWS(b, base, "/")
		conns[i].WriteMessage(gws.TextMessage, []byte("hi")) // subscribed once echoed
		conns[i].ReadMessage()
	}
	msg := []byte(`{"event":"shout","text":"x"}`)
	b.ReportAllocs()
	for b.Loop() {
		conns[0].WriteMessage(gws.TextMessage, msg)
		for _, c := range conns {
			if _, _, err := c.ReadMessage(); err != nil {
				b.Fatal(err)
			}
		}
	}
}
