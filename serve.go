package plezi

import (
	"fmt"
	"net/http"
	"net/url"
	"runtime/debug"

	"github.com/plezi-go/plezi/internal/route"
)

// ServeHTTP routes a request: the first matching route whose controller
// answers the request's verb serves it; none gives the 404 page.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if a.servesClient(r) {
		serveClient(w, r)
		return
	}
	rt := a.routes.Load()
	if rt != nil {
		var it route.Iter
		var carry *bodyCarry // a body read by a controller that passed
		rt.Start(&it, r.URL.EscapedPath())
		for m := rt.Next(&it); m != nil; m = rt.Next(&it) {
			if a.serveRoute(w, r, m, &it.Match, &carry) {
				return
			}
		}
		if carry != nil {
			carry.cleanup(r)
		}
	}
	a.errorPage(w, r, nil, nil, http.StatusNotFound, ErrNotFound)
}

// serveRoute serves r with route m if its target takes it.
func (a *App) serveRoute(w http.ResponseWriter, r *http.Request, m *route.Route[*target], match *route.Match, carry **bodyCarry) bool {
	if h := m.Value.handler; h != nil {
		serveHandler(h, w, r, match)
		return true
	}
	return a.serveController(w, r, m, match, carry)
}

// serveHandler runs a mounted http.Handler with the route's parameters
// as r's path values.
func serveHandler(h http.Handler, w http.ResponseWriter, r *http.Request, match *route.Match) {
	for i := 0; i < match.Len(); i++ {
		r.SetPathValue(match.At(i))
	}
	h.ServeHTTP(w, r)
}

// serveController makes a fresh controller and calls the method the
// request's verb (or its _method override, or its JSON event) names. A
// controller that read the body and then passes the request on leaves
// the body in *carry for the next one.
func (a *App) serveController(w http.ResponseWriter, r *http.Request, m *route.Route[*target], match *route.Match, carry **bodyCarry) bool {
	ct := m.Value.ctrl
	verb := r.Method
	live := ct.upgrades(r)
	switch {
	case live:
	case verb == http.MethodPost && !ct.takesPost():
		return false
	case verb != http.MethodPost && pick(ct, verb, match) == nil:
		return false // cheap refusal: no body read, no controller made
	}
	inst, c := ct.newController()
	c.bind(a, w, r, m, match)
	if *carry != nil {
		(*carry).restore(c)
	}
	if live {
		a.serveRealtime(w, r, c, inst)
		return true
	}
	if a.serveAction(w, r, c, inst, ct, match) {
		c.cleanup()
		return true
	}
	if c.bodyDone && *carry == nil {
		*carry = &bodyCarry{body: c.body, raw: c.raw, err: c.bodyErr}
	}
	return false
}

// serveAction reads the body and calls the action, or reports that the
// controller does not take the request.
func (a *App) serveAction(w http.ResponseWriter, r *http.Request, c *Controller, inst any, ct *ctrlType, match *route.Match) bool {
	verb := r.Method
	if kindOf(r) != bodyNone {
		if err := c.readBody(); err != nil {
			a.errorPage(w, r, c, inst, statusOf(err), err)
			return true
		}
	}
	if verb == http.MethodPost {
		if tok := r.Header.Get(tokenHeader); tok != "" && ct.sse && c.raw != nil {
			a.forward(w, tok, c.raw)
			return true
		}
		if ev, ok := eventOf(c.body); ok && ct.dispatches() && c.raw != nil {
			a.call(c, inst, func() (any, error) { return c.dispatchHTTP(inst, ct, c.body, ev) })
			return true
		}
		verb = c.override()
	}
	act := pick(ct, verb, match)
	if act == nil {
		return false
	}
	a.call(c, inst, func() (any, error) { return act(inst) })
	return true
}

// bodyCarry is a request body read by a controller that then passed the
// request on to the next route: the body can be read only once.
type bodyCarry struct {
	body Params
	raw  []byte
	err  error
}

// restore gives c the body read before.
func (b *bodyCarry) restore(c *Controller) {
	c.body, c.raw, c.bodyErr, c.bodyDone = b.body, b.raw, b.err, true
}

// cleanup removes the temporary files of a multipart body no controller
// took.
func (b *bodyCarry) cleanup(r *http.Request) {
	if mf := r.MultipartForm; mf != nil {
		mf.RemoveAll()
	}
}

// takesPost reports whether the controller may answer a POST: a REST
// action (directly or through _method), JSON events, or the messages of
// its event streams' clients.
func (ct *ctrlType) takesPost() bool {
	return ct.has(actCreate) || ct.has(actUpdate) || ct.has(actDelete) || ct.dispatches() || ct.sse
}

// pick returns the action for verb, Plezi's REST mapping: GET (and HEAD)
// to Index without an id, New with the id "new", Show with any other id;
// POST to Create (no id, or "new") or Update; PUT and PATCH to Update;
// DELETE to Delete.
func pick(ct *ctrlType, verb string, match *route.Match) action {
	id, hasID := match.Get("id")
	k := actCount
	switch verb {
	case http.MethodGet, http.MethodHead:
		switch {
		case !hasID:
			k = actIndex
		case id == "new" && ct.has(actNew):
			k = actNew
		default:
			k = actShow
		}
	case http.MethodPost:
		k = actCreate
		if hasID && id != "new" {
			k = actUpdate
		}
	case http.MethodPut, http.MethodPatch:
		k = actUpdate
	case http.MethodDelete:
		k = actDelete
	}
	if k == actCount {
		return nil
	}
	return ct.actions[k]
}

// override returns the verb a POST asks for with a "_method" parameter
// (query or form), as browsers' forms cannot send PUT or DELETE.
func (c *Controller) override() string {
	v := c.body.Get("_method")
	if q := c.rawQuery(); v == "" && q != "" {
		vs, _ := url.ParseQuery(q)
		v = vs.Get("_method")
	}
	switch v {
	case "PUT", "put", "PATCH", "patch":
		return http.MethodPut
	case "DELETE", "delete":
		return http.MethodDelete
	}
	return http.MethodPost
}

// call runs an action and writes its result, turning a panic into a 500.
func (a *App) call(c *Controller, inst any, fn func() (any, error)) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			err := fmt.Errorf("plezi: panic in %T: %v", inst, v)
			a.log("controller panic", err, "stack", string(debug.Stack()))
			w, r := c.std()
			a.errorPage(w, r, c, inst, http.StatusInternalServerError, err)
		}
	}()
	v, err := fn()
	if err != nil {
		w, r := c.std()
		a.errorPage(w, r, c, inst, statusOf(err), err)
		return
	}
	if err := c.writeResult(v); err != nil {
		w, r := c.std()
		a.errorPage(w, r, c, inst, http.StatusInternalServerError, err)
	}
}

// cleanup removes a multipart form's temporary files.
func (c *Controller) cleanup() {
	if c.req == nil {
		return
	}
	if mf := c.req.MultipartForm; mf != nil {
		mf.RemoveAll()
	}
}

func (a *App) log(msg string, err error, args ...any) {
	if a.Logger != nil {
		a.Logger.Error("plezi: "+msg, append([]any{"err", err}, args...)...)
	}
}
