//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/lesismal/nbio/logging"
	"github.com/lesismal/nbio/nbhttp"

	"github.com/plezi-go/plezi"
	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/httpd"
)

// The HTTP servers of the http benchmark. Every one answers any request
// with the same response: status 200, "Content-Type: text/plain", the
// body "Hello World", and the Date and Content-Length headers each server
// writes by itself.
var httpKinds = []string{
	"plezi-native",     // httpd.Server.Native on the engine, Threads 0
	"plezi-adapter",    // httpd.Server.Handler (net/http adapter), Threads 0
	"plezi-controller", // a plezi.App controller's Index on the native Ctx (as App.Listen), Threads 0
	"nethttp",          // net/http's http.Server
	"fasthttp",         // valyala/fasthttp's Server
	"nbio",             // lesismal/nbio nbhttp, IOModMixed: goroutine per connection below 10,000 connections
	"nbio-nonblocking", // nbhttp, IOModNonBlocking: connections on its pollers, handler on its goroutine pool
	"nbio-inline",      // nbhttp, IOModNonBlocking, handler inline on the pollers (stalls under pipelining)
	// Several processes (clusterserve.go):
	"plezi-w1",            // plezi-native started through package cluster with Workers 1: one process, no master
	"plezi-w2",            // package cluster, Workers 2: a master and 2 worker processes, GOMAXPROCS inherited (2) each
	"plezi-w2-p1",         // plezi-w2 with GOMAXPROCS 1 in each worker (one event loop each)
	"plezi-w2-rp",         // plezi-w2 with a SO_REUSEPORT socket per worker
	"fasthttp-prefork",    // fasthttp's prefork package: a parent and 2 children, GOMAXPROCS 1 each (prefork sets it)
	"fasthttp-prefork-p2", // fasthttp-prefork with GOMAXPROCS 2 in each child
}

var hello = []byte("Hello World")

// helloController is the framework's hello world: a fresh controller per
// request whose Index returns the body.
type helloController struct{ plezi.Controller }

func (c *helloController) Index() any { return "Hello World" }

// helloHandler is the net/http handler of every net/http-style server.
var helloHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.Write(hello)
})

// nbioHandler is helloHandler plus an explicit Content-Length: without
// one, nbhttp answers an HTTP/1.1 request with chunked encoding, where
// net/http computes the length of a small response itself.
var nbioHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/plain")
	h.Set("Content-Length", helloLength)
	w.Write(hello)
})

var helloLength = strconv.Itoa(len(hello))

// serveHTTPKind starts one of httpKinds on a loopback port.
func serveHTTPKind(kind string) (string, func() error, error) {
	switch kind {
	case "plezi-native":
		return servePlezi(&httpd.Server{Native: helloNative})
	case "plezi-w1", "plezi-w2", "plezi-w2-p1", "plezi-w2-rp":
		return servePleziCluster(httpClusterKinds[kind], &httpd.Server{Native: helloNative})
	case "fasthttp-prefork":
		return serveFastHTTPPrefork(0)
	case "fasthttp-prefork-p2":
		return serveFastHTTPPrefork(2)
	case "plezi-adapter":
		return servePlezi(&httpd.Server{Handler: helloHandler})
	case "plezi-controller":
		app := plezi.New()
		if err := app.Route("/", &helloController{}); err != nil {
			return "", nil, err
		}
		return servePlezi(&httpd.Server{Handler: app, Native: app.ServeCtx})
	case "nethttp":
		return serveNetHTTP()
	case "fasthttp":
		return serveFastHTTP()
	case "nbio", "nbio-nonblocking", "nbio-inline":
		return serveNbio(kind)
	}
	return "", nil, fmt.Errorf("unknown HTTP server %q", kind)
}

// servePlezi runs s on an engine with Threads 0 (handlers inline on the
// event loops) and Loops = GOMAXPROCS.
func servePlezi(s *httpd.Server) (string, func() error, error) {
	e := &engine.Engine{IgnoreSignals: true}
	ln, err := s.Listen(e, "tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	stop, err := startEngine(e)
	if err != nil {
		return "", nil, err
	}
	return ln.Addr().String(), stop, nil
}

func serveNetHTTP() (string, func() error, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: helloHandler, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	stop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			return err
		}
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
	return ln.Addr().String(), stop, nil
}

// serveFastHTTP runs fasthttp with its defaults, except that it does not
// add its "Server: fasthttp" header (the others send no Server header).
func serveFastHTTP() (string, func() error, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := newFastHTTP()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	stop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.ShutdownWithContext(ctx); err != nil {
			return err
		}
		return <-errc
	}
	return ln.Addr().String(), stop, nil
}

// serveNbio runs nbio's nbhttp engine with the net/http handler, NPoller =
// GOMAXPROCS.
//
//   - nbio: IOModMixed, which nbio's README recommends for performance when
//     there are not many connections: below MaxBlockingOnline (10,000)
//     each connection gets a goroutine, past it they go to the pollers.
//     It was the fastest of the three here (requests per server CPU-s).
//   - nbio-nonblocking: IOModNonBlocking (nbio's default): every
//     connection on the epoll pollers, handlers on nbio's goroutine pool.
//   - nbio-inline: IOModNonBlocking with the handler run inline on the
//     poller goroutine (ServerExecutor), as plezi's Threads 0 does. Under
//     pipelined load (wrk, 16 requests per write) it stops answering
//     after a few seconds, so it is not in the default list.
func serveNbio(kind string) (string, func() error, error) {
	switch kind {
	case "nbio":
		return startNbio(kind, nbhttp.IOModMixed, nbioHandler, false)
	case "nbio-nonblocking":
		return startNbio(kind, nbhttp.IOModNonBlocking, nbioHandler, false)
	default: // nbio-inline
		return startNbio(kind, nbhttp.IOModNonBlocking, nbioHandler, true)
	}
}

// startNbio runs an nbhttp engine serving h on a loopback port with
// NPoller = GOMAXPROCS and the given IOMod; inline runs handlers on the
// poller goroutines (ServerExecutor) instead of nbio's goroutine pool.
func startNbio(name string, ioMod int, h http.Handler, inline bool) (string, func() error, error) {
	logging.SetLevel(logging.LevelNone) // it logs to stdout, which is ours
	var (
		mu  sync.Mutex
		lns []net.Listener
	)
	conf := nbhttp.Config{
		Name:    name,
		Network: "tcp",
		Addrs:   []string{"127.0.0.1:0"},
		Handler: h,
		NPoller: runtime.GOMAXPROCS(0),
		IOMod:   ioMod,
		Listen: func(network, addr string) (net.Listener, error) {
			ln, err := net.Listen(network, addr)
			if err == nil {
				mu.Lock()
				lns = append(lns, ln)
				mu.Unlock()
			}
			return ln, err
		},
	}
	if inline {
		conf.ServerExecutor = func(f func()) { f() }
	}
	e := nbhttp.NewEngine(conf)
	if err := e.Start(); err != nil {
		return "", nil, err
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lns) != 1 {
		e.Stop()
		return "", nil, fmt.Errorf("nbio: %d listeners, want 1", len(lns))
	}
	stop := func() error {
		// Stop, not Shutdown: once nbio-inline stalled, Shutdown waits
		// out its whole timeout and Stop does not return either: bound
		// it (the process exits next).
		done := make(chan struct{})
		go func() { e.Stop(); close(done) }()
		select {
		case <-done:
			return nil
		case <-time.After(5 * time.Second):
			return errors.New("nbio Stop did not return within 5s")
		}
	}
	return lns[0].Addr().String(), stop, nil
}
