package engine_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plezi-go/plezi/engine"
)

// TestManyConnections: thousands of concurrent connections each echo
// messages whose every byte is verified. Both ends live in this process, so
// each connection costs two descriptors of the 20,000 allowed; the portable
// transport also costs two goroutines per connection (and the race detector
// allows 8,128 goroutines), so it runs fewer.
func TestManyConnections(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		n := 5000
		if m.portable {
			n = 1000
		}
		if testing.Short() {
			n /= 10
		}
		e := newEngine(m)
		addr := listen(t, e, echo)
		start(t, e)
		conns := make([]net.Conn, n)
		for i := range conns {
			var err error
			for try := 0; ; try++ {
				conns[i], err = net.DialTimeout("tcp", addr, 5*time.Second)
				if err == nil || try == 20 {
					break
				}
				time.Sleep(10 * time.Millisecond) // accept backlog full: retry
			}
			if err != nil {
				t.Fatalf("dial %d: %v", i, err)
			}
			defer conns[i].Close()
		}
		var wg sync.WaitGroup
		var failed atomic.Int32
		for i, c := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.SetDeadline(time.Now().Add(60 * time.Second))
				for round := 0; round < 3; round++ {
					size := 4 + (i*7919+round*104729)%2048
					msg := make([]byte, size)
					binary.LittleEndian.PutUint32(msg, uint32(i))
					for k := 4; k < size; k++ {
						msg[k] = byte(i + k + round)
					}
					got := make([]byte, size)
					if _, err := c.Write(msg); err != nil {
						failed.Add(1)
						return
					}
					if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, msg) {
						failed.Add(1)
						return
					}
				}
			}()
		}
		wg.Wait()
		if f := failed.Load(); f != 0 {
			t.Fatalf("%d of %d connections failed", f, n)
		}
	})
}

func TestUnixSocket(t *testing.T) {
	for _, m := range []mode{modes[0], modes[2]} {
		t.Run(m.name, func(t *testing.T) {
			e := newEngine(m)
			path := filepath.Join(t.TempDir(), "s.sock")
			if _, err := e.Listen("unix", path, echo); err != nil {
				t.Fatal(err)
			}
			start(t, e)
			c, err := net.Dial("unix", path)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.Write([]byte("unix"))
			buf := make([]byte, 4)
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "unix" {
				t.Fatalf("%q %v", buf, err)
			}
			c.Close()
			stopNow(t, e)
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Fatalf("socket file left behind: %v", err)
			}
		})
	}
}

func TestIPv6(t *testing.T) {
	if ln, err := net.Listen("tcp6", "[::1]:0"); err != nil {
		t.Skip("no IPv6 loopback on this machine")
	} else {
		ln.Close()
	}
	forModes(t, func(t *testing.T, m mode) {
		e := newEngine(m)
		addrs := make(chan net.Addr, 1)
		ln, err := e.Listen("tcp6", "[::1]:0", func(c *engine.Conn) engine.Protocol {
			addrs <- c.RemoteAddr()
			return engine.ProtocolFunc(func(c *engine.Conn, p []byte) { c.Write(p) })
		})
		if err != nil {
			t.Fatal(err)
		}
		start(t, e)
		c := dial(t, ln.Addr().String())
		c.Write([]byte("v6"))
		buf := make([]byte, 2)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "v6" {
			t.Fatalf("%q %v", buf, err)
		}
		if ra := recv(t, addrs, time.Second); ra.String() != c.LocalAddr().String() {
			t.Fatalf("RemoteAddr %v, want %v", ra, c.LocalAddr())
		}
	})
}

// TestConnIdentity: IDs are unique and carry the NodeID, RemoteAddr is the
// client's address, and the value slot keeps what was stored.
func TestConnIdentity(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		e := newEngine(m)
		e.NodeID = 7
		type info struct {
			id   uint64
			addr string
			val  any
		}
		infos := make(chan info, 8)
		addr := listen(t, e, func(c *engine.Conn) engine.Protocol {
			c.SetValue("session")
			return engine.ProtocolFunc(func(c *engine.Conn, p []byte) {
				infos <- info{c.ID(), c.RemoteAddr().String(), c.Value()}
			})
		})
		start(t, e)
		seen := map[uint64]bool{}
		for i := 0; i < 4; i++ {
			c := dial(t, addr)
			c.Write([]byte("?"))
			in := recv(t, infos, 5*time.Second)
			if seen[in.id] || in.id>>48 != 7 {
				t.Fatalf("id %x: duplicate or without NodeID 7", in.id)
			}
			seen[in.id] = true
			if in.addr != c.LocalAddr().String() || in.val != "session" {
				t.Fatalf("got %+v, want addr %v and value session", in, c.LocalAddr())
			}
		}
	})
}

// TestBlockingHandler: with Threads > 0 a handler that blocks never stalls
// IO for the other connections.
func TestBlockingHandler(t *testing.T) {
	for _, m := range []mode{modes[1], modes[3]} {
		t.Run(m.name, func(t *testing.T) {
			e := newEngine(m)
			e.Threads = 2
			release := make(chan struct{})
			addr := listen(t, e, func(*engine.Conn) engine.Protocol {
				return engine.ProtocolFunc(func(c *engine.Conn, p []byte) {
					if p[0] == 'B' {
						<-release // blocks one pool goroutine
					}
					c.Write(p)
				})
			})
			start(t, e)
			defer close(release)
			blocked := dial(t, addr)
			blocked.Write([]byte("B"))
			time.Sleep(20 * time.Millisecond)
			for i := 0; i < 10; i++ {
				c := dial(t, addr)
				c.Write([]byte("x"))
				c.SetReadDeadline(time.Now().Add(2 * time.Second))
				if _, err := io.ReadFull(c, make([]byte, 1)); err != nil {
					t.Fatalf("connection %d stalled behind a blocked handler: %v", i, err)
				}
			}
		})
	}
}

// TestInputBackpressure: a slow handler makes input queue up to
// MaxQueuedInput; reading pauses and resumes, and nothing is lost.
func TestInputBackpressure(t *testing.T) {
	for _, m := range []mode{modes[1], modes[3]} {
		t.Run(m.name, func(t *testing.T) {
			e := newEngine(m)
			e.MaxQueuedInput = 64 << 10
			var received atomic.Int64
			var sum atomic.Uint64
			addr := listen(t, e, func(*engine.Conn) engine.Protocol {
				return engine.ProtocolFunc(func(c *engine.Conn, p []byte) {
					time.Sleep(200 * time.Microsecond) // a slow handler
					var s uint64
					for _, b := range p {
						s += uint64(b)
					}
					sum.Add(s)
					received.Add(int64(len(p)))
				})
			})
			start(t, e)
			c := dial(t, addr)
			const total = 16 << 20
			buf := make([]byte, 64<<10)
			var want uint64
			for i := range buf {
				buf[i] = byte(i * 13)
				want += uint64(buf[i])
			}
			want *= total / uint64(len(buf))
			c.SetWriteDeadline(time.Now().Add(60 * time.Second))
			for sent := 0; sent < total; sent += len(buf) {
				if _, err := c.Write(buf); err != nil {
					t.Fatal(err)
				}
			}
			waitFor(t, 60*time.Second, "all input", func() bool { return received.Load() == total })
			if sum.Load() != want {
				t.Fatal("input corrupted")
			}
		})
	}
}

// TestRunOverload: Run refuses tasks past MaxTasks.
func TestRunOverload(t *testing.T) {
	e := newEngine(modes[1])
	e.Threads = 1
	e.MaxTasks = 10
	start(t, e)
	block := make(chan struct{})
	started := make(chan struct{})
	e.Run(func() { close(started); <-block })
	<-started
	var ran atomic.Int32
	for i := 0; i < 10; i++ {
		if err := e.Run(func() { ran.Add(1) }); err != nil {
			t.Fatalf("task %d: %v", i, err)
		}
	}
	if err := e.Run(func() {}); err != engine.ErrOverloaded {
		t.Fatalf("Run past MaxTasks = %v, want ErrOverloaded", err)
	}
	close(block)
	waitFor(t, 5*time.Second, "queued tasks", func() bool { return ran.Load() == 10 })
	if err := e.Run(func() {}); err != nil {
		t.Fatalf("Run after the queue drained: %v", err)
	}
}

// TestHooks: lifecycle hooks run once each, in order.
func TestHooks(t *testing.T) {
	e := newEngine(modes[0])
	var mu sync.Mutex
	var got []string
	for _, h := range []struct {
		hook engine.Hook
		name string
	}{{engine.PreStart, "prestart"}, {engine.Started, "started"}, {engine.ShuttingDown, "shutting-down"}, {engine.Finished, "finished"}} {
		e.On(h.hook, func() { mu.Lock(); got = append(got, h.name); mu.Unlock() })
	}
	e.On(engine.Started, func() { panic("a hook that panics") })
	start(t, e)
	stopNow(t, e)
	<-e.Done()
	mu.Lock()
	defer mu.Unlock()
	if want := "prestart started shutting-down finished"; joinWords(got) != want {
		t.Fatalf("hooks ran %q, want %q", joinWords(got), want)
	}
}

func joinWords(s []string) string {
	var b bytes.Buffer
	for i, w := range s {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

func TestStartTwice(t *testing.T) {
	e := newEngine(modes[0])
	start(t, e)
	if err := e.Start(); err != engine.ErrRunning {
		t.Fatalf("second Start = %v, want ErrRunning", err)
	}
}

// TestAttach: any net.Conn (here one end of a net.Pipe, as a hijacked or
// TLS connection would be) joins the engine through Attach and behaves like
// an accepted connection.
func TestAttach(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		e := newEngine(m)
		start(t, e)
		server, client := net.Pipe()
		defer client.Close()
		r := newRecorder()
		r.data = func(c *engine.Conn, p []byte) { c.Write(append([]byte("echo:"), p...)) }
		if _, err := e.Attach(server, r); err != nil {
			t.Fatal(err)
		}
		client.SetDeadline(time.Now().Add(5 * time.Second))
		client.Write([]byte("pipe"))
		buf := make([]byte, 9)
		if _, err := io.ReadFull(client, buf); err != nil || string(buf) != "echo:pipe" {
			t.Fatalf("%q %v", buf, err)
		}
		client.Close()
		if err := recv(t, r.closed, 5*time.Second); err != io.EOF {
			t.Fatalf("reason %v, want io.EOF", err)
		}
	})
}

func TestAttachBeforeStart(t *testing.T) {
	e := newEngine(modes[0])
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if _, err := e.Attach(a, newRecorder()); err != engine.ErrNotRunning {
		t.Fatalf("Attach before Start = %v, want ErrNotRunning", err)
	}
}

// TestListenOn: a listener opened elsewhere (here through os.File and
// net.FileListener, as a worker process gets an inherited socket) serves
// on both transports; closing it leaves a Unix socket's path in place,
// since other processes may share the socket.
func TestListenOn(t *testing.T) {
	for _, m := range []mode{modes[0], modes[2]} {
		t.Run(m.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.sock")
			for _, network := range []string{"tcp", "unix"} {
				addr := "127.0.0.1:0"
				if network == "unix" {
					addr = path
				}
				orig, err := net.Listen(network, addr)
				if err != nil {
					t.Fatal(err)
				}
				if ul, ok := orig.(*net.UnixListener); ok {
					ul.SetUnlinkOnClose(false)
				}
				f, err := orig.(interface{ File() (*os.File, error) }).File()
				orig.Close()
				if err != nil {
					t.Fatal(err)
				}
				inherited, err := net.FileListener(f)
				f.Close()
				if err != nil {
					t.Fatal(err)
				}
				e := newEngine(m)
				ln, err := e.ListenOn(inherited, echo)
				if err != nil {
					t.Fatal(err)
				}
				start(t, e)
				c, err := net.Dial(network, ln.Addr().String())
				if err != nil {
					t.Fatal(err)
				}
				c.Write([]byte("held"))
				buf := make([]byte, 4)
				c.SetReadDeadline(time.Now().Add(5 * time.Second))
				if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "held" {
					t.Fatalf("%s: %q %v", network, buf, err)
				}
				c.Close()
				stopNow(t, e)
			}
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("the shared socket's path was removed: %v", err)
			}
		})
	}
}

// quietShutdown echoes once then closes, and does nothing at shutdown:
// like an HTTP connection that has not sent its request yet.
type quietShutdown struct{}

func (quietShutdown) OnData(c *engine.Conn, p []byte) {
	c.Write(p)
	c.Close()
}
func (quietShutdown) OnShutdown(c *engine.Conn) {}

// TestStopServesWhatTheDrainTook: connections a loop takes from a
// listener's backlog as it lets go of it during Stop are served before
// Stop waits for idleness (they used to be left behind when that loop
// was late: Stop found no connection, and the loops exited).
func TestStopServesWhatTheDrainTook(t *testing.T) {
	e := &engine.Engine{Loops: 2, IgnoreSignals: true}
	ln, err := e.Listen("tcp", "127.0.0.1:0", func(*engine.Conn) engine.Protocol { return quietShutdown{} })
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	e.On(engine.Started, func() { close(started) })
	done := make(chan error, 1)
	go func() { done <- e.Start() }()
	<-started
	// Keep both loops busy, so that the connection waits in the backlog.
	release := make(chan struct{})
	var busy sync.WaitGroup
	for i := 0; i < 2; i++ {
		busy.Add(1)
		e.Run(func() { busy.Done(); <-release })
	}
	busy.Wait()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		stopped <- e.Stop(ctx)
	}()
	time.Sleep(50 * time.Millisecond) // Stop is waiting for the loops
	close(release)
	time.Sleep(100 * time.Millisecond) // the loops took the connection in
	c.Write([]byte("ping"))            // its request comes a little later
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("the connection in the backlog got %q, %v", buf, err)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Stop: %v", err)
	}
	<-done
}
