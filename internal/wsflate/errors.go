package wsflate

import (
	"errors"
	"strconv"
)

// Sentinel errors. Errors returned by this package wrap one of them, so
// callers test with errors.Is.
var (
	// ErrTooLarge reports that a decompressed message grew past the
	// caller's limit. The WebSocket layer answers it with close code 1009.
	ErrTooLarge = errors.New("wsflate: decompressed message too large")

	// ErrCorrupt reports a payload that is not a valid DEFLATE stream (or
	// that references context the peer agreed not to keep). The WebSocket
	// layer answers it with close code 1007.
	ErrCorrupt = errors.New("wsflate: corrupt compressed message")

	// ErrBadResponse reports a server's Sec-WebSocket-Extensions answer that
	// a client must refuse (RFC 7692 §5, RFC 6455 §9.1): a parameter that
	// was not offered, a bad value, a duplicate, an extension that was not
	// offered, or more than one permessage-deflate. The client fails the
	// connection. Accept returns it inside a *ResponseError.
	ErrBadResponse = errors.New("wsflate: invalid permessage-deflate response")

	// ErrBadLevel reports a Config.Level outside flate's range (-2..9).
	ErrBadLevel = errors.New("wsflate: invalid compression level")
)

// ResponseError describes why Accept refused a server's answer. It wraps
// ErrBadResponse.
type ResponseError struct {
	Extension string // the extension element concerned, as written
	Param     string // the parameter concerned, or "" for the whole element
	Value     string // the parameter's value as written, or ""
	Reason    string // what is wrong, in a few words
}

// Error implements error.
func (e *ResponseError) Error() string {
	s := "wsflate: invalid Sec-WebSocket-Extensions response"
	if e.Extension != "" {
		s += " " + strconv.Quote(e.Extension)
	}
	if e.Param != "" {
		p := e.Param
		if e.Value != "" {
			p += "=" + e.Value
		}
		s += ": parameter " + strconv.Quote(p)
	}
	return s + ": " + e.Reason
}

// Unwrap returns ErrBadResponse.
func (e *ResponseError) Unwrap() error { return ErrBadResponse }

// CorruptError reports where decompression failed. It wraps both
// ErrCorrupt and the error of compress/flate that caused it.
type CorruptError struct {
	Err error // the underlying compress/flate error
}

// Error implements error.
func (e *CorruptError) Error() string { return ErrCorrupt.Error() + ": " + e.Err.Error() }

// Unwrap returns ErrCorrupt and the underlying error.
func (e *CorruptError) Unwrap() []error { return []error{ErrCorrupt, e.Err} }
