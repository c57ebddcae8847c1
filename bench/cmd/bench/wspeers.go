//go:build linux

package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/lesismal/nbio/nbhttp"
	nbws "github.com/lesismal/nbio/nbhttp/websocket"
)

// The peers' WebSocket servers, each written the way its library's
// documentation and examples do it. Compression is off everywhere: no
// server enables it and the load client offers no extension.

// gorillaQueue is the capacity of a gorilla connection's outbound channel
// in broadcast mode (as gorilla's chat example); a broadcaster blocks on a
// full channel, so nothing is dropped.
const gorillaQueue = 256

// gorillaConn is a gorilla connection in broadcast mode.
type gorillaConn struct {
	c    *websocket.Conn
	mu   sync.Mutex                      // gorilla-mutex: one writer at a time
	out  chan *websocket.PreparedMessage // gorilla: the writer goroutine's queue
	done chan struct{}                   // closed when the handler returns
}

// serveGorilla runs gorilla/websocket on net/http: the handler upgrades
// with a zero Upgrader (read and write buffers reused from net/http's
// hijacked bufio buffers, no compression) and then is the connection's
// reader goroutine, as is idiomatic. Echo: ReadMessage then WriteMessage
// (gorilla's echo example). Broadcast: one PreparedMessage per message
// (the frame is encoded once), delivered either by a writer goroutine per
// connection fed through a bounded channel (gorilla, as the chat example)
// or by the broadcaster goroutines themselves with WritePreparedMessage
// under a per-connection mutex (gorilla-mutex).
func serveGorilla(cfg wsConfig, mutex bool) (*wsServer, error) {
	up := &websocket.Upgrader{}
	set := newConnSet[*gorillaConn]()
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return // Upgrade answered the request
		}
		defer closed.Add(1)
		defer c.Close()
		if cfg.mode == "bcast" {
			gc := &gorillaConn{c: c, done: make(chan struct{})}
			defer close(gc.done)
			if !mutex {
				gc.out = make(chan *websocket.PreparedMessage, gorillaQueue)
				go gc.writeLoop()
			}
			set.add(gc)
			defer set.remove(gc)
		}
		opened.Add(1) // after set.add: an opened connection gets broadcasts
		for {
			mt, p, err := c.ReadMessage()
			if err != nil {
				return
			}
			if cfg.mode == "echo" {
				if err := c.WriteMessage(mt, p); err != nil {
					return
				}
			}
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s := &wsServer{addr: ln.Addr().String(), stop: func() error {
		// Hijacked connections are not the http.Server's any more: the
		// process exits next, which closes them.
		srv.Close()
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}}
	if cfg.mode == "bcast" {
		mt := websocket.BinaryMessage
		if cfg.text {
			mt = websocket.TextMessage
		}
		s.broadcast = func(first uint64, n, size int) (int64, int64) {
			prepare := func(i int) (*websocket.PreparedMessage, error) {
				return websocket.NewPreparedMessage(mt, bcastPayload(first+uint64(i), size))
			}
			return fanOut(set.list(), n, cfg.par, prepare, (*gorillaConn).send)
		}
	}
	return s, nil
}

// send delivers pm: queued for the writer goroutine, or written at once
// under the connection's mutex.
func (gc *gorillaConn) send(pm *websocket.PreparedMessage) error {
	if gc.out == nil {
		gc.mu.Lock()
		defer gc.mu.Unlock()
		return gc.c.WritePreparedMessage(pm)
	}
	select {
	case gc.out <- pm:
		return nil
	case <-gc.done:
		return net.ErrClosed
	}
}

// writeLoop is the connection's writer goroutine (gorilla, broadcast).
func (gc *gorillaConn) writeLoop() {
	for {
		select {
		case pm := <-gc.out:
			if err := gc.c.WritePreparedMessage(pm); err != nil {
				fmt.Fprintf(os.Stderr, "wsserve: gorilla write: %v\n", err)
				gc.c.Close()
				return
			}
		case <-gc.done:
			return
		}
	}
}

// serveNbioWS runs nbio's websocket on its nbhttp engine with the
// net/http-style handler of its examples. IOModNonBlocking (nbio's
// default, the mode for many connections: every connection on the epoll
// pollers, message handlers on nbio's goroutine pool) or IOModMixed
// (mixed: a goroutine per connection below 10,000 connections). Echo:
// WriteMessage from OnMessage. Broadcast: WriteMessage to every
// connection (nbio has no prepared message: each call frames a copy).
func serveNbioWS(cfg wsConfig, mixed bool) (*wsServer, error) {
	set := newConnSet[*nbws.Conn]()
	up := nbws.NewUpgrader()
	// nbio drops a connection that sent nothing for KeepaliveTime (a
	// read deadline, 120 s by default): the broadcast clients never send,
	// and a run with noise redos lasts longer. The other servers keep
	// silent connections (plezi pings them; the client answers).
	up.KeepaliveTime = time.Hour
	up.OnOpen(func(c *nbws.Conn) {
		if cfg.mode == "bcast" {
			set.add(c)
		}
		opened.Add(1) // after set.add: an opened connection gets broadcasts
	})
	up.OnClose(func(c *nbws.Conn, _ error) {
		closed.Add(1)
		set.remove(c)
	})
	up.OnMessage(func(c *nbws.Conn, mt nbws.MessageType, data []byte) {
		if cfg.mode == "echo" {
			c.WriteMessage(mt, data)
		}
	})
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		up.Upgrade(w, r, nil) // on error, Upgrade answered the request
	})
	name, mod := "nbio", nbhttp.IOModNonBlocking
	if mixed {
		name, mod = "nbio-mixed", nbhttp.IOModMixed
	}
	addr, stop, err := startNbio(name, mod, handler, false)
	if err != nil {
		return nil, err
	}
	s := &wsServer{addr: addr, stop: stop}
	if cfg.mode == "bcast" {
		mt := nbws.BinaryMessage
		if cfg.text {
			mt = nbws.TextMessage
		}
		s.broadcast = func(first uint64, n, size int) (int64, int64) {
			prepare := func(i int) ([]byte, error) { return bcastPayload(first+uint64(i), size), nil }
			send := func(c *nbws.Conn, p []byte) error { return c.WriteMessage(mt, p) }
			return fanOut(set.list(), n, cfg.par, prepare, send)
		}
	}
	return s, nil
}
