// Package enginetest holds what the test suites of several packages need
// to run an engine.Engine: start it in the background, wait until it
// runs, and stop it when the test ends.
package enginetest

import (
	"context"
	"testing"
	"time"

	"github.com/plezi-go/plezi/engine"
)

// StopTimeout bounds the graceful stop at the end of a test.
const StopTimeout = 10 * time.Second

// Run starts e on a goroutine and returns once it runs (its Started hook
// fired); a Start that fails first fails the test. When the test ends, e
// is stopped within StopTimeout and Start's result is checked.
func Run(t testing.TB, e *engine.Engine) {
	t.Helper()
	started := make(chan struct{})
	e.On(engine.Started, func() { close(started) })
	errc := make(chan error, 1)
	go func() { errc <- e.Start() }()
	select {
	case <-started:
	case err := <-errc:
		t.Fatalf("engine Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), StopTimeout)
		defer cancel()
		e.Stop(ctx)
		if err := <-errc; err != nil {
			t.Errorf("engine Start returned %v", err)
		}
	})
}
