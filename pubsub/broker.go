package pubsub

import (
	"context"
	"log/slog"
	"reflect"
	"sync"
	"sync/atomic"
)

// Broker holds the subscriptions of this process and delivers messages to
// them. Exact channels are kept in a map; patterns in a list that every
// published channel is matched against.
//
// The zero value is ready: it publishes through its own Process engine
// (this process only, no history). All methods are safe for concurrent use.
// Publish never holds a lock while delivering and never blocks on a
// subscriber: Targets queue bytes without blocking (the engine's
// per-connection MaxPending bound applies to each subscriber alone).
//
// Lock order: Broker.mu, then whatever a Watcher takes (Watchers are called
// with Broker.mu held and must not call back into the broker).
type Broker struct {
	// Engine is where Publish sends messages: Process, Cluster, a Redis
	// engine... nil means the broker's own Process engine. Set it before
	// the broker is used.
	Engine Engine
	// Run runs the Handlers of subscriptions that have no Target (for
	// example engine.Engine.Run). When nil, or when Run returns an error,
	// they run on the publishing goroutine.
	Run func(fn func()) error
	// Logger receives handler panics and dropped subscriptions; nil is
	// quiet.
	Logger *slog.Logger

	mu       sync.RWMutex
	channels map[string]*subList // guarded by mu
	patterns map[string]*subList // guarded by mu
	owners   map[any]map[subKey]*Subscription
	watchers []Watcher
	subs     int                        // active subscriptions; guarded by mu
	patSnap  atomic.Pointer[[]*subList] // copy of patterns' values for Publish

	procOnce sync.Once
	proc     *Process
}

// subList is the subscribers of one channel or pattern. The slice is
// copied on write so that Publish reads it without a lock.
type subList struct {
	name string
	subs atomic.Pointer[[]*Subscription]
}

// Watcher learns which channels and patterns have local subscribers: a
// remote engine (Redis) subscribes to each once, however many local
// subscribers it has. Its methods run with the broker's lock held, in
// order; they must return quickly and must not call the broker.
type Watcher interface {
	// Subscribed: name got its first local subscriber.
	Subscribed(name string, pattern bool)
	// Unsubscribed: name lost its last local subscriber.
	Unsubscribed(name string, pattern bool)
}

// Stats counts what a broker holds.
type Stats struct {
	Channels      int // exact channels with at least one subscriber
	Patterns      int // patterns with at least one subscriber
	Subscriptions int // active subscriptions
	Owners        int // owners with at least one subscription
}

// Stats returns the broker's counts.
func (b *Broker) Stats() Stats {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return Stats{len(b.channels), len(b.patterns), b.subs, len(b.owners)}
}

// Subscribe adds a subscription. It fails with ErrName, ErrNoDelivery,
// ErrKind (a Target without Handler whose Kind has no encoder) or
// ErrOwner.
func (b *Broker) Subscribe(o Sub) (*Subscription, error) {
	s, err := newSubscription(b, o)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.addLocked(s)
	if s.owner != nil {
		m := b.owners[s.owner]
		if m == nil {
			m = make(map[subKey]*Subscription)
			b.owners[s.owner] = m
		}
		old := m[s.key]
		m[s.key] = s
		if old != nil {
			b.removeLocked(old) // after adding s: the name never loses interest
		}
	}
	return s, nil
}

func newSubscription(b *Broker, o Sub) (*Subscription, error) {
	if (o.Channel == "") == (o.Pattern == "") {
		return nil, ErrName
	}
	if o.Handler == nil && o.Target == nil {
		return nil, ErrNoDelivery
	}
	if o.Kind == 0 {
		o.Kind = KindText
	}
	if o.Handler == nil && !HasEncoder(o.Kind) {
		return nil, ErrKind
	}
	if !validOwner(o.Owner) {
		return nil, ErrOwner
	}
	s := &Subscription{b: b, owner: o.Owner, target: o.Target, kind: o.Kind, handler: o.Handler}
	s.key = subKey{o.Channel, false}
	if o.Pattern != "" {
		s.key = subKey{o.Pattern, true}
	}
	return s, nil
}

// Unsubscribe ends owner's subscription to channel (or, with pattern set,
// to that pattern). It reports whether there was one.
func (b *Broker) Unsubscribe(owner any, name string, pattern bool) bool {
	if !validOwner(owner) {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.owners[owner][subKey{name, pattern}]
	if s == nil {
		return false
	}
	b.removeLocked(s)
	return true
}

// UnsubscribeAll ends every subscription of owner (call it from a
// connection's OnClose). It returns how many there were.
func (b *Broker) UnsubscribeAll(owner any) int {
	if !validOwner(owner) {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	m := b.owners[owner]
	n := len(m)
	for _, s := range m {
		b.removeLocked(s)
	}
	return n
}

// Watch registers w and calls w.Subscribed for every channel and pattern
// that already has subscribers.
func (b *Broker) Watch(w Watcher) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.initLocked()
	b.watchers = append(b.watchers, w)
	for name := range b.channels {
		w.Subscribed(name, false)
	}
	for name := range b.patterns {
		w.Subscribed(name, true)
	}
}

// Unwatch removes w.
func (b *Broker) Unwatch(w Watcher) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, x := range b.watchers {
		if x == w {
			b.watchers = append(b.watchers[:i:i], b.watchers[i+1:]...)
			return
		}
	}
}

// Publish sends data to channel through the broker's Engine. data is not
// copied: it must not be modified afterwards.
func (b *Broker) Publish(channel string, data []byte) error {
	return b.PublishTo(context.Background(), nil, channel, data)
}

// PublishTo sends data to channel through engine e (nil: the broker's
// Engine). Engines that reach the network (Redis) return their error,
// for example while the server is unreachable.
func (b *Broker) PublishTo(ctx context.Context, e Engine, channel string, data []byte) error {
	if e == nil {
		e = b.engine()
	}
	return e.Publish(ctx, NewMessage(channel, data))
}

// Since returns the messages published to channel after lastID, from the
// history of the broker's Engine (see Resumer). It fails with ErrNoHistory
// when that engine keeps none.
func (b *Broker) Since(ctx context.Context, channel, lastID string) ([]*Message, error) {
	r, ok := b.engine().(Resumer)
	if !ok {
		return nil, ErrNoHistory
	}
	return r.Since(ctx, channel, lastID)
}

// engine returns the Engine in use.
func (b *Broker) engine() Engine {
	if b.Engine != nil {
		return b.Engine
	}
	b.procOnce.Do(func() { b.proc = NewProcess(b, nil) })
	return b.proc
}

// initLocked makes the maps. b.mu must be held.
func (b *Broker) initLocked() {
	if b.channels == nil {
		b.channels = make(map[string]*subList)
		b.patterns = make(map[string]*subList)
		b.owners = make(map[any]map[subKey]*Subscription)
	}
}

// validOwner reports whether owner can key a map (nil can).
func validOwner(owner any) bool {
	return owner == nil || reflect.TypeOf(owner).Comparable()
}
