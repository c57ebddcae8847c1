//go:build unix

package redis_test

import (
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/plezi-go/plezi/pubsub"
	"github.com/plezi-go/plezi/pubsub/redis"
)

// TestHealthPingDetectsHungServer freezes redis-server (SIGSTOP): the
// connection stays open but nothing answers. The health ping notices,
// Publish fails after PublishTimeout instead of hanging, and once the
// server resumes (SIGCONT) subscriptions work again.
func TestHealthPingDetectsHungServer(t *testing.T) {
	srv := startServer(t)
	b, e := newEngine(t, srv.URL(), func(o *redis.Options) { o.PublishTimeout = 300 * time.Millisecond })
	got := &sink{}
	b.Subscribe(pubsub.Sub{Channel: "c", Target: got})
	waitFor(t, 2*time.Second, "connected", e.Connected)

	srv.cmd.Process.Signal(syscall.SIGSTOP)
	resumed := false
	defer func() {
		if !resumed {
			srv.cmd.Process.Signal(syscall.SIGCONT)
		}
	}()
	waitFor(t, 3*time.Second, "the ping to detect the hung server", func() bool { return !e.Connected() })
	start := time.Now()
	if err := b.Publish("c", []byte("x")); !errors.Is(err, redis.ErrUnavailable) {
		t.Fatalf("Publish to a hung server = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Publish took %v with a 300 ms PublishTimeout", d)
	}
	t.Logf("publish failed after %v", time.Since(start))
	srv.cmd.Process.Signal(syscall.SIGCONT)
	resumed = true
	waitFor(t, 5*time.Second, "delivery after the server resumed", func() bool {
		b.Publish("c", []byte("y"))
		return got.count() > 0 && e.Connected()
	})
}
