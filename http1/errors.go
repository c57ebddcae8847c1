package http1

import (
	"errors"
	"strconv"
)

// Error is a request the parser refused. Status is the HTTP status code the
// server should answer with (before closing the connection) and Reason a
// short explanation. The parser returns shared, immutable *Error values:
// compare them with errors.Is against the class sentinels below, or read
// Status and Reason through errors.As, but never modify one.
type Error struct {
	Status int    // 400, 413, 414, 431, 501 or 505
	Reason string // what was wrong, e.g. "bare LF line terminator"
}

// Error implements the error interface.
func (e *Error) Error() string {
	return "http1: " + e.Reason + " (" + strconv.Itoa(e.Status) + ")"
}

// Unwrap returns the class sentinel of e's status code, so that
// errors.Is(err, ErrHeaderTooLarge) and the like work.
func (e *Error) Unwrap() error {
	switch e.Status {
	case 413:
		return ErrBodyTooLarge
	case 414:
		return ErrURITooLong
	case 431:
		return ErrHeaderTooLarge
	case 501:
		return ErrNotImplemented
	case 505:
		return ErrVersion
	}
	return ErrBadRequest
}

// Error classes, one per status code; every *Error unwraps to one of them.
var (
	ErrBadRequest     = errors.New("http1: bad request")                     // 400
	ErrBodyTooLarge   = errors.New("http1: content too large")               // 413
	ErrURITooLong     = errors.New("http1: request line too long")           // 414
	ErrHeaderTooLarge = errors.New("http1: request header fields too large") // 431
	ErrNotImplemented = errors.New("http1: transfer coding not implemented") // 501
	ErrVersion        = errors.New("http1: HTTP version not supported")      // 505
)

func bad(reason string) *Error { return &Error{Status: 400, Reason: reason} }

// The errors the parser returns. Each check has its own reason so that
// tests and logs can tell them apart.
var (
	// request line
	errBareLF         = bad("bare LF line terminator")
	errBareCR         = bad("bare CR")
	errRequestLine    = bad("malformed request line")
	errMethod         = bad("invalid method")
	errTarget         = bad("invalid request-target")
	errVersionSyntax  = bad("malformed HTTP version")
	errVersion        = &Error{505, "unsupported HTTP version"}
	errRequestLineLen = &Error{414, "request line too long"}

	// header fields
	errHeadTooLarge     = &Error{431, "request head too large"}
	errTooManyHeaders   = &Error{431, "too many header fields"}
	errObsFold          = bad("line folding or whitespace at the start of a field line")
	errFieldName        = bad("invalid header field name")
	errSpaceBeforeColon = bad("whitespace between field name and colon")
	errNoColon          = bad("field line without colon")
	errFieldValue       = bad("invalid character in field value")
	errHost             = bad("invalid Host header")
	errDupHost          = bad("multiple Host headers")
	errMissingHost      = bad("missing Host header")

	// framing
	errContentLength = bad("invalid Content-Length")
	errDupCL         = bad("multiple Content-Length headers")
	errCLAndTE       = bad("both Content-Length and Transfer-Encoding")
	errTEInHTTP10    = bad("Transfer-Encoding in an HTTP/1.0 request")
	errTENotChunked  = bad("chunked is not the final transfer coding, or appears twice")
	errTEUnsupported = &Error{501, "unsupported transfer coding"}
	errConnectBody   = bad("CONNECT request with content")
	errBodyTooLarge  = &Error{413, "request body too large"}
	errAfterClose    = bad("data after a request with Connection: close")

	// chunked body
	errChunkSize        = bad("invalid chunk size")
	errChunkOverflow    = bad("chunk size overflow")
	errChunkExt         = bad("invalid chunk extension")
	errChunkLineLen     = bad("chunk size line too long")
	errChunkExtTooLarge = &Error{413, "chunk extensions too large"}
	errChunkCRLF        = bad("missing CRLF after chunk data")
	errTrailerTooLarge  = &Error{431, "trailer section too large"}
	errTooManyTrailers  = &Error{431, "too many trailer fields"}
)
