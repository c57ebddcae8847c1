package plezi_test

import (
	"errors"
	"html/template"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/plezi-go/plezi"
)

// Session sets, reads and deletes cookies, and redirects.
type Session struct{ plezi.Controller }

func (c *Session) Index() any { return "user=" + c.Cookies().Get("user") }
func (c *Session) Create() any {
	c.Cookies().Set("user", c.Params().Get("name"))
	c.Redirect("/session")
	return nil
}
func (c *Session) Delete() any {
	c.Cookies().Delete("user")
	c.RedirectWith("/session", http.StatusSeeOther)
	return nil
}

func TestCookiesAndRedirect(t *testing.T) {
	a := newApp()
	mustRoute(t, a, "/session", &Session{})
	base := serve(t, a)
	c := client(t)
	resp, _ := do(t, c, "POST", base+"/session", "application/x-www-form-urlencoded", "name=ann")
	ck := resp.Cookies()
	if resp.StatusCode != 302 || resp.Header.Get("Location") != "/session" || len(ck) != 1 ||
		ck[0].Name != "user" || ck[0].Value != "ann" || !ck[0].HttpOnly || ck[0].Path != "/" {
		t.Fatalf("set: %d %q %+v", resp.StatusCode, resp.Header.Get("Location"), ck)
	}
	resp, body := do(t, c, "GET", base+"/session", "", "", "Cookie", "user=ann")
	want(t, "get", resp, body, 200, "user=ann")
	resp, _ = do(t, c, "DELETE", base+"/session/1", "", "", "Cookie", "user=ann")
	ck = resp.Cookies()
	if resp.StatusCode != 303 || len(ck) != 1 || ck[0].Name != "user" || ck[0].MaxAge != -1 {
		t.Fatalf("delete: %d %+v", resp.StatusCode, ck)
	}
}

// Kinds returns each kind of value by id.
type Kinds struct{ plezi.Controller }

type point struct{ X, Y int }

func (c *Kinds) Show() (any, error) {
	switch c.Params().Get("id") {
	case "string":
		return "a string", nil
	case "bytes":
		return []byte("some bytes"), nil
	case "html":
		return template.HTML("<b>html</b>"), nil
	case "map":
		return map[string]int{"a": 1}, nil
	case "struct":
		return point{1, 2}, nil
	case "slice":
		return []int{1, 2}, nil
	case "nil":
		return nil, nil
	case "direct":
		w := c.ResponseWriter()
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusAccepted)
		w.Write([]byte("written"))
		return nil, nil
	case "typed":
		c.ResponseWriter().Header().Set("Content-Type", "text/csv")
		return "a,b", nil
	case "forbidden":
		return nil, plezi.Error(http.StatusForbidden, "not yours")
	case "missing":
		return nil, plezi.ErrNotFound
	case "wrapped":
		return nil, errors.Join(errors.New("db"), plezi.ErrNotFound)
	case "fail":
		return nil, errors.New("secret database detail")
	case "badjson":
		return func() {}, nil
	case "panic":
		panic("boom")
	}
	return nil, nil
}

func TestReturnValues(t *testing.T) {
	a := newApp()
	mustRoute(t, a, "/k", &Kinds{})
	base := serve(t, a)
	c := client(t)
	cases := []struct {
		id, ctype string
		status    int
		body      string
	}{
		{"string", "text/html; charset=utf-8", 200, "a string"},
		{"bytes", "text/html; charset=utf-8", 200, "some bytes"},
		{"html", "text/html; charset=utf-8", 200, "<b>html</b>"},
		{"map", "application/json", 200, `{"a":1}`},
		{"struct", "application/json", 200, `{"X":1,"Y":2}`},
		{"slice", "application/json", 200, `[1,2]`},
		{"nil", "", 200, ""},
		{"direct", "text/plain", 202, "written"},
		{"typed", "text/csv", 200, "a,b"},
		{"forbidden", "text/plain; charset=utf-8", 403, "403 Forbidden: not yours\n"},
		{"missing", "text/plain; charset=utf-8", 404, "404 Not Found\n"},
		{"wrapped", "text/plain; charset=utf-8", 404, "404 Not Found\n"},
		{"fail", "text/plain; charset=utf-8", 500, "500 Internal Server Error\n"},
		{"badjson", "text/plain; charset=utf-8", 500, "500 Internal Server Error\n"},
		{"panic", "text/plain; charset=utf-8", 500, "500 Internal Server Error\n"},
	}
	for _, k := range cases {
		resp, body := do(t, c, "GET", base+"/k/"+k.id, "", "")
		want(t, k.id, resp, body, k.status, k.body)
		if ct := resp.Header.Get("Content-Type"); k.ctype != "" && ct != k.ctype {
			t.Errorf("%s: Content-Type %q, want %q", k.id, ct, k.ctype)
		}
	}
}

var views = fstest.MapFS{
	"layout.html.tmpl": {Data: []byte(`<html><title>{{.Title}}</title><body>{{template "content" .}}</body></html>`)},
	"index.html.tmpl":  {Data: []byte(`<h1>{{.Title}}</h1><p>{{.Body}}</p>`)},
	"index.json.tmpl":  {Data: []byte(`{"title":"{{.Title}}"}`)},
	"bare.txt.tmpl":    {Data: []byte(`bare {{.Title}}`)},
	"broken.html.tmpl": {Data: []byte(`{{.Title`)},
	"404.html.tmpl":    {Data: []byte(`<p>missing {{.Path}} ({{.Status}} {{.Text}})</p>`)},
}

// Pages renders templates.
type Pages struct{ plezi.Controller }

func (c *Pages) Index() (any, error) {
	return c.Render("index", map[string]string{"Title": "Hi", "Body": "<script>"})
}

func (c *Pages) Show() (any, error) {
	switch c.Params().Get("id") {
	case "bare":
		return c.RenderLayout("", "bare", map[string]string{"Title": "T"})
	case "broken":
		return c.Render("broken", nil)
	}
	return c.Render("absent", nil)
}

func TestRender(t *testing.T) {
	a := newApp()
	a.Views = views
	mustRoute(t, a, "/p/(:id)/(:format)", &Pages{})
	base := serve(t, a)
	c := client(t)
	resp, body := do(t, c, "GET", base+"/p", "", "")
	want(t, "html with layout", resp, body, 200, "<html><title>Hi</title><body><h1>Hi</h1><p>&lt;script&gt;</p></body></html>")
	resp, body = do(t, c, "GET", base+"/p", "", "", "Accept", "application/json")
	want(t, "json by Accept", resp, body, 200, `{"title":"Hi"}`)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("json Content-Type %q", ct)
	}
	resp, body = do(t, c, "GET", base+"/p/bare/txt", "", "")
	want(t, "txt by format parameter", resp, body, 200, "bare T")
	resp, body = do(t, c, "GET", base+"/p/broken", "", "")
	want(t, "broken template", resp, body, 500, "500 Internal Server Error\n")
	resp, body = do(t, c, "GET", base+"/p/absent", "", "")
	want(t, "absent template", resp, body, 500, "500 Internal Server Error\n")
	resp, body = do(t, c, "GET", base+"/nothing", "", "")
	want(t, "404 template in the layout", resp, body, 404, "<html><title>404 Not Found</title><body><p>missing /nothing (404 Not Found)</p></body></html>")
	resp, body = do(t, c, "GET", base+"/p/x/..%2f..%2fsecret", "", "")
	want(t, "format cannot escape Views", resp, body, 500, "500 Internal Server Error\n")
}

// Picky draws its own error pages.
type Picky struct{ plezi.Controller }

func (c *Picky) Show() error { return plezi.Error(http.StatusTeapot, "short and stout") }
func (c *Picky) ErrorPage(status int, err error) any {
	return "picky " + http.StatusText(status)
}

// Errors draws the application's error pages.
type Errors struct{ plezi.Controller }

func (c *Errors) ErrorPage(status int, err error) any {
	return map[string]any{"status": status, "path": c.Request().URL.Path}
}

// Plain has no ErrorPage: the application's is used.
type Plain struct{ plezi.Controller }

func (c *Plain) Show() error { return errors.New("hidden") }

func TestErrorPages(t *testing.T) {
	a := newApp()
	if err := a.HandleErrors(&Errors{}); err != nil {
		t.Fatal(err)
	}
	mustRoute(t, a, "/picky", &Picky{})
	mustRoute(t, a, "/plain", &Plain{})
	base := serve(t, a)
	c := client(t)
	resp, body := do(t, c, "GET", base+"/picky/1", "", "")
	want(t, "controller page", resp, body, 418, "picky I'm a teapot")
	resp, body = do(t, c, "GET", base+"/plain/1", "", "")
	want(t, "app page for 500", resp, body, 500, `{"path":"/plain/1","status":500}`)
	resp, body = do(t, c, "GET", base+"/none", "", "")
	want(t, "app page for 404", resp, body, 404, `{"path":"/none","status":404}`)
}

// Files sends files.
type Sender struct{ plezi.Controller }

func (c *Sender) Show() error {
	return c.SendFile(filepath.Join(c.App().Views.(dirFS).dir, c.Params().Get("id")))
}

type dirFS struct {
	fstest.MapFS
	dir string
}

func TestSendFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("hello file"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	a := newApp()
	a.Views = dirFS{dir: dir}
	mustRoute(t, a, "/f", &Sender{})
	base := serve(t, a)
	c := client(t)
	resp, body := do(t, c, "GET", base+"/f/a.txt", "", "")
	want(t, "file", resp, body, 200, "hello file")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q", ct)
	}
	resp, body = do(t, c, "GET", base+"/f/a.txt", "", "", "Range", "bytes=6-")
	want(t, "range", resp, body, 206, "file")
	resp, _ = do(t, c, "GET", base+"/f/none.txt", "", "")
	want(t, "missing", resp, "", 404, "")
	resp, _ = do(t, c, "GET", base+"/f/sub", "", "")
	want(t, "directory", resp, "", 404, "")
}

// Chat answers JSON events.
type Chat struct{ plezi.Controller }

func (c *Chat) Index() any  { return "chat page" }
func (c *Chat) Create() any { return "created " + c.Params().Get("text") }
func (c *Chat) Say(msg plezi.Params) any {
	return map[string]any{"event": "said", "text": msg.Get("text")}
}
func (c *Chat) Quiet(msg plezi.Params)             {}
func (c *Chat) Fail(msg plezi.Params) error        { return plezi.Error(http.StatusConflict, "no") }
func (c *Chat) Both(msg plezi.Params) (any, error) { return "both " + msg.Get("n"), nil }

// Chatty has an Unknown method.
type Chatty struct{ plezi.Controller }

func (c *Chatty) Unknown(msg plezi.Params) any { return "unknown " + msg.Get("event") }

func TestJSONEvents(t *testing.T) {
	a := newApp()
	mustRoute(t, a, "/chat", &Chat{})
	mustRoute(t, a, "/chatty", &Chatty{})
	base := serve(t, a)
	c := client(t)
	const js = "application/json"
	cases := []struct {
		path, body string
		status     int
		want       string
	}{
		{"/chat", `{"event":"say","text":"hi"}`, 200, `{"event":"said","text":"hi"}`},
		{"/chat", `{"event":"Say","text":"hi"}`, 200, `{"event":"said","text":"hi"}`},
		{"/chat", `{"event":"quiet","_EID_":7}`, 200, `{"_EID_":7,"event":"_ack_"}`},
		{"/chat", `{"event":"quiet"}`, 200, ``},
		{"/chat", `{"event":"both","n":3}`, 200, `both 3`},
		{"/chat", `{"event":"fail"}`, 409, "409 Conflict: no\n"},
		{"/chat", `{"event":"nope"}`, 404, `{"event":"_error_","message":"unknown event","request":"nope","status":404}`},
		{"/chat", `{"event":"index"}`, 404, `{"event":"_error_","message":"unknown event","request":"index","status":404}`},
		{"/chat", `{"text":"plain"}`, 200, `created plain`},
		{"/chatty", `{"event":"x"}`, 200, `unknown x`},
	}
	for _, k := range cases {
		resp, body := do(t, c, "POST", base+k.path, js, k.body)
		want(t, k.body, resp, body, k.status, k.want)
	}
	// A form post with an "event" field is a plain Create.
	resp, body := do(t, c, "POST", base+"/chat", "application/x-www-form-urlencoded", "event=say&text=f")
	want(t, "form", resp, body, 200, "created f")
}

// Bad controllers are refused at registration.
type NoActions struct{ plezi.Controller }

type BadSig struct{ plezi.Controller }

func (c *BadSig) Index(x int) string { return "" }

type NotEmbedded struct{}

func (c *NotEmbedded) Index() any { return "works without Controller" }

func TestRegistration(t *testing.T) {
	a := newApp()
	bad := []struct {
		pattern string
		c       any
	}{
		{"/x", &NoActions{}},
		{"/x", &BadSig{}},
		{"/x", NotEmbedded{}},
		{"/x", nil},
		{"/x", 42},
		{"/(:x)/y", &NotEmbedded{}},
		{"/:a/:b", mustRe()},
	}
	for _, b := range bad {
		err := a.Route(b.pattern, b.c)
		var re *plezi.RouteError
		if !errors.Is(err, plezi.ErrRoute) || !errors.As(err, &re) || re.Pattern != b.pattern {
			t.Errorf("Route(%q, %T) = %v", b.pattern, b.c, err)
		}
	}
	if err := a.HandleErrors(nil); !errors.Is(err, plezi.ErrRoute) {
		t.Errorf("HandleErrors(nil) = %v", err)
	}
	mustRoute(t, a, "/ne", &NotEmbedded{})
	base := serve(t, a)
	resp, body := do(t, client(t), "GET", base+"/ne", "", "")
	want(t, "not embedded", resp, body, 200, "works without Controller")
	defer func() {
		if v := recover(); v == nil {
			t.Error("plezi.Route with a bad controller did not panic")
		}
	}()
	plezi.Route("/bad", &NoActions{})
}

func mustRe() any { return regexpMust(`^a$`) }

func regexpMust(s string) any { return regexp.MustCompile(s) }
