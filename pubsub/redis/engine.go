package redis

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/plezi-go/plezi/pubsub"
	"github.com/redis/rueidis"
)

// ErrUnavailable wraps the error of a Publish or Since that could not
// reach the server (for example during an outage): the message was not
// published.
var ErrUnavailable = errors.New("pubsub/redis: server unavailable")

// Engine is the pub/sub engine that reaches every process, on every
// machine, connected to the same Redis server: Publish sends PUBLISH, and
// one subscriber connection per Engine brings every message back into the
// local Broker. See the package documentation for the guarantees.
//
// All methods are safe for concurrent use.
type Engine struct {
	b      *pubsub.Broker
	opt    Options
	client rueidis.Client

	mu      sync.Mutex
	want    map[name]bool // channels and patterns with local subscribers
	closed  bool
	wake    chan struct{} // capacity 1: the wanted set changed
	done    chan struct{} // closed by Close
	stopped chan struct{} // closed when the subscriber goroutine ends

	connected atomic.Bool  // the subscriber connection is up and in sync
	restored  atomic.Int64 // how many times the connection was (re)established
}

// name is a channel or a pattern.
type name struct {
	s       string
	pattern bool
}

// New connects an Engine to the server at o.URL and registers it as a
// Watcher of b, so that it subscribes to each channel and pattern that has
// local subscribers, once. Messages it receives are dispatched into b.
// Set b.Engine to the result to make Redis the broker's default engine.
// New fails only without a Broker or with a malformed URL; an unreachable server is retried in
// the background.
func New(b *pubsub.Broker, o Options) (*Engine, error) {
	if b == nil {
		return nil, errors.New("pubsub/redis: New needs a Broker")
	}
	o = o.withDefaults()
	copt, err := rueidis.ParseURL(o.URL)
	if err != nil {
		return nil, fmt.Errorf("pubsub/redis: bad URL: %w", err)
	}
	if copt.TLSConfig != nil && o.TLSConfig != nil {
		cfg := o.TLSConfig.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName = copt.TLSConfig.ServerName
		}
		copt.TLSConfig = cfg
	}
	copt.DisableCache = true
	copt.Dialer.Timeout = o.PingTimeout
	copt.ConnWriteTimeout = o.PingTimeout + o.PingInterval
	copt.ForceSingleClient = true
	copt.DisableRetry = true
	// With ForceSingleClient, NewClient returns a client even when the
	// first dial fails: it dials again on use.
	client, err := rueidis.NewClient(copt)
	if client == nil {
		return nil, fmt.Errorf("pubsub/redis: %w", err)
	}
	if err != nil && o.Logger != nil {
		o.Logger.Warn("pubsub/redis: server unreachable, will retry", "url", redactURL(o.URL), "err", err)
	}
	e := &Engine{
		b: b, opt: o, client: client,
		want:    make(map[name]bool),
		wake:    make(chan struct{}, 1),
		done:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	b.Watch(e)
	go e.run()
	return e, nil
}

// Subscribed implements pubsub.Watcher: name has local subscribers.
func (e *Engine) Subscribed(s string, pattern bool) {
	e.mu.Lock()
	e.want[name{s, pattern}] = true
	e.mu.Unlock()
	e.poke()
}

// Unsubscribed implements pubsub.Watcher: name has no local subscriber
// left.
func (e *Engine) Unsubscribed(s string, pattern bool) {
	e.mu.Lock()
	delete(e.want, name{s, pattern})
	e.mu.Unlock()
	e.poke()
}

func (e *Engine) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Connected reports whether the subscriber connection is up and has
// subscribed to everything the broker wants.
func (e *Engine) Connected() bool { return e.connected.Load() }

// Publish sends m to every process subscribed through this Redis server,
// this one included (local subscribers get m when Redis sends it back).
// With a History, m is first appended to the channel's stream and m.ID
// set, atomically with the PUBLISH. When the server cannot be reached,
// Publish returns an error wrapping ErrUnavailable: Redis pub/sub does not
// queue, and neither does the Engine.
func (e *Engine) Publish(ctx context.Context, m *pubsub.Message) error {
	if e.isClosed() {
		return pubsub.ErrClosed
	}
	ctx, cancel := e.bound(ctx)
	defer cancel()
	if e.opt.History != nil {
		return e.publishHistory(ctx, m)
	}
	err := e.client.Do(ctx, e.client.B().Publish().Channel(m.Channel).Message(rueidis.BinaryString(m.Data)).Build()).Error()
	if err != nil {
		return fmt.Errorf("%w: publish %q: %v", ErrUnavailable, m.Channel, err)
	}
	return nil
}

// bound gives ctx the PublishTimeout when it has no deadline.
func (e *Engine) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, e.opt.PublishTimeout)
}

func (e *Engine) isClosed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

// Close stops the Engine: it leaves the broker, closes the subscriber
// connection and the client, and waits for its goroutine. Publish then
// fails with pubsub.ErrClosed. Calling Close again does nothing.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()
	e.b.Unwatch(e)
	close(e.done)
	<-e.stopped
	e.client.Close()
	return nil
}

// Interface guards.
var (
	_ pubsub.Engine  = (*Engine)(nil)
	_ pubsub.Resumer = (*Engine)(nil)
	_ pubsub.Watcher = (*Engine)(nil)
)
