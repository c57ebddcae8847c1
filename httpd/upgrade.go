package httpd

import (
	"errors"
	"net/http"
	"time"

	"github.com/plezi-go/plezi/engine"
)

// Upgrader is implemented by the http.ResponseWriter that the server gives
// to net/http handlers (and by *Ctx): it switches the connection to an
// engine protocol without a goroutine or a copy of buffered input.
// Protocol packages (websocket, sse) look for it and fall back to
// http.Hijacker on other servers.
type Upgrader interface {
	// Upgrade writes the status line and the headers set so far, with no
	// body framing, and makes p the connection's protocol once the
	// handler returns: p's OnOpen runs, then its OnData with any bytes
	// the client sent after the request. The handler must not write to
	// the response after Upgrade. The connection's idle timeout
	// (KeepAlive) stays in force until p sets its own with
	// engine.Conn.SetTimeout.
	Upgrade(status int, p engine.Protocol) error
}

var (
	errNilProtocol = errors.New("httpd: Upgrade with a nil protocol")
	errUpgradeBody = errors.New("httpd: Upgrade while the request body streams")
)

// Upgrade answers the request with status (101 Switching Protocols for a
// WebSocket, 200 for an event stream) and the headers set with SetHeader,
// without Content-Length or chunked framing, and gives the connection to
// p once the handler returns (see Upgrader). Earlier pipelined responses
// are written first. Requests after this one on the connection are p's
// input.
func (x *Ctx) Upgrade(status int, p engine.Protocol) error {
	if p == nil {
		return errNilProtocol
	}
	if x.res.headSent || x.res.hijacked || x.res.fileSent {
		return errHeadSent
	}
	if x.pipe != nil {
		return errUpgradeBody
	}
	x.res.status = status
	x.res.hijacked = true // finish writes nothing more
	x.res.headSent = true
	out := x.target()
	*out = appendStatusLine(*out, status)
	*out = append(*out, dates.line(time.Now())...)
	*out = append(*out, x.res.hdr...)
	*out = append(*out, "\r\n"...)
	x.hc.upgrade = p
	if x.res.async {
		return x.push()
	}
	return nil
}

// Upgrade implements Upgrader for net/http handlers: the headers of
// w.Header() go out with status.
func (w *responseWriter) Upgrade(status int, p engine.Protocol) error {
	if w.hijacked || w.wroteHeader {
		return errHeadSent
	}
	for k, vs := range w.header {
		for _, v := range vs {
			w.x.SetHeader(k, v)
		}
	}
	if err := w.x.Upgrade(status, p); err != nil {
		return err
	}
	w.hijacked = true
	return nil
}

// switchProtocol hands the connection to the protocol chosen by Upgrade,
// with rest, the input read after the request. It runs in a callback or
// a Defer task.
func (hc *conn) switchProtocol(rest []byte) {
	p := hc.upgrade
	hc.upgrade = nil
	hc.upgraded = true
	hc.stopTimer()
	hc.flush()
	hc.release()
	hc.c.SwitchProtocol(p, rest)
}

// upgradeRequest reports a request whose handler may take the connection
// over (Upgrade or CONNECT).
func upgradeRequest(hc *conn) bool {
	return hc.x.req.Upgrade || string(hc.x.req.Method) == http.MethodConnect
}
