package websocket_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"
	"github.com/plezi-go/plezi/websocket"
)

// TestBroadcast: one Message reaches clients with and without
// permessage-deflate, small (never compressed) and large.
func TestBroadcast(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		var mu sync.Mutex
		var conns []*websocket.Conn
		ev := newEvents()
		url := serveRaw(t, m, plain, ev, nil)
		var clients []*gorilla.Conn
		for i := 0; i < 6; i++ {
			d := gorilla.Dialer{EnableCompression: i%2 == 0}
			ws, _, err := d.Dial(url, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer ws.Close()
			clients = append(clients, ws)
			c := recv(t, ev.opened, 5*time.Second)
			if c.Compressed() != (i%2 == 0) {
				t.Fatalf("client %d: Compressed %v", i, c.Compressed())
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
		for _, msg := range []string{"hi", strings.Repeat("broadcast ", 500)} {
			bm := websocket.NewMessage(true, []byte(msg))
			for _, c := range conns {
				if err := c.WriteMessage(bm); err != nil {
					t.Fatal(err)
				}
			}
			for i, ws := range clients {
				ws.SetReadDeadline(time.Now().Add(5 * time.Second))
				typ, got, err := ws.ReadMessage()
				if err != nil || typ != gorilla.TextMessage || !bytes.Equal(got, []byte(msg)) {
					t.Fatalf("client %d: %v %d %q", i, err, typ, trim(got))
				}
			}
		}
		bin := websocket.NewMessage(false, []byte{0, 1, 2})
		conns[0].WriteMessage(bin)
		if typ, got, err := clients[0].ReadMessage(); err != nil || typ != gorilla.BinaryMessage || !bytes.Equal(got, []byte{0, 1, 2}) {
			t.Fatalf("binary: %v %v", err, got)
		}
	})
}

// TestClientWriteMessage: a client connection masks a broadcast Message
// (its own frame) and gets it echoed.
func TestClientWriteMessage(t *testing.T) {
	url := serveRaw(t, modes[0], plain, echo, nil)
	e := startEngine(t, modes[0])
	b := newInbox()
	c, _, err := websocket.Dial(t.Context(), url, b, &websocket.Options{Engine: e})
	if err != nil {
		t.Fatal(err)
	}
	c.WriteMessage(websocket.NewMessage(true, []byte(strings.Repeat("m", 300))))
	if got := recv(t, b.msgs, 5*time.Second); string(got) != strings.Repeat("m", 300) {
		t.Fatalf("got %q", trim(got))
	}
	c.Close(1000, "")
	recv(t, b.closed, 5*time.Second)
}
