package plezi_test

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/plezi-go/plezi"
)

// Users answers every REST verb with its name and id.
type Users struct{ plezi.Controller }

func (c *Users) Index() any           { return "index" }
func (c *Users) Show() any            { return "show " + c.Params().Get("id") }
func (c *Users) New() string          { return "new" }
func (c *Users) Create() (any, error) { return "create", nil }
func (c *Users) Update() any          { return "update " + c.Params().Get("id") }
func (c *Users) Delete() error {
	c.ResponseWriter().Write([]byte("delete " + c.Params().Get("id")))
	return nil
}

// Readonly has Index and Show only: other verbs fall through.
type Readonly struct{ plezi.Controller }

func (c *Readonly) Index() any { return "readonly index" }
func (c *Readonly) Show() any  { return "readonly show " + c.Params().Get("id") }

// Fallback takes what Readonly declines.
type Fallback struct{ plezi.Controller }

func (c *Fallback) Create() any { return "fallback create" }
func (c *Fallback) Delete() any { return "fallback delete " + c.Params().Get("id") }

func TestREST(t *testing.T) {
	a := newApp()
	mustRoute(t, a, "/users", &Users{})
	mustRoute(t, a, "/ro", &Readonly{})
	mustRoute(t, a, "/ro", &Fallback{})
	base := serve(t, a)
	c := client(t)
	const form = "application/x-www-form-urlencoded"
	cases := []struct {
		method, path, ctype, body string
		status                    int
		want                      string
	}{
		{"GET", "/users", "", "", 200, "index"},
		{"GET", "/users/", "", "", 200, "index"},
		{"GET", "/users/7", "", "", 200, "show 7"},
		{"GET", "/users/new", "", "", 200, "new"},
		{"POST", "/users", form, "a=1", 200, "create"},
		{"POST", "/users/new", form, "a=1", 200, "create"},
		{"POST", "/users/7", form, "a=1", 200, "update 7"},
		{"PUT", "/users/7", form, "a=1", 200, "update 7"},
		{"PATCH", "/users/7", "", "", 200, "update 7"},
		{"DELETE", "/users/7", "", "", 200, "delete 7"},
		{"POST", "/users/7", form, "_method=delete", 200, "delete 7"},
		{"POST", "/users/7?_method=PUT", "", "", 200, "update 7"},
		{"POST", "/users/7", form, "_method=patch", 200, "update 7"},
		{"GET", "/users/7/x", "", "", 404, "404 Not Found\n"},
		{"GET", "/ro/3", "", "", 200, "readonly show 3"},
		{"POST", "/ro", form, "x=1", 200, "fallback create"},
		{"DELETE", "/ro/3", "", "", 200, "fallback delete 3"},
		{"PUT", "/ro/3", "", "", 404, "404 Not Found\n"},
		{"OPTIONS", "/users", "", "", 404, "404 Not Found\n"},
		{"GET", "/nowhere", "", "", 404, "404 Not Found\n"},
	}
	for _, k := range cases {
		resp, body := do(t, c, k.method, base+k.path, k.ctype, k.body)
		want(t, k.method+" "+k.path+" "+k.body, resp, body, k.status, k.want)
	}
	// HEAD runs Index and sends no body.
	resp, body := do(t, c, "HEAD", base+"/users", "", "")
	if resp.StatusCode != 200 || body != "" || resp.ContentLength != int64(len("index")) {
		t.Fatalf("HEAD: %d %q %d", resp.StatusCode, body, resp.ContentLength)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("default Content-Type %q", ct)
	}
}

// Locale shows the locale a rewrite route took off the path.
type Locale struct{ plezi.Controller }

func (c *Locale) Index() any { return "locale=" + c.Params().Get("locale") }
func (c *Locale) Show() any {
	return c.Params().Get("locale") + " " + c.Params().Get("id") + " " + c.URLFor("9") + " " + c.URLFor("")
}

// Files serves a catch-all and a constrained route.
type Files struct{ plezi.Controller }

func (c *Files) Index() any { return "files " + c.Params().Get("*") }

type Numbers struct{ plezi.Controller }

func (c *Numbers) Index() any { return "number " + c.Params().Get("n") }

func TestRouting(t *testing.T) {
	a := newApp()
	mustRoute(t, a, "/:locale", regexp.MustCompile(`^(en|fr)$`))
	mustRoute(t, a, "/files/*", &Files{})
	mustRoute(t, a, "/n/:n{[0-9]+}", &Numbers{})
	mustRoute(t, a, "/posts/(:id)/(:format)", &Locale{})
	mustRoute(t, a, "/h/:name", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("handler " + r.PathValue("name")))
	}))
	mustRoute(t, a, "/", &Locale{})
	base := serve(t, a)
	c := client(t)
	cases := []struct{ path, want string }{
		{"/", "locale="},
		{"/en", "locale=en"},
		{"/fr/5", "fr 5 /fr/9 /fr"},
		{"/en/posts/3", "en 3 /en/posts/9 /en/posts"},
		{"/posts/3/json", " 3 /posts/9/json /posts"},
		{"/files/a/b.txt", "files a/b.txt"},
		{"/en/files/x", "files x"},
		{"/n/42", "number 42"},
		{"/h/bob", "handler bob"},
		{"/users%2F1", " users/1 /9 /"}, // an encoded slash stays in its segment
	}
	for _, k := range cases {
		resp, body := do(t, c, "GET", base+k.path, "", "")
		want(t, k.path, resp, body, 200, k.want)
	}
	if resp, body := do(t, c, "GET", base+"/n/x4", "", ""); resp.StatusCode != 404 {
		t.Fatalf("constraint: %d %q", resp.StatusCode, body)
	}
	if u, err := a.URLFor(&Numbers{}, map[string]string{"n": "12"}); err != nil || u != "/n/12" {
		t.Fatalf("App.URLFor: %q %v", u, err)
	}
	if _, err := a.URLFor(&Numbers{}, nil); err == nil {
		t.Fatal("App.URLFor without a required parameter succeeded")
	}
	if _, err := a.URLFor(&Users{}, nil); err == nil {
		t.Fatal("App.URLFor for an unrouted controller succeeded")
	}
}

func mustRoute(t testing.TB, a *plezi.App, pattern string, c any) {
	t.Helper()
	if err := a.Route(pattern, c); err != nil {
		t.Fatal(err)
	}
}
