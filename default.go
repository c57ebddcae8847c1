package plezi

import (
	"time"

	"github.com/plezi-go/plezi/engine"
)

// std is the default application of the package-level functions: the
// package's one piece of global state. Tests and programs that want
// several applications make their own with New.
var std = New()

// Default returns the default application, the one Route, Listen, Start
// and the other package-level functions use.
func Default() *App { return std }

// Route adds a route to the default application (see App.Route). Like
// http.Handle, it panics when the registration is wrong (a malformed
// pattern, a controller without actions): a setup mistake shows at once.
func Route(pattern string, c any) {
	if err := std.Route(pattern, c); err != nil {
		panic(err)
	}
}

// Listen adds a listener to the default application (see App.Listen).
func Listen(addr string) (*engine.Listener, error) { return std.Listen(addr) }

// Start runs the default application until SIGINT, SIGTERM or Stop.
func Start() error { return std.Start() }

// Stop shuts the default application down gracefully.
func Stop() error { return std.Stop() }

// Run queues fn on the default application's engine.
func Run(fn func()) error { return std.Run(fn) }

// RunAfter runs fn once after d on the default application's engine.
func RunAfter(d time.Duration, fn func()) *engine.Timer { return std.RunAfter(d, fn) }

// RunEvery runs fn every d, n times (0: until stopped), on the default
// application's engine.
func RunEvery(d time.Duration, n int, fn func()) *engine.Timer { return std.RunEvery(d, n, fn) }
