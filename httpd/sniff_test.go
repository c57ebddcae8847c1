package httpd_test

import (
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/plezi-go/plezi/httpd"
)

// TestContentTypeLikeNetHTTP checks the adapter's Content-Type decisions
// against net/http's own server running the same handler: sniffed from
// the first bytes written (also after an explicit WriteHeader), none for
// an empty body, none when the handler suppressed it with a nil value.
func TestContentTypeLikeNetHTTP(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/implicit", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html><p>hi") })
	mux.HandleFunc("/explicit", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		w.Write([]byte("<!DOCTYPE html><p>hi"))
	})
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/status", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	mux.HandleFunc("/suppressed", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = nil
		io.WriteString(w, "<html>")
	})
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		io.WriteString(w, "a,b")
	})
	mux.HandleFunc("/binary", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(io.ReaderFrom).ReadFrom(io.LimitReader(zeros{}, 100))
	})
	ours := serve(t, modes[0], &httpd.Server{Handler: mux})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	std := &http.Server{Handler: mux}
	go std.Serve(l)
	t.Cleanup(func() { std.Close() })
	c := client(t)
	for _, p := range []string{"/implicit", "/explicit", "/empty", "/status", "/suppressed", "/set", "/binary"} {
		got, _ := get(t, c, ours+p)
		want, _ := get(t, c, "http://"+l.Addr().String()+p)
		if got.StatusCode != want.StatusCode || got.Header.Get("Content-Type") != want.Header.Get("Content-Type") {
			t.Errorf("%s: %d %q, net/http %d %q", p, got.StatusCode, got.Header.Values("Content-Type"),
				want.StatusCode, want.Header.Values("Content-Type"))
		}
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
