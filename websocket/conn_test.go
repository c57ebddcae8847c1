package websocket_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"
	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/websocket"
)

// events is a server handler that records its callbacks.
type events struct {
	opened   chan *websocket.Conn
	closed   chan string // "code reason"
	shutdown chan struct{}
	onMsg    func(c *websocket.Conn, data []byte, text bool)
}

func newEvents() *events {
	return &events{opened: make(chan *websocket.Conn, 16), closed: make(chan string, 16), shutdown: make(chan struct{}, 16)}
}

func (e *events) OnOpen(c *websocket.Conn) { e.opened <- c }
func (e *events) OnMessage(c *websocket.Conn, data []byte, text bool) {
	if e.onMsg != nil {
		e.onMsg(c, data, text)
	}
}
func (e *events) OnClose(c *websocket.Conn, code int, reason string) {
	e.closed <- fmt.Sprintf("%d %s", code, reason)
}
func (e *events) OnShutdown(c *websocket.Conn) { e.shutdown <- struct{}{} }

// TestOnCloseCodes: what OnClose reports for each way a connection ends.
func TestOnCloseCodes(t *testing.T) {
	for _, kind := range []string{native, plain} {
		t.Run(kind, func(t *testing.T) {
			ev := newEvents()
			url := serveRaw(t, modes[0], kind, ev, nil)
			cases := []struct {
				name string
				act  func(r *rawClient)
				want string
			}{
				{"peer code and reason", func(r *rawClient) { r.send(closeFrame(4001, "bye")); r.expectClose(4001) }, "4001 bye"},
				{"empty close", func(r *rawClient) { r.send(frame(true, 0, 8, nil)); r.expectClose(0) }, "1005 "},
				{"tcp dropped", func(r *rawClient) { r.c.Close() }, "1006 EOF"},
				{"violation", func(r *rawClient) { r.send(frame(true, 0, 3, nil)); r.expectClose(1002) }, "1002 reserved opcode"},
			}
			for _, tc := range cases {
				r := dialRaw(t, url, "")
				recv(t, ev.opened, 5*time.Second)
				tc.act(r)
				if got := recv(t, ev.closed, 5*time.Second); got != tc.want {
					t.Errorf("%s: OnClose %q, want %q", tc.name, got, tc.want)
				}
			}
		})
	}
}

// TestServerClose: Close sends the code, waits for the answer, then the
// TCP connection closes; without an answer it closes at CloseTimeout.
func TestServerClose(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		ev := newEvents()
		ev.onMsg = func(c *websocket.Conn, data []byte, text bool) {
			if err := c.Close(websocket.CloseNormal, "bye"); err != nil {
				t.Error(err)
			}
			if err := c.WriteText([]byte("late")); err != websocket.ErrClosed {
				t.Errorf("write after Close: %v", err)
			}
			if err := c.Close(websocket.CloseNormal, "again"); err != websocket.ErrClosed {
				t.Errorf("second Close: %v", err)
			}
		}
		url := serveRaw(t, m, native, ev, &websocket.Options{CloseTimeout: time.Second})

		r := dialRaw(t, url, "")
		r.send(text("close please"))
		r.expect(8, append([]byte{3, 232}, "bye"...))
		r.send(closeFrame(1000, ""))
		r.expectEOF()
		if got := recv(t, ev.closed, 5*time.Second); got != "1000 " {
			t.Fatalf("OnClose %q", got)
		}

		r = dialRaw(t, url, "")
		start := time.Now()
		r.send(text("close please"))
		r.expect(8, append([]byte{3, 232}, "bye"...))
		r.expectEOF() // no answer: the server gives up
		if d := time.Since(start); d < 900*time.Millisecond || d > 3*time.Second {
			t.Fatalf("closed after %v, want about CloseTimeout (1-2 s)", d)
		}
		if got := recv(t, ev.closed, 5*time.Second); !strings.HasPrefix(got, "1006") {
			t.Fatalf("OnClose %q", got)
		}
	})
}

// TestCloseArguments: codes that may not be sent and long reasons.
func TestCloseArguments(t *testing.T) {
	ev := newEvents()
	url := serveRaw(t, modes[0], native, ev, nil)
	dialRaw(t, url, "")
	c := recv(t, ev.opened, 5*time.Second)
	for _, code := range []int{999, 1005, 1006, 1015, 2000, 5000} {
		if err := c.Close(code, ""); err != websocket.ErrInvalidCloseCode {
			t.Errorf("code %d: %v", code, err)
		}
	}
	if err := c.Close(1000, strings.Repeat("x", 124)); err != websocket.ErrControlTooLong {
		t.Errorf("long reason: %v", err)
	}
	if err := c.Ping(make([]byte, 126)); err != websocket.ErrControlTooLong {
		t.Errorf("long ping: %v", err)
	}
}

// TestPingLiveness: an idle connection gets pings; a peer that answers
// stays, one that stays silent is dropped with 1006.
func TestPingLiveness(t *testing.T) {
	t.Parallel()
	ev := newEvents()
	// The plain path: on the httpd path the first ping comes at httpd's
	// KeepAlive (see the report: engine SetTimeout cannot shorten a
	// scheduled wheel check).
	url := serveRaw(t, modes[0], plain, ev, &websocket.Options{PingInterval: time.Second, PongTimeout: time.Second})
	r := dialRaw(t, url, "")
	recv(t, ev.opened, 5*time.Second)
	for i := 0; i < 2; i++ {
		r.c.SetReadDeadline(time.Now().Add(4 * time.Second))
		r.expect(9, nil)
		r.send(frame(true, 0, 0xA, nil))
	}
	r.c.SetReadDeadline(time.Now().Add(4 * time.Second))
	r.expect(9, nil) // not answered this time
	start := time.Now()
	r.expectEOF()
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("dropped after %v", d)
	}
	if got := recv(t, ev.closed, 5*time.Second); got != "1006 no answer to ping" {
		t.Fatalf("OnClose %q", got)
	}
}

// TestNoPings: a negative PingInterval disables pings.
func TestNoPings(t *testing.T) {
	t.Parallel()
	url := serveRaw(t, modes[0], native, echo, &websocket.Options{PingInterval: -1})
	r := dialRaw(t, url, "")
	r.c.SetReadDeadline(time.Now().Add(2500 * time.Millisecond))
	if _, err := r.read(); err == nil || !isTimeout(err) {
		t.Fatalf("got %v, want silence", err)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// TestShutdown: stopping the engine calls OnShutdown and closes with 1001.
func TestShutdown(t *testing.T) {
	ev := newEvents()
	e := &engine.Engine{Loops: 1, IgnoreSignals: true}
	s := httpdNative(t, e, ev, nil)
	done := make(chan error, 1)
	started := make(chan struct{})
	e.On(engine.Started, func() { close(started) })
	go func() { done <- e.Start() }()
	<-started
	r := dialRaw(t, s, "")
	recv(t, ev.opened, 5*time.Second)
	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		stopped <- e.Stop(ctx)
	}()
	r.expect(8, append([]byte{3, 233}, "going away"...))
	r.send(closeFrame(1001, ""))
	r.expectEOF()
	recv(t, ev.shutdown, 5*time.Second)
	if err := recv(t, stopped, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	<-done
}

// TestSlowConsumer: a client that never reads is cut off at the engine's
// MaxPending, and the server's pending output never exceeds it.
func TestSlowConsumer(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		const maxPending = 1 << 20
		e := &engine.Engine{Portable: m.portable, Threads: m.threads, Loops: 1, IgnoreSignals: true, MaxPending: maxPending}
		ev := newEvents()
		url := httpdNative(t, e, ev, nil)
		run(t, e)
		r := dialRaw(t, url, "")
		c := recv(t, ev.opened, 5*time.Second)
		chunk := bytes.Repeat([]byte("x"), 32<<10)
		peak := 0
		var err error
		for i := 0; i < 10000 && err == nil; i++ {
			err = c.WriteBinary(chunk)
			peak = max(peak, c.Pending())
		}
		if err == nil {
			t.Fatal("10,000 writes of 32 KiB to a client that never reads all succeeded")
		}
		if peak > maxPending {
			t.Fatalf("pending reached %d > MaxPending %d", peak, maxPending)
		}
		if got := recv(t, ev.closed, 5*time.Second); !strings.HasPrefix(got, "1006") || !strings.Contains(got, "slow consumer") {
			t.Fatalf("OnClose %q", got)
		}
		r.c.Close()
	})
}

// httpdNative serves h on e's native httpd path (e not started yet).
func httpdNative(t testing.TB, e *engine.Engine, h websocket.Handler, o *websocket.Options) string {
	t.Helper()
	s := &httpdServer{h: h, o: o}
	ln, err := s.listen(e)
	if err != nil {
		t.Fatal(err)
	}
	return "ws://" + ln + "/ws"
}

// TestHandshakeRefused: each invalid upgrade gets its status and reason,
// on the native and net/http paths.
func TestHandshakeRefused(t *testing.T) {
	good := "GET /ws HTTP/1.1\r\nHost: %s\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	cases := []struct {
		name, from, to string
		status         string
		body           string
	}{
		{"not GET", "GET /ws", "POST /ws", "400", "method is not GET"},
		{"no Upgrade", "Upgrade: websocket\r\n", "", "400", "Upgrade: websocket"},
		{"no Connection token", "keep-alive, Upgrade", "keep-alive", "400", "Connection: Upgrade"},
		{"version 8", "Version: 13", "Version: 8", "426", "must be 13"},
		{"no key", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", "", "400", "Sec-WebSocket-Key"},
		{"short key", "dGhlIHNhbXBsZSBub25jZQ==", "dGhlIHNhbXBsZQ==", "400", "Sec-WebSocket-Key"},
		{"foreign origin", "Upgrade: websocket\r\n", "Upgrade: websocket\r\nOrigin: http://evil.example\r\n", "403", "origin"},
	}
	for _, kind := range []string{native, adapter, plain} {
		t.Run(kind, func(t *testing.T) {
			url := serveRaw(t, modes[0], kind, echo, nil)
			addr := strings.TrimSuffix(strings.TrimPrefix(url, "ws://"), "/ws")
			for _, tc := range cases {
				req := strings.Replace(fmt.Sprintf(good, addr), tc.from, tc.to, 1) + "Content-Length: 0\r\n\r\n"
				resp := rawHTTP(t, addr, req)
				if !strings.HasPrefix(resp, "HTTP/1.1 "+tc.status) || !strings.Contains(resp, tc.body) {
					t.Errorf("%s: got %q", tc.name, resp)
				}
				if tc.status == "426" && !strings.Contains(resp, "Sec-Websocket-Version: 13") && !strings.Contains(resp, "Sec-WebSocket-Version: 13") {
					t.Errorf("426 without Sec-WebSocket-Version: %q", resp)
				}
			}
		})
	}
}

func rawHTTP(t testing.TB, addr, req string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, req)
	buf := make([]byte, 4096)
	n, _ := io.ReadAtLeast(c, buf, 12)
	return string(buf[:n])
}

// TestOrigins: the default same-origin rule, AllowedOrigins and
// CheckOrigin.
func TestOrigins(t *testing.T) {
	cases := []struct {
		o      *websocket.Options
		origin string
		ok     bool
	}{
		{nil, "", true},
		{nil, "http://HOST", true},
		{nil, "https://other.example", false},
		{&websocket.Options{AllowedOrigins: []string{"other.example"}}, "https://other.example", true},
		{&websocket.Options{AllowedOrigins: []string{"*"}}, "https://any.example", true},
		{&websocket.Options{CheckOrigin: func(o, h string) bool { return strings.HasSuffix(o, ".trusted") }}, "http://a.trusted", true},
		{&websocket.Options{CheckOrigin: func(o, h string) bool { return false }}, "", false},
	}
	for i, tc := range cases {
		url := serveRaw(t, modes[0], plain, echo, tc.o)
		addr := strings.TrimSuffix(strings.TrimPrefix(url, "ws://"), "/ws")
		origin := strings.Replace(tc.origin, "HOST", addr, 1)
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		ws, resp, err := gorilla.DefaultDialer.Dial(url, h)
		if ws != nil {
			ws.Close()
		}
		if (err == nil) != tc.ok || (!tc.ok && resp.StatusCode != 403) {
			t.Errorf("case %d (%q): err %v", i, origin, err)
		}
	}
}

// TestConcurrentWrites: writes from many goroutines arrive whole.
func TestConcurrentWrites(t *testing.T) {
	ev := newEvents()
	url := serveRaw(t, modes[0], plain, ev, nil)
	ws, _, err := gorilla.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	c := recv(t, ev.opened, 5*time.Second)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				c.WriteText(bytes.Repeat([]byte{'a' + byte(g)}, 100+i))
			}
		}()
	}
	wg.Wait()
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for i := 0; i < 400; i++ {
		_, msg, err := ws.ReadMessage()
		if err != nil || len(msg) < 100 || bytes.Count(msg, msg[:1]) != len(msg) {
			t.Fatalf("message %d: %v %q", i, err, trim(msg))
		}
	}
}

// drainer records OnDrained.
type drainer struct {
	*events
	drained chan struct{}
}

func (d *drainer) OnDrained(c *websocket.Conn) {
	select {
	case d.drained <- struct{}{}:
	default:
	}
}

// TestDrainedAndPassthroughs: OnDrained follows a backed-up queue that
// emptied; ID, Value, RemoteAddr and Defer reach the engine connection.
func TestDrainedAndPassthroughs(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		d := &drainer{events: newEvents(), drained: make(chan struct{}, 1)}
		url := serveRaw(t, m, native, d, nil)
		r := dialRaw(t, url, "")
		c := recv(t, d.opened, 5*time.Second)
		if c.ID() == 0 || c.RemoteAddr().String() != r.c.LocalAddr().String() || c.EngineConn() == nil {
			t.Fatalf("ID %d, RemoteAddr %v", c.ID(), c.RemoteAddr())
		}
		c.SetValue("session")
		ran := make(chan any, 1)
		c.Defer(func() { ran <- c.Value() })
		if v := recv(t, ran, 5*time.Second); v != "session" {
			t.Fatalf("Value in Defer: %v", v)
		}
		chunk := bytes.Repeat([]byte("z"), 64<<10)
		for i := 0; i < 1000 && c.Pending() == 0; i++ {
			c.WriteBinary(chunk) // until the socket backs up
		}
		if c.Pending() == 0 {
			t.Fatal("output never backed up")
		}
		r.c.SetReadDeadline(time.Now().Add(10 * time.Second))
		go io.Copy(io.Discard, r.c)
		recv(t, d.drained, 10*time.Second)
	})
}
