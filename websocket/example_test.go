package websocket_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/httpd"
	"github.com/plezi-go/plezi/websocket"
)

// chat broadcasts every message to every member.
type chat struct {
	mu      sync.Mutex // members is shared by all connections' callbacks
	members map[*websocket.Conn]bool
}

func (h *chat) OnOpen(c *websocket.Conn) {
	h.mu.Lock()
	h.members[c] = true
	h.mu.Unlock()
}

func (h *chat) OnClose(c *websocket.Conn, code int, reason string) {
	h.mu.Lock()
	delete(h.members, c)
	h.mu.Unlock()
}

func (h *chat) OnMessage(c *websocket.Conn, data []byte, text bool) {
	m := websocket.NewMessage(text, data) // encoded once for everyone
	h.mu.Lock()
	defer h.mu.Unlock()
	for member := range h.members {
		member.WriteMessage(m)
	}
}

// printer prints what the client receives, then closes.
type printer struct{ done chan struct{} }

func (p *printer) OnMessage(c *websocket.Conn, data []byte, text bool) {
	fmt.Printf("client got %q\n", data)
	c.Close(websocket.CloseNormal, "thanks")
}

func (p *printer) OnClose(c *websocket.Conn, code int, reason string) {
	fmt.Println("closed with", code)
	close(p.done)
}

// Example serves a chat from a plain net/http server (the connection is
// hijacked and run on the engine of Options) and talks to it with Dial.
func Example() {
	e := &engine.Engine{Loops: 1, IgnoreSignals: true}
	started := make(chan struct{})
	e.On(engine.Started, func() { close(started) })
	go e.Start()
	<-started
	defer e.Stop(context.Background())

	h := &chat{members: map[*websocket.Conn]bool{}}
	opts := &websocket.Options{Engine: e}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		websocket.Upgrade(w, r, h, opts)
	})}
	go srv.Serve(ln)
	defer srv.Close()

	p := &printer{done: make(chan struct{})}
	c, _, err := websocket.Dial(context.Background(), "ws://"+ln.Addr().String()+"/chat", p, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	c.WriteText([]byte("hello"))
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
	}
	// Output:
	// client got "hello"
	// closed with 1000
}

// ExampleUpgradeCtx upgrades on the native httpd path: the connection
// stays on its event loop, with no goroutine of its own.
func ExampleUpgradeCtx() {
	e := &engine.Engine{}
	echo := websocket.HandlerFunc(func(c *websocket.Conn, data []byte, text bool) {
		if text {
			c.WriteText(data)
		} else {
			c.WriteBinary(data)
		}
	})
	opts := &websocket.Options{
		MaxMessage:   1 << 20,
		PingInterval: 30 * time.Second,
		Subprotocols: []string{"chat.v2", "chat.v1"},
	}
	s := &httpd.Server{Native: func(x *httpd.Ctx) {
		if string(x.Path()) == "/ws" {
			websocket.UpgradeCtx(x, echo, opts)
			return
		}
		x.WriteString("hello")
	}}
	s.Listen(e, "tcp", ":3000")
	// e.Start()
}
