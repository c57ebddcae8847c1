package engine

import (
	"errors"
	"fmt"
)

var (
	// ErrClosed is returned by operations on a connection that is closing or
	// closed, and by Listen, Attach and Run on an engine that has stopped.
	ErrClosed = errors.New("engine: closed")

	// ErrSlowConsumer is the reason a connection is closed when its pending
	// outbound bytes would exceed the engine's MaxPending bound.
	ErrSlowConsumer = errors.New("engine: slow consumer: pending output over limit")

	// ErrTimeout is the reason a connection is closed when it stayed idle past
	// its timeout (and its protocol has no OnTimeout), or when a Close could
	// not flush its pending output within the engine's CloseTimeout.
	ErrTimeout = errors.New("engine: timeout")

	// ErrShutdown is the reason a connection is closed when the engine's
	// shutdown deadline passed before the connection closed by itself.
	ErrShutdown = errors.New("engine: shutdown")

	// ErrProtocolSwitched is the reason the old protocol's OnClose receives
	// after SetProtocol replaced it. The connection itself stays open.
	ErrProtocolSwitched = errors.New("engine: protocol switched")

	// ErrOverloaded is returned by Run when the task queue is full.
	ErrOverloaded = errors.New("engine: task queue full")

	// ErrNotRunning is returned by Attach before Start.
	ErrNotRunning = errors.New("engine: not running")

	// ErrRunning is returned by Start on an engine that was already started.
	ErrRunning = errors.New("engine: already started")
)

// PanicError is the reason a connection is closed after one of its callbacks
// or Defer tasks panicked. The engine recovers the panic, logs it with its
// stack and closes only that connection.
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the goroutine's stack at the panic
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("engine: panic in callback: %v", e.Value)
}
