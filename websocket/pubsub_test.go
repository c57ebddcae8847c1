package websocket_test

import (
	"bytes"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"

	"github.com/plezi-go/plezi/engine"
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

// closeRecorder reports each connection's close code.
type closeRecorder struct {
	*subscriber
	closed chan int
}

func (r *closeRecorder) OnClose(c *websocket.Conn, code int, reason string) { r.closed <- code }

// TestPubSubSlowSubscriber: a WebSocket subscriber that never reads is
// closed at MaxPending (1006, slow consumer) while publishing goes on
// without blocking and every other subscriber receives every message.
func TestPubSubSlowSubscriber(t *testing.T) {
	// 24 MiB published, more than MaxPending and the kernel's buffers
	// hold; the publisher lets the readers fall at most 2 MiB behind
	// (subscribers that keep up), never the one that does not read.
	const maxPending, msgs, size, fast, lag = 2 << 20, 6144, 4096, 4, 512
	e := &engine.Engine{Loops: 2, IgnoreSignals: true, MaxPending: maxPending}
	var progress [fast]atomic.Int64
	b := &pubsub.Broker{}
	r := &closeRecorder{&subscriber{b: b, opened: make(chan *websocket.Conn, 8)}, make(chan int, 8)}
	url := httpdNative(t, e, r, &websocket.Options{DisableCompression: true})
	run(t, e)
	slow := dialRaw(t, url, "") // never reads
	recv(t, r.opened, 5*time.Second)
	results := make(chan error, fast)
	payload := bytes.Repeat([]byte("p"), size)
	for k := range fast {
		ws, _, err := gorilla.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		recv(t, r.opened, 5*time.Second)
		go func() {
			ws.SetReadDeadline(time.Now().Add(30 * time.Second))
			for i := range msgs {
				_, got, err := ws.ReadMessage()
				if err != nil || !bytes.Equal(got, payload) {
					results <- fmt.Errorf("message %d: %v (%d bytes)", i, err, len(got))
					return
				}
				progress[k].Add(1)
			}
			results <- nil
		}()
	}
	deadline := time.Now().Add(30 * time.Second)
	for i := range msgs {
		if err := b.Publish("room", payload); err != nil {
			t.Fatal(err)
		}
		for k := 0; k < fast; k++ {
			for int64(i)-progress[k].Load() > lag && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
		}
	}
	for range fast {
		if err := recv(t, results, 30*time.Second); err != nil {
			t.Fatalf("a fast subscriber: %v", err)
		}
	}
	if code := recv(t, r.closed, 10*time.Second); code != websocket.CloseAbnormal {
		t.Fatalf("the slow subscriber closed with %d, want 1006", code)
	}
	slow.c.Close()
}
