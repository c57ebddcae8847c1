package websocket_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"

	"github.com/plezi-go/plezi/pubsub"
	"github.com/plezi-go/plezi/websocket"
)

// subscriber subscribes each connection to "room" (text) and "bin"
// (binary) on b when it opens.
type subscriber struct {
	b      *pubsub.Broker
	opened chan *websocket.Conn
}

func (s *subscriber) OnMessage(*websocket.Conn, []byte, bool) {}
func (s *subscriber) OnOpen(c *websocket.Conn) {
	if _, err := c.Subscribe(s.b, pubsub.Sub{Channel: "room"}); err != nil {
		panic(err)
	}
	if _, err := c.Subscribe(s.b, pubsub.Sub{Pattern: "bin*", Kind: pubsub.KindBinary}); err != nil {
		panic(err)
	}
	s.opened <- c
}

// TestPubSub: published messages reach every subscribed connection as
// text or binary frames, compressed for clients that negotiated deflate;
// a connection's subscriptions end when it closes.
func TestPubSub(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		b := &pubsub.Broker{}
		s := &subscriber{b: b, opened: make(chan *websocket.Conn, 8)}
		url := serveRaw(t, m, plain, s, nil)
		var clients []*gorilla.Conn
		for i := 0; i < 4; i++ {
			d := gorilla.Dialer{EnableCompression: i%2 == 0}
			ws, _, err := d.Dial(url, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer ws.Close()
			clients = append(clients, ws)
			recv(t, s.opened, 5*time.Second)
		}
		big := strings.Repeat("compressible ", 100)
		for _, msg := range []string{"hi", big} {
			if err := b.Publish("room", []byte(msg)); err != nil {
				t.Fatal(err)
			}
		}
		b.Publish("binary", []byte{0, 1, 2})
		for i, ws := range clients {
			ws.SetReadDeadline(time.Now().Add(5 * time.Second))
			for _, want := range []string{"hi", big} {
				typ, got, err := ws.ReadMessage()
				if err != nil || typ != gorilla.TextMessage || string(got) != want {
					t.Fatalf("client %d: %v %d %q", i, err, typ, trim(got))
				}
			}
			if typ, got, err := ws.ReadMessage(); err != nil || typ != gorilla.BinaryMessage || !bytes.Equal(got, []byte{0, 1, 2}) {
				t.Fatalf("client %d binary: %v %d %v", i, err, typ, got)
			}
		}
		if st := b.Stats(); st.Subscriptions != 8 {
			t.Fatalf("stats %+v, want 8 subscriptions", st)
		}
		for _, ws := range clients {
			ws.WriteControl(gorilla.CloseMessage, gorilla.FormatCloseMessage(1000, ""), time.Now().Add(time.Second))
			ws.Close()
		}
		deadline := time.Now().Add(5 * time.Second)
		for b.Stats().Subscriptions != 0 {
			if time.Now().After(deadline) {
				t.Fatalf("subscriptions left after the clients closed: %+v", b.Stats())
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}
