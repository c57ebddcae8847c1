package plezi

import (
	"errors"
	"fmt"
	"net/http"
)

// Sentinel errors. Errors from the package wrap one of them.
var (
	// ErrNotFound answers 404: return it (or wrap it) from a controller
	// method to send the not-found page.
	ErrNotFound = errors.New("plezi: not found")

	// ErrRoute is wrapped by every route registration error.
	ErrRoute = errors.New("plezi: bad route")

	// ErrParams is wrapped when a request's parameters cannot be read
	// (malformed or too large body): the request gets 400 or 413.
	ErrParams = errors.New("plezi: bad parameters")

	// ErrTemplate is wrapped by Render errors (missing or bad template).
	ErrTemplate = errors.New("plezi: template")

	// ErrNotConnected is returned by a controller's connection methods
	// (Write, Defer, Subscribe...) when it serves a plain HTTP request
	// rather than a WebSocket connection or an event stream.
	ErrNotConnected = errors.New("plezi: controller has no connection")

	// ErrBadID is returned by Unicast for a string that is not a
	// connection ID (see Controller.ID).
	ErrBadID = errors.New("plezi: malformed connection ID")

	// ErrPanic is wrapped by the error that stands for a recovered panic
	// in a controller method or callback.
	ErrPanic = errors.New("plezi: panic")
)

// errPanic turns a recovered panic value into an error wrapping ErrPanic.
func errPanic(inst any, v any) error {
	return fmt.Errorf("%w in %T: %v", ErrPanic, inst, v)
}

// HTTPError is an error with an HTTP status. Return one from a controller
// method to choose the error page's status; Message is shown to the
// client (for 4xx statuses; 5xx pages never show error text).
type HTTPError struct {
	Status  int
	Message string
	Err     error // the cause, logged, never shown (may be nil)
}

// Error returns an *HTTPError for status with message.
func Error(status int, message string) error {
	return &HTTPError{Status: status, Message: message}
}

func (e *HTTPError) Error() string {
	s := "plezi: " + http.StatusText(e.Status)
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *HTTPError) Unwrap() error { return e.Err }

// RouteError reports a route that could not be registered.
type RouteError struct {
	Pattern string
	Reason  string
	Err     error // the router's *route.PatternError, when there is one
}

func (e *RouteError) Error() string {
	if e.Err != nil {
		return "plezi: route " + e.Pattern + ": " + e.Err.Error()
	}
	return "plezi: route " + e.Pattern + ": " + e.Reason
}

// Unwrap returns ErrRoute and the cause.
func (e *RouteError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrRoute, e.Err}
	}
	return []error{ErrRoute}
}

// statusOf returns the HTTP status an error stands for.
func statusOf(err error) int {
	var he *HTTPError
	switch {
	case errors.As(err, &he) && he.Status >= 400 && he.Status <= 599:
		return he.Status
	case errors.Is(err, ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, ErrParams):
		var me *http.MaxBytesError
		if errors.As(err, &me) {
			return http.StatusRequestEntityTooLarge
		}
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// publicMessage returns the text an error page may show for err.
func publicMessage(status int, err error) string {
	if status >= 500 || err == nil {
		return ""
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Message
	}
	if errors.Is(err, ErrParams) {
		return err.Error()
	}
	return ""
}
