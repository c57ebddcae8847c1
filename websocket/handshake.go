package websocket

import (
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/plezi-go/plezi/internal/wsflate"
)

// acceptGUID is the key suffix of RFC 6455 section 1.3.
const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// acceptKey computes Sec-WebSocket-Accept for a Sec-WebSocket-Key.
func acceptKey(key string) string {
	h := sha1.New()
	h.Write([]byte(key))
	h.Write([]byte(acceptGUID))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// HandshakeError is a refused upgrade (Status is the HTTP status the
// server answered) or a failed Dial handshake (Status is the status the
// server sent, or 0). It wraps ErrBadHandshake.
type HandshakeError struct {
	Status int
	Reason string
}

// Error formats the status and the reason.
func (e *HandshakeError) Error() string {
	if e.Status == 0 {
		return "websocket: bad handshake: " + e.Reason
	}
	return fmt.Sprintf("websocket: bad handshake (%d): %s", e.Status, e.Reason)
}

// Unwrap returns ErrBadHandshake.
func (e *HandshakeError) Unwrap() error { return ErrBadHandshake }

func refuse(status int, reason string) *HandshakeError {
	return &HandshakeError{Status: status, Reason: reason}
}

// upgradeRequest is the part of a request the server handshake reads,
// from a net/http request or from the native Ctx.
type upgradeRequest struct {
	method string
	host   string
	values func(name string) []string // every value of a header
}

// accepted is the outcome of a valid handshake: the response headers.
type accepted struct {
	accept      string
	subprotocol string
	extensions  string // the permessage-deflate answer, or ""
	deflate     wsflate.Params
	compressed  bool
}

// checkRequest validates an upgrade request (RFC 6455 section 4.2.1) and
// negotiates the subprotocol and permessage-deflate.
func (o *config) checkRequest(r upgradeRequest) (*accepted, *HandshakeError) {
	if r.method != http.MethodGet {
		return nil, refuse(http.StatusBadRequest, "method is not GET")
	}
	if !hasToken(r.values("Connection"), "upgrade") {
		return nil, refuse(http.StatusBadRequest, "missing Connection: Upgrade")
	}
	if !hasToken(r.values("Upgrade"), "websocket") {
		return nil, refuse(http.StatusBadRequest, "missing Upgrade: websocket")
	}
	if v := r.values("Sec-WebSocket-Version"); len(v) != 1 || strings.TrimSpace(v[0]) != "13" {
		return nil, refuse(http.StatusUpgradeRequired, "Sec-WebSocket-Version must be 13")
	}
	keys := r.values("Sec-WebSocket-Key")
	if len(keys) != 1 || !validKey(strings.TrimSpace(keys[0])) {
		return nil, refuse(http.StatusBadRequest, "missing or invalid Sec-WebSocket-Key")
	}
	origin := r.values("Origin")
	if len(origin) > 1 || !o.originOK(first(origin), r.host) {
		return nil, refuse(http.StatusForbidden, "origin not allowed")
	}
	a := &accepted{accept: acceptKey(strings.TrimSpace(keys[0]))}
	a.subprotocol = o.pickSubprotocol(r.values("Sec-WebSocket-Protocol"))
	if !o.DisableCompression {
		a.deflate, a.extensions, a.compressed = wsflate.Negotiate(r.values("Sec-WebSocket-Extensions"), o.flateConfig())
	}
	return a, nil
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// validKey reports a base64 value that decodes to 16 bytes.
func validKey(k string) bool {
	if len(k) != 24 {
		return false
	}
	b, err := base64.StdEncoding.DecodeString(k)
	return err == nil && len(b) == 16
}

// hasToken reports whether a comma-separated header contains tok
// (compared without case).
func hasToken(values []string, tok string) bool {
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), tok) {
				return true
			}
		}
	}
	return false
}

// tokens splits comma-separated header values into trimmed tokens.
func tokens(values []string) []string {
	var out []string
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

// pickSubprotocol returns the first of the server's subprotocols that the
// client offered.
func (o *config) pickSubprotocol(offered []string) string {
	offers := tokens(offered)
	for _, s := range o.Subprotocols {
		for _, t := range offers {
			if t == s {
				return s
			}
		}
	}
	return ""
}

// originOK applies CheckOrigin, or the default: no Origin, the same host,
// or one of AllowedOrigins.
func (o *config) originOK(origin, host string) bool {
	if o.CheckOrigin != nil {
		return o.CheckOrigin(origin, host)
	}
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, host) {
		return true
	}
	for _, a := range o.AllowedOrigins {
		if a == "*" || strings.EqualFold(a, u.Host) || strings.EqualFold(a, u.Hostname()) {
			return true
		}
	}
	return false
}

// responseHeaders calls set for each header of the 101 answer.
func (a *accepted) responseHeaders(set func(name, value string)) {
	set("Upgrade", "websocket")
	set("Connection", "Upgrade")
	set("Sec-WebSocket-Accept", a.accept)
	if a.subprotocol != "" {
		set("Sec-WebSocket-Protocol", a.subprotocol)
	}
	if a.extensions != "" {
		set("Sec-WebSocket-Extensions", a.extensions)
	}
}
