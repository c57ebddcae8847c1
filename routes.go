package plezi

import (
	"errors"
	"net/http"
	"net/url"
	"reflect"

	"github.com/plezi-go/plezi/internal/route"
)

// Route adds a route, matched after those added before it. c is one of:
//
//   - a pointer to a controller struct (&Users{}): a fresh controller of
//     its type serves each request; an optional "(:id)" is appended to
//     the pattern (unless it has an id parameter or ends with "*");
//   - a *regexp.Regexp: a rewrite route; the pattern has one parameter
//     (":locale"), and a path whose next segment matches the regexp loses
//     that segment, which is kept as the parameter, before the routes
//     after this one are tried;
//   - an http.Handler (not a controller struct): served as is; the
//     route's parameters are set with Request.SetPathValue.
//
// The pattern grammar is Plezi's: literal segments, ":name" required,
// "(:name)" optional, ":name{regexp}" constrained, "*" catch-all (see
// package doc). A route whose controller has no method for a request's
// verb passes the request on to the next matching route.
func (a *App) Route(pattern string, c any) error {
	t, o, err := newTarget(pattern, c)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	rt := a.routes.Load()
	if rt == nil {
		rt = &route.Router[*target]{}
	}
	next := rt.Clone()
	if _, err := next.Add(pattern, t, o); err != nil {
		return &RouteError{Pattern: pattern, Err: err}
	}
	a.routes.Store(next)
	return nil
}

// newTarget reads a registration.
func newTarget(pattern string, c any) (*target, route.Options, error) {
	if re, ok := rewriteOf(c); ok {
		return &target{}, route.Options{Rewrite: true, Match: re}, nil
	}
	if _, isBase := c.(controllerBase); !isBase {
		if h, ok := c.(http.Handler); ok && h != nil {
			return &target{handler: h}, route.Options{}, nil
		}
	}
	ct, reason := analyze(c)
	if reason == "" && !ct.routable() {
		reason = ct.name + " has no action (Index, Show, New, Create, Update, Delete), event method, OnMessage or OnSSE"
	}
	if reason != "" {
		return nil, route.Options{}, &RouteError{Pattern: pattern, Reason: reason}
	}
	return &target{ctrl: ct}, route.Options{AutoID: true}, nil
}

// HandleErrors registers the controller that draws error pages for
// requests no route answered (404) and for controllers without their own
// ErrorPage. Its type must implement ErrorPager; a fresh one is made per
// error page.
func (a *App) HandleErrors(c ErrorPager) error {
	ct, reason := analyze(c)
	if reason != "" {
		return &RouteError{Pattern: "(errors)", Reason: reason}
	}
	a.errCtrl.Store(ct)
	return nil
}

// URLFor returns the path of the first route whose controller has c's
// type, with params filled in (values are path-escaped; the others are
// left out). It fails when no route has that controller, or when a
// required parameter is missing.
func (a *App) URLFor(c any, params map[string]string) (string, error) {
	rt := a.routes.Load()
	want := reflect.TypeOf(c)
	if rt == nil || want == nil {
		return "", errNoRoute
	}
	for _, r := range rt.Routes() {
		if ct := r.Value.ctrl; ct != nil && reflect.PointerTo(ct.typ) == want {
			return r.Build(func(k string) (string, bool) {
				v, ok := params[k]
				return escapeParam(k, v), ok
			})
		}
	}
	return "", errNoRoute
}

var errNoRoute = errors.New("plezi: no route for this controller")

// URLFor returns the path of the current route with its id set to id
// ("" for the route's index path). The request's other parameters, those
// taken by rewrite routes (such as a locale) among them, are kept.
func (c *Controller) URLFor(id string) string {
	if c.rt == nil {
		return ""
	}
	get := func(k string) (string, bool) {
		if k == "id" {
			return url.PathEscape(id), id != ""
		}
		return c.match.Get(k)
	}
	p, err := c.rt.Build(get)
	if err != nil {
		return ""
	}
	if prefix := c.rewritePrefix(); prefix != "" {
		if p == "/" {
			return prefix
		}
		return prefix + p
	}
	return p
}

// rewritePrefix rebuilds the path segments the rewrite routes took off
// the request's path.
func (c *Controller) rewritePrefix() string {
	rt := c.app.routes.Load()
	prefix := ""
	for _, r := range rt.Routes() {
		if !r.Rewrite() || r.Index() >= c.rt.Index() {
			continue
		}
		names := r.Params()
		if _, ok := c.rewriteValue(names[0]); !ok {
			continue
		}
		if p, err := r.Build(c.rewriteValue); err == nil {
			prefix += p
		}
	}
	return prefix
}

// rewriteValue returns a parameter taken by a rewrite route.
func (c *Controller) rewriteValue(name string) (string, bool) {
	for _, p := range c.match {
		if p.key == name && p.rewrite {
			return p.val, true
		}
	}
	return "", false
}

// escapeParam path-escapes a value (a catch-all keeps its slashes).
func escapeParam(name, v string) string {
	if name == "*" {
		return (&url.URL{Path: v}).EscapedPath()
	}
	return url.PathEscape(v)
}
