package websocket

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Close status codes (RFC 6455 section 7.4.1). Codes 1005 and 1006 are never
// sent: they are what OnClose reports when the peer sent no code (1005) or
// the connection ended without a close frame (1006).
const (
	CloseNormal          = 1000 // the purpose of the connection was fulfilled
	CloseGoingAway       = 1001 // server shutdown or page navigation
	CloseProtocolError   = 1002 // the peer broke the protocol
	CloseUnsupportedData = 1003 // a message of a kind the endpoint cannot take
	CloseNoStatus        = 1005 // reported when the close frame had no code
	CloseAbnormal        = 1006 // reported when TCP ended without a close frame
	CloseInvalidData     = 1007 // text that is not UTF-8, or corrupt compressed data
	ClosePolicyViolation = 1008 // a generic policy refusal
	CloseTooBig          = 1009 // a message over the size limit
	CloseMandatoryExt    = 1010 // (client) an extension the server did not accept
	CloseInternalError   = 1011 // the server met an unexpected condition
)

var (
	// ErrClosed is returned by writes on a connection that is closing or
	// closed.
	ErrClosed = errors.New("websocket: connection closed")

	// ErrNoEngine is returned when an upgrade of a plain net/http
	// connection or a Dial has no Options.Engine to run the connection on.
	ErrNoEngine = errors.New("websocket: Options.Engine is nil")

	// ErrNilHandler is returned by Upgrade, UpgradeCtx and Dial without
	// a Handler.
	ErrNilHandler = errors.New("websocket: nil Handler")

	// ErrBadHandshake is wrapped by the HandshakeError of a refused upgrade
	// or a failed Dial.
	ErrBadHandshake = errors.New("websocket: bad handshake")

	// ErrInvalidCloseCode is returned by Close for a code that may not be
	// sent on the wire.
	ErrInvalidCloseCode = errors.New("websocket: invalid close code")

	// ErrControlTooLong is returned by Ping and Close for a payload over
	// 125 bytes.
	ErrControlTooLong = errors.New("websocket: control payload over 125 bytes")

	errLength = &CloseError{Code: CloseProtocolError, Reason: "frame length with the high bit set"}
)

// CloseError is a close status with its reason: what a protocol violation
// closes the connection with, and what OnClose reports.
type CloseError struct {
	Code   int
	Reason string
}

// Error formats the code and the reason.
func (e *CloseError) Error() string {
	return fmt.Sprintf("websocket: close %d: %s", e.Code, e.Reason)
}

func protoErr(reason string) *CloseError {
	return &CloseError{Code: CloseProtocolError, Reason: reason}
}

// Preallocated errors for violations met while parsing, so that bad input
// costs no allocation.
var (
	errUnmasked       = protoErr("unmasked client frame")
	errMaskedServer   = protoErr("masked server frame")
	errReserved       = protoErr("reserved bits set")
	errOpcode         = protoErr("reserved opcode")
	errControlLong    = protoErr("control frame over 125 bytes")
	errControlFrag    = protoErr("fragmented control frame")
	errContinuation   = protoErr("continuation without a message")
	errInterleaved    = protoErr("new message inside a fragmented message")
	errCloseLen       = protoErr("close payload of 1 byte")
	errCloseCode      = protoErr("invalid close code")
	errCompressedCtrl = protoErr("compressed control frame")
	errTooBig         = &CloseError{Code: CloseTooBig, Reason: "message too big"}
	errInvalidUTF8    = &CloseError{Code: CloseInvalidData, Reason: "invalid UTF-8 in text"}
	errReasonUTF8     = &CloseError{Code: CloseInvalidData, Reason: "invalid UTF-8 in close reason"}
	errCorrupt        = &CloseError{Code: CloseInvalidData, Reason: "corrupt compressed message"}
)

// validSendCode reports whether code may be sent in a close frame.
func validSendCode(code int) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014: // 1012-1014: IANA
		return true
	case code >= 3000 && code <= 4999:
		return true
	}
	return false
}

// parseClose decodes a close frame's payload. An empty payload means 1005.
func parseClose(p []byte) (int, string, *CloseError) {
	switch len(p) {
	case 0:
		return CloseNoStatus, "", nil
	case 1:
		return 0, "", errCloseLen
	}
	code := int(binary.BigEndian.Uint16(p))
	if !validSendCode(code) {
		return 0, "", errCloseCode
	}
	if !utf8.Valid(p[2:]) {
		return 0, "", errReasonUTF8
	}
	return code, string(p[2:]), nil
}

// appendClose appends a close payload: code then reason. Code 0 (or 1005)
// makes an empty payload.
func appendClose(dst []byte, code int, reason string) []byte {
	if code == 0 || code == CloseNoStatus {
		return dst
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(code))
	return append(dst, reason...)
}
