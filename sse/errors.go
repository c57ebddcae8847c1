package sse

import (
	"errors"
	"fmt"
)

var (
	// ErrNotEventStream is what a *RequestError wraps: the request is not
	// an EventSource request (not a GET, or its Accept header lacks
	// text/event-stream).
	ErrNotEventStream = errors.New("sse: not an event-stream request")

	// ErrInvalidEvent is what an *EventError wraps: an event that cannot
	// be written without changing its meaning.
	ErrInvalidEvent = errors.New("sse: invalid event")

	// ErrNoEngine is returned by Upgrade on a server that is not Plezi's
	// (its ResponseWriter is not an httpd.Upgrader) when Options.Engine is
	// nil: the hijacked connection needs a running engine to join.
	ErrNoEngine = errors.New("sse: Options.Engine is nil: a hijacked connection needs an engine")

	// ErrNotHijackable is returned by Upgrade when the ResponseWriter is
	// neither an httpd.Upgrader nor an http.Hijacker (HTTP/2, a wrapping
	// middleware that hides both).
	ErrNotHijackable = errors.New("sse: ResponseWriter can neither upgrade nor hijack")

	// ErrClosed is returned by the writing methods of a Stream that was
	// closed (by Close, the client, or the engine).
	ErrClosed = errors.New("sse: stream closed")
)

// RequestError says why Upgrade refused a request, and with which status
// it answered: 405 Method Not Allowed (not a GET) or 406 Not Acceptable
// (the Accept header lacks text/event-stream). It wraps ErrNotEventStream.
type RequestError struct {
	Status int    // the status written to the client
	Reason string // the reason, also written as the response body
}

// Error returns the status and the reason.
func (e *RequestError) Error() string {
	return fmt.Sprintf("sse: %d: %s", e.Status, e.Reason)
}

// Unwrap returns ErrNotEventStream.
func (e *RequestError) Unwrap() error { return ErrNotEventStream }

// EventError says which field of an event cannot be encoded. It wraps
// ErrInvalidEvent.
type EventError struct {
	Field  string // "id" or "event"
	Reason string
}

// Error names the field and the reason.
func (e *EventError) Error() string {
	return fmt.Sprintf("sse: invalid event %s: %s", e.Field, e.Reason)
}

// Unwrap returns ErrInvalidEvent.
func (e *EventError) Unwrap() error { return ErrInvalidEvent }
