package httpd

import (
	"context"
	"net/http"
)

// std holds the net/http view of a native request, built on demand.
type std struct {
	w      *responseWriter
	r      *http.Request
	cancel context.CancelFunc
}

// HTTP returns the request as net/http values, for a native handler that
// needs them for part of its work (a framework that hands some requests
// to net/http code). They are built on the first call and shared by
// later ones; after the native handler returns, the writer is committed
// as the adapter does (headers go out if nothing was written) and the
// request's context is cancelled. Once the writer exists, write the
// response through it only, not through x's own methods.
//
// The error is non-nil when the request-target is not a valid URI (an
// invalid percent-escape); answer 400.
func (x *Ctx) HTTP() (http.ResponseWriter, *http.Request, error) {
	if x.std.r != nil {
		return x.std.w, x.std.r, nil
	}
	hc := x.hc
	ctx, cancel := context.WithCancel(hc.connContext())
	r, err := hc.newRequest(x, ctx)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	x.std = std{w: hc.writer(x), r: r, cancel: cancel}
	return x.std.w, r, nil
}

// endHTTP commits the net/http writer, if HTTP built one, after the
// handler returned normally.
func (x *Ctx) endHTTP() {
	if x.std.w != nil {
		x.std.w.commit()
	}
	x.releaseHTTP()
}

// releaseHTTP cancels the net/http request's context and forgets it.
func (x *Ctx) releaseHTTP() {
	if x.std.cancel != nil {
		x.std.cancel()
	}
	x.std = std{}
}
