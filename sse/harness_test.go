package sse_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/httpd"
	"github.com/plezi-go/plezi/sse"
)

// path is one way a stream reaches the engine; every network test runs on
// each.
type path struct {
	name     string
	kind     int // native, adapter, netHTTP
	threads  int
	portable bool // the engine's net.Conn transport (as TLS connections use)
}

const (
	native  = iota // httpd.Server.Native with UpgradeCtx
	adapter        // httpd.Server.Handler with Upgrade (httpd.Upgrader)
	netHTTP        // a plain net/http server: hijack + engine.Attach
)

var paths = []path{
	{"native", native, 0, false},
	{"adapter", adapter, 2, false},
	{"native-portable", native, 0, true},
	{"net-http", netHTTP, 0, false}, // last: paths[:3] are Plezi's server
}

// forPaths runs f on each of ps, in parallel (the tests mostly wait).
func forPaths(t *testing.T, ps []path, f func(t *testing.T, p path)) {
	for _, p := range ps {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			f(t, p)
		})
	}
}

// setup says how a test server answers.
type setup struct {
	opts       sse.Options
	handler    func() sse.Handler          // per request; nil: a nil handler
	after      func(s *sse.Stream)         // runs right after Upgrade, before OnOpen
	maxPending int                         // engine.MaxPending
	keepAlive  time.Duration               // httpd.Server.KeepAlive
	header     func(set func(k, v string)) // headers set before Upgrade
}

// server is a running test server.
type server struct {
	url  string
	addr string
	e    *engine.Engine
	errs chan error // Upgrade's errors
	stop func()     // stops the engine (idempotent)
}

func serve(t *testing.T, p path, st setup) *server {
	t.Helper()
	e := &engine.Engine{Loops: 2, Threads: p.threads, Portable: p.portable, IgnoreSignals: true, MaxPending: st.maxPending}
	srv := &server{e: e, errs: make(chan error, 16)}
	upgraded := func(s *sse.Stream, err error) {
		if err != nil {
			srv.errs <- err
			return
		}
		if st.after != nil {
			st.after(s)
		}
	}
	newHandler := func() sse.Handler {
		if st.handler == nil {
			return nil
		}
		return st.handler()
	}
	hf := func(w http.ResponseWriter, r *http.Request) {
		if st.header != nil {
			st.header(w.Header().Set)
		}
		o := st.opts
		if p.kind == netHTTP && o.Engine == nil {
			o.Engine = e
		}
		s, err := sse.Upgrade(w, r, newHandler(), &o)
		if errors.Is(err, sse.ErrNoEngine) {
			http.Error(w, err.Error(), 500)
		}
		upgraded(s, err)
	}
	start(t, e)
	srv.stop = sync.OnceFunc(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := e.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	switch p.kind {
	case native, adapter:
		hs := &httpd.Server{KeepAlive: st.keepAlive}
		if p.kind == native {
			hs.Native = func(x *httpd.Ctx) {
				if st.header != nil {
					st.header(x.SetHeader)
				}
				upgraded(sse.UpgradeCtx(x, newHandler(), &st.opts))
			}
		} else {
			hs.Handler = http.HandlerFunc(hf)
		}
		ln, err := hs.Listen(e, "tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv.addr = ln.Addr().String()
		t.Cleanup(srv.stop)
	case netHTTP:
		hts := httptest.NewServer(http.HandlerFunc(hf))
		srv.addr = hts.Listener.Addr().String()
		t.Cleanup(hts.Close)
		t.Cleanup(srv.stop) // runs first: hijacked streams end with the engine
	}
	srv.url = "http://" + srv.addr + "/events"
	return srv
}

// start runs e in the background until stopped.
func start(t *testing.T, e *engine.Engine) {
	t.Helper()
	started := make(chan struct{})
	e.On(engine.Started, func() { close(started) })
	errc := make(chan error, 1)
	go func() { errc <- e.Start() }()
	select {
	case <-started:
	case err := <-errc:
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := <-errc; err != nil {
			t.Errorf("Start returned %v", err)
		}
	})
}

// client is an EventSource-like reader of one stream over net/http.
type client struct {
	resp  *http.Response
	items chan item // closed at the end of the stream
	retry atomic.Int64
	quit  chan struct{}
	done  chan struct{}
}

// connect opens a stream with net/http's client; hdr adds request headers.
func connect(t *testing.T, url string, hdr ...string) *client {
	t.Helper()
	tr := &http.Transport{DisableKeepAlives: true}
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept", sse.MediaType)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := (&http.Client{Transport: tr}).Do(req.WithContext(detach{ctx}))
	if err != nil {
		t.Fatal(err)
	}
	c := &client{resp: resp, items: make(chan item, 1024), quit: make(chan struct{}), done: make(chan struct{})}
	c.retry.Store(-1)
	go c.read()
	t.Cleanup(func() {
		close(c.quit)
		resp.Body.Close()
		<-c.done
		tr.CloseIdleConnections()
	})
	return c
}

// detach keeps the dial deadline but not the cancellation of ctx for the
// body: the stream outlives connect.
type detach struct{ context.Context }

func (detach) Done() <-chan struct{} { return nil }
func (detach) Err() error            { return nil }

func (c *client) read() {
	defer close(c.done)
	defer close(c.items)
	p := newSpecParser()
	buf := make([]byte, 4096)
	for {
		n, err := c.resp.Body.Read(buf)
		for _, it := range p.feed(buf[:n]) {
			select {
			case c.items <- it:
			case <-c.quit:
				return
			}
		}
		c.retry.Store(p.retry)
		if err != nil {
			return
		}
	}
}

// next returns the next item, failing after d or at the end of the stream.
func (c *client) next(t *testing.T, d time.Duration) item {
	t.Helper()
	select {
	case it, ok := <-c.items:
		if !ok {
			t.Fatal("stream ended")
		}
		return it
	case <-time.After(d):
		t.Fatalf("no item within %v", d)
	}
	return item{}
}

// event returns the next event, skipping comments.
func (c *client) event(t *testing.T, d time.Duration) item {
	t.Helper()
	for {
		if it := c.next(t, d); !it.IsComment {
			return it
		}
	}
}

// ended waits for the end of the stream, failing on an event meanwhile.
func (c *client) ended(t *testing.T, d time.Duration) {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case it, ok := <-c.items:
			if !ok {
				return
			}
			if !it.IsComment {
				t.Fatalf("event %+v, want the end of the stream", it)
			}
		case <-timeout:
			t.Fatalf("stream still open after %v", d)
		}
	}
}

// recorder is a Handler that logs its callbacks, checks that none
// overlaps another, and reports them on channels.
type recorder struct {
	t          *testing.T
	onOpen     func(s *sse.Stream)
	onShutdown func(s *sse.Stream)
	busy       atomic.Int32
	mu         sync.Mutex
	log        []string
	opened     chan *sse.Stream
	closed     chan error
}

func newRecorder(t *testing.T) *recorder {
	return &recorder{t: t, opened: make(chan *sse.Stream, 1), closed: make(chan error, 1)}
}

// enter marks the start of a callback or Defer task named name.
func (r *recorder) enter(name string) {
	if n := r.busy.Add(1); n != 1 {
		r.t.Errorf("%s runs while another callback of the stream runs", name)
	}
	r.mu.Lock()
	r.log = append(r.log, name)
	r.mu.Unlock()
}

func (r *recorder) leave() { r.busy.Add(-1) }

func (r *recorder) events() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.log, ",")
}

func (r *recorder) OnOpen(s *sse.Stream) {
	r.enter("open")
	defer r.leave()
	if r.onOpen != nil {
		r.onOpen(s)
	}
	r.opened <- s
}

func (r *recorder) OnShutdown(s *sse.Stream) {
	r.enter("shutdown")
	defer r.leave()
	if r.onShutdown != nil {
		r.onShutdown(s)
	}
}

func (r *recorder) OnClose(s *sse.Stream, reason error) {
	r.enter("close")
	defer r.leave()
	r.closed <- reason
}

// recv returns the next value from ch or fails after d.
func recv[T any](t *testing.T, ch <-chan T, d time.Duration) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(d):
		var zero T
		t.Fatalf("timed out after %v waiting for %T", d, zero)
		return zero
	}
}

// rawDial opens a TCP connection to addr, closed at the end of the test.
func rawDial(t *testing.T, addr string) net.Conn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return nc
}

// readUntil reads from nc until its input contains want or d passes.
func readUntil(t *testing.T, nc net.Conn, want string, d time.Duration) string {
	t.Helper()
	nc.SetReadDeadline(time.Now().Add(d))
	var sb strings.Builder
	buf := make([]byte, 4096)
	for !strings.Contains(sb.String(), want) {
		n, err := nc.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			if err == io.EOF && strings.Contains(sb.String(), want) {
				break
			}
			t.Fatalf("reading for %q: %v; got %q", want, err, sb.String())
		}
	}
	return sb.String()
}

const streamReq = "GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n"
