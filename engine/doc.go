// Package engine is Plezi's event-driven IO engine, the Go counterpart of
// Ruby's Iodine: event loops on epoll (Linux) or kqueue (macOS, FreeBSD)
// that hold many connections with little memory each, and the asynchronous
// workflow engine of the seed on top: Run, connection-bound Defer, RunAfter
// and RunEvery timers, lifecycle hooks and graceful shutdown.
//
// # Loops and transports
//
// An Engine runs Loops event loops (default GOMAXPROCS). Each loop is one
// goroutine that owns a poller, a 64 KiB read buffer shared by its
// connections, and a coarse timing wheel for idle timeouts. Listeners accept
// without blocking and spread connections over the loops round robin.
// Other goroutines hand a loop work by posting a job and waking the poller
// (eventfd on Linux, EVFILT_USER on kqueue).
//
// Where no poller exists (Windows and other platforms), when
// Engine.Portable is set, and for connections joined with Attach (TLS,
// connections hijacked from net/http), the portable transport drives a
// net.Conn with a reader and a writer goroutine. Protocols cannot tell the
// two transports apart.
//
// # The guarantee
//
// For one connection, no two callbacks or Defer tasks ever run at the same
// time; OnOpen runs first and OnClose last; a Defer task runs only while the
// connection is open (tasks still queued when it closes are dropped). State
// touched only from callbacks and Defer tasks therefore needs no mutex: this
// is the seed's "within the connection's lock".
//
// With Threads 0 callbacks run inline on the loops (fastest; a blocking
// callback stalls its loop). With Threads N they run on a pool of N
// goroutines, still serialized per connection: input read meanwhile is
// copied into pooled buffers and queued, and reading pauses while a
// connection holds more than MaxQueuedInput unprocessed bytes.
//
// # Writes and backpressure
//
// Conn.Write never blocks. On the poller transport it writes at once when
// nothing is queued, and copies (once) only what the socket did not take;
// queued segments are flushed with writev when the socket is writable
// again, and OnDrained reports that a backed-up queue emptied.
// Conn.WriteShared queues the caller's slice without any copy, which lets a
// broadcast encode a frame once for all subscribers. Pending output is
// bounded per connection by MaxPending: a write past it closes the
// connection with ErrSlowConsumer (the reason OnClose receives and the log
// shows), so a peer that stops reading never makes memory grow without
// bound.
//
// # Queues and their bounds
//
//   - outbound bytes per connection: MaxPending, then ErrSlowConsumer;
//   - inbound bytes queued per connection: MaxQueuedInput, then reading
//     pauses until the handler caught up to half of it;
//   - Run tasks waiting: MaxTasks, then Run returns ErrOverloaded;
//   - the pool's queue of connections: each connection at most once;
//   - Defer tasks: as many as callers queue (like appending to a slice);
//     they are dropped when the connection closes.
//
// # Lifecycle
//
// Start runs the PreStart hooks, starts loops, pool, timers and listeners,
// dispatches the tasks queued with Run before Start, runs the Started hooks
// and blocks. Stop (or SIGINT/SIGTERM) runs the ShuttingDown hooks, discards
// pending timers (they never fire), stops accepting, queues OnShutdown on
// every connection, waits for connections to close until its context ends,
// closes the rest with ErrShutdown, stops the loops and the pool (Run tasks
// not yet started are discarded) and runs the Finished hooks.
//
// A panic in a callback or Defer task is recovered, logged with its stack
// and closes only that connection (OnClose receives a *PanicError). Logs go
// to Engine.Logger (log/slog); the engine is quiet without one.
package engine
