package plezi

import (
	"context"
	"crypto/tls"
	"io/fs"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plezi-go/plezi/cluster"
	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/httpd"
	"github.com/plezi-go/plezi/internal/route"
	"github.com/plezi-go/plezi/pubsub"
	"github.com/plezi-go/plezi/sse"
	"github.com/plezi-go/plezi/websocket"
)

// App is a Plezi application: routes to controllers, served by an
// httpd.Server on an engine.Engine. The zero value is ready to use (New
// returns one); set the fields before the first Listen or Start and do
// not change them afterwards. Route may be called at any time, also while
// serving.
//
// An App is an http.Handler too, so its routes can be mounted in any
// net/http server.
type App struct {
	// Engine runs the application (nil: a zero engine.Engine, made on
	// first use: one loop per CPU, callbacks on the loops, SIGINT/SIGTERM
	// stop it).
	Engine *engine.Engine

	// Server holds the HTTP settings (limits, timeouts, Public folder,
	// logs). nil: a zero httpd.Server. Its Handler and Native are set to
	// the App.
	Server *httpd.Server

	// Views holds the templates of Render and of error pages (nil: the
	// "views" folder of the working directory).
	Views fs.FS

	// Logger receives errors returned by controllers and recovered panics
	// (nil: none).
	Logger *slog.Logger

	// MaxBody bounds URL-encoded and JSON request bodies read into Params
	// (0: DefaultMaxBody); past it the request gets 413.
	MaxBody int64

	// MaxUpload bounds multipart bodies (0: DefaultMaxUpload).
	MaxUpload int64

	// MaxMemory is how much of a multipart body is held in memory; file
	// parts past it go to temporary files, removed after the request (0:
	// DefaultMaxMemory).
	MaxMemory int64

	// PubSub carries Publish, Subscribe, Unicast and Broadcast (nil: a
	// broker made on first use). Its Engine, when nil (or a
	// pubsub.Cluster), reaches this process, or every worker process of
	// the cluster in a worker. To reach every machine, set RemotePubSub
	// (which also works with worker processes) rather than a Redis
	// engine here.
	PubSub *pubsub.Broker

	// WebSocket holds the options of WebSocket connections (nil: the
	// defaults; a nil Engine is the App's).
	WebSocket *websocket.Options

	// SSE holds the options of event streams (nil: the defaults).
	SSE *sse.Options

	// Workers is the number of worker processes (see cluster.Cluster's
	// Workers: 0 reads $WORKERS or $WEB_CONCURRENCY, negative divides the
	// CPU count). With more than one, Start in the process the user ran
	// becomes the master: it binds the listeners and re-executes the
	// program as the workers, which serve; the program makes the same
	// calls (Route, Listen, Run...) in every process. Tasks queued with
	// Run before Start run once in every worker, never in the master.
	Workers int

	// Cluster sets the worker processes' other options and hooks (nil: a
	// zero cluster.Cluster). Workers and PIDFile, when set, override its
	// own.
	Cluster *cluster.Cluster

	// PIDFile gets the process ID of the master (or of the single
	// process) while it runs ("": none).
	PIDFile string

	// RemotePubSub makes the engine that reaches other machines for the
	// broker it is given (a pubsub/redis engine). It runs in one process
	// per machine: the single process, or the master of a cluster, whose
	// workers then publish and subscribe through it (one Redis connection
	// for the whole cluster). The engine is closed when Start returns.
	RemotePubSub func(b *pubsub.Broker) (pubsub.Engine, error)

	// NoClient stops the App from serving the JavaScript client at
	// ClientPath and ClientModulePath (by default served before the
	// routes are tried).
	NoClient bool

	mu      sync.Mutex // guards route additions and the lazy fields below
	routes  atomic.Pointer[route.Router[*target]]
	errCtrl atomic.Pointer[ctrlType]
	eng     *engine.Engine
	srv     *httpd.Server
	views   viewCache
	broker  *pubsub.Broker
	node    string // the prefix of connection IDs, random per App
	cl      *cluster.Cluster
}

// New returns a new application. Its zero value works as well; New is
// the conventional way to make one.
func New() *App { return &App{} }

// engine returns the application's engine, making it on first use.
func (a *App) engine() *engine.Engine {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.eng == nil {
		a.eng = a.Engine
		if a.eng == nil {
			a.eng = &engine.Engine{}
		}
	}
	return a.eng
}

// EngineOf returns the engine that runs the application (Engine, or the
// one made for it).
func (a *App) EngineOf() *engine.Engine { return a.engine() }

// server returns the HTTP server, making it on first use.
func (a *App) server() *httpd.Server {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.srv == nil {
		a.srv = a.Server
		if a.srv == nil {
			a.srv = &httpd.Server{}
		}
		a.srv.Handler = a
		a.srv.Native = a.ServeCtx
	}
	return a.srv
}

// Listen adds a listener: a TCP address (":3000", "127.0.0.1:0") or a
// Unix socket path (starting with '/' or '.'). Before Start the socket is
// bound at once (so Addr reveals a ":0" port) and serves once the app
// starts.
//
// With worker processes, the master binds the socket and each worker
// serves it (the returned Listener shows the address in both; the
// master's never accepts).
func (a *App) Listen(addr string) (*engine.Listener, error) {
	network := networkOf(addr)
	if cl := a.cluster(); cl.Role() != cluster.Single {
		return a.listenCluster(cl, network, addr)
	}
	return a.server().Listen(a.engine(), network, addr)
}

// ListenTLS is Listen for HTTPS with cfg.
func (a *App) ListenTLS(addr string, cfg *tls.Config) (*engine.Listener, error) {
	network := networkOf(addr)
	if cl := a.cluster(); cl.Role() != cluster.Single {
		ln, err := cl.Listen(network, addr)
		if err != nil {
			return nil, err
		}
		return a.server().ListenOn(a.engine(), tls.NewListener(ln, cfg))
	}
	return a.server().ListenTLS(a.engine(), network, addr, cfg)
}

// Start runs the application and blocks until it stops: Stop, or
// SIGINT/SIGTERM (unless the engine ignores signals). With worker
// processes (Workers), Start in the master supervises them (see
// cluster.Cluster.Run) and Start in a worker serves.
func (a *App) Start() error {
	a.server()
	cl := a.cluster()
	if cl.Role() == cluster.Single {
		return a.startSingle(cl)
	}
	return a.startCluster(cl)
}

// Stop shuts the application down gracefully (see engine.Engine.Stop),
// waiting up to the engine's ShutdownTimeout (default 10 s).
func (a *App) Stop() error {
	if cl := a.cluster(); cl.Role() == cluster.Master {
		cl.Stop()
		return nil
	}
	e := a.engine()
	d := e.ShutdownTimeout
	if d <= 0 {
		d = engine.DefaultShutdownTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return e.Stop(ctx)
}

// Shutdown is Stop bounded by ctx.
func (a *App) Shutdown(ctx context.Context) error { return a.engine().Stop(ctx) }

// Run queues fn on the engine's task pool (before Start: it runs once
// the engine starts). It fails with engine.ErrOverloaded when the queue
// is full.
func (a *App) Run(fn func()) error { return a.engine().Run(fn) }

// RunAfter runs fn once after d; the Timer can stop it. Pending timers
// are discarded at shutdown.
func (a *App) RunAfter(d time.Duration, fn func()) *engine.Timer {
	return a.engine().RunAfter(d, fn)
}

// RunEvery runs fn every d, n times (0: until stopped or shutdown).
func (a *App) RunEvery(d time.Duration, n int, fn func()) *engine.Timer {
	return a.engine().RunEvery(d, n, fn)
}
