package httpd_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/plezi-go/plezi/httpd"
)

func hello(x *httpd.Ctx) {
	x.SetHeader("Content-Type", "text/plain")
	x.WriteString("Hello World")
}

func TestNativeHello(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		base := serve(t, m, &httpd.Server{Native: hello})
		c := client(t)
		for i := 0; i < 3; i++ { // keep-alive reuse
			resp, body := get(t, c, base+"/")
			if resp.StatusCode != 200 || body != "Hello World" || resp.Header.Get("Content-Type") != "text/plain" {
				t.Fatalf("%d %q %v", resp.StatusCode, body, resp.Header)
			}
			if resp.Header.Get("Date") == "" {
				t.Fatal("no Date header")
			}
		}
	})
}

func TestAdapterServeMux(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "hello %s (%s)", r.PathValue("name"), r.URL.Query().Get("x"))
		})
		mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
			b, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			w.Header().Set("X-Len", fmt.Sprint(len(b)))
			w.Write(b)
		})
		base := serve(t, m, &httpd.Server{Handler: mux})
		c := client(t)
		resp, body := get(t, c, base+"/hello/plezi?x=1")
		if resp.StatusCode != 200 || body != "hello plezi (1)" {
			t.Fatalf("%d %q", resp.StatusCode, body)
		}
		resp, body = get(t, c, base+"/nope")
		if resp.StatusCode != 404 {
			t.Fatalf("404 expected, got %d %q", resp.StatusCode, body)
		}
		for _, size := range []int{0, 10, 100 << 10, 3 << 20} {
			payload := strings.Repeat("x", size)
			resp, err := c.Post(base+"/echo", "text/plain", strings.NewReader(payload))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(got) != payload || resp.Header.Get("X-Len") != fmt.Sprint(size) {
				t.Fatalf("size %d: %d, %d bytes back", size, resp.StatusCode, len(got))
			}
		}
	})
}

func TestPipelining(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		base := serve(t, m, &httpd.Server{Native: func(x *httpd.Ctx) { x.Write(x.Path()) }})
		req := "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /bb HTTP/1.1\r\nHost: x\r\n\r\nGET /ccc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
		out := raw(t, base, req)
		if strings.Count(out, "HTTP/1.1 200 OK") != 3 {
			t.Fatalf("got %q", out)
		}
		ia, ib, ic := strings.Index(out, "\r\n\r\n/a"), strings.Index(out, "\r\n\r\n/bb"), strings.Index(out, "\r\n\r\n/ccc")
		if ia < 0 || ib < ia || ic < ib {
			t.Fatalf("responses out of order: %q", out)
		}
	})
}
