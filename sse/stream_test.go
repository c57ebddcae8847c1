package sse_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/sse"
)

const wait = 5 * time.Second

// TestStreamEvents: head, retry, an event sent before OnOpen, id, event,
// multi-line and unicode data, read by net/http's client and the
// specification's parser.
func TestStreamEvents(t *testing.T) {
	forPaths(t, paths, func(t *testing.T, p path) {
		early := make(chan error, 1)
		srv := serve(t, p, setup{
			opts: sse.Options{Retry: 1500 * time.Millisecond, Header: http.Header{"X-Extra": {"yes"}}},
			header: func(set func(k, v string)) {
				set("X-Before", "set before Upgrade")
			},
			after: func(s *sse.Stream) {
				// On a hijacked connection the stream may open before
				// Upgrade returns; on Plezi's server it opens after the
				// handler returned.
				if p.kind != netHTTP && (s.ID() != 0 || s.Conn() != nil) {
					t.Error("stream has a connection before OnOpen")
				}
				early <- s.Send(&sse.Event{ID: "0", Data: []byte("early")})
			},
			handler: func() sse.Handler {
				r := newRecorder(t)
				r.onOpen = func(s *sse.Stream) {
					if s.ID() == 0 || s.Conn() == nil {
						t.Error("no connection in OnOpen")
					}
					s.Send(&sse.Event{ID: "1", Event: "greet", Data: []byte("hello")})
					s.Send(&sse.Event{ID: "2", Data: []byte("héllo 世界 🎉\nline2\r\nline3\rline4")})
					s.Send(&sse.Event{Event: "empty"})
					s.Comment("a comment")
				}
				return r
			},
		})
		c := connect(t, srv.url)
		if err := recv(t, early, wait); err != nil {
			t.Fatalf("Send before OnOpen: %v", err)
		}
		h := c.resp.Header
		if c.resp.StatusCode != 200 || h.Get("Content-Type") != "text/event-stream" ||
			h.Get("Cache-Control") != "no-cache" || h.Get("X-Accel-Buffering") != "no" ||
			h.Get("X-Extra") != "yes" || h.Get("X-Before") != "set before Upgrade" {
			t.Fatalf("head: %d %v", c.resp.StatusCode, h)
		}
		if c.resp.ContentLength != -1 || len(c.resp.TransferEncoding) != 0 {
			t.Fatalf("body framing: length %d, transfer-encoding %v", c.resp.ContentLength, c.resp.TransferEncoding)
		}
		want := []item{
			{Type: "message", Data: "early", LastID: "0"},
			{Type: "greet", Data: "hello", LastID: "1"},
			{Type: "message", Data: "héllo 世界 🎉\nline2\nline3\nline4", LastID: "2"},
			{Type: "empty", Data: "", LastID: "2"},
			{IsComment: true, Comment: " a comment"},
		}
		for i, w := range want {
			if got := c.next(t, wait); got != w {
				t.Fatalf("item %d: %+v, want %+v", i, got, w)
			}
		}
		if r := c.retry.Load(); r != 1500 {
			t.Fatalf("retry %d, want 1500", r)
		}
	})
}

// TestLastEventID: a reconnecting client's Last-Event-ID reaches the
// handler, which resumes after it.
func TestLastEventID(t *testing.T) {
	forPaths(t, paths, func(t *testing.T, p path) {
		srv := serve(t, p, setup{handler: func() sse.Handler {
			r := newRecorder(t)
			r.onOpen = func(s *sse.Stream) {
				s.Send(&sse.Event{ID: "next", Data: []byte("after " + s.LastEventID())})
			}
			return r
		}})
		if got := connect(t, srv.url).event(t, wait); got.Data != "after " {
			t.Fatalf("first connection: %+v", got)
		}
		if got := connect(t, srv.url, "Last-Event-ID", "41").event(t, wait); got.Data != "after 41" {
			t.Fatalf("reconnection: %+v", got)
		}
	})
}

// TestKeepAlive: an idle stream gets comment lines, is not closed (even
// past the server's own keep-alive timeout), and still carries events.
func TestKeepAlive(t *testing.T) {
	forPaths(t, paths, func(t *testing.T, p path) {
		r := newRecorder(t)
		srv := serve(t, p, setup{
			opts:      sse.Options{KeepAlive: time.Second},
			keepAlive: time.Second, // httpd's idle timeout: replaced by the stream's
			handler:   func() sse.Handler { return r },
		})
		c := connect(t, srv.url)
		s := recv(t, r.opened, wait)
		start := time.Now()
		for i := 0; i < 2; i++ {
			if it := c.next(t, 4*time.Second); !it.IsComment {
				t.Fatalf("got %+v, want a keep-alive comment", it)
			}
		}
		if d := time.Since(start); d < time.Second {
			t.Fatalf("two keep-alives after %v: not idle-driven", d)
		}
		if err := s.Send(&sse.Event{Data: []byte("still here")}); err != nil {
			t.Fatal(err)
		}
		if it := c.event(t, wait); it.Data != "still here" {
			t.Fatalf("got %+v", it)
		}
		select {
		case err := <-r.closed:
			t.Fatalf("stream closed: %v", err)
		default:
		}
	})
}

// TestKeepAliveDisabled: a negative KeepAlive sends nothing and cancels
// the server's idle timeout.
func TestKeepAliveDisabled(t *testing.T) {
	forPaths(t, paths, func(t *testing.T, p path) {
		r := newRecorder(t)
		srv := serve(t, p, setup{
			opts:      sse.Options{KeepAlive: -1},
			keepAlive: time.Second,
			handler:   func() sse.Handler { return r },
		})
		c := connect(t, srv.url)
		s := recv(t, r.opened, wait)
		select {
		case it, ok := <-c.items:
			t.Fatalf("got %+v (open %v) on a stream without keep-alive", it, ok)
		case <-time.After(2500 * time.Millisecond):
		}
		if err := s.Send(&sse.Event{Data: []byte("x")}); err != nil {
			t.Fatal(err)
		}
		c.event(t, wait)
	})
}

// TestShutdown: at engine Stop the handler's OnShutdown may send a last
// event; the stream then closes, and OnClose comes last.
func TestShutdown(t *testing.T) {
	forPaths(t, paths, func(t *testing.T, p path) {
		r := newRecorder(t)
		r.onShutdown = func(s *sse.Stream) { s.Send(&sse.Event{Event: "bye", Data: []byte("later")}) }
		srv := serve(t, p, setup{handler: func() sse.Handler { return r }})
		c := connect(t, srv.url)
		recv(t, r.opened, wait)
		srv.stop()
		if it := c.event(t, wait); it.Type != "bye" || it.Data != "later" {
			t.Fatalf("got %+v, want the shutdown event", it)
		}
		c.ended(t, wait)
		if err := recv(t, r.closed, wait); err != nil {
			t.Fatalf("OnClose reason %v, want nil", err)
		}
		if got := r.events(); got != "open,shutdown,close" {
			t.Fatalf("callbacks %s", got)
		}
	})
}

// TestClientLeaves: OnClose runs when the client goes; the stream then
// refuses writes and Defer.
func TestClientLeaves(t *testing.T) {
	forPaths(t, paths, func(t *testing.T, p path) {
		r := newRecorder(t)
		srv := serve(t, p, setup{handler: func() sse.Handler { return r }})
		c := connect(t, srv.url)
		s := recv(t, r.opened, wait)
		c.resp.Body.Close()
		reason := recv(t, r.closed, wait)
		if !errors.Is(reason, io.EOF) && !errors.Is(reason, syscall.ECONNRESET) {
			t.Fatalf("OnClose reason %v, want EOF or a reset", reason)
		}
		if err := s.Send(&sse.Event{Data: []byte("x")}); !errors.Is(err, sse.ErrClosed) {
			t.Fatalf("Send after close: %v", err)
		}
		if err := s.Defer(func() {}); !errors.Is(err, sse.ErrClosed) {
			t.Fatalf("Defer after close: %v", err)
		}
		if err := s.Comment("x"); !errors.Is(err, sse.ErrClosed) {
			t.Fatalf("Comment after close: %v", err)
		}
	})
}

// TestDeferOrder is the seed's four deferred tasks on a stream: each reads
// the counter, writes, sleeps, writes and increments; they never overlap,
// so the client sees them in order and the counter ends at 4. A Defer
// queued before OnOpen runs after it.
func TestDeferOrder(t *testing.T) {
	forPaths(t, paths, func(t *testing.T, p path) {
		r := newRecorder(t)
		count := 0
		r.onOpen = func(s *sse.Stream) {
			for i := 0; i < 4; i++ {
				s.Defer(func() {
					r.enter("task")
					defer r.leave()
					tmp := count
					s.Send(&sse.Event{Data: []byte(strings.Repeat("s", tmp+1))})
					time.Sleep(20 * time.Millisecond)
					s.Send(&sse.Event{Data: []byte(strings.Repeat("f", tmp+1))})
					count = tmp + 1
				})
			}
		}
		earlyRan := make(chan struct{})
		srv := serve(t, p, setup{
			handler: func() sse.Handler { return r },
			after: func(s *sse.Stream) {
				err := s.Defer(func() { r.enter("early"); r.leave(); close(earlyRan) })
				if err != nil {
					t.Error(err)
				}
			},
		})
		c := connect(t, srv.url)
		for i := 1; i <= 4; i++ {
			for _, k := range []string{"s", "f"} {
				if it := c.event(t, wait); it.Data != strings.Repeat(k, i) {
					t.Fatalf("got %q, want %q", it.Data, strings.Repeat(k, i))
				}
			}
		}
		recv(t, earlyRan, wait)
		c.resp.Body.Close()
		recv(t, r.closed, wait)
		got := r.events()
		if p.kind == netHTTP {
			// The hijacked stream may open before Upgrade returns: the
			// "early" task is then queued among the others.
			got = strings.Replace(got, ",early", "", 1)
			got = strings.Replace(got, "open,", "open,early,", 1)
		}
		if got != "open,early,task,task,task,task,close" {
			t.Fatalf("callbacks %s", r.events())
		}
	})
}

// TestSlowConsumer: a client that never reads is closed once the stream's
// queued output would pass MaxPending; memory never holds more.
func TestSlowConsumer(t *testing.T) {
	forPaths(t, paths, func(t *testing.T, p path) {
		const maxPending = 256 << 10
		r := newRecorder(t)
		srv := serve(t, p, setup{maxPending: maxPending, handler: func() sse.Handler { return r }})
		nc := rawDial(t, srv.addr)
		if tc, ok := nc.(interface{ SetReadBuffer(int) error }); ok {
			tc.SetReadBuffer(4 << 10)
		}
		nc.Write([]byte(streamReq))
		s := recv(t, r.opened, wait)
		ev := &sse.Event{Data: []byte(strings.Repeat("x", 16<<10))}
		var err error
		sent := 0
		for sent < 256<<20 {
			if err = s.Send(ev); err != nil {
				break
			}
			sent += len(ev.Data)
			if n := s.Pending(); n > maxPending {
				t.Fatalf("pending %d over MaxPending", n)
			}
		}
		if !errors.Is(err, engine.ErrSlowConsumer) {
			t.Fatalf("after %d bytes: Send error %v, want ErrSlowConsumer", sent, err)
		}
		if reason := recv(t, r.closed, wait); !errors.Is(reason, engine.ErrSlowConsumer) {
			t.Fatalf("OnClose reason %v", reason)
		}
		if err := s.Send(ev); !errors.Is(err, sse.ErrClosed) {
			t.Fatalf("Send after the cut: %v", err)
		}
	})
}

// TestPrepared: one encoding, written to many streams.
func TestPrepared(t *testing.T) {
	forPaths(t, paths, func(t *testing.T, p path) {
		const n = 8
		opened := make(chan *sse.Stream, n)
		srv := serve(t, p, setup{after: func(s *sse.Stream) { opened <- s }})
		var clients []*client
		var streams []*sse.Stream
		for i := 0; i < n; i++ {
			clients = append(clients, connect(t, srv.url))
			streams = append(streams, recv(t, opened, wait))
		}
		m, err := sse.Prepare(&sse.Event{ID: "7", Event: "news", Data: []byte("one\ntwo")})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range streams {
			if err := s.SendPrepared(m); err != nil {
				t.Fatal(err)
			}
			if err := s.SendShared(m.Bytes()); err != nil {
				t.Fatal(err)
			}
		}
		want := item{Type: "news", Data: "one\ntwo", LastID: "7"}
		for i, c := range clients {
			for j := 0; j < 2; j++ {
				if got := c.event(t, wait); got != want {
					t.Fatalf("client %d: %+v", i, got)
				}
			}
		}
	})
}

// TestRefused: requests that are not EventSource requests get 405 or 406
// with a reason, and Upgrade a *RequestError.
func TestRefused(t *testing.T) {
	forPaths(t, paths, func(t *testing.T, p path) {
		srv := serve(t, p, setup{})
		cases := []struct {
			method, accept string
			status         int
		}{
			{"POST", sse.MediaType, 405},
			{"GET", "", 406},
			{"GET", "text/html", 406},
		}
		for _, tc := range cases {
			req, _ := http.NewRequest(tc.method, srv.url, nil)
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			tr := &http.Transport{}
			resp, err := (&http.Client{Transport: tr, Timeout: wait}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			tr.CloseIdleConnections()
			if resp.StatusCode != tc.status || !strings.Contains(string(body), "GET") && !strings.Contains(string(body), "Accept") {
				t.Fatalf("%s %q: %d %q", tc.method, tc.accept, resp.StatusCode, body)
			}
			if tc.status == 405 && resp.Header.Get("Allow") != "GET" {
				t.Fatalf("405 without Allow: %v", resp.Header)
			}
			var re *sse.RequestError
			if err := recv(t, srv.errs, wait); !errors.As(err, &re) || re.Status != tc.status || !errors.Is(err, sse.ErrNotEventStream) {
				t.Fatalf("Upgrade error %v", err)
			}
		}
	})
}

// TestEarly: before OnOpen, output past EarlyLimit fails and closes the
// stream once open; Close before OnOpen sends what was queued, then
// closes. On Plezi's server a stream opens only after the handler
// returned, so what the handler does after Upgrade is "early"; a hijacked
// stream may open at once, so the net/http path has no early phase to
// test.
func TestEarly(t *testing.T) {
	forPaths(t, paths[:3], func(t *testing.T, p path) {
		var over atomic.Bool
		r := newRecorder(t)
		errc := make(chan error, 2)
		srv := serve(t, p, setup{
			handler: func() sse.Handler { return r },
			after: func(s *sse.Stream) {
				if over.Load() {
					errc <- s.Send(&sse.Event{Data: make([]byte, sse.EarlyLimit)})
					errc <- s.Send(&sse.Event{Data: []byte("x")})
					return
				}
				s.Send(&sse.Event{Data: []byte("only")})
				s.Close()
				errc <- s.Send(&sse.Event{Data: []byte("late")})
				errc <- s.Defer(func() {})
			},
		})
		c := connect(t, srv.url)
		if it := c.event(t, wait); it.Data != "only" {
			t.Fatalf("got %+v", it)
		}
		c.ended(t, wait)
		for i := 0; i < 2; i++ {
			if err := recv(t, errc, wait); !errors.Is(err, sse.ErrClosed) {
				t.Fatalf("after an early Close: %v", err)
			}
		}
		if err := recv(t, r.closed, wait); err != nil {
			t.Fatalf("OnClose reason %v", err)
		}
		recv(t, r.opened, wait)

		over.Store(true)
		c = connect(t, srv.url)
		if err := recv(t, errc, wait); !errors.Is(err, engine.ErrSlowConsumer) {
			t.Fatalf("Send over EarlyLimit: %v", err)
		}
		if err := recv(t, errc, wait); !errors.Is(err, sse.ErrClosed) {
			t.Fatalf("Send after the overflow: %v", err)
		}
		c.ended(t, wait)
		if err := recv(t, r.closed, wait); !errors.Is(err, engine.ErrSlowConsumer) {
			t.Fatalf("OnClose reason %v", err)
		}
	})
}

// TestInputDiscarded: bytes after the request (a pipelined request,
// garbage) are ignored; the client's half-close ends the stream. The
// request's Accept header is split over two lines.
func TestInputDiscarded(t *testing.T) {
	forPaths(t, paths, func(t *testing.T, p path) {
		r := newRecorder(t)
		srv := serve(t, p, setup{handler: func() sse.Handler { return r }})
		nc := rawDial(t, srv.addr)
		// Two Accept lines: the second names the event stream.
		req := "GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\nAccept: text/event-stream\r\n\r\n"
		nc.Write([]byte(req + "GET /other HTTP/1.1\r\nHost: x\r\n\r\n\x00garbage"))
		s := recv(t, r.opened, wait)
		s.Send(&sse.Event{Data: []byte("one")})
		out := readUntil(t, nc, "data: one\n\n", wait)
		if strings.Count(out, "HTTP/1.1") != 1 {
			t.Fatalf("got %q, want one response", out)
		}
		nc.Write([]byte("more garbage\r\n\r\n"))
		s.Send(&sse.Event{Data: []byte("two")})
		readUntil(t, nc, "data: two\n\n", wait)
		nc.(interface{ CloseWrite() error }).CloseWrite()
		if reason := recv(t, r.closed, wait); reason != nil && !errors.Is(reason, io.EOF) {
			t.Fatalf("OnClose reason %v", reason)
		}
	})
}

// TestValue: the per-stream value slot.
func TestValue(t *testing.T) {
	forPaths(t, paths, func(t *testing.T, p path) {
		r := newRecorder(t)
		srv := serve(t, p, setup{
			handler: func() sse.Handler { return r },
			after:   func(s *sse.Stream) { s.SetValue("user-1") },
		})
		connect(t, srv.url)
		if s := recv(t, r.opened, wait); s.Value() != "user-1" {
			t.Fatalf("Value %v", s.Value())
		}
	})
}

// TestHTTP10: an HTTP/1.0 request with Connection: close still gets its
// stream (the body runs until the connection closes).
func TestHTTP10(t *testing.T) {
	forPaths(t, paths, func(t *testing.T, p path) {
		r := newRecorder(t)
		srv := serve(t, p, setup{handler: func() sse.Handler { return r }})
		nc := rawDial(t, srv.addr)
		nc.Write([]byte("GET /events HTTP/1.0\r\nConnection: close\r\nAccept: text/event-stream\r\n\r\n"))
		s := recv(t, r.opened, wait)
		s.Send(&sse.Event{Data: []byte("one")})
		out := readUntil(t, nc, "data: one\n\n", wait)
		if !strings.HasPrefix(out, "HTTP/1.1 200 OK\r\n") || !strings.Contains(out, "Content-Type: text/event-stream\r\n") {
			t.Fatalf("got %q", out)
		}
		s.Send(&sse.Event{Data: []byte("two")})
		readUntil(t, nc, "data: two\n\n", wait)
	})
}
