package pubsub

import "runtime/debug"

// Dispatch delivers m to every local subscriber: those of m.Channel and
// those of every pattern matching it. It returns the number of
// subscriptions m was handed to. Engines call it for messages they
// receive; it holds no lock while delivering and never blocks on a
// subscriber.
func (b *Broker) Dispatch(m *Message) int {
	n := b.DispatchChannel(m)
	if p := b.patSnap.Load(); p != nil {
		for _, l := range *p {
			if Match(l.name, m.Channel) {
				n += b.deliverList(l, m)
			}
		}
	}
	return n
}

// DispatchChannel delivers m to the subscribers of exactly m.Channel (not
// to patterns): what a remote engine does with a Redis "message".
func (b *Broker) DispatchChannel(m *Message) int {
	b.mu.RLock()
	l := b.channels[m.Channel]
	b.mu.RUnlock()
	if l == nil {
		return 0
	}
	return b.deliverList(l, m)
}

// DispatchPattern delivers m to the subscribers of pattern only: what a
// remote engine does with a Redis "pmessage" for that pattern.
func (b *Broker) DispatchPattern(pattern string, m *Message) int {
	b.mu.RLock()
	l := b.patterns[pattern]
	b.mu.RUnlock()
	if l == nil {
		return 0
	}
	return b.deliverList(l, m)
}

func (b *Broker) deliverList(l *subList, m *Message) int {
	p := l.subs.Load()
	if p == nil {
		return 0
	}
	n := 0
	for _, s := range *p {
		if s.active.Load() {
			b.deliver(s, m)
			n++
		}
	}
	return n
}

// deliver hands m to one subscription.
func (b *Broker) deliver(s *Subscription, m *Message) {
	var err error
	switch {
	case s.target != nil && s.handler != nil:
		err = s.target.Defer(func() {
			if s.active.Load() { // unsubscribed meanwhile: skip
				s.handler(m)
			}
		})
	case s.target != nil:
		if m.Encoded(s.kind) == nil {
			return // the encoder refused m (e.g. not valid UTF-8 text)
		}
		err = s.target.Deliver(m, s.kind)
	default:
		b.runHandler(s, m)
	}
	if err != nil {
		b.dropFailed(s, err)
	}
}

// runHandler runs a handler-only subscription through b.Run, or inline.
func (b *Broker) runHandler(s *Subscription, m *Message) {
	if b.Run != nil && b.Run(func() { b.call(s, m) }) == nil {
		return
	}
	b.call(s, m)
}

// call runs s's handler, recovering a panic (logged) so that one handler
// cannot break the publisher or the other subscribers.
func (b *Broker) call(s *Subscription, m *Message) {
	defer func() {
		if r := recover(); r != nil && b.Logger != nil {
			b.Logger.Error("pubsub: handler panic", "channel", m.Channel, "subscription", s.key.name, "panic", r, "stack", string(debug.Stack()))
		}
	}()
	if s.active.Load() {
		s.handler(m)
	}
}

// dropFailed removes a subscription whose Target failed (closed, or cut
// off as a slow consumer).
func (b *Broker) dropFailed(s *Subscription, err error) {
	s.Unsubscribe()
	if b.Logger != nil {
		b.Logger.Debug("pubsub: subscription dropped", "name", s.key.name, "pattern", s.key.pattern, "err", err)
	}
}
