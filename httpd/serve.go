package httpd

import (
	"errors"
	"runtime/debug"
)

var errClientGone = errors.New("httpd: client went away")

// serve runs the handlers for the current (buffered) request inline.
func (hc *conn) serve() {
	x := &hc.x
	hc.run(x)
	x.finish()
	hc.logAccess(x)
}

// run dispatches x to the static files, the native handler or the
// net/http adapter, turning a panic into a 500 (and a close).
func (hc *conn) run(x *Ctx) {
	defer func() {
		x.releaseHTTP()
		if v := recover(); v != nil {
			hc.s.logError("panic in handler", "panic", v, "stack", string(debug.Stack()))
			x.res.close = true
			if !x.res.headSent {
				x.res.status = 500
				x.res.hdr = x.res.hdr[:0]
				x.res.body = append(x.res.body[:0], "500 Internal Server Error\n"...)
				x.res.length = -1
			}
		}
	}()
	s := hc.s
	switch {
	case s.static != nil && hc.serveStatic(x):
	case s.Native != nil:
		s.Native(x)
		x.endHTTP()
	case s.Handler != nil:
		hc.serveHTTP(x)
	default:
		x.res.status = 404
		x.res.body = append(x.res.body[:0], "404 Not Found\n"...)
	}
}

// serveAsync runs the handler of a complete (buffered) request on its own
// goroutine: upgrades and CONNECT, whose handlers may hijack and block.
func (hc *conn) serveAsync() {
	hc.async = true
	hc.x.res.async = true
	go hc.serveOwn(&hc.x)
}

// startAsync serves a request whose body streams: the handler runs on its
// own goroutine, reading the body through a bounded pipe, and writes its
// response straight to the connection. Requests pipelined after it wait.
func (hc *conn) startAsync() {
	hc.streamed, hc.async = true, true
	hc.x.pipe = newBodyPipe(hc.c, pipeLimit)
	hc.x.res.async = true
	go hc.serveOwn(&hc.x)
}

// serveOwn is the goroutine of an async request: it runs the handler,
// writes the rest of the response straight to the connection, and lets
// the connection's callbacks resume with the requests that followed.
func (hc *conn) serveOwn(x *Ctx) {
	hc.run(x)
	x.finish()
	x.push()
	hc.logAccess(x)
	hc.c.Defer(hc.resume)
}
