package plezi_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/plezi-go/plezi"
	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/httpd"
)

// Hello is the benchmark controller: Index returns a string.
type Hello struct{ plezi.Controller }

func (c *Hello) Index() any { return "Hello World" }

var hello = []byte("Hello World")

// helloHandler is the native net/http handler it is compared with.
func helloHandler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(hello)
}

// roundTrips sends GET requests on one keep-alive connection to a server
// on loopback and reads each response.
func roundTrips(b *testing.B, s *httpd.Server) {
	e := &engine.Engine{Loops: 1, IgnoreSignals: true}
	ln, err := s.Listen(e, "tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	started := make(chan struct{})
	e.On(engine.Started, func() { close(started) })
	done := make(chan error, 1)
	go func() { done <- e.Start() }()
	<-started
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		e.Stop(ctx)
		<-done
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	req := []byte("GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n")
	buf := make([]byte, 4096)
	c.Write(req)
	n, err := c.Read(buf)
	if err != nil || !bytes.HasPrefix(buf[:n], []byte("HTTP/1.1 200")) || !bytes.HasSuffix(buf[:n], hello) {
		b.Fatalf("%q %v", buf[:n], err)
	}
	size := n
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Write(req)
		if _, err := io.ReadFull(c, buf[:size]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoopbackNativeCtx: httpd's native Ctx handler.
func BenchmarkLoopbackNativeCtx(b *testing.B) {
	roundTrips(b, &httpd.Server{Native: func(x *httpd.Ctx) {
		x.SetHeader("Content-Type", "text/html; charset=utf-8")
		x.Write(hello)
	}})
}

// BenchmarkLoopbackHandler: a plain http.Handler through the adapter.
func BenchmarkLoopbackHandler(b *testing.B) {
	roundTrips(b, &httpd.Server{Handler: http.HandlerFunc(helloHandler)})
}

// BenchmarkLoopbackController: a controller's Index through the App, on
// the native Ctx (as App.Listen serves it).
func BenchmarkLoopbackController(b *testing.B) {
	a := plezi.New()
	a.Route("/", &Hello{})
	roundTrips(b, &httpd.Server{Handler: a, Native: a.ServeCtx})
}

// BenchmarkLoopbackControllerAdapter: the same through the App's
// ServeHTTP on the net/http adapter (an App mounted as a Handler).
func BenchmarkLoopbackControllerAdapter(b *testing.B) {
	a := plezi.New()
	a.Route("/", &Hello{})
	roundTrips(b, &httpd.Server{Handler: a})
}

// nopWriter is a reusable ResponseWriter for the in-memory benchmarks.
type nopWriter struct {
	h http.Header
	n int
}

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }
func (w *nopWriter) WriteHeader(int)             {}

func memBench(b *testing.B, h http.Handler, path string) {
	u, _ := url.Parse(path)
	r := &http.Request{Method: "GET", URL: u, Header: http.Header{}}
	w := &nopWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		clear(w.h)
		h.ServeHTTP(w, r)
	}
	if w.n != b.N*len(hello) {
		b.Fatalf("wrote %d bytes for %d requests", w.n, b.N)
	}
}

// BenchmarkMemHandler: the plain handler, called directly.
func BenchmarkMemHandler(b *testing.B) { memBench(b, http.HandlerFunc(helloHandler), "/") }

// BenchmarkMemController: the App's ServeHTTP for one route.
func BenchmarkMemController(b *testing.B) {
	a := plezi.New()
	a.Route("/", &Hello{})
	memBench(b, a, "/")
}

// BenchmarkMemController100: the App's ServeHTTP, matching the last of
// 100 routes.
func BenchmarkMemController100(b *testing.B) {
	a := plezi.New()
	for i := 0; i < 99; i++ {
		a.Route(fmt.Sprintf("/res%d/:x/(:y)", i), &Hello{})
	}
	a.Route("/", &Hello{})
	memBench(b, a, "/")
}
