package plezi

import (
	"net/http"
	"net/url"

	"github.com/plezi-go/plezi/httpd"
	"github.com/plezi-go/plezi/internal/route"
)

// Controller gives a controller its request. Embed it (by value) in a
// controller struct:
//
//	type Users struct{ plezi.Controller }
//
//	func (c *Users) Show() any { return "user " + c.Params().Get("id") }
//
// A fresh controller is made for every request, so its fields are the
// request's own. A Controller is valid only while the method the
// framework called runs (like an http.ResponseWriter); it is not safe for
// concurrent use. A real-time controller (see package doc) lives as long
// as its WebSocket connection or event stream instead; its connection
// methods (Write, Defer, Close...) are safe from any goroutine.
type Controller struct {
	app    *App
	x      *httpd.Ctx // a request served natively; w and req are built from it on first use
	w      http.ResponseWriter
	req    *http.Request
	format string // the format Render chose before w existed
	rt     *route.Route[*target]
	match  pathParams // the route's raw parameters

	params   Params // built on first use
	body     Params // the parsed form or JSON body
	raw      []byte // a JSON body as read
	bodyDone bool
	bodyErr  error
	inError  bool      // an error page is being drawn
	live     *liveConn // the connection of a real-time controller
}

func (c *Controller) base() *Controller { return c }

// bind prepares c for a request.
func (c *Controller) bind(a *App, w http.ResponseWriter, r *http.Request, rt *route.Route[*target], m *route.Match) {
	c.app, c.w, c.req, c.rt = a, w, r, rt
	c.match = newPathParams(m)
}

// bindNative prepares c for a request served on the native Ctx: it has
// no body (see App.ServeCtx).
func (c *Controller) bindNative(a *App, x *httpd.Ctx, rt *route.Route[*target], m *route.Match) {
	c.app, c.x, c.rt = a, x, rt
	c.match = newPathParams(m)
	c.bodyDone = true
}

// std returns the net/http writer and request, building them from the
// native request on first use.
func (c *Controller) std() (http.ResponseWriter, *http.Request) {
	if c.req == nil && c.x != nil {
		c.w, c.req = stdOf(c.x)
		if c.format != "" {
			setType(c.w, c.format)
		}
	}
	return c.w, c.req
}

// request returns the *http.Request (built on first use when native).
func (c *Controller) request() *http.Request {
	_, r := c.std()
	return r
}

// writer returns the ResponseWriter (built on first use when native).
func (c *Controller) writer() http.ResponseWriter {
	w, _ := c.std()
	return w
}

// native reports whether the response is still written on the native
// Ctx (no ResponseWriter was built).
func (c *Controller) native() bool { return c.x != nil && c.req == nil }

// rawQuery returns the request's query string.
func (c *Controller) rawQuery() string {
	if c.native() {
		return string(c.x.Query())
	}
	return c.req.URL.RawQuery
}

// header returns the first value of a request header.
func (c *Controller) header(name string) string {
	if c.native() {
		return string(c.x.Header(name))
	}
	return c.req.Header.Get(name)
}

// pathParams are a match's parameters, copied out of the router's
// fixed-size Match into a slice of exactly their number (none: no
// allocation), which keeps a controller small.
type pathParams []pathParam

type pathParam struct {
	key, val string
	rewrite  bool // taken by a rewrite route
}

func newPathParams(m *route.Match) pathParams {
	if m.Len() == 0 {
		return nil
	}
	p := make(pathParams, m.Len())
	for i := range p {
		p[i].key, p[i].val = m.At(i)
		p[i].rewrite = m.FromRewrite(i)
	}
	return p
}

// Get returns the last value of key.
func (p pathParams) Get(key string) (string, bool) {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i].key == key {
			return p[i].val, true
		}
	}
	return "", false
}

// App returns the application serving the request.
func (c *Controller) App() *App { return c.app }

// Request returns the request.
func (c *Controller) Request() *http.Request { return c.request() }

// ResponseWriter returns the response writer, for methods that write the
// response themselves (a return value is written after what they wrote).
func (c *Controller) ResponseWriter() http.ResponseWriter { return c.writer() }

// Params returns the request's parameters (see Params). They are parsed
// on first use; the body was read before the method ran.
func (c *Controller) Params() Params {
	if c.params == nil {
		c.params = c.buildParams()
	}
	return c.params
}

// Run queues fn on the application's engine (see App.Run).
func (c *Controller) Run(fn func()) error { return c.app.Run(fn) }

// Redirect answers with a 302 redirect to url.
func (c *Controller) Redirect(url string) { c.RedirectWith(url, http.StatusFound) }

// RedirectWith answers with a redirect of status code (301, 302, 303,
// 307 or 308) to url.
func (c *Controller) RedirectWith(url string, code int) {
	w, r := c.std()
	http.Redirect(w, r, url, code)
}

// Format returns the response format Render uses: the "format" parameter
// when there is one, else the first media type of the Accept header that
// has a known extension (text/html → "html", application/json → "json",
// text/plain → "txt", ...), else "html".
func (c *Controller) Format() string {
	if f, ok := c.match.Get("format"); ok && f != "" {
		return f
	}
	if q := c.rawQuery(); q != "" {
		if vs, _ := url.ParseQuery(q); vs.Get("format") != "" {
			return vs.Get("format")
		}
	}
	return formatOf(c.header("Accept"))
}

// ErrorPager is implemented by controllers that draw their own error
// pages. ErrorPage's return value is written like an action's, with the
// status already set. A controller registered with App.HandleErrors
// draws the pages of requests no other controller handled (404s among
// them).
type ErrorPager interface {
	ErrorPage(status int, err error) any
}
