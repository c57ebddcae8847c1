package plezi

import (
	"bytes"
	"errors"
	"fmt"
	htmpl "html/template"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"strings"
	"sync"
	ttmpl "text/template"
)

// Render executes the template "<name>.<format>.tmpl" of the App's Views
// with data, inside the layout "layout.<format>.tmpl" when Views has one
// (the layout includes the page with {{template "content" .}}), sets the
// response's Content-Type for the format, and returns the text:
//
//	func (c *Home) Index() (any, error) { return c.Render("index", data) }
//
// The format is c.Format(). HTML formats ("html", "htm") use
// html/template, with its contextual escaping; other formats use
// text/template. Parsed templates are cached for the App's lifetime.
func (c *Controller) Render(name string, data any) (string, error) {
	return c.RenderLayout("layout", name, data)
}

// RenderLayout is Render with another layout ("" for none).
func (c *Controller) RenderLayout(layout, name string, data any) (string, error) {
	format := c.Format()
	out, err := c.app.renderLayout(layout, name, format, data)
	if err != nil {
		return "", err
	}
	if c.native() {
		c.format = format
	} else {
		setType(c.w, format)
	}
	return string(out), nil
}

// viewCache holds parsed templates by "layout|name|format".
type viewCache struct {
	m sync.Map // string → executor
}

// executor is a parsed html/template or text/template.
type executor interface {
	Execute(w io.Writer, data any) error
}

func (a *App) render(name, format string, data any) ([]byte, error) {
	return a.renderLayout("layout", name, format, data)
}

func (a *App) renderLayout(layout, name, format string, data any) ([]byte, error) {
	x, err := a.template(layout, name, format)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := x.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrTemplate, name, err)
	}
	return b.Bytes(), nil
}

// template returns the parsed page, inside its layout when there is one.
// Only templates that parsed are cached, so the cache is bounded by the
// files of Views whatever formats clients ask for (fs.FS refuses ".."
// and other invalid names).
func (a *App) template(layout, name, format string) (executor, error) {
	key := layout + "|" + name + "|" + format
	if x, ok := a.views.m.Load(key); ok {
		return x.(executor), nil
	}
	x, err := a.parse(layout, name, format)
	if err != nil {
		return nil, err
	}
	a.views.m.Store(key, x)
	return x, nil
}

// parse reads and parses a page and its layout.
func (a *App) parse(layout, name, format string) (executor, error) {
	views := a.Views
	if views == nil {
		views = os.DirFS("views")
	}
	page, err := fs.ReadFile(views, name+"."+format+".tmpl")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTemplate, err)
	}
	var lay []byte
	if layout != "" {
		lay, err = fs.ReadFile(views, layout+"."+format+".tmpl")
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %w", ErrTemplate, err)
		}
	}
	if htmlFormat(format) {
		return parseHTML(name, page, lay)
	}
	return parseText(name, page, lay)
}

func parseHTML(name string, page, layout []byte) (executor, error) {
	t := htmpl.New(name)
	if layout != nil {
		if _, err := t.Parse(string(layout)); err != nil {
			return nil, fmt.Errorf("%w: layout: %w", ErrTemplate, err)
		}
		t = t.New("content")
	}
	if _, err := t.Parse(string(page)); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTemplate, err)
	}
	return t.Lookup(name), nil
}

func parseText(name string, page, layout []byte) (executor, error) {
	t := ttmpl.New(name)
	if layout != nil {
		if _, err := t.Parse(string(layout)); err != nil {
			return nil, fmt.Errorf("%w: layout: %w", ErrTemplate, err)
		}
		t = t.New("content")
	}
	if _, err := t.Parse(string(page)); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTemplate, err)
	}
	return t.Lookup(name), nil
}

func htmlFormat(f string) bool { return f == "html" || f == "htm" }

// formats maps Accept media types to formats.
var formats = map[string]string{
	"text/html": "html", "application/xhtml+xml": "html", "application/json": "json",
	"text/plain": "txt", "application/xml": "xml", "text/xml": "xml", "text/csv": "csv",
	"text/css": "css", "application/javascript": "js", "text/javascript": "js",
}

// formatOf returns the format of the first known media type of an Accept
// header ("html" when none is known).
func formatOf(accept string) string {
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, _ := strings.Cut(part, ";")
		if f, ok := formats[strings.TrimSpace(strings.ToLower(mt))]; ok {
			return f
		}
	}
	return "html"
}

// setType sets the Content-Type for a format unless one is set.
func setType(w http.ResponseWriter, format string) {
	h := w.Header()
	if h.Get("Content-Type") != "" {
		return
	}
	h.Set("Content-Type", typeOf(format))
}

// typeOf returns the Content-Type of a format.
func typeOf(format string) string {
	if t := mime.TypeByExtension("." + format); t != "" {
		return t
	}
	return "text/plain; charset=utf-8"
}
