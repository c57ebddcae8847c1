package httpd_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/plezi-go/plezi/httpd"
)

func TestAdapterChi(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		r := chi.NewRouter()
		r.Get("/users/{id}", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"id":%q}`, chi.URLParam(r, "id"))
		})
		r.Post("/users", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusCreated)
		})
		base := serve(t, m, &httpd.Server{Handler: r})
		c := client(t)
		resp, body := get(t, c, base+"/users/42")
		if resp.StatusCode != 200 || body != `{"id":"42"}` || resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("%d %q %v", resp.StatusCode, body, resp.Header)
		}
		resp, err := c.Post(base+"/users", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 201 {
			t.Fatalf("POST /users: %d", resp.StatusCode)
		}
		resp, _ = get(t, c, base+"/missing")
		if resp.StatusCode != 404 {
			t.Fatalf("chi 404: %d", resp.StatusCode)
		}
	})
}

func TestHead(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		base := serve(t, m, &httpd.Server{Native: hello})
		out := raw(t, base, "HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		if !strings.HasPrefix(out, "HTTP/1.1 200 OK\r\n") || !strings.Contains(out, "Content-Length: 11\r\n") || !strings.HasSuffix(out, "\r\n\r\n") {
			t.Fatalf("HEAD answered %q", out)
		}
	})
}

// TestStreaming: Flush sends what was written so far (chunked), the
// client sees it before the handler returns.
func TestStreaming(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		release := make(chan struct{})
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "first;")
			w.(http.Flusher).Flush()
			<-release
			io.WriteString(w, "second")
		})
		base := serve(t, m, &httpd.Server{Handler: h, BufferedBody: 1})
		c := client(t)
		// A chunked POST body makes the handler run on its own goroutine,
		// so it may block without stalling the connection's loop.
		pr, pw := io.Pipe()
		go func() { pw.Write([]byte("x")); pw.Close() }()
		resp, err := c.Post(base+"/", "text/plain", pr)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.TransferEncoding == nil || resp.TransferEncoding[0] != "chunked" {
			t.Fatalf("not chunked: %v", resp.TransferEncoding)
		}
		buf := make([]byte, 6)
		if _, err := io.ReadFull(resp.Body, buf); err != nil || string(buf) != "first;" {
			t.Fatalf("first part %q %v", buf, err)
		}
		close(release)
		rest, _ := io.ReadAll(resp.Body)
		if string(rest) != "second" {
			t.Fatalf("rest %q", rest)
		}
	})
}

func TestChunkedRequest(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		base := serve(t, m, &httpd.Server{Native: func(x *httpd.Ctx) {
			b, _ := io.ReadAll(x.Body())
			x.Write(b)
		}})
		out := raw(t, base, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n")
		if !strings.HasPrefix(out, "HTTP/1.1 200 OK\r\n") || !strings.HasSuffix(out, "hello world") {
			t.Fatalf("got %q", out)
		}
	})
}

func TestExpectContinue(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		base := serve(t, m, &httpd.Server{Native: func(x *httpd.Ctx) {
			x.Write(x.BodyBytes())
		}})
		c, err := net.Dial("tcp", base[len("http://"):])
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		c.Write([]byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"))
		r := bufio.NewReader(c)
		line, _ := r.ReadString('\n')
		if line != "HTTP/1.1 100 Continue\r\n" {
			t.Fatalf("got %q before sending the body", line)
		}
		r.ReadString('\n')
		c.Write([]byte("data"))
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || string(b) != "data" {
			t.Fatalf("%d %q", resp.StatusCode, b)
		}
	})
}

// TestLimits: bad input gets its status code and a close.
func TestLimits(t *testing.T) {
	s := &httpd.Server{Native: hello}
	s.Limits.MaxBody = 100
	base := serve(t, modes[0], s)
	long := strings.Repeat("a", 9000)
	cases := []struct{ name, req, status string }{
		{"request line too long", "GET /" + long + " HTTP/1.1\r\nHost: x\r\n\r\n", "414"},
		{"head too large", "GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X-A: "+strings.Repeat("b", 1000)+"\r\n", 40) + "\r\n", "431"},
		{"too many fields", "GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X-A: b\r\n", 200) + "\r\n", "431"},
		{"body too large", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n", "413"},
		{"malformed", "GET/HTTP/1.1\r\n\r\n", "400"},
		{"unknown transfer coding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: zstd, chunked\r\n\r\n", "501"},
		{"chunked not final (RFC 9112 6.3)", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: zstd\r\n\r\n", "400"},
		{"CL and TE", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", "400"},
		{"duplicate CL", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", "400"},
		{"space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", "400"},
		{"obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", "400"},
		{"bad version", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", "505"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := raw(t, base, tc.req)
			if !strings.HasPrefix(out, "HTTP/1.1 "+tc.status+" ") || !strings.Contains(out, "Connection: close") {
				t.Fatalf("got %q, want status %s and a close", firstLine(out), tc.status)
			}
		})
	}
}

func firstLine(s string) string {
	if i := strings.Index(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}

// TestSlowloris: a head dribbled slower than HeaderTimeout is cut off.
func TestSlowloris(t *testing.T) {
	s := &httpd.Server{Native: hello, HeaderTimeout: 300 * time.Millisecond}
	base := serve(t, modes[0], s)
	c, err := net.Dial("tcp", base[len("http://"):])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	began := time.Now()
	for _, part := range []string{"GET / HTTP/1.1\r\n", "Host: x\r\n", "X-A: 1\r\n", "X-B: 2\r\n", "X-C: 3\r\n", "X-D: 4\r\n"} {
		if _, err := c.Write([]byte(part)); err != nil {
			break // cut off
		}
		time.Sleep(100 * time.Millisecond)
	}
	out, _ := io.ReadAll(c)
	if !strings.HasPrefix(string(out), "HTTP/1.1 408 ") {
		t.Fatalf("got %q", out)
	}
	if d := time.Since(began); d > 2*time.Second {
		t.Fatalf("cut after %v", d)
	}
}

func TestPublicFolder(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<h1>static</h1>"), 0o644)
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("0123456789"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	forModes(t, func(t *testing.T, m mode) {
		base := serve(t, m, &httpd.Server{Public: dir, Native: hello})
		c := client(t)
		if resp, body := get(t, c, base+"/"); body != "<h1>static</h1>" {
			t.Fatalf("%d %q", resp.StatusCode, body)
		}
		if _, body := get(t, c, base+"/dynamic"); body != "Hello World" {
			t.Fatalf("fall-through: %q", body)
		}
		req, _ := http.NewRequest("GET", base+"/a.txt", nil)
		req.Header.Set("Range", "bytes=2-4")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 206 || string(b) != "234" {
			t.Fatalf("range: %d %q", resp.StatusCode, b)
		}
		// A folder without index.html is the handler's, not a 404.
		if _, body := get(t, c, base+"/sub/"); body != "Hello World" {
			t.Fatalf("folder without an index: %q", body)
		}
		if out := raw(t, base, "GET /%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); strings.Contains(out, "root:") {
			t.Fatal("traversal served a file outside the folder")
		}
	})
}

// TestHandlerPanic: a panicking handler answers 500 and closes.
func TestHandlerPanic(t *testing.T) {
	base := serve(t, modes[0], &httpd.Server{Native: func(x *httpd.Ctx) { panic("boom") }})
	out := raw(t, base, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if !strings.HasPrefix(out, "HTTP/1.1 500 ") || !strings.Contains(out, "Connection: close") {
		t.Fatalf("got %q", out)
	}
}

// TestContextCancel: the request context ends when the client goes away.
func TestContextCancel(t *testing.T) {
	cancelled := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // streamed (chunked): own goroutine
		select {
		case <-r.Context().Done():
			close(cancelled)
		case <-time.After(5 * time.Second):
		}
	})
	base := serve(t, modes[0], &httpd.Server{Handler: h})
	c, err := net.Dial("tcp", base[len("http://"):])
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"))
	time.Sleep(50 * time.Millisecond)
	c.Close()
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("context not cancelled when the client left")
	}
}
