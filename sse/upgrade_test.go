package sse_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/httpd"
	"github.com/plezi-go/plezi/sse"
)

// unwrapper is a middleware's ResponseWriter that exposes the one it
// wraps (as http.ResponseController expects).
type unwrapper struct{ http.ResponseWriter }

func (u unwrapper) Unwrap() http.ResponseWriter { return u.ResponseWriter }

// opaque is a middleware's ResponseWriter that hides the one it wraps.
type opaque struct{ http.ResponseWriter }

// TestUpgradeThroughWrapper: Upgrade finds the httpd.Upgrader behind a
// wrapper with Unwrap (no engine needed: nothing is hijacked), and a
// writer that hides everything is refused with ErrNotHijackable.
func TestUpgradeThroughWrapper(t *testing.T) {
	errs := make(chan error, 2)
	srv := serve(t, paths[0], setup{})
	hs := &httpd.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/opaque" {
			_, err := sse.Upgrade(opaque{w}, r, nil, nil)
			errs <- err
			if err != nil {
				http.Error(w, err.Error(), 500)
			}
			return
		}
		s, err := sse.Upgrade(unwrapper{w}, r, nil, nil)
		errs <- err
		if err == nil {
			s.Send(&sse.Event{Data: []byte("through the wrapper")})
		}
	})}
	ln, err := hs.Listen(srv.e, "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	c := connect(t, base+"/events")
	if err := recv(t, errs, wait); err != nil {
		t.Fatal(err)
	}
	if it := c.event(t, wait); it.Data != "through the wrapper" {
		t.Fatalf("got %+v", it)
	}
	req, _ := http.NewRequest("GET", base+"/opaque", nil)
	req.Header.Set("Accept", sse.MediaType)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: wait}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := recv(t, errs, wait); !errors.Is(err, sse.ErrNotHijackable) || resp.StatusCode != 500 {
		t.Fatalf("opaque writer: %v, status %d", err, resp.StatusCode)
	}
}

// TestNoEngine: on a plain net/http server, Upgrade without an engine
// fails with ErrNoEngine before taking the connection.
func TestNoEngine(t *testing.T) {
	errs := make(chan error, 1)
	hts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := sse.Upgrade(w, r, nil, nil)
		errs <- err
		http.Error(w, "no engine", 500) // the connection is still the server's
	}))
	defer hts.Close()
	req, _ := http.NewRequest("GET", hts.URL, nil)
	req.Header.Set("Accept", sse.MediaType)
	resp, err := hts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	hts.Client().CloseIdleConnections()
	if err := recv(t, errs, wait); !errors.Is(err, sse.ErrNoEngine) || resp.StatusCode != 500 {
		t.Fatalf("Upgrade: %v, status %d", err, resp.StatusCode)
	}
}

// TestNotHijackable: a ResponseWriter that can neither upgrade nor
// hijack (here httptest's recorder) is refused.
func TestNotHijackable(t *testing.T) {
	r := httptest.NewRequest("GET", "/events", nil)
	r.Header.Set("Accept", sse.MediaType)
	w := httptest.NewRecorder()
	for _, e := range []*engine.Engine{nil, {}} {
		s, err := sse.Upgrade(w, r, nil, &sse.Options{Engine: e})
		if !errors.Is(err, sse.ErrNotHijackable) || s != nil {
			t.Fatalf("recorder, engine %v: %v", e, err)
		}
	}
}
