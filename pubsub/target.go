package pubsub

// Target is a connection that receives messages: websocket.Conn and
// sse.Stream implement it. The broker calls its methods from the
// publisher's goroutine without holding any lock; both must not block.
//
// A Target's subscriptions should end when it closes: its owner calls
// Broker.UnsubscribeAll(owner) from its OnClose. As a safety net, a
// subscription whose Deliver or Defer returns an error is removed.
type Target interface {
	// Defer runs fn under the connection's serialization guarantee
	// (engine.Conn.Defer): never concurrently with its callbacks. It
	// returns an error once the connection is closed.
	Defer(fn func()) error
	// Deliver queues m encoded as kind (m.Encoded(kind), the same bytes
	// for every subscriber: engine.Conn.WriteShared). It returns an error
	// when the connection is closed or was closed as a slow consumer.
	Deliver(m *Message, kind Kind) error
}
