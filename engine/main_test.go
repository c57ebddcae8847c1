package engine_test

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/internal/enginetest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// mode is one way of running the engine; every protocol test runs in each.
type mode struct {
	name     string
	portable bool
	threads  int
}

var modes = []mode{
	{"poller", false, 0},
	{"poller-threads", false, 4},
	{"portable", true, 0},
	{"portable-threads", true, 4},
}

// forModes runs f once per transport and threading mode.
func forModes(t *testing.T, f func(t *testing.T, m mode)) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) { f(t, m) })
	}
}

// forModesParallel is forModes with the modes running in parallel, for
// tests that mostly wait on clocks.
func forModesParallel(t *testing.T, f func(t *testing.T, m mode)) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			f(t, m)
		})
	}
}

// newEngine returns an engine configured for mode m.
func newEngine(m mode) *engine.Engine {
	return &engine.Engine{Portable: m.portable, Threads: m.threads, Loops: 2, IgnoreSignals: true}
}

// start runs e in the background until the test ends.
func start(t testing.TB, e *engine.Engine) { enginetest.Run(t, e) }

// listen opens a loopback listener served by newProto.
func listen(t testing.TB, e *engine.Engine, newProto func(*engine.Conn) engine.Protocol) string {
	t.Helper()
	ln, err := e.Listen("tcp", "127.0.0.1:0", newProto)
	if err != nil {
		t.Fatal(err)
	}
	return ln.Addr().String()
}

func dial(t testing.TB, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// echo writes back what it reads.
func echo(*engine.Conn) engine.Protocol {
	return engine.ProtocolFunc(func(c *engine.Conn, p []byte) { c.Write(p) })
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// recv returns the next value from ch or fails after d.
func recv[T any](t testing.TB, ch <-chan T, d time.Duration) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(d):
		var zero T
		t.Fatalf("timed out after %v waiting for %T", d, zero)
		return zero
	}
}

var _ = fmt.Sprint

// stopNow stops e and waits for it.
func stopNow(t testing.TB, e *engine.Engine) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

var errDeadline = context.DeadlineExceeded

func contextTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}
