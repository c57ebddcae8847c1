package plezi_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/plezi-go/plezi"
	"github.com/plezi-go/plezi/engine"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(clusterHelper()) // a process of TestCluster*'s application
	}
	if spec := os.Getenv(clientEnv); spec != "" {
		os.Exit(idleClient(spec)) // a client process of TestClusterThirtyThousandIdle
	}
	goleak.VerifyTestMain(m)
}

// newApp returns an app on a small engine that ignores signals.
func newApp() *plezi.App {
	return &plezi.App{Engine: &engine.Engine{Loops: 2, IgnoreSignals: true}}
}

// serve starts a on loopback and returns its base URL; the app stops
// with the test.
func serve(t testing.TB, a *plezi.App) string {
	t.Helper()
	ln, err := a.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	a.EngineOf().On(engine.Started, func() { close(started) })
	done := make(chan error, 1)
	go func() { done <- a.Start() }()
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Start returned %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// client returns an HTTP client that does not follow redirects and whose
// idle connections close with the test.
func client(t testing.TB) *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: 4}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{
		Transport:     tr,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// do sends a request and returns the response and its body.
func do(t testing.TB, c *http.Client, method, url, ctype, body string, hdr ...string) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// want checks a response's status and body.
func want(t testing.TB, what string, resp *http.Response, body string, status int, wantBody string) {
	t.Helper()
	if resp.StatusCode != status || body != wantBody {
		t.Errorf("%s: %d %q, want %d %q", what, resp.StatusCode, body, status, wantBody)
	}
}

// waitFor polls cond until it holds or d passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
