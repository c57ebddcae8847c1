package plezi_test

import (
	"errors"
	"testing"

	gws "github.com/gorilla/websocket"
	"github.com/plezi-go/plezi"
)

// Room broadcasts and unicasts on request.
type Room struct{ plezi.Controller }

func (c *Room) OnMessage(data []byte) { c.Write(c.ID()) } // any plain message: "who am I"
func (c *Room) OnSSE()                { c.Write(c.ID()) }
func (c *Room) Say(m plezi.Params) error {
	return c.Broadcast(map[string]string{"event": "say", "text": m.Get("text")})
}
func (c *Room) Tell(m plezi.Params) error { return c.Unicast(m.Get("to"), "private:"+m.Get("text")) }
func (c *Room) Bin(m plezi.Params) error  { return c.Broadcast([]byte(m.Get("text"))) }

// TestUnicastBroadcast: two applications share one broker, standing for
// two processes (or machines) sharing a pub/sub engine. Broadcast reaches
// every Room connection of both, WebSocket and SSE; Unicast reaches one
// connection wherever it is.
func TestUnicastBroadcast(t *testing.T) {
	a1, a2 := newApp(), newApp()
	a2.PubSub = a1.Broker()
	mustRoute(t, a1, "/room", &Room{})
	mustRoute(t, a2, "/room", &Room{})
	b1, b2 := serve(t, a1), serve(t, a2)
	w1, w2, w3 := dialWS(t, b1, "/room"), dialWS(t, b1, "/room"), dialWS(t, b2, "/room")
	s4 := openSSE(t, b2+"/room")
	s4.next() // the hello event
	ids := map[string]bool{}
	for _, w := range []*gws.Conn{w1, w2, w3} {
		sendWS(t, w, "who")
		id, _ := readWS(t, w)
		ids[id] = true
	}
	id4 := s4.next().data
	ids[id4] = true
	if len(ids) != 4 {
		t.Fatalf("IDs are not unique: %v", ids)
	}
	sendWS(t, w3, "who")
	id3, _ := readWS(t, w3)

	sendWS(t, w1, `{"event":"say","text":"hello"}`)
	const hello = `{"event":"say","text":"hello"}`
	for _, w := range []*gws.Conn{w1, w2, w3} {
		expectWS(t, w, hello)
	}
	if ev := s4.next(); ev.data != hello {
		t.Fatalf("SSE broadcast: %+v", ev)
	}

	sendWS(t, w1, `{"event":"tell","to":"`+id3+`","text":"psst"}`)
	expectWS(t, w3, "private:psst")
	sendWS(t, w2, `{"event":"tell","to":"`+id4+`","text":"to sse"}`)
	if ev := s4.next(); ev.data != "private:to sse" {
		t.Fatalf("SSE unicast: %+v", ev)
	}

	sendWS(t, w2, `{"event":"bin","text":"raw"}`)
	for _, w := range []*gws.Conn{w1, w2, w3} {
		if got, kind := readWS(t, w); got != "raw" || kind != gws.BinaryMessage {
			t.Fatalf("binary broadcast: %q kind %d", got, kind)
		}
	}
	// Nothing else arrived in between: w1 and w2 did not get the
	// unicasts, the stream did not get the binary message.
	if err := a2.Broadcast((*Room)(nil), "last"); err != nil {
		t.Fatal(err)
	}
	for _, w := range []*gws.Conn{w1, w2, w3} {
		expectWS(t, w, "last")
	}
	if ev := s4.next(); ev.data != "last" {
		t.Fatalf("stream: %+v", ev)
	}

	for _, bad := range []string{"", "a/b", "x y", string(make([]byte, 100))} {
		if err := a1.Unicast(bad, "x"); !errors.Is(err, plezi.ErrBadID) {
			t.Errorf("Unicast(%q): %v", bad, err)
		}
	}
	var c plezi.Controller
	if err := c.Write("x"); !errors.Is(err, plezi.ErrNotConnected) {
		t.Errorf("Write without a connection: %v", err)
	}
}
