package pubsub

import "context"

// Engine carries published messages to subscribers: the Process engine
// straight into the local Broker, remote engines (Redis) through a server
// that delivers them back into every connected process's Broker with
// Dispatch, DispatchChannel or DispatchPattern. A remote engine registers
// as a Watcher of its broker to subscribe upstream once per channel or
// pattern that has local subscribers.
//
// New engines (NATS, ...) implement this one method, plus Resumer when
// they keep a history.
type Engine interface {
	// Publish sends m to every subscriber the engine reaches. It must not
	// block on subscribers; a network engine returns its error (server
	// unreachable) rather than dropping m silently.
	Publish(ctx context.Context, m *Message) error
}

// Resumer is an Engine that keeps a bounded per-channel history, so that a
// client reconnecting with the ID of the last message it saw (SSE
// Last-Event-ID, a WebSocket client's offset) gets what it missed.
type Resumer interface {
	// Since returns, oldest first, the retained messages of channel
	// published after lastID ("" means all retained messages). When some
	// message after lastID is no longer retained, it returns a *GapError
	// (errors.Is ErrHistoryGone): the client must resynchronize another
	// way. A malformed lastID gives ErrBadID.
	Since(ctx context.Context, channel, lastID string) ([]*Message, error)
}

// Process is the engine that reaches this process only: Publish delivers
// straight into the broker. With a History it records each message first
// and gives it an ID, and it is a Resumer.
type Process struct {
	b *Broker
	h *History
}

// NewProcess returns a Process engine for b, with history h (nil: none).
func NewProcess(b *Broker, h *History) *Process { return &Process{b: b, h: h} }

// Publish records m in the history (setting m.ID) and delivers it to the
// local subscribers. It never fails and never blocks on a subscriber.
// Concurrent publishers to one channel get increasing IDs, but their
// deliveries may interleave in another order.
func (p *Process) Publish(_ context.Context, m *Message) error {
	if p.h != nil {
		p.h.Append(m)
	}
	p.b.Dispatch(m)
	return nil
}

// Since implements Resumer; it returns ErrNoHistory without a History.
func (p *Process) Since(_ context.Context, channel, lastID string) ([]*Message, error) {
	if p.h == nil {
		return nil, ErrNoHistory
	}
	return p.h.Since(channel, lastID)
}

// Cluster names the engine that reaches every worker process of this
// machine's cluster. In a single process it is the process's whole
// cluster and behaves exactly as Process. In a worker process, the
// engine that crosses processes (through the master) comes from package
// cluster (Cluster.Engines); plezi's App puts it in place of a nil or
// Cluster engine.
type Cluster struct {
	Process
}

// NewCluster returns a Cluster engine for b with history h (nil: none).
func NewCluster(b *Broker, h *History) *Cluster {
	return &Cluster{Process{b: b, h: h}}
}

// Interface guards.
var (
	_ Engine  = (*Process)(nil)
	_ Resumer = (*Process)(nil)
	_ Engine  = (*Cluster)(nil)
	_ Resumer = (*Cluster)(nil)
)
