package engine_test

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plezi-go/plezi/engine"
)

// recorder is a protocol that records its callbacks and detects any two
// running at the same time.
type recorder struct {
	mu      sync.Mutex
	events  []string
	inside  atomic.Int32
	overlap atomic.Bool
	closed  chan error
	data    func(c *engine.Conn, p []byte)
}

func newRecorder() *recorder { return &recorder{closed: make(chan error, 1)} }

func (r *recorder) enter(ev string) {
	if r.inside.Add(1) != 1 {
		r.overlap.Store(true)
	}
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
}

func (r *recorder) leave() { r.inside.Add(-1) }

func (r *recorder) OnOpen(c *engine.Conn) { r.enter("open"); time.Sleep(time.Millisecond); r.leave() }
func (r *recorder) OnData(c *engine.Conn, p []byte) {
	r.enter("data")
	defer r.leave()
	if r.data != nil {
		r.data(c, p)
	}
}
func (r *recorder) OnShutdown(c *engine.Conn) { r.enter("shutdown"); c.Close(); r.leave() }
func (r *recorder) OnClose(c *engine.Conn, reason error) {
	r.enter("close")
	r.leave()
	r.closed <- reason
}

func (r *recorder) log() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

// TestOrdering: OnOpen first, OnData between, OnClose last, and never two
// at once, even with Defer tasks and writes from other goroutines.
func TestOrdering(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		e := newEngine(m)
		recs := make(chan *recorder, 64)
		addr := listen(t, e, func(*engine.Conn) engine.Protocol {
			r := newRecorder()
			r.data = func(c *engine.Conn, p []byte) {
				for i := 0; i < 3; i++ {
					c.Defer(func() { r.enter("defer"); r.leave() })
				}
				q := append([]byte(nil), p...) // p is only valid during OnData
				go c.Write(q)                  // a foreign goroutine writes meanwhile
			}
			recs <- r
			return r
		})
		start(t, e)
		const n = 16
		for i := 0; i < n; i++ {
			c := dial(t, addr)
			for j := 0; j < 5; j++ {
				c.Write([]byte("x"))
				c.SetReadDeadline(time.Now().Add(5 * time.Second))
				if _, err := io.ReadFull(c, make([]byte, 1)); err != nil {
					t.Fatal(err)
				}
			}
			c.Close()
		}
		for i := 0; i < n; i++ {
			r := recv(t, recs, 5*time.Second)
			if err := recv(t, r.closed, 5*time.Second); err != io.EOF {
				t.Errorf("close reason %v, want io.EOF", err)
			}
			ev := r.log()
			if ev[0] != "open" || ev[len(ev)-1] != "close" {
				t.Fatalf("events %v: want open first and close last", ev)
			}
			if r.overlap.Load() {
				t.Fatalf("callbacks overlapped: %v", ev)
			}
		}
	})
}

// TestDeferAfterClose: Defer on a closed connection fails, and tasks queued
// when the connection closes are dropped.
func TestDeferAfterClose(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		e := newEngine(m)
		var ran atomic.Int32
		results := make(chan error, 1)
		addr := listen(t, e, func(*engine.Conn) engine.Protocol {
			r := newRecorder()
			r.data = func(c *engine.Conn, p []byte) {
				c.Defer(func() { c.Close() })
				c.Defer(func() { ran.Add(1) }) // queued, dropped by the close
			}
			go func() {
				<-r.closed
				results <- nil
			}()
			return r
		})
		start(t, e)
		c := dial(t, addr)
		c.Write([]byte("x"))
		recv(t, results, 5*time.Second)
		if ran.Load() != 0 {
			t.Fatal("a Defer task ran after Close")
		}
	})
}

func TestDeferOnClosedConn(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		e := newEngine(m)
		conns := make(chan *engine.Conn, 1)
		closed := make(chan struct{})
		addr := listen(t, e, func(c *engine.Conn) engine.Protocol {
			conns <- c
			r := newRecorder()
			go func() { <-r.closed; close(closed) }()
			return r
		})
		start(t, e)
		c := dial(t, addr)
		sc := recv(t, conns, 5*time.Second)
		c.Close()
		recv(t, closed, 5*time.Second)
		if err := sc.Defer(func() { t.Error("ran") }); err != engine.ErrClosed {
			t.Fatalf("Defer on closed conn = %v, want ErrClosed", err)
		}
		if _, err := sc.Write([]byte("x")); err != engine.ErrClosed {
			t.Fatalf("Write on closed conn = %v, want ErrClosed", err)
		}
		if sc.Open() {
			t.Fatal("Open() true after close")
		}
	})
}

// TestShutdown: Stop calls OnShutdown once per connection, then OnClose.
func TestShutdown(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		e := newEngine(m)
		var recs []*recorder
		var mu sync.Mutex
		addr := listen(t, e, func(*engine.Conn) engine.Protocol {
			r := newRecorder()
			mu.Lock()
			recs = append(recs, r)
			mu.Unlock()
			return r
		})
		start(t, e)
		const n = 20
		clients := make([]io.Reader, n)
		for i := range clients {
			clients[i] = dial(t, addr)
		}
		waitFor(t, 5*time.Second, "connections", func() bool { mu.Lock(); defer mu.Unlock(); return len(recs) == n })
		stopNow(t, e)
		for _, r := range recs {
			ev := r.log()
			shut := 0
			for _, x := range ev {
				if x == "shutdown" {
					shut++
				}
			}
			if shut != 1 || ev[len(ev)-1] != "close" {
				t.Fatalf("events %v: want one shutdown and close last", ev)
			}
			if err := recv(t, r.closed, time.Second); err != nil {
				t.Fatalf("reason %v, want nil (closed by OnShutdown)", err)
			}
		}
		for _, c := range clients {
			if _, err := io.ReadAll(c); err != nil {
				t.Fatalf("client read: %v", err)
			}
		}
	})
}

// TestShutdownDeadline: connections that do not close by themselves are
// closed with ErrShutdown when the deadline passes.
func TestShutdownDeadline(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		e := newEngine(m)
		reasons := make(chan error, 4)
		addr := listen(t, e, func(*engine.Conn) engine.Protocol { return &stubborn{reasons} })
		start(t, e)
		dial(t, addr)
		waitFor(t, 5*time.Second, "connection", func() bool { return len(reasons) == 1 })
		<-reasons
		ctx, cancel := contextTimeout(200 * time.Millisecond)
		defer cancel()
		if err := e.Stop(ctx); !errors.Is(err, errDeadline) {
			t.Fatalf("Stop = %v, want deadline exceeded", err)
		}
		if r := recv(t, reasons, time.Second); r != engine.ErrShutdown {
			t.Fatalf("reason %v, want ErrShutdown", r)
		}
	})
}

// stubborn ignores OnShutdown.
type stubborn struct{ reasons chan error }

func (s *stubborn) OnOpen(*engine.Conn)               { s.reasons <- nil }
func (s *stubborn) OnData(*engine.Conn, []byte)       {}
func (s *stubborn) OnShutdown(*engine.Conn)           {}
func (s *stubborn) OnClose(_ *engine.Conn, err error) { s.reasons <- err }
