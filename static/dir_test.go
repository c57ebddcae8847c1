package static

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// site builds a public folder (and a secret file beside it) for tests.
func site(t *testing.T) (root, outside string) {
	t.Helper()
	base := t.TempDir()
	root = filepath.Join(base, "public")
	outside = filepath.Join(base, "secret.txt")
	files := map[string]string{
		"index.html":     "<h1>home</h1>",
		"style.css":      "body{}",
		"app.js":         strings.Repeat("console.log(1);", 100),
		"app.js.gz":      "gzip-bytes",
		"app.js.br":      "brotli-bytes",
		"only-gz.txt":    "plain",
		"only-gz.txt.gz": "gz",
		"sub/index.html": "<h1>sub</h1>",
		"data.bin":       "0123456789",
		"empty.txt":      "",
		"noindex/a.txt":  "a",
	}
	for name, body := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(outside, []byte("TOP SECRET"), 0o644)
	if err := os.Symlink(outside, filepath.Join(root, "link-out.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Dir(outside), filepath.Join(root, "link-dir")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("style.css", filepath.Join(root, "link-in.css")); err != nil {
		t.Fatal(err)
	}
	return root, outside
}

// get runs one request through the handler.
func get(h http.Handler, method, target string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestServe(t *testing.T) {
	root, _ := site(t)
	d := &Dir{Root: root}
	cases := []struct {
		name, method, target string
		hdr                  []string
		status               int
		body                 string
		header               map[string]string
	}{
		{"index at root", "GET", "/", nil, 200, "<h1>home</h1>", map[string]string{"Content-Type": "text/html; charset=utf-8"}},
		{"index in folder", "GET", "/sub/", nil, 200, "<h1>sub</h1>", nil},
		{"folder without slash redirects", "GET", "/sub", nil, 301, "", map[string]string{"Location": "/sub/"}},
		{"folder without index", "GET", "/noindex/", nil, 404, "", nil},
		{"content type", "GET", "/style.css", nil, 200, "body{}", map[string]string{"Content-Type": "text/css; charset=utf-8", "Content-Length": "6"}},
		{"missing", "GET", "/nope.txt", nil, 404, "", nil},
		{"head has no body", "HEAD", "/style.css", nil, 200, "", map[string]string{"Content-Length": "6"}},
		{"post refused", "POST", "/style.css", nil, 405, "", map[string]string{"Allow": "GET, HEAD"}},
		{"brotli preferred", "GET", "/app.js", []string{"Accept-Encoding", "gzip, br"}, 200, "brotli-bytes", map[string]string{"Content-Encoding": "br", "Vary": "Accept-Encoding", "Content-Type": "text/javascript; charset=utf-8"}},
		{"gzip", "GET", "/app.js", []string{"Accept-Encoding", "gzip"}, 200, "gzip-bytes", map[string]string{"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}},
		{"br refused by q=0", "GET", "/app.js", []string{"Accept-Encoding", "br;q=0, gzip"}, 200, "gzip-bytes", map[string]string{"Content-Encoding": "gzip"}},
		{"identity", "GET", "/app.js", nil, 200, strings.Repeat("console.log(1);", 100), map[string]string{"Content-Encoding": "", "Vary": "Accept-Encoding"}},
		{"only gz sibling", "GET", "/only-gz.txt", []string{"Accept-Encoding", "br"}, 200, "plain", map[string]string{"Vary": "Accept-Encoding"}},
		{"range", "GET", "/data.bin", []string{"Range", "bytes=2-5"}, 206, "2345", map[string]string{"Content-Range": "bytes 2-5/10", "Content-Length": "4"}},
		{"open range", "GET", "/data.bin", []string{"Range", "bytes=7-"}, 206, "789", map[string]string{"Content-Range": "bytes 7-9/10"}},
		{"suffix range", "GET", "/data.bin", []string{"Range", "bytes=-3"}, 206, "789", nil},
		{"range past end clipped", "GET", "/data.bin", []string{"Range", "bytes=8-100"}, 206, "89", nil},
		{"unsatisfiable", "GET", "/data.bin", []string{"Range", "bytes=10-"}, 416, "", map[string]string{"Content-Range": "bytes */10"}},
		{"multiple ranges served whole", "GET", "/data.bin", []string{"Range", "bytes=0-1,4-5"}, 200, "0123456789", nil},
		{"malformed range ignored", "GET", "/data.bin", []string{"Range", "bytes=5-2"}, 200, "0123456789", nil},
		{"empty file", "GET", "/empty.txt", nil, 200, "", map[string]string{"Content-Length": "0"}},
		{"symlink inside root", "GET", "/link-in.css", nil, 200, "body{}", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := get(d, tc.method, tc.target, tc.hdr...)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d (body %q)", w.Code, tc.status, w.Body.String())
			}
			if tc.status < 300 && w.Body.String() != tc.body {
				t.Fatalf("body %q, want %q", w.Body.String(), tc.body)
			}
			for k, v := range tc.header {
				if got := w.Header().Get(k); got != v {
					t.Fatalf("%s: %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestConditional(t *testing.T) {
	root, _ := site(t)
	d := &Dir{Root: root}
	first := get(d, "GET", "/style.css")
	etag, mod := first.Header().Get("ETag"), first.Header().Get("Last-Modified")
	if etag == "" || mod == "" {
		t.Fatal("no validators")
	}
	if w := get(d, "GET", "/style.css", "If-None-Match", etag); w.Code != 304 || w.Body.Len() != 0 {
		t.Fatalf("If-None-Match: %d %q", w.Code, w.Body.String())
	}
	if w := get(d, "GET", "/style.css", "If-None-Match", `"other", `+etag); w.Code != 304 {
		t.Fatalf("If-None-Match list: %d", w.Code)
	}
	if w := get(d, "GET", "/style.css", "If-None-Match", `"other"`); w.Code != 200 {
		t.Fatalf("If-None-Match mismatch: %d", w.Code)
	}
	if w := get(d, "GET", "/style.css", "If-Modified-Since", mod); w.Code != 304 {
		t.Fatalf("If-Modified-Since: %d", w.Code)
	}
	old := time.Unix(0, 0).UTC().Format(http.TimeFormat)
	if w := get(d, "GET", "/style.css", "If-Modified-Since", old); w.Code != 200 {
		t.Fatalf("If-Modified-Since in the past: %d", w.Code)
	}
	// If-None-Match wins over If-Modified-Since.
	if w := get(d, "GET", "/style.css", "If-None-Match", `"other"`, "If-Modified-Since", mod); w.Code != 200 {
		t.Fatalf("If-None-Match must take precedence: %d", w.Code)
	}
	// A compressed variant has its own validator.
	gz := get(d, "GET", "/app.js", "Accept-Encoding", "gzip")
	plain := get(d, "GET", "/app.js")
	if gz.Header().Get("ETag") == plain.Header().Get("ETag") {
		t.Fatal("compressed and plain variants share an ETag")
	}
	// If-Range: matching validator → 206, stale → whole file.
	dataTag := get(d, "GET", "/data.bin").Header().Get("ETag")
	if w := get(d, "GET", "/data.bin", "Range", "bytes=0-1", "If-Range", dataTag); w.Code != 206 {
		t.Fatalf("If-Range match: %d", w.Code)
	}
	if w := get(d, "GET", "/data.bin", "Range", "bytes=0-1", "If-Range", `"stale"`); w.Code != 200 || w.Body.String() != "0123456789" {
		t.Fatalf("If-Range stale: %d %q", w.Code, w.Body.String())
	}
}

// TestTraversal: every way out of the folder is refused.
func TestTraversal(t *testing.T) {
	root, _ := site(t)
	d := &Dir{Root: root}
	for _, target := range []string{
		"/../secret.txt",
		"/sub/../../secret.txt",
		"/%2e%2e/secret.txt",
		"/%2E%2E/secret.txt",
		"/sub/%2e%2e/%2e%2e/secret.txt",
		"/..%2fsecret.txt",
		"/sub%2f..%2f..%2fsecret.txt",
		"/..%5csecret.txt",
		"/sub\\..\\..\\secret.txt",
		"/style.css%00.txt",
		"/link-out.txt",
		"/link-dir/secret.txt",
	} {
		t.Run(target, func(t *testing.T) {
			w := get(d, "GET", target)
			if w.Code == 200 || strings.Contains(w.Body.String(), "TOP SECRET") {
				t.Fatalf("%s: status %d, body %q: escaped the folder", target, w.Code, w.Body.String())
			}
			if w.Code != 400 && w.Code != 404 {
				t.Fatalf("%s: status %d, want 400 or 404", target, w.Code)
			}
		})
	}
}

// TestOverSocket serves through a real net/http server and client.
func TestOverSocket(t *testing.T) {
	root, _ := site(t)
	srv := httptest.NewServer(&Dir{Root: root})
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/data.bin", nil)
	req.Header.Set("Range", "bytes=3-4")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 206 || string(body) != "34" {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
	// A raw request with a traversal target, as an attacker would send it.
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("GET /%2e%2e/secret.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	raw, _ := io.ReadAll(c)
	if !strings.HasPrefix(string(raw), "HTTP/1.1 400") || strings.Contains(string(raw), "TOP SECRET") {
		t.Fatalf("raw traversal answered %q", raw)
	}
}
