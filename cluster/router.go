package cluster

import (
	"sync"
	"sync/atomic"

	"github.com/plezi-go/plezi/pubsub"
)

// Upstream is where a master sends remote-scope publications, and the
// channels and patterns its workers subscribe to: a broker on a Redis
// engine, for example (see BrokerUpstream), so that the whole cluster
// talks to Redis once.
type Upstream interface {
	// Publish sends a remote-scope publication.
	Publish(channel string, data []byte) error
	// Subscribe starts deliveries for name (a channel, or a pattern);
	// deliver receives each message with the pattern that matched ("" for
	// an exact channel).
	Subscribe(name string, pattern bool, deliver func(channel string, data []byte, pattern string)) error
	// Unsubscribe ends them.
	Unsubscribe(name string, pattern bool)
}

// member is a worker as the router knows it.
type member struct {
	l       *link
	dropped atomic.Int64 // deliveries dropped on a full link
}

// router is the master's table of which worker wants which channel and
// pattern. Workers report a name once (on its first local subscriber)
// and withdraw it once, so the sets hold each worker at most once.
type router struct {
	up   Upstream
	warn func(msg string, args ...any)

	mu       sync.RWMutex
	channels map[string][]*member
	patterns map[string][]*member
}

func newRouter(up Upstream, warn func(string, ...any)) *router {
	return &router{up: up, warn: warn, channels: map[string][]*member{}, patterns: map[string][]*member{}}
}

func (r *router) table(pattern bool) map[string][]*member {
	if pattern {
		return r.patterns
	}
	return r.channels
}

// subscribe adds m's interest in name.
func (r *router) subscribe(m *member, name string, pattern bool) {
	r.mu.Lock()
	t := r.table(pattern)
	list := t[name]
	for _, x := range list {
		if x == m {
			r.mu.Unlock()
			return
		}
	}
	t[name] = append(list[:len(list):len(list)], m)
	if len(list) == 0 && r.up != nil {
		// Under r.mu, so that a concurrent last unsubscribe cannot undo
		// it (lock order: router, then the Upstream's broker).
		if err := r.up.Subscribe(name, pattern, r.fromUpstream); err != nil {
			r.warn("upstream subscribe", "name", name, "err", err)
		}
	}
	r.mu.Unlock()
}

// unsubscribe removes m's interest in name.
func (r *router) unsubscribe(m *member, name string, pattern bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.removeLocked(m, name, pattern) && r.up != nil {
		r.up.Unsubscribe(name, pattern)
	}
}

// removeLocked takes m off name's list and reports whether it was the
// last one there.
func (r *router) removeLocked(m *member, name string, pattern bool) bool {
	t := r.table(pattern)
	list := t[name]
	for i, x := range list {
		if x == m {
			if len(list) == 1 {
				delete(t, name)
				return true
			}
			t[name] = append(list[:i:i], list[i+1:]...)
			return false
		}
	}
	return false
}

// leave removes every interest of a worker that went away.
func (r *router) leave(m *member) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, pattern := range []bool{false, true} {
		for name, list := range r.table(pattern) {
			if contains(list, m) && r.removeLocked(m, name, pattern) && r.up != nil {
				r.up.Unsubscribe(name, pattern)
			}
		}
	}
}

// publish handles a worker's publication: cluster scope goes to every
// other interested worker (the publisher delivered it itself); remote
// scope goes to the Upstream, or, without one, to every interested
// worker, the publisher included.
func (r *router) publish(from *member, channel string, data []byte, remote bool) {
	switch {
	case !remote:
		r.deliver(from, fAll, channel, data, "")
	case r.up != nil:
		if err := r.up.Publish(channel, data); err != nil {
			r.warn("upstream publish", "channel", channel, "err", err)
		}
	default:
		r.deliver(nil, fAll, channel, data, "")
	}
}

// fromUpstream delivers a message from the Upstream: to the workers with
// that exact channel, or with that pattern.
func (r *router) fromUpstream(channel string, data []byte, pattern string) {
	if pattern == "" {
		r.deliver(nil, fChannel, channel, data, "")
	} else {
		r.deliver(nil, fPattern, channel, data, pattern)
	}
}

// deliver sends a frame to the workers typ selects, except skip.
func (r *router) deliver(skip *member, typ byte, channel string, data []byte, pattern string) {
	var buf [16]*member
	to := buf[:0]
	r.mu.RLock()
	switch typ {
	case fChannel:
		to = append(to, r.channels[channel]...)
	case fPattern:
		to = append(to, r.patterns[pattern]...)
	default:
		to = append(to, r.channels[channel]...)
		for p, list := range r.patterns {
			if pubsub.Match(p, channel) {
				for _, m := range list {
					if !contains(to, m) {
						to = append(to, m)
					}
				}
			}
		}
	}
	r.mu.RUnlock()
	for _, m := range to {
		if m == skip {
			continue
		}
		if err := m.l.send(typ, channel, data, pattern, false); err == ErrBusy {
			if n := m.dropped.Add(1); n == 1 || n%1000 == 0 {
				r.warn("worker link full: message dropped", "channel", channel, "dropped", n)
			}
		}
	}
}

func contains(list []*member, m *member) bool {
	for _, x := range list {
		if x == m {
			return true
		}
	}
	return false
}

// BrokerUpstream returns an Upstream over b: publications go through b's
// Engine (a Redis engine reaches every machine), and the workers'
// channels and patterns are subscribed on b once for the whole cluster.
func BrokerUpstream(b *pubsub.Broker) Upstream { return &brokerUpstream{b: b} }

type brokerUpstream struct{ b *pubsub.Broker }

func (u *brokerUpstream) Publish(channel string, data []byte) error {
	return u.b.Publish(channel, data)
}

func (u *brokerUpstream) Subscribe(name string, pattern bool, deliver func(string, []byte, string)) error {
	s := pubsub.Sub{Owner: u}
	if pattern {
		s.Pattern = name
		s.Handler = func(m *pubsub.Message) { deliver(m.Channel, m.Data, name) }
	} else {
		s.Channel = name
		s.Handler = func(m *pubsub.Message) { deliver(m.Channel, m.Data, "") }
	}
	_, err := u.b.Subscribe(s)
	return err
}

func (u *brokerUpstream) Unsubscribe(name string, pattern bool) { u.b.Unsubscribe(u, name, pattern) }
