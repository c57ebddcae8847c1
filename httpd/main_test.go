package httpd_test

import (
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/httpd"
	"github.com/plezi-go/plezi/internal/enginetest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type mode struct {
	name     string
	portable bool
	threads  int
}

var modes = []mode{{"poller", false, 0}, {"poller-threads", false, 4}, {"portable", true, 0}}

func forModes(t *testing.T, f func(t *testing.T, m mode)) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) { f(t, m) })
	}
}

// serve runs s on a fresh engine in mode m and returns its base URL.
func serve(t testing.TB, m mode, s *httpd.Server) string {
	t.Helper()
	e := &engine.Engine{Portable: m.portable, Threads: m.threads, Loops: 2, IgnoreSignals: true}
	ln, err := s.Listen(e, "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	enginetest.Run(t, e)
	return "http://" + ln.Addr().String()
}

// client returns an HTTP client whose idle connections close with the test.
func client(t testing.TB) *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: 4}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func get(t testing.TB, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// raw sends bytes on a new connection and returns everything read until
// the server closes it (or the deadline).
func raw(t testing.TB, base, req string) string {
	t.Helper()
	c, err := net.Dial("tcp", base[len("http://"):])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(c)
	return string(b)
}
