package pubsub

import "sync/atomic"

// Sub describes a subscription: one of Channel or Pattern, and a Handler, a
// Target, or both.
type Sub struct {
	// Channel is an exact channel name.
	Channel string
	// Pattern is a Redis glob pattern (see Match), when Channel is empty.
	Pattern string
	// Owner groups subscriptions (a connection, a user): subscribing again
	// with the same Owner and the same Channel or Pattern replaces the old
	// subscription, and Broker.UnsubscribeAll(Owner) ends them all. Owner
	// must be comparable; nil means an anonymous subscription that
	// replaces nothing.
	Owner any
	// Target is the connection that receives the messages. Without a
	// Handler each message is written to it as Kind (encoded once for all
	// subscribers); with a Handler, the Handler runs through Target.Defer,
	// under the connection's serialization guarantee.
	Target Target
	// Kind is the encoding written to Target when there is no Handler
	// (KindText when zero).
	Kind Kind
	// Handler receives each message. Without a Target it runs through
	// Broker.Run (or on the publisher's goroutine when Run is nil).
	Handler func(m *Message)
}

// subKey identifies a subscription within its owner.
type subKey struct {
	name    string
	pattern bool
}

// Subscription is the handle of one subscription. Its methods are safe
// for concurrent use.
type Subscription struct {
	b       *Broker
	owner   any
	key     subKey
	target  Target
	kind    Kind
	handler func(m *Message)
	active  atomic.Bool
}

// Name returns the channel or pattern subscribed to.
func (s *Subscription) Name() string { return s.key.name }

// IsPattern reports whether the subscription is to a pattern.
func (s *Subscription) IsPattern() bool { return s.key.pattern }

// Active reports whether the subscription still receives messages: false
// once unsubscribed, replaced, or dropped because its Target failed.
func (s *Subscription) Active() bool { return s.active.Load() }

// Unsubscribe ends the subscription. A message already queued for its
// Handler through Target.Defer is skipped. Calling it again does nothing.
func (s *Subscription) Unsubscribe() {
	s.b.mu.Lock()
	s.b.removeLocked(s)
	s.b.mu.Unlock()
}
