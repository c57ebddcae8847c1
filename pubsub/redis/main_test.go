package redis_test

import (
	"context"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plezi-go/plezi/pubsub"
	"github.com/plezi-go/plezi/pubsub/redis"
	"github.com/redis/rueidis"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	pubsub.RegisterEncoder(pubsub.KindText, func(m *pubsub.Message) []byte { return m.Data })
	if url := os.Getenv(childEnv); url != "" {
		os.Exit(runChild(url)) // the second server process of a benchmark
	}
	goleak.VerifyTestMain(m)
}

// server is a redis-server of the test's own on a free loopback port,
// killed when the test ends. Kill and Start simulate an outage on the
// same port.
type server struct {
	t    testing.TB
	port int
	args []string
	dir  string
	cmd  *exec.Cmd
}

// startServer starts redis-server (extra arguments appended, "$PORT"
// replaced by its port) or fails the test: .ci/run installs redis-server.
func startServer(t testing.TB, extra ...string) *server {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatal("redis-server not found: install it (apt-get install redis-server; .ci/run does)")
	}
	s := &server{t: t, port: freePort(t), dir: t.TempDir(), args: extra}
	s.Start()
	t.Cleanup(s.Kill)
	return s
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Start runs the server and waits (at most 5 s) until it accepts.
func (s *server) Start() {
	s.t.Helper()
	args := []string{"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir}
	for _, a := range s.args { // "$PORT" in extra arguments is the server's port
		args = append(args, strings.ReplaceAll(a, "$PORT", strconv.Itoa(s.port)))
	}
	s.cmd = exec.Command("redis-server", args...)
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.Addr(), time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			s.Kill()
			s.t.Fatalf("redis-server did not start on %s: %v", s.Addr(), err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Kill stops the server at once (SIGKILL) and reaps it.
func (s *server) Kill() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
	s.cmd = nil
}

func (s *server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }
func (s *server) URL() string  { return "redis://" + s.Addr() + "/0" }

// admin returns a plain client to inspect the server.
func (s *server) admin(t testing.TB, opt ...func(*rueidis.ClientOption)) rueidis.Client {
	t.Helper()
	o := rueidis.ClientOption{InitAddress: []string{s.Addr()}, DisableCache: true, ForceSingleClient: true}
	for _, f := range opt {
		f(&o)
	}
	c, err := rueidis.NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// numsub returns how many connections subscribe to channel.
func numsub(t testing.TB, c rueidis.Client, channel string) int64 {
	m, err := c.Do(context.Background(), c.B().PubsubNumsub().Channel(channel).Build()).AsIntMap()
	if err != nil {
		return -1
	}
	return m[channel]
}

// numpat returns how many patterns the server has subscriptions to.
func numpat(t testing.TB, c rueidis.Client) int64 {
	n, err := c.Do(context.Background(), c.B().PubsubNumpat().Build()).AsInt64()
	if err != nil {
		return -1
	}
	return n
}

// waitFor polls cond until it holds or d passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// sink is a test Target that records what it receives.
type sink struct {
	mu  sync.Mutex
	got []string
}

func (s *sink) Defer(fn func()) error { s.mu.Lock(); defer s.mu.Unlock(); fn(); return nil }
func (s *sink) Deliver(m *pubsub.Message, k pubsub.Kind) error {
	s.mu.Lock()
	s.got = append(s.got, string(m.Encoded(k)))
	s.mu.Unlock()
	return nil
}
func (s *sink) messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.got...)
}
func (s *sink) count() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.got) }

// newEngine returns a broker with a Redis engine as its default engine,
// closed when the test ends.
func newEngine(t testing.TB, url string, mod ...func(*redis.Options)) (*pubsub.Broker, *redis.Engine) {
	t.Helper()
	o := redis.Options{URL: url, PingInterval: 500 * time.Millisecond, PingTimeout: 500 * time.Millisecond,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}
	if testing.Verbose() {
		o.Logger = testLogger(t)
	}
	for _, f := range mod {
		f(&o)
	}
	b := &pubsub.Broker{}
	e, err := redis.New(b, o)
	if err != nil {
		t.Fatal(err)
	}
	b.Engine = e
	t.Cleanup(func() { e.Close() })
	return b, e
}

// testLogger logs through t.Log.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}
