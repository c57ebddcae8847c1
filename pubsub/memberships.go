package pubsub

import "sync"

// Memberships records the brokers a connection subscribed on, so that
// all its subscriptions end together when it closes: the protocol
// packages (websocket, sse) keep one per connection, subscribe through
// it and call End from OnClose. The zero value is ready to use; it is
// safe for concurrent use.
type Memberships struct {
	mu      sync.Mutex // held across Broker calls: a Subscribe and End never interleave
	brokers []*Broker
	ended   bool
}

// Subscribe subscribes sub on b and remembers b. After End it subscribes
// nothing and returns ErrEnded, so a connection that closed cannot gain
// a subscription that would outlive it.
func (m *Memberships) Subscribe(b *Broker, sub Sub) (*Subscription, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ended {
		return nil, ErrEnded
	}
	s, err := b.Subscribe(sub)
	if err == nil && !m.knows(b) {
		m.brokers = append(m.brokers, b)
	}
	return s, err
}

func (m *Memberships) knows(b *Broker) bool {
	for _, x := range m.brokers {
		if x == b {
			return true
		}
	}
	return false
}

// End ends every subscription of owner on the brokers subscribed
// through m; later Subscribe calls fail.
func (m *Memberships) End(owner any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ended = true
	for _, b := range m.brokers {
		b.UnsubscribeAll(owner)
	}
	m.brokers = nil
}
