//go:build linux

package main

import (
	"fmt"
	"net/http"
	"os"

	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/httpd"
	"github.com/plezi-go/plezi/pubsub"
	"github.com/plezi-go/plezi/pubsub/redis"
	"github.com/plezi-go/plezi/websocket"
)

// pleziHandler is the plezi servers' websocket.Handler: it counts opens
// and closes, keeps the connections for broadcasts and echoes in echo
// mode. One value serves every connection.
type pleziHandler struct {
	echo   bool
	set    *connSet[*websocket.Conn] // nil unless broadcasting
	broker *pubsub.Broker            // plezi-pubsub: every connection subscribes to "bench"
	kind   pubsub.Kind
}

// The handler's optional callbacks must match the package's interfaces,
// or they would silently never run.
var (
	_ websocket.Opener = (*pleziHandler)(nil)
	_ websocket.Closer = (*pleziHandler)(nil)
)

func (h *pleziHandler) OnOpen(c *websocket.Conn) {
	if h.broker != nil {
		if _, err := c.Subscribe(h.broker, pubsub.Sub{Channel: "bench", Kind: h.kind}); err != nil {
			panic(err)
		}
	} else if h.set != nil {
		h.set.add(c)
	}
	opened.Add(1) // after set.add: an opened connection gets broadcasts
}

func (h *pleziHandler) OnMessage(c *websocket.Conn, data []byte, text bool) {
	if !h.echo {
		return
	}
	if text {
		c.WriteText(data)
	} else {
		c.WriteBinary(data)
	}
}

func (h *pleziHandler) OnClose(c *websocket.Conn, _ int, _ string) {
	closed.Add(1)
	if h.set != nil {
		h.set.remove(c)
	}
}

// wsOptions turns compression off (the load client offers none anyway).
var wsOptions = &websocket.Options{DisableCompression: true}

// servePleziWS runs plezi's websocket package on httpd.Server over the
// engine (Threads 0, Loops = GOMAXPROCS), compression off. Native: websocket.UpgradeCtx from a Native handler;
// adapter: websocket.Upgrade from a net/http handler through httpd's
// adapter. Broadcast: see pleziBroadcast.
func servePleziWS(cfg wsConfig, adapter bool) (*wsServer, error) {
	return servePleziKind(cfg, adapter, false)
}

// servePleziPubSub is plezi with its broadcast through pub/sub: each
// connection subscribes to one channel on a process-engine Broker, and a
// broadcast is Broker.Publish (the frame is encoded once per message and
// queued on every subscriber).
func servePleziPubSub(cfg wsConfig) (*wsServer, error) { return servePleziKind(cfg, false, true) }

// servePleziRedis is servePleziPubSub with the Broker on the Redis engine
// (PLEZI_BENCH_REDIS names the server): what one process publishes
// reaches the subscribers of every process.
func servePleziRedis(cfg wsConfig) (*wsServer, error) {
	url := os.Getenv("PLEZI_BENCH_REDIS")
	if url == "" {
		return nil, fmt.Errorf("plezi-redis: set PLEZI_BENCH_REDIS to a redis:// URL")
	}
	srv, err := servePleziKind(cfg, false, true)
	if err != nil || cfg.mode != "bcast" {
		return srv, err
	}
	b := srv.broker
	e, err := redis.New(b, redis.Options{URL: url})
	if err != nil {
		srv.stop()
		return nil, err
	}
	b.Engine = e
	stop := srv.stop
	srv.stop = func() error {
		e.Close()
		return stop()
	}
	return srv, nil
}

func servePleziKind(cfg wsConfig, adapter, viaPubSub bool) (*wsServer, error) {
	h := newPleziHandler(cfg, viaPubSub)
	s := pleziWSServer(h, adapter)
	e := &engine.Engine{IgnoreSignals: true}
	ln, err := s.Listen(e, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	stop, err := startEngine(e)
	if err != nil {
		return nil, err
	}
	srv := &wsServer{addr: ln.Addr().String(), stop: stop, broker: h.broker}
	if cfg.mode == "bcast" {
		srv.broadcast = pleziBroadcast(h.set, cfg)
		if viaPubSub {
			srv.broadcast = pubsubBroadcast(h.broker)
		}
	}
	return srv, nil
}

// newPleziHandler is the handler of plezi's servers in cfg's mode; in
// bcast mode with viaPubSub, connections subscribe on its broker.
func newPleziHandler(cfg wsConfig, viaPubSub bool) *pleziHandler {
	h := &pleziHandler{echo: cfg.mode == "echo"}
	if cfg.mode == "bcast" {
		h.set = newConnSet[*websocket.Conn]()
		if viaPubSub {
			h.broker = &pubsub.Broker{}
			h.kind = pubsub.KindBinary
			if cfg.text {
				h.kind = pubsub.KindText
			}
		}
	}
	return h
}

// pleziWSServer upgrades every request to h's WebSocket: from a Native
// handler (websocket.UpgradeCtx) or, with adapter, from a net/http
// handler through httpd's adapter (websocket.Upgrade).
func pleziWSServer(h *pleziHandler, adapter bool) *httpd.Server {
	s := &httpd.Server{}
	if adapter {
		s.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			websocket.Upgrade(w, r, h, wsOptions) // on error, Upgrade answered the request
		})
	} else {
		s.Native = func(x *httpd.Ctx) {
			websocket.UpgradeCtx(x, h, wsOptions) // on error, UpgradeCtx answered the request
		}
	}
	return s
}

// pleziBroadcast is plezi's broadcast: websocket.NewMessage once per
// message (the frame is encoded once) and (*Conn).WriteMessage to every
// connection open when it starts.
func pleziBroadcast(set *connSet[*websocket.Conn], cfg wsConfig) func(first uint64, n, size int) (int64, int64) {
	return func(first uint64, n, size int) (int64, int64) {
		prepare := func(i int) (*websocket.Message, error) {
			return websocket.NewMessage(cfg.text, bcastPayload(first+uint64(i), size)), nil
		}
		send := func(c *websocket.Conn, m *websocket.Message) error { return c.WriteMessage(m) }
		return fanOut(set.list(), n, cfg.par, prepare, send)
	}
}

// pubsubBroadcast publishes n messages on the subscribers' channel, one
// after the other from one goroutine (Publish never blocks on a
// subscriber); it counts deliveries as messages × subscribers.
func pubsubBroadcast(b *pubsub.Broker) func(first uint64, n, size int) (int64, int64) {
	return func(first uint64, n, size int) (sent, errs int64) {
		subs := int64(b.Stats().Subscriptions)
		for i := range n {
			if err := b.Publish("bench", bcastPayload(first+uint64(i), size)); err != nil {
				errs += subs
				continue
			}
			sent += subs
		}
		return sent, errs
	}
}
