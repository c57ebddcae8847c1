package cluster

import (
	"context"
	"net"
	"os"
	"sync"

	"github.com/plezi-go/plezi/pubsub"
)

// worker returns a worker's link to its master, opening it on first use.
func (c *Cluster) worker() (*link, error) {
	c.init()
	if c.role != Worker {
		return nil, ErrRole
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.link != nil {
		return c.link, nil
	}
	f := os.NewFile(linkFD, "plezi-cluster-link")
	conn, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return nil, err
	}
	c.link = newLink(conn, 0)
	c.bus = &Bus{l: c.link}
	c.quit = make(chan struct{})
	go c.listen(c.link)
	return c.link, nil
}

// listen reads the master's frames until the link ends; an end this
// worker did not ask for means the master is gone.
func (c *Cluster) listen(l *link) {
	l.read(func(typ byte, a string, b []byte, p string) { c.bus.receive(typ, a, b, p) })
	c.mu.Lock()
	leaving := c.leaving
	c.mu.Unlock()
	if leaving {
		return
	}
	c.masterGone()
}

// masterGone runs OnParentCrash, then OnMasterGone's function, once:
// the link to the master ended, or the kernel's parent-death signal
// came.
func (c *Cluster) masterGone() {
	c.orphan.Do(func() {
		if c.OnParentCrash != nil {
			c.OnParentCrash()
		}
		c.mu.Lock()
		gone := c.gone
		c.mu.Unlock()
		if gone != nil {
			gone()
		}
	})
}

// Ready tells the master that this worker serves (call it once the
// engine started): during a hot restart the master stops the worker this
// one replaces only then.
func (c *Cluster) Ready() error {
	l, err := c.worker()
	if err != nil {
		return err
	}
	return l.send(fReady, "", nil, "", true)
}

// OnMasterGone sets what a worker does when its master goes away without
// stopping it (after OnParentCrash): stop serving, typically. It runs
// when the link to the master closes, or, on Linux, when the kernel
// signals the master's death (SIGHUP, PR_SET_PDEATHSIG; without
// OnMasterGone that signal's default action ends the worker at once).
func (c *Cluster) OnMasterGone(stop func()) {
	if _, err := c.worker(); err != nil {
		return
	}
	c.mu.Lock()
	first := c.gone == nil
	c.gone = stop
	c.mu.Unlock()
	if first {
		c.watchParent()
	}
}

// Close ends a worker's link to its master (when the worker stops). It
// does nothing in other roles.
func (c *Cluster) Close() error {
	c.mu.Lock()
	l := c.link
	c.leaving = true
	if c.quit != nil {
		close(c.quit)
		c.quit = nil
	}
	c.mu.Unlock()
	if l != nil {
		l.close()
		l.wait()
	}
	return nil
}

// Bus returns a worker's pub/sub link through the master (nil in other
// roles). Most programs use Engines instead.
func (c *Cluster) Bus() *Bus {
	if _, err := c.worker(); err != nil {
		return nil
	}
	return c.bus
}

// Bus carries a worker's publications and subscriptions to the master,
// which routes each message to the workers that subscribed to its
// channel (a star, as Iodine's cluster).
type Bus struct {
	l  *link
	mu sync.Mutex
	fn func(typ byte, channel string, data []byte, pattern string) // set by Engines
}

// Subscribe tells the master that this worker wants name (a channel, or
// a glob pattern).
func (b *Bus) Subscribe(name string, pattern bool) error {
	if pattern {
		return b.l.send(fPSub, name, nil, "", true)
	}
	return b.l.send(fSub, name, nil, "", true)
}

// Unsubscribe withdraws it.
func (b *Bus) Unsubscribe(name string, pattern bool) error {
	if pattern {
		return b.l.send(fPUnsub, name, nil, "", true)
	}
	return b.l.send(fUnsub, name, nil, "", true)
}

// Publish sends a message to the other workers with subscribers (this
// worker delivers its own). It fails with ErrBusy when the link holds
// DefaultLinkBuffer unsent bytes, never blocking.
func (b *Bus) Publish(channel string, data []byte) error {
	return b.l.send(fPublish, channel, data, "", false)
}

// PublishRemote sends a message through the master's Upstream (every
// machine), or to every worker, this one included, without one.
func (b *Bus) PublishRemote(channel string, data []byte) error {
	return b.l.send(fRemote, channel, data, "", false)
}

func (b *Bus) receive(typ byte, channel string, data []byte, pattern string) {
	b.mu.Lock()
	fn := b.fn
	b.mu.Unlock()
	if fn != nil {
		fn(typ, channel, data, pattern)
	}
}

// Engines returns a worker's pub/sub engines for broker b, and makes b's
// subscriptions known to the master:
//
//   - local reaches every worker of this cluster: Publish delivers in
//     this process (recording in h, when not nil) and, through the
//     master, in the other workers with subscribers;
//   - remote reaches every machine through the master's Upstream (once
//     for the whole cluster), or the whole cluster without one.
//
// Messages from other workers are recorded in h too, with IDs of this
// process: a history is per worker (use a Redis engine's for resuming
// across workers). Outside a worker both are pubsub.NewProcess(b, h).
// Call it once per broker.
func (c *Cluster) Engines(b *pubsub.Broker, h *pubsub.History) (local, remote pubsub.Engine) {
	bus := c.Bus()
	p := pubsub.NewProcess(b, h)
	if bus == nil {
		return p, p
	}
	bus.mu.Lock()
	bus.fn = func(typ byte, channel string, data []byte, pattern string) {
		m := pubsub.NewMessage(channel, data)
		switch typ {
		case fAll:
			p.Publish(context.Background(), m)
		case fChannel:
			b.DispatchChannel(m)
		case fPattern:
			b.DispatchPattern(pattern, m)
		}
	}
	bus.mu.Unlock()
	b.Watch(busWatcher{bus})
	return &localEngine{p: p, bus: bus}, &remoteEngine{bus: bus}
}

// busWatcher reports a broker's channels and patterns to the master.
type busWatcher struct{ bus *Bus }

func (w busWatcher) Subscribed(name string, pattern bool)   { w.bus.Subscribe(name, pattern) }
func (w busWatcher) Unsubscribed(name string, pattern bool) { w.bus.Unsubscribe(name, pattern) }

// localEngine is the cluster-scope engine of a worker.
type localEngine struct {
	p   *pubsub.Process
	bus *Bus
}

func (e *localEngine) Publish(ctx context.Context, m *pubsub.Message) error {
	e.p.Publish(ctx, m)
	return e.bus.Publish(m.Channel, m.Data)
}

func (e *localEngine) Since(ctx context.Context, channel, lastID string) ([]*pubsub.Message, error) {
	return e.p.Since(ctx, channel, lastID)
}

// remoteEngine is the remote-scope engine of a worker.
type remoteEngine struct{ bus *Bus }

func (e *remoteEngine) Publish(_ context.Context, m *pubsub.Message) error {
	return e.bus.PublishRemote(m.Channel, m.Data)
}
