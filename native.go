package plezi

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/plezi-go/plezi/httpd"
	"github.com/plezi-go/plezi/internal/route"
)

// ServeCtx serves a request on httpd's native Ctx: set it as an
// httpd.Server's Native (with the App as its Handler), as App.Listen
// does. The common request (GET or HEAD without a body, not asking for
// an upgrade or an event stream, with a plain origin-form path) is
// routed and answered on the Ctx: no *http.Request or ResponseWriter is
// made unless the controller asks for one (Request, ResponseWriter,
// Cookies, Redirect, SendFile, an error page), and then they are built
// for the rest of the request. Every other request goes to ServeHTTP
// through httpd's net/http adapter, so both paths answer alike.
func (a *App) ServeCtx(x *httpd.Ctx) {
	verb, ok := nativeVerb(x)
	if !ok || !plainPath(x.Path()) || !plainHead(x) {
		w, r, err := x.HTTP()
		if err != nil {
			x.SetStatus(http.StatusBadRequest)
			x.SetHeader("Connection", "close")
			x.WriteString("400 Bad Request: invalid request-target\n")
			return
		}
		a.ServeHTTP(w, r)
		return
	}
	path := string(x.Path())
	if !a.NoClient && (path == ClientPath || path == ClientModulePath) {
		serveClient(stdOf(x))
		return
	}
	if rt := a.routes.Load(); rt != nil {
		var it route.Iter
		rt.Start(&it, path)
		for m := rt.Next(&it); m != nil; m = rt.Next(&it) {
			if a.serveRouteNative(x, verb, m, &it.Match) {
				return
			}
		}
	}
	w, r := stdOf(x)
	a.errorPage(w, r, nil, nil, http.StatusNotFound, ErrNotFound)
}

// serveRouteNative serves x with route m if its target takes it.
func (a *App) serveRouteNative(x *httpd.Ctx, verb string, m *route.Route[*target], match *route.Match) bool {
	if h := m.Value.handler; h != nil {
		w, r := stdOf(x)
		serveHandler(h, w, r, match)
		return true
	}
	ct := m.Value.ctrl
	act := pick(ct, verb, match)
	if act == nil {
		return false // the next route may take it
	}
	inst, c := ct.newController()
	c.bindNative(a, x, m, match)
	a.call(c, inst, func() (any, error) { return act(inst) })
	c.x = nil // x is the connection's: it serves the next request
	return true
}

// stdOf returns x's net/http values; ServeCtx took only targets that
// parse.
func stdOf(x *httpd.Ctx) (http.ResponseWriter, *http.Request) {
	w, r, err := x.HTTP()
	if err != nil {
		panic(fmt.Errorf("plezi: native request: %w", err))
	}
	return w, r
}

// nativeVerb returns the method of a request the native path may serve.
func nativeVerb(x *httpd.Ctx) (string, bool) {
	switch string(x.Method()) {
	case http.MethodGet:
		return http.MethodGet, true
	case http.MethodHead:
		return http.MethodHead, true
	}
	return "", false
}

// plainHead reports a request without a body, an upgrade or an event
// stream request: nothing the native path would have to decide about.
func plainHead(x *httpd.Ctx) bool {
	r := x.Request()
	if r.ContentLength > 0 || r.Chunked || x.Header("Upgrade") != nil {
		return false
	}
	return !bytes.Contains(x.Header("Accept"), []byte("text/event-stream"))
}

// plainPath reports an origin-form path that url.URL.EscapedPath gives
// back unchanged (so routing sees what ServeHTTP would): no
// percent-escapes and no character that net/url re-escapes.
func plainPath(p []byte) bool {
	if len(p) == 0 || p[0] != '/' {
		return false
	}
	for _, b := range p {
		if !pathByte[b] {
			return false
		}
	}
	return true
}

// pathByte marks the bytes of a plain path: RFC 3986 unreserved and
// sub-delims, ':', '@', '/', and '[' ']' (left alone by net/url).
var pathByte = func() (t [256]bool) {
	for b := '0'; b <= '9'; b++ {
		t[b] = true
	}
	for b := 'a'; b <= 'z'; b++ {
		t[b], t[b-'a'+'A'] = true, true
	}
	for _, b := range []byte("-._~!$&'()*+,;=:@/[]") {
		t[b] = true
	}
	return t
}()
