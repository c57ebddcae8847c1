package pubsub_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plezi-go/plezi/pubsub"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// The test encoders: a text "frame" is "T:" + data, an SSE event is
	// "id: ...\ndata: ...\n\n".
	pubsub.RegisterEncoder(pubsub.KindText, func(m *pubsub.Message) []byte {
		return append([]byte("T:"), m.Data...)
	})
	pubsub.RegisterEncoder(pubsub.KindBinary, func(m *pubsub.Message) []byte { return m.Data })
	pubsub.RegisterEncoder(pubsub.KindSSE, func(m *pubsub.Message) []byte {
		return []byte("id: " + m.ID + "\ndata: " + string(m.Data) + "\n\n")
	})
	goleak.VerifyTestMain(m)
}

var errTargetClosed = errors.New("target closed")

// target is a test double for a connection: Deliver records the shared
// bytes, Defer runs the task at once under the target's lock (serialized,
// like engine.Conn.Defer), and Close makes both fail.
type target struct {
	mu     sync.Mutex
	frames [][]byte
	closed bool
	delay  time.Duration // a slow subscriber: each Deliver takes this long
	n      atomic.Int64  // deliveries and tasks run
}

func (t *target) Defer(fn func()) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return errTargetClosed
	}
	fn()
	t.n.Add(1)
	return nil
}

func (t *target) Deliver(m *pubsub.Message, k pubsub.Kind) error {
	if t.delay > 0 {
		time.Sleep(t.delay)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return errTargetClosed
	}
	t.frames = append(t.frames, m.Encoded(k))
	t.n.Add(1)
	return nil
}

func (t *target) Close() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
}

func (t *target) strings() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]string, len(t.frames))
	for i, f := range t.frames {
		out[i] = string(f)
	}
	return out
}

// waitFor polls cond until it holds or d passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func mustSub(t testing.TB, b *pubsub.Broker, s pubsub.Sub) *pubsub.Subscription {
	t.Helper()
	sub, err := b.Subscribe(s)
	if err != nil {
		t.Fatalf("Subscribe(%+v): %v", s, err)
	}
	return sub
}
