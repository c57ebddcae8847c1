package pubsub

import "github.com/plezi-go/plezi/engine"

// ConnTarget adapts an engine.Conn to Target for raw protocols whose
// encoders produce complete wire messages: Deliver queues m's encoding
// of kind as it is (WriteShared: the same bytes for every subscriber),
// Defer is Conn.Defer. websocket.Conn and sse.Stream implement Target
// themselves.
type ConnTarget struct {
	C *engine.Conn
}

// Defer runs fn under the connection's serialization guarantee.
func (t ConnTarget) Defer(fn func()) error { return t.C.Defer(fn) }

// Deliver queues m's encoding of kind on the connection without copying.
// It fails once the connection is closed, or when the write passes the
// engine's MaxPending (the connection is then closed as a slow consumer).
func (t ConnTarget) Deliver(m *Message, kind Kind) error {
	_, err := t.C.QueueShared(m.Encoded(kind))
	return err
}

var _ Target = ConnTarget{}
