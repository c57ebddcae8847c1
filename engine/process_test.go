//go:build linux

package engine_test

import (
	"bufio"
	"bytes"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/plezi-go/plezi/engine"
)

// helperEnv selects the role of a re-executed test binary.
const helperEnv = "PLEZI_ENGINE_HELPER"

// TestHelperProcess is not a test: it is the server process of the tests
// below, run by re-executing the test binary.
func TestHelperProcess(t *testing.T) {
	role := os.Getenv(helperEnv)
	if role == "" {
		return
	}
	e := &engine.Engine{
		Loops:         2,
		IgnoreSignals: role != "signal",
		Logger:        slog.New(slog.NewTextHandler(os.Stderr, nil)),
	}
	proto := echo
	if role == "signal" {
		proto = func(*engine.Conn) engine.Protocol { return slowShutdown{} }
	}
	ln, err := e.Listen("tcp", "127.0.0.1:0", proto)
	if err != nil {
		t.Fatal(err)
	}
	e.On(engine.Started, func() {
		if role == "emfile" {
			// Leave room for a handful of connections only.
			var lim syscall.Rlimit
			syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
			fds, _ := os.ReadDir("/proc/self/fd")
			lim.Cur = uint64(len(fds) + 10)
			if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
				panic(err)
			}
		}
		os.Stdout.WriteString(ln.Addr().String() + "\n")
	})
	e.On(engine.Finished, func() { os.Stderr.WriteString("helper: finished\n") })
	if role != "signal" {
		go func() { io.Copy(io.Discard, os.Stdin); e.Stop(t.Context()) }()
	}
	e.Start()
	os.Exit(0)
}

type helper struct {
	cmd    *exec.Cmd
	addr   string
	stdin  io.WriteCloser
	mu     sync.Mutex
	stderr bytes.Buffer
}

func (h *helper) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.stderr.Write(p)
}

func (h *helper) log() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.stderr.String()
}

func startHelper(t *testing.T, role string) *helper {
	t.Helper()
	h := &helper{}
	h.cmd = exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	h.cmd.Env = append(os.Environ(), helperEnv+"="+role)
	h.cmd.Stderr = h
	out, err := h.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	h.stdin, _ = h.cmd.StdinPipe()
	if err := h.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		h.cmd.Process.Kill()
		h.cmd.Wait()
	})
	lines := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(out)
		if s.Scan() {
			lines <- s.Text()
		}
		io.Copy(io.Discard, out)
	}()
	h.addr = recv(t, lines, 20*time.Second)
	return h
}

// cpuTicks returns the user+system clock ticks a process used so far.
func cpuTicks(t *testing.T, pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	u, _ := strconv.Atoi(f[11])
	s, _ := strconv.Atoi(f[12])
	return u + s
}

func echoOnce(c net.Conn, msg string) error {
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte(msg)); err != nil {
		return err
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(c, buf); err != nil {
		return err
	}
	if string(buf) != msg {
		return io.ErrUnexpectedEOF
	}
	return nil
}

// TestAcceptOutOfDescriptors: when the server runs out of file descriptors
// it neither spins, crashes nor drops the listener: it backs off, logs
// once, and serves again as soon as descriptors are free.
func TestAcceptOutOfDescriptors(t *testing.T) {
	h := startHelper(t, "emfile")
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	// Far more connections than the server can take: the rest wait in the
	// listen backlog while the server is out of descriptors.
	for i := 0; i < 40; i++ {
		c, err := net.DialTimeout("tcp", h.addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	waitFor(t, 10*time.Second, "the out-of-descriptors log", func() bool {
		return strings.Contains(h.log(), "out of file descriptors")
	})
	// No spinning: over one second the server uses a small share of a CPU.
	before := cpuTicks(t, h.cmd.Process.Pid)
	time.Sleep(time.Second)
	if used := cpuTicks(t, h.cmd.Process.Pid) - before; used > 30 {
		t.Fatalf("server used %d/100 CPU seconds while out of descriptors: spinning", used)
	}
	// Free descriptors: the server accepts again and the waiting
	// connections are served, the late ones included.
	served := 0
	for len(conns) > 0 {
		c := conns[0]
		conns = conns[1:]
		if err := echoOnce(c, "x"); err == nil {
			served++
		}
		c.Close()
	}
	if served < 30 {
		t.Fatalf("only %d of 40 connections served after descriptors were freed", served)
	}
	c, err := net.DialTimeout("tcp", h.addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := echoOnce(c, "again"); err != nil {
		t.Fatalf("listener dead after the episode: %v", err)
	}
	if n := strings.Count(h.log(), "out of file descriptors"); n != 1 {
		t.Fatalf("logged %d times; want once (then at most once a minute):\n%s", n, h.log())
	}
}

// slowShutdown echoes, and takes 100 ms to close at shutdown.
type slowShutdown struct{}

func (slowShutdown) OnData(c *engine.Conn, p []byte) { c.Write(p) }
func (slowShutdown) OnShutdown(c *engine.Conn) {
	go func() {
		time.Sleep(100 * time.Millisecond)
		c.Close()
	}()
}

// TestSignalShutdown: SIGTERM stops the engine gracefully: connections are
// closed by their OnShutdown, not forced (the shutdown deadline runs for
// the whole of Stop), the Finished hooks run and the process exits 0.
func TestSignalShutdown(t *testing.T) {
	h := startHelper(t, "signal")
	c, err := net.DialTimeout("tcp", h.addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := echoOnce(c, "hi"); err != nil {
		t.Fatal(err)
	}
	h.cmd.Process.Signal(syscall.SIGTERM)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("client read %v, want EOF at shutdown", err)
	}
	done := make(chan error, 1)
	go func() { done <- h.cmd.Wait() }()
	if err := recv(t, done, 10*time.Second); err != nil {
		t.Fatalf("server exit: %v\n%s", err, h.log())
	}
	if !strings.Contains(h.log(), "helper: finished") {
		t.Fatalf("Finished hook did not run:\n%s", h.log())
	}
	if strings.Contains(h.log(), engine.ErrShutdown.Error()) {
		t.Fatalf("the connection was closed by force:\n%s", h.log())
	}
}
