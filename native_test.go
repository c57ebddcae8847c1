package plezi_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plezi-go/plezi"
	"github.com/plezi-go/plezi/httpd"
)

// mounted is a net/http handler behind a route.
var mounted = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Mounted", r.PathValue("name"))
	io.WriteString(w, "mounted "+r.URL.Path)
})

// Peek answers with what it read of the request.
type Peek struct{ plezi.Controller }

func (c *Peek) Index() any { return "index q=" + c.Params().Get("q") + " format=" + c.Format() }
func (c *Peek) Show() any {
	return map[string]any{"id": c.Params().Get("id"), "user": c.Params().Get("user"), "ua": c.Request().UserAgent()}
}
func (c *Peek) New() any { return []byte("new form") }

// TestNativeMatchesAdapter sends the same raw requests to an App served
// by App.Listen (the native Ctx path, with net/http values built on
// demand) and to the same App mounted as a plain Handler on httpd's
// net/http adapter: the answers must be the same.
func TestNativeMatchesAdapter(t *testing.T) {
	a := newApp()
	a.Views = views
	mustRoute(t, a, "/k", &Kinds{})
	mustRoute(t, a, "/p/(:id)/(:format)", &Pages{})
	mustRoute(t, a, "/session", &Session{})
	mustRoute(t, a, "/e/:user", &Peek{})
	if err := a.Route("/m/:name", mounted); err != nil {
		t.Fatal(err)
	}
	nativeURL := serve(t, a)
	adapter := &httpd.Server{Handler: a}
	ln, err := adapter.Listen(a.EngineOf(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	native := strings.TrimPrefix(nativeURL, "http://")
	reqs := []string{
		"GET / HTTP/1.1",
		"HEAD /k/string HTTP/1.1",
		"GET /nothing HTTP/1.1",
		"GET /plezi.js HTTP/1.1",
		"HEAD /plezi.mjs HTTP/1.1",
		"GET /e/ann?q=a+b&format=txt HTTP/1.1",
		"GET /e/ann/42?user=bob HTTP/1.1",
		"GET /e/ann/new HTTP/1.1",
		"GET /e/a%20n/7 HTTP/1.1",
		"GET /e/%zz/7 HTTP/1.1",
		"GET /e/%7Eann/7 HTTP/1.1",
		"GET /e/a\"b/7 HTTP/1.1",
		"GET /e/(x)!*'[y]/7 HTTP/1.1",
		"GET http://example.com/e/abs/7 HTTP/1.1",
		"GET /m/tool HTTP/1.1",
		"GET /p HTTP/1.1",
		"GET /p HTTP/1.1\r\nAccept: application/json",
		"GET /p/bare/txt HTTP/1.1",
		"GET /p/broken HTTP/1.1",
		"GET /session HTTP/1.1\r\nCookie: user=ann",
		"GET /session HTTP/1.1\r\nAccept: text/event-stream",
		"DELETE /session/1 HTTP/1.1",
		"POST /session HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 8\r\n\r\nname=ann",
	}
	for _, id := range []string{"string", "bytes", "html", "map", "struct", "nil", "direct", "typed", "forbidden", "missing", "fail", "badjson", "panic"} {
		reqs = append(reqs, "GET /k/"+id+" HTTP/1.1")
	}
	for _, r := range reqs {
		got, err := exchange(native, r)
		if err != nil {
			t.Errorf("%q on the native path: %v", r, err)
			continue
		}
		want, err := exchange(ln.Addr().String(), r)
		if err != nil {
			t.Errorf("%q on the adapter: %v", r, err)
			continue
		}
		if got != want {
			t.Errorf("%q:\nnative  %q\nadapter %q", r, got, want)
		}
	}
}

// exchange sends one raw request (a request line, maybe header lines and
// a body) and returns the response's status, sorted headers without
// Date, and body.
func exchange(addr, req string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	head, body, _ := strings.Cut(req, "\r\n\r\n")
	if _, err := io.WriteString(c, head+"\r\nHost: test\r\nConnection: close\r\n\r\n"+body); err != nil {
		return "", err
	}
	method, _, _ := strings.Cut(req, " ")
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: method})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	var lines []string
	for k, vs := range resp.Header {
		if k != "Date" {
			lines = append(lines, k+": "+strings.Join(vs, ", "))
		}
	}
	slices.Sort(lines)
	return resp.Status + "\n" + strings.Join(lines, "\n") + "\n\n" + string(b), nil
}
