package engine

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Defaults for the zero values of Engine's fields.
const (
	DefaultMaxPending      = 4 << 20
	DefaultMaxQueuedInput  = 1 << 20
	DefaultCloseTimeout    = 10 * time.Second
	DefaultShutdownTimeout = 10 * time.Second
	DefaultMaxTasks        = 1 << 20
)

// Engine is the event-driven IO engine: event loops, connections, a task
// pool, timers and the lifecycle around them. Its zero value is ready to
// use; set fields before Start and do not change them afterwards.
//
// An Engine starts once: Start blocks until Stop (or SIGINT/SIGTERM), and a
// stopped engine cannot be started again.
type Engine struct {
	// Loops is the number of event loops; 0 means GOMAXPROCS.
	Loops int

	// Threads is the number of goroutines that run callbacks, Defer tasks
	// and Run tasks. 0 runs them inline on the event loops: fastest, but a
	// blocking callback stalls every connection of its loop. With N > 0 a
	// pool of N goroutines runs them, still serialized per connection, so
	// a blocking handler never stalls IO.
	Threads int

	// MaxPending bounds each connection's queued outbound bytes; a write
	// past it closes the connection with ErrSlowConsumer. 0 means
	// DefaultMaxPending (4 MiB).
	MaxPending int

	// MaxQueuedInput bounds the input bytes held for a connection whose
	// callbacks are busy (Threads > 0, or a long Defer task): reading from
	// it pauses at the bound and resumes at half. 0 means 1 MiB.
	MaxQueuedInput int

	// IdleTimeout is the initial idle timeout of every connection (see
	// Conn.SetTimeout). 0 means none.
	IdleTimeout time.Duration

	// CloseTimeout bounds how long Close waits for pending output to flush
	// before closing anyway with ErrTimeout. 0 means 10 s.
	CloseTimeout time.Duration

	// ShutdownTimeout bounds how long a signal-triggered shutdown waits for
	// connections to close after OnShutdown. 0 means 10 s.
	ShutdownTimeout time.Duration

	// MaxTasks bounds the Run tasks queued and not yet started; Run fails
	// with ErrOverloaded past it. 0 means 1,048,576.
	MaxTasks int

	// Portable drives every connection through the net.Conn transport (a
	// reader and a writer goroutine per connection) even where a poller
	// exists. It is always the case on platforms without epoll or kqueue.
	Portable bool

	// IgnoreSignals leaves SIGINT and SIGTERM alone; by default Start
	// stops the engine gracefully on either.
	IgnoreSignals bool

	// NodeID is placed in the top 16 bits of connection IDs so that IDs
	// stay unique across the processes of a cluster.
	NodeID uint16

	// Logger receives the engine's logs; nil means none.
	Logger *slog.Logger

	cfg config

	mu        sync.Mutex // guards state, loops, listeners, prestart, hooks
	state     int
	loops     []*loop
	listeners []*Listener
	prestart  []func()
	hooks     [hookCount][]func()
	stopping  chan struct{} // closed when Stop begins
	done      chan struct{} // closed when Stop completes
	initOnce  sync.Once

	pool   *pool
	timers timerQueue
	live   atomic.Int64 // connections not yet through OnClose
	idle   chan struct{}
	nextID atomic.Uint64
	rr     atomic.Uint32
	queued atomic.Int64 // Run tasks queued, not started
	wg     sync.WaitGroup
}

const (
	stateNew = iota
	stateRunning
	stateStopping
	stateStopped
)

// config holds the resolved settings; set at Start.
type config struct {
	threads         int
	maxPending      int
	queueFlush      int // QueueShared writes at once past this many queued bytes
	maxQueuedInput  int
	idleTimeout     time.Duration
	closeTimeout    time.Duration
	shutdownTimeout time.Duration
	maxTasks        int64
	portable        bool
}

func (e *Engine) init() {
	e.initOnce.Do(func() {
		e.stopping = make(chan struct{})
		e.done = make(chan struct{})
		e.idle = make(chan struct{}, 1)
		e.timers.init(e)
	})
}

func (e *Engine) resolve() {
	c := config{
		threads:         e.Threads,
		maxPending:      e.MaxPending,
		maxQueuedInput:  e.MaxQueuedInput,
		idleTimeout:     e.IdleTimeout,
		closeTimeout:    e.CloseTimeout,
		shutdownTimeout: e.ShutdownTimeout,
		maxTasks:        int64(e.MaxTasks),
		portable:        e.Portable || !hasPoller,
	}
	if c.threads < 0 {
		c.threads = 0
	}
	if c.maxPending <= 0 {
		c.maxPending = DefaultMaxPending
	}
	c.queueFlush = min(64<<10, c.maxPending/4)
	if c.maxQueuedInput <= 0 {
		c.maxQueuedInput = DefaultMaxQueuedInput
	}
	if c.closeTimeout <= 0 {
		c.closeTimeout = DefaultCloseTimeout
	}
	if c.closeTimeout < time.Second {
		c.closeTimeout = time.Second
	}
	if c.shutdownTimeout <= 0 {
		c.shutdownTimeout = DefaultShutdownTimeout
	}
	if c.maxTasks <= 0 {
		c.maxTasks = DefaultMaxTasks
	}
	e.cfg = c
}

// Listen opens a listening socket ("tcp", "tcp4", "tcp6" or "unix") and
// serves each accepted connection with the protocol newProto returns for it.
// It may be called before or after Start; before Start the socket is bound
// at once (so ":0" reveals its port through Addr) and accepting begins at
// Start.
func (e *Engine) Listen(network, address string, newProto func(*Conn) Protocol) (*Listener, error) {
	return e.listen(network, address, nil, newProto)
}

// ListenTLS is Listen for TLS: connections are served on the portable
// transport through crypto/tls (the handshake runs on the connection's
// reader goroutine, never on a loop). Protocols see plain bytes.
func (e *Engine) ListenTLS(network, address string, cfg *tls.Config, newProto func(*Conn) Protocol) (*Listener, error) {
	if cfg == nil {
		return nil, errors.New("plezi/engine: ListenTLS needs a tls.Config")
	}
	return e.listen(network, address, cfg, newProto)
}

func (e *Engine) listen(network, address string, cfg *tls.Config, newProto func(*Conn) Protocol) (*Listener, error) {
	if e.Portable || !hasPoller || cfg != nil {
		nl, err := net.Listen(network, address)
		if err != nil {
			return nil, err
		}
		if cfg != nil {
			nl = tls.NewListener(nl, cfg)
		}
		return e.addListener(nl, newProto, true)
	}
	fd, addr, err := listenFD(network, address)
	if err != nil {
		return nil, err
	}
	ln := &Listener{e: e, fd: fd, addr: addr, newProto: newProto, done: make(chan struct{})}
	if ua, ok := addr.(*net.UnixAddr); ok {
		ln.path = ua.Name
	}
	return e.add(ln)
}

// ListenOn serves the connections of a listener opened elsewhere: one
// inherited from another process (net.FileListener), or bound with
// options of the caller's. The engine takes l over: on the poller
// transport it keeps a duplicate of l's descriptor and closes l. A Unix
// socket's path is not removed when the listener closes (other processes
// may still share the socket).
func (e *Engine) ListenOn(l net.Listener, newProto func(*Conn) Protocol) (*Listener, error) {
	return e.addListener(l, newProto, false)
}

// addListener adds nl, on the poller transport when it can (wrapped
// listeners such as TLS stay on the portable one). unlink: remove a Unix
// socket's path on Close.
func (e *Engine) addListener(nl net.Listener, newProto func(*Conn) Protocol, unlink bool) (*Listener, error) {
	ln := &Listener{e: e, fd: -1, newProto: newProto, done: make(chan struct{})}
	_, plain := nl.(syscall.Conn)
	if e.Portable || !hasPoller || !plain {
		ln.nl, ln.addr = nl, nl.Addr()
		return e.add(ln)
	}
	fd, addr, err := takeFD(nl)
	if err != nil {
		return nil, err
	}
	ln.fd, ln.addr = fd, addr
	if ua, ok := addr.(*net.UnixAddr); ok && unlink {
		ln.path = ua.Name
	}
	return e.add(ln)
}

// add registers ln, starting it at once when the engine runs.
func (e *Engine) add(ln *Listener) (*Listener, error) {
	e.init()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.state >= stateStopping {
		if ln.nl != nil {
			ln.nl.Close()
		}
		ln.release()
		return nil, ErrClosed
	}
	e.listeners = append(e.listeners, ln)
	if e.state == stateRunning {
		ln.start(e.loops)
	}
	return ln, nil
}

func (e *Engine) dropListener(ln *Listener) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, x := range e.listeners {
		if x == ln {
			e.listeners = append(e.listeners[:i], e.listeners[i+1:]...)
			return
		}
	}
}

func (e *Engine) loopsSnapshot() []*loop {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.loops
}

// pickLoop returns the loop for a new connection (round robin).
func (e *Engine) pickLoop() *loop {
	return e.loops[int(e.rr.Add(1))%len(e.loops)]
}

// Start runs the engine: it starts the loops, the task pool and the timers,
// begins accepting on every listener, runs the tasks queued with Run before
// Start, and blocks until the engine stops (Stop, or SIGINT/SIGTERM unless
// IgnoreSignals is set).
func (e *Engine) Start() error {
	e.init()
	if err := e.start(); err != nil {
		return err
	}
	<-e.done
	return nil
}

func (e *Engine) start() error {
	e.mu.Lock()
	if e.state != stateNew {
		e.mu.Unlock()
		return ErrRunning
	}
	e.resolve()
	n := e.Loops
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	loops := make([]*loop, 0, n)
	for i := 0; i < n; i++ {
		l, err := newLoop(e, i)
		if err != nil {
			for _, l := range loops {
				l.p.close()
			}
			e.mu.Unlock()
			return err
		}
		loops = append(loops, l)
	}
	e.loops = loops
	e.state = stateRunning
	e.mu.Unlock()

	e.runHooks(PreStart)
	if e.cfg.threads > 0 {
		e.pool = newPool(e, e.cfg.threads)
	}
	for _, l := range loops {
		e.wg.Add(1)
		go func(l *loop) {
			defer e.wg.Done()
			l.run()
		}(l)
	}
	e.mu.Lock()
	for _, ln := range e.listeners {
		ln.start(loops)
	}
	pre := e.prestart
	e.prestart = nil
	e.mu.Unlock()
	e.timers.start()
	for _, fn := range pre {
		e.dispatch(runItem{fn: fn})
	}
	if !e.IgnoreSignals {
		e.watchSignals()
	}
	e.runHooks(Started)
	return nil
}

// watchSignals stops the engine on SIGINT or SIGTERM.
func (e *Engine) watchSignals() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer signal.Stop(ch)
		select {
		case sig := <-ch:
			e.log().Info("plezi/engine: signal received; shutting down", "signal", sig.String())
			ctx, cancel := context.WithTimeout(context.Background(), e.cfg.shutdownTimeout)
			// Stop waits for this goroutine through e.wg, so it runs on
			// its own; the deadline must live as long as Stop does.
			go func() {
				defer cancel()
				e.Stop(ctx)
			}()
		case <-e.stopping:
		}
	}()
}

// Stop shuts the engine down gracefully: it stops accepting, discards
// pending timers, calls OnShutdown on every connection (which may still
// write), waits for connections to close until ctx is done, closes the rest
// with ErrShutdown, stops the loops and the pool, and runs the Finish hooks.
// Tasks queued with Run that have not started are discarded. It returns
// ctx.Err() when connections had to be closed by force, and nil otherwise.
// Start returns once Stop completes.
func (e *Engine) Stop(ctx context.Context) error {
	e.init()
	e.mu.Lock()
	switch e.state {
	case stateNew:
		e.state = stateStopped
		close(e.stopping)
		close(e.done)
		e.mu.Unlock()
		return nil
	case stateStopping, stateStopped:
		e.mu.Unlock()
		select {
		case <-e.done:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	e.state = stateStopping
	close(e.stopping)
	listeners := append([]*Listener(nil), e.listeners...)
	loops := e.loops
	e.mu.Unlock()

	e.runHooks(ShuttingDown)
	e.timers.stop()
	for _, ln := range listeners {
		ln.Close()
	}
	for _, l := range loops {
		l.post(job{op: opShutdown})
	}
	// Every loop lets go of the listeners first: one that drains a shared
	// listener's backlog as it does (see loop.unlisten) takes in
	// connections, which must be counted before waiting for idleness, or
	// they would be left to the process's exit.
	for _, ln := range listeners {
		<-ln.done
	}
	var err error
	if !e.waitIdle(ctx.Done()) {
		err = ctx.Err()
		for _, l := range loops {
			l.post(job{op: opForceClose})
		}
		// OnClose still has to run; a callback that never returns would
		// block here forever, so give up after a grace period.
		grace, cancel := context.WithTimeout(context.Background(), e.cfg.closeTimeout)
		if !e.waitIdle(grace.Done()) {
			e.log().Error("plezi/engine: shutdown: callbacks did not return", "connections", e.live.Load())
		}
		cancel()
	}
	if e.pool != nil {
		e.pool.stop()
	}
	for _, l := range loops {
		l.post(job{op: opExit})
	}
	for _, l := range loops {
		<-l.done
	}
	e.timers.wait()
	e.runHooks(Finished)
	e.mu.Lock()
	e.state = stateStopped
	e.mu.Unlock()
	close(e.done)
	e.wg.Wait()
	return err
}

// waitIdle waits until every connection went through OnClose, or until
// cancel fires; it reports whether all connections are gone.
func (e *Engine) waitIdle(cancel <-chan struct{}) bool {
	for e.live.Load() > 0 {
		select {
		case <-e.idle:
		case <-cancel:
			return e.live.Load() == 0
		}
	}
	return true
}

func (e *Engine) connDone() {
	if e.live.Add(-1) == 0 {
		select {
		case e.idle <- struct{}{}:
		default:
		}
	}
}

// Done returns a channel closed when the engine has stopped.
func (e *Engine) Done() <-chan struct{} {
	e.init()
	return e.done
}

// newConn creates a connection owned by loop l with OnOpen queued.
func (e *Engine) newConn(l *loop, fd int, peer any, nc net.Conn, newProto func(*Conn) Protocol) *Conn {
	c := &Conn{e: e, l: l, fd: fd, nc: nc, peer: peer}
	if nc == nil {
		c.interest = interestRead
	} else {
		c.portable = &portableState{
			wake:   make(chan struct{}, 1),
			resume: make(chan struct{}, 1),
			quit:   make(chan struct{}),
		}
	}
	c.id = uint64(e.NodeID)<<48 | e.nextID.Add(1)&(1<<48-1)
	e.live.Add(1)
	if d := e.cfg.idleTimeout; d > 0 {
		c.timeout.Store(int64((d + time.Second - 1) / time.Second))
		c.active.Store(nowSec())
	}
	c.proto = newProto(c)
	// OnOpen is queued and the connection marked running: its loop hands
	// out the first turn when it takes the connection in (register, adopt).
	c.tasks.push(task{kind: taskOpen})
	c.running = true
	return c
}

// schedule hands a connection with queued tasks to a goroutine: the pool,
// or its loop when Threads is 0.
func (e *Engine) schedule(c *Conn) {
	if e.cfg.threads > 0 {
		e.pool.pushConn(c)
		return
	}
	c.l.post(job{op: opDrain, c: c})
}
