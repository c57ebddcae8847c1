package wsflate

import (
	"strconv"
	"strings"
)

// ExtensionName is the registered name of the extension (RFC 7692 §7).
const ExtensionName = "permessage-deflate"

// Parameter names (RFC 7692 §7.1).
const (
	paramServerNoContext = "server_no_context_takeover"
	paramClientNoContext = "client_no_context_takeover"
	paramServerMaxBits   = "server_max_window_bits"
	paramClientMaxBits   = "client_max_window_bits"
)

// Window sizes in bits allowed by RFC 7692 §7.1.2.
const (
	minWindowBits = 8
	maxWindowBits = 15
)

// Params are the agreed permessage-deflate parameters of one connection, as
// written in the server's response. A zero window size means the parameter
// is absent (the peer may use a 32 KiB window).
type Params struct {
	ServerNoContextTakeover bool // the server compresses each message on its own
	ClientNoContextTakeover bool // the client compresses each message on its own
	ServerMaxWindowBits     int  // 8..15: the server's LZ77 window is at most 1<<bits; 0: absent
	ClientMaxWindowBits     int  // 8..15: the client's LZ77 window is at most 1<<bits; 0: absent
}

// String formats p as one element of a Sec-WebSocket-Extensions header,
// e.g. "permessage-deflate; server_no_context_takeover".
func (p Params) String() string {
	var b strings.Builder
	b.WriteString(ExtensionName)
	if p.ServerNoContextTakeover {
		b.WriteString("; " + paramServerNoContext)
	}
	if p.ClientNoContextTakeover {
		b.WriteString("; " + paramClientNoContext)
	}
	if p.ServerMaxWindowBits != 0 {
		b.WriteString("; " + paramServerMaxBits + "=" + strconv.Itoa(p.ServerMaxWindowBits))
	}
	if p.ClientMaxWindowBits != 0 {
		b.WriteString("; " + paramClientMaxBits + "=" + strconv.Itoa(p.ClientMaxWindowBits))
	}
	return b.String()
}

// parsed is the reading of one permessage-deflate element.
type parsed struct {
	Params
	clientBitsBare bool // client_max_window_bits without a value (offers only)
	serverBitsBare bool // server_max_window_bits without a value (always invalid)
}

// parseParams reads the parameters of a permessage-deflate element. It
// refuses unknown and duplicate parameters, values on flags and window
// sizes outside 8..15. A window parameter without a value is reported, not
// refused: offers allow it for client_max_window_bits only, and the caller
// knows which side it is.
func parseParams(e *element) (parsed, *ResponseError) {
	var out parsed
	if e.overflow {
		return out, &ResponseError{Extension: e.raw, Reason: "too many parameters"}
	}
	var seen [4]bool
	for i := range e.params[:e.n] {
		p := &e.params[i]
		k := paramIndex(p.name)
		if k < 0 {
			return out, &ResponseError{Extension: e.raw, Param: p.name, Value: p.value, Reason: "unknown parameter"}
		}
		if seen[k] {
			return out, &ResponseError{Extension: e.raw, Param: p.name, Value: p.value, Reason: "duplicate parameter"}
		}
		seen[k] = true
		if reason := out.set(k, p); reason != "" {
			return out, &ResponseError{Extension: e.raw, Param: p.name, Value: p.value, Reason: reason}
		}
	}
	return out, nil
}

// paramIndex maps a parameter name to 0..3, or -1 when unknown.
func paramIndex(name string) int {
	for i, n := range [...]string{paramServerNoContext, paramClientNoContext, paramServerMaxBits, paramClientMaxBits} {
		if strings.EqualFold(name, n) {
			return i
		}
	}
	return -1
}

// set records parameter k (see paramIndex) and returns why its value is
// bad, or "".
func (out *parsed) set(k int, p *param) string {
	if k < 2 {
		if p.hasValue {
			return "takes no value"
		}
		if k == 0 {
			out.ServerNoContextTakeover = true
		} else {
			out.ClientNoContextTakeover = true
		}
		return ""
	}
	bits := 0
	if p.hasValue {
		v, ok := unquote(p.value)
		if bits = parseBits(v); !ok || bits == 0 {
			return "window bits must be 8..15"
		}
	}
	if k == 2 {
		out.ServerMaxWindowBits, out.serverBitsBare = bits, bits == 0
	} else {
		out.ClientMaxWindowBits, out.clientBitsBare = bits, bits == 0
	}
	return ""
}

// parseBits reads a window size, a decimal integer in 8..15 without
// leading zeros (RFC 7692 §7.1.2.1), or returns 0.
func parseBits(v string) int {
	switch {
	case len(v) == 1 && v[0] >= '8' && v[0] <= '9':
		return int(v[0] - '0')
	case len(v) == 2 && v[0] == '1' && v[1] >= '0' && v[1] <= '5':
		return 10 + int(v[1]-'0')
	}
	return 0
}

// isDeflate reports whether e names permessage-deflate (compared without
// case, as most implementations do).
func isDeflate(e *element) bool { return strings.EqualFold(e.name, ExtensionName) }

// windowSize returns the LZ77 window in bytes for a window-bits parameter
// (0, absent, means the 32 KiB maximum).
func windowSize(bits int) int {
	if bits < minWindowBits || bits > maxWindowBits {
		return 1 << maxWindowBits
	}
	return 1 << bits
}
