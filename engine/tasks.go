package engine

import (
	"context"
	"log/slog"
	"runtime/debug"
)

// Run queues fn to run asynchronously: on the handler pool, or on an event
// loop when Threads is 0. Tasks queued before Start run once the engine
// starts. Run fails with ErrOverloaded when MaxTasks tasks are already
// waiting, and with ErrClosed once the engine is stopping; tasks still
// queued when the engine stops are discarded.
func (e *Engine) Run(fn func()) error {
	e.init()
	e.mu.Lock()
	switch e.state {
	case stateNew:
		e.prestart = append(e.prestart, fn)
		e.mu.Unlock()
		return nil
	case stateStopping, stateStopped:
		e.mu.Unlock()
		return ErrClosed
	}
	e.mu.Unlock()
	return e.dispatch(runItem{fn: fn})
}

// runItem is a Run task: a function, or a timer's run (dispatched without
// allocating a closure).
type runItem struct {
	fn func()
	t  *Timer
}

// dispatch queues it on the pool or a loop, within MaxTasks.
func (e *Engine) dispatch(it runItem) error {
	if e.queued.Add(1) > e.cfg.maxTasks {
		e.queued.Add(-1)
		return ErrOverloaded
	}
	if e.cfg.threads > 0 {
		e.pool.pushFunc(it)
		return nil
	}
	e.pickLoop().post(job{op: opFunc, fn: it.fn, t: it.t})
	return nil
}

// runTask runs a Run task, recovering (and logging) a panic.
func (e *Engine) runTask(it runItem) {
	e.queued.Add(-1)
	defer func() {
		if v := recover(); v != nil {
			e.log().Error("plezi/engine: panic in task", "panic", v, "stack", string(debug.Stack()))
		}
	}()
	if it.t != nil {
		it.t.fire()
		return
	}
	it.fn()
}

// Hook names a point of the engine's life at which hooks run.
type Hook int

const (
	// PreStart hooks run at the beginning of Start, before the loops run.
	PreStart Hook = iota
	// Started hooks run once the engine serves: loops, pool, timers and
	// listeners are up and the tasks queued before Start are dispatched.
	Started
	// ShuttingDown hooks run when Stop begins, before connections are
	// told to shut down.
	ShuttingDown
	// Finished hooks run when everything has stopped, just before Start
	// returns.
	Finished
	hookCount
)

// On registers fn to run at the given point of the engine's life. Hooks of
// one point run in the order registered, on the goroutine that reaches it.
// A hook that panics is logged and the next one runs.
func (e *Engine) On(h Hook, fn func()) {
	if h < 0 || h >= hookCount {
		panic("plezi/engine: unknown hook")
	}
	e.mu.Lock()
	e.hooks[h] = append(e.hooks[h], fn)
	e.mu.Unlock()
}

func (e *Engine) runHooks(h Hook) {
	e.mu.Lock()
	hooks := append([]func(){}, e.hooks[h]...)
	e.mu.Unlock()
	for _, fn := range hooks {
		func() {
			defer func() {
				if v := recover(); v != nil {
					e.log().Error("plezi/engine: panic in hook", "panic", v, "stack", string(debug.Stack()))
				}
			}()
			fn()
		}()
	}
}

// log returns the engine's logger, or one that discards everything.
func (e *Engine) log() *slog.Logger {
	if e.Logger != nil {
		return e.Logger
	}
	return discardLogger
}

var discardLogger = slog.New(slog.DiscardHandler)

func (e *Engine) logError(msg string, err error) {
	e.log().Error("plezi/engine: "+msg, "err", err)
}

func (e *Engine) logConnClose(c *Conn, reason error) {
	lg := e.log()
	if !lg.Enabled(context.Background(), slog.LevelWarn) {
		return
	}
	lg.Warn("plezi/engine: connection closed", "id", c.id, "reason", reason.Error())
}

func (e *Engine) logPanic(c *Conn, pe *PanicError) {
	e.log().Error("plezi/engine: panic in connection callback", "id", c.id, "panic", pe.Value, "stack", string(pe.Stack))
}
