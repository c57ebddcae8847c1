package plezi

import (
	"errors"
	"io/fs"
	"net/http"
	"strconv"

	"github.com/plezi-go/plezi/internal/route"
)

// ErrorData is what error page templates ("404.html.tmpl", ...) receive;
// they are rendered inside the layout, which gets the same data.
type ErrorData struct {
	Title   string // "404 Not Found", for layouts
	Status  int    // the HTTP status
	Text    string // its text ("Not Found")
	Message string // what the error may tell the client ("" for 5xx)
	Path    string // the request's path
}

// errorPage answers with an error page for status, drawn by (in order)
// the controller that failed if it is an ErrorPager, the App's error
// controller (HandleErrors), the template "<status>.<format>.tmpl" of
// Views, or a plain text line.
func (a *App) errorPage(w http.ResponseWriter, r *http.Request, c *Controller, inst any, status int, err error) {
	if status >= 500 {
		a.log("request failed", err, "path", r.URL.Path, "status", status)
	}
	if ep, ok := inst.(ErrorPager); ok && !a.failed(c) {
		if a.drawWith(w, ep, status, err) {
			return
		}
	}
	if a.errorController(w, r, status, err) {
		return
	}
	if a.errorTemplate(w, r, status, err) {
		return
	}
	plainError(w, status, publicMessage(status, err))
}

// failed reports an error page already being drawn for c (an ErrorPage
// that fails falls back to the next way).
func (a *App) failed(c *Controller) bool { return c != nil && c.inError }

// drawWith writes what ep.ErrorPage returns; false when it panics or
// returns nothing usable.
func (a *App) drawWith(w http.ResponseWriter, ep ErrorPager, status int, err error) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			a.log("error page panic", errors.New(http.StatusText(status)), "panic", v)
			ok = false
		}
	}()
	if c, isBase := ep.(controllerBase); isBase {
		c.base().inError = true
	}
	v := ep.ErrorPage(status, err)
	if v == nil {
		return false
	}
	return writeResult(w, status, v) == nil
}

// errorController draws the page with the App's error controller.
func (a *App) errorController(w http.ResponseWriter, r *http.Request, status int, err error) bool {
	ct := a.errCtrl.Load()
	if ct == nil {
		return false
	}
	inst := ct.newInstance()
	if ct.base {
		var m route.Match
		inst.(controllerBase).base().bind(a, w, r, nil, &m)
	}
	return a.drawWith(w, inst.(ErrorPager), status, err)
}

// errorTemplate renders "<status>.<format>.tmpl" when Views has it.
func (a *App) errorTemplate(w http.ResponseWriter, r *http.Request, status int, err error) bool {
	format := formatOf(r.Header.Get("Accept"))
	data := &ErrorData{Title: strconv.Itoa(status) + " " + http.StatusText(status), Status: status, Text: http.StatusText(status), Message: publicMessage(status, err), Path: r.URL.Path}
	out, rerr := a.render(strconv.Itoa(status), format, data)
	if rerr != nil {
		if !errors.Is(rerr, fs.ErrNotExist) {
			a.log("error page template", rerr)
		}
		return false
	}
	setType(w, format)
	w.WriteHeader(status)
	w.Write(out)
	return true
}

// plainError writes "404 Not Found" (and a message) as text.
func plainError(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	line := strconv.Itoa(status) + " " + http.StatusText(status)
	if msg != "" {
		line += ": " + msg
	}
	w.Write([]byte(line + "\n"))
}
