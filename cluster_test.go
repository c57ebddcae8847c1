//go:build linux

package plezi_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/plezi-go/plezi/internal/proctest"
	"golang.org/x/sys/unix"
)

// clusterApp is a running helper application (clusterHelper) with
// worker processes.
type clusterApp struct {
	t      *testing.T
	cmd    *exec.Cmd
	dir    string
	addr   string
	base   string
	out    *os.File // the processes' output
	exited chan struct{}
	err    error // cmd.Wait's, once exited is closed
}

// startCluster runs the helper with n workers and waits until every
// worker serves.
func startCluster(t *testing.T, n int, env ...string) *clusterApp {
	t.Helper()
	c := &clusterApp{t: t, dir: t.TempDir(), exited: make(chan struct{})}
	out, err := os.Create(filepath.Join(c.dir, "output"))
	if err != nil {
		t.Fatal(err)
	}
	c.out = out // a file, not a pipe: Wait returns when the master exits, whoever else writes
	c.addr = freeAddr(t)
	c.base = "http://" + c.addr
	c.cmd = exec.Command(os.Args[0], "-test.run=^$")
	c.cmd.Env = append(os.Environ(), helperEnv+"="+c.dir, helperAddr+"="+c.addr,
		helperWorkers+"="+strconv.Itoa(n))
	c.cmd.Env = append(c.cmd.Env, env...)
	c.cmd.Stdout, c.cmd.Stderr = c.out, c.out
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.err = c.cmd.Wait(); close(c.exited) }()
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(c.out.Name())
			t.Logf("helper output:\n%s", b)
		}
		c.out.Close()
		proctest.KillTree(c.cmd.Process.Pid)
		select {
		case <-c.exited:
		case <-time.After(10 * time.Second):
			t.Error("the helper's master did not exit")
		}
	})
	c.waitWorkers(n)
	return c
}

// waitWorkers waits until the master has n children and n of them ran
// their Run task (the engine started in them), and the address answers.
func (c *clusterApp) waitWorkers(n int) {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		kids := proctest.Children(c.cmd.Process.Pid)
		ran := 0
		for _, k := range kids {
			if c.has("run", k) {
				ran++
			}
		}
		if len(kids) == n && ran == n {
			if _, err := c.get("/pid"); err == nil {
				return
			}
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%d workers expected; children %v", n, kids)
		}
		select {
		case <-c.exited:
			c.t.Fatalf("the master exited: %v", c.err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// awaitReplaced waits until the master has n workers, none of them in
// gone, and every worker serves.
func (c *clusterApp) awaitReplaced(n int, gone ...int) {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		now := proctest.Children(c.cmd.Process.Pid)
		replaced := len(now) == n
		for _, g := range gone {
			replaced = replaced && !contains(now, g)
		}
		if replaced {
			break
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("workers %v not replaced: %v", gone, now)
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.waitWorkers(n)
}

// has reports the mark what-pid.
func (c *clusterApp) has(what string, pid int) bool {
	_, err := os.Stat(filepath.Join(c.dir, what+"-"+strconv.Itoa(pid)))
	return err == nil
}

// marks returns the PIDs of the marks named what.
func (c *clusterApp) marks(what string) []int {
	files, _ := filepath.Glob(filepath.Join(c.dir, what+"-*"))
	var pids []int
	for _, f := range files {
		if pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(f), what+"-")); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

var noKeepAlive = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// get fetches path on a new connection and returns the body.
func (c *clusterApp) get(path string) (string, error) {
	return fetch(noKeepAlive, c.base+path)
}

func fetch(cl *http.Client, url string) (string, error) {
	resp, err := cl.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != 200 {
		err = fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	return string(b), err
}

// pids asks /pid until it saw want different workers (or gives up).
func (c *clusterApp) pids(want int) map[int]bool {
	c.t.Helper()
	seen := map[int]bool{}
	for i := 0; i < 2000 && len(seen) < want; i++ {
		body, err := c.get("/pid")
		if err != nil {
			c.t.Fatal(err)
		}
		pid, _ := strconv.Atoi(body)
		seen[pid] = true
	}
	return seen
}

// signal sends sig to the master.
func (c *clusterApp) signal(sig syscall.Signal) {
	if err := c.cmd.Process.Signal(sig); err != nil {
		c.t.Fatal(err)
	}
}

// wait waits for the master's exit and returns its error.
func (c *clusterApp) wait(d time.Duration) error {
	select {
	case <-c.exited:
		return c.err
	case <-time.After(d):
		c.t.Fatal("the master did not exit")
		return nil
	}
}

// loop requests path continuously until stop is closed, counting
// successes and failures (with the error of the first failure).
type loop struct {
	ok, failed atomic.Int64
	mu         sync.Mutex
	first      error
	done       chan struct{}
}

func startLoop(cl *http.Client, url string, stop chan struct{}) *loop {
	l := &loop{done: make(chan struct{})}
	go func() {
		defer close(l.done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := fetch(cl, url); err != nil {
				l.failed.Add(1)
				l.mu.Lock()
				if l.first == nil {
					l.first = fmt.Errorf("at %s: %w", time.Now().Format("15:04:05.000"), err)
				}
				l.mu.Unlock()
			} else {
				l.ok.Add(1)
			}
		}
	}()
	return l
}

// noFailures lets the loops run a little longer, stops them and checks
// that none of their requests failed.
func noFailures(t *testing.T, stop chan struct{}, loops []*loop) {
	t.Helper()
	time.Sleep(300 * time.Millisecond)
	close(stop)
	for i, l := range loops {
		<-l.done
		t.Logf("loop %d: %d ok, %d failed (first: %v)", i, l.ok.Load(), l.failed.Load(), l.first)
		if l.failed.Load() != 0 || l.ok.Load() < 10 {
			t.Errorf("loop %d: %d requests failed, %d succeeded", i, l.failed.Load(), l.ok.Load())
		}
	}
}

// TestClusterWorkers: requests are served by several worker processes,
// the hooks ran where they should, and a worker killed with SIGKILL while
// a client loops on requests is started again while service goes on.
func TestClusterWorkers(t *testing.T) {
	c := startCluster(t, 3)
	master := c.cmd.Process.Pid
	seen := c.pids(3)
	if len(seen) < 2 {
		t.Fatalf("all requests went to one worker: %v", seen)
	}
	kids := proctest.Children(master)
	for pid := range seen {
		if !contains(kids, pid) {
			t.Fatalf("pid %d served a request but is not a worker of %d (%v)", pid, master, kids)
		}
	}
	if !c.has("master", master) || len(c.marks("master")) != 1 {
		t.Errorf("OnMaster marks: %v", c.marks("master"))
	}
	if run := c.marks("run"); len(run) != 3 || contains(run, master) {
		t.Errorf("Run before Start ran in %v; want once in each of the workers %v", run, kids)
	}
	if fork := c.marks("fork"); len(fork) != 1 || fork[0] != master {
		t.Errorf("BeforeFork marks %v", fork)
	}

	stop := make(chan struct{})
	l := startLoop(noKeepAlive, c.base+"/pid", stop)
	time.Sleep(200 * time.Millisecond)
	victim := kids[0]
	syscall.Kill(victim, syscall.SIGKILL)
	okAtKill := l.ok.Load()
	c.awaitReplaced(3, victim)
	c.waitWorkers(3)
	time.Sleep(300 * time.Millisecond)
	close(stop)
	<-l.done
	t.Logf("requests: %d ok (%d after the kill), %d failed (first: %v)", l.ok.Load(), l.ok.Load()-okAtKill, l.failed.Load(), l.first)
	if l.ok.Load()-okAtKill < 10 {
		t.Errorf("service did not go on after the kill: %d requests", l.ok.Load()-okAtKill)
	}
	if l.failed.Load() > 2 {
		t.Errorf("%d requests failed; at most the one in flight on the killed worker may", l.failed.Load())
	}
	if len(c.marks("crash")) != 1 {
		t.Errorf("OnWorkerCrash marks: %v", c.marks("crash"))
	}

	c.signal(syscall.SIGTERM)
	if err := c.wait(20 * time.Second); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	for _, pid := range proctest.Children(master) {
		t.Errorf("process %d left behind", pid)
	}
	for pid := range seen {
		if proctest.Alive(pid) {
			t.Errorf("worker %d still runs", pid)
		}
	}
	if _, err := os.Stat(filepath.Join(c.dir, "pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("PID file left: %v", err)
	}
	if !c.has("finish", master) {
		t.Error("OnFinish did not run in the master")
	}
}

// TestClusterMasterDies: workers whose master is killed (SIGKILL: no
// chance to stop them) notice, run OnParentCrash and exit.
func TestClusterMasterDies(t *testing.T) {
	c := startCluster(t, 2)
	workers := proctest.Children(c.cmd.Process.Pid)
	c.signal(syscall.SIGKILL)
	c.wait(10 * time.Second)
	deadline := time.Now().Add(15 * time.Second)
	for _, w := range workers {
		for proctest.Alive(w) {
			if time.Now().After(deadline) {
				t.Fatalf("worker %d still runs after its master died", w)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if !c.has("orphan", w) {
			t.Errorf("OnParentCrash did not run in worker %d", w)
		}
	}
}

// TestClusterHotRestart: SIGUSR1 replaces every worker while clients
// loop on requests, on new and on kept-alive connections: none fails.
func TestClusterHotRestart(t *testing.T) {
	forListenModes(t, testHotRestart)
}

// listenModes are the ways workers get their sockets: one shared socket,
// or one SO_REUSEPORT socket each.
var listenModes = []struct {
	name string
	env  []string
}{{"shared", nil}, {"reuseport", []string{helperReusePort + "=1"}}}

func forListenModes(t *testing.T, f func(t *testing.T, env []string)) {
	for _, m := range listenModes {
		t.Run(m.name, func(t *testing.T) { f(t, m.env) })
	}
}

func testHotRestart(t *testing.T, env []string) {
	c := startCluster(t, 2, env...)
	master := c.cmd.Process.Pid
	b, err := os.ReadFile(filepath.Join(c.dir, "pid"))
	if err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(master) {
		t.Fatalf("PID file %q %v, want %d", b, err, master)
	}
	before := proctest.Children(master)
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+c.addr+"/hall", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	stop := make(chan struct{})
	kept := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	defer kept.CloseIdleConnections()
	loops := []*loop{startLoop(noKeepAlive, c.base+"/pid", stop), startLoop(kept, c.base+"/pid", stop)}
	time.Sleep(200 * time.Millisecond)
	c.signal(syscall.SIGUSR1)
	// The WebSocket client of an old worker is told it goes away (1001).
	ws.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		_, _, err := ws.ReadMessage()
		if err == nil {
			continue // the greeting
		}
		if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
			t.Fatalf("WebSocket client of an old worker: %v, want close 1001", err)
		}
		break
	}
	c.awaitReplaced(2, before...)
	noFailures(t, stop, loops)
	if n := len(c.marks("crash")); n != 0 {
		t.Errorf("the restart counted %d crashes", n)
	}
	// It reconnects, to a new worker.
	ws2, _, err := websocket.DefaultDialer.Dial("ws://"+c.addr+"/hall", nil)
	if err != nil {
		t.Fatalf("reconnecting: %v", err)
	}
	ws2.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, hello, err := ws2.ReadMessage()
	ws2.Close()
	if pid, _ := strconv.Atoi(strings.TrimPrefix(string(hello), "pid ")); err != nil || contains(before, pid) || !contains(proctest.Children(master), pid) {
		t.Fatalf("reconnected to %q (%v); old workers %v, now %v", hello, err, before, proctest.Children(master))
	}
	c.signal(syscall.SIGINT)
	if err := c.wait(20 * time.Second); err != nil {
		t.Fatalf("exit after SIGINT: %v", err)
	}
	if left := proctest.Children(master); len(left) > 0 {
		t.Errorf("processes left behind: %v", left)
	}
}

// TestClusterReusePort: with a socket per worker, connections opened
// one at a time spread over the workers (with one shared socket they
// may all go to one; see the cluster package doc).
func TestClusterReusePort(t *testing.T) {
	c := startCluster(t, 3, helperReusePort+"=1")
	counts := map[string]int{}
	for i := 0; i < 300; i++ {
		pid, err := c.get("/pid")
		if err != nil {
			t.Fatal(err)
		}
		counts[pid]++
	}
	t.Logf("300 connections, one at a time, per worker: %v", counts)
	if len(counts) != 3 {
		t.Fatalf("connections reached %d workers of 3: %v", len(counts), counts)
	}
	for pid, n := range counts {
		if n < 50 {
			t.Errorf("worker %s got %d of 300 connections", pid, n)
		}
	}
}

// TestClusterPubSub: a WebSocket client on one worker gets a message
// published by another worker.
func TestClusterPubSub(t *testing.T) {
	c := startCluster(t, 3)
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+c.addr+"/hall", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, hello, err := ws.ReadMessage()
	if err != nil || !bytes.HasPrefix(hello, []byte("pid ")) {
		t.Fatalf("greeting %q %v", hello, err)
	}
	wsPID := string(hello[4:])
	for i := 0; ; i++ {
		text := "from-" + strconv.Itoa(i)
		pid, err := c.get("/say?text=" + text)
		if err != nil {
			t.Fatal(err)
		}
		if pid == wsPID {
			if i > 500 {
				t.Fatal("every request went to the WebSocket's worker")
			}
			continue
		}
		for {
			_, msg, err := ws.ReadMessage()
			if err != nil {
				t.Fatalf("waiting for %q (published by %s, client on %s): %v", text, pid, wsPID, err)
			}
			if string(msg) == text {
				return
			}
		}
	}
}

// TestClusterRedis: two clusters (two machines, as far as they know)
// share a redis-server through their masters: a message published in a
// worker of one reaches a WebSocket client on the other.
func TestClusterRedis(t *testing.T) {
	url := startRedis(t)
	c1 := startCluster(t, 2, helperRedis+"="+url)
	c2 := startCluster(t, 2, helperRedis+"="+url)
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+c1.addr+"/hall", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, _, err := ws.ReadMessage(); err != nil {
		t.Fatal(err)
	}
	ws.SetReadDeadline(time.Time{})
	msgs := make(chan string, 64)
	go func() {
		defer close(msgs)
		for {
			_, msg, err := ws.ReadMessage()
			if err != nil {
				return
			}
			msgs <- string(msg)
		}
	}()
	// The subscription reaches Redis asynchronously: publish until heard.
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; ; i++ {
		text := "over-redis-" + strconv.Itoa(i)
		if _, err := c2.get("/say?text=" + text); err != nil {
			t.Fatal(err)
		}
		wait := time.After(300 * time.Millisecond)
	read:
		for {
			select {
			case msg, ok := <-msgs:
				if !ok {
					t.Fatal("the WebSocket connection ended")
				}
				if msg == text {
					checkRedisClients(t, url, c1, c2)
					return
				}
			case <-wait:
				break read
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no message crossed from one cluster to the other")
		}
	}
}

// checkRedisClients checks that only the masters talk to Redis: every
// client connection redis-server lists belongs to a master's process.
func checkRedisClients(t *testing.T, url string, clusters ...*clusterApp) {
	t.Helper()
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "redis://"), "/0")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "CLIENT LIST\r\n")
	r := bufio.NewReader(c)
	head, err := r.ReadString('\n') // a bulk string: $<length>
	if err != nil || !strings.HasPrefix(head, "$") {
		t.Fatalf("CLIENT LIST: %q %v", head, err)
	}
	n, _ := strconv.Atoi(strings.TrimSpace(head[1:]))
	list := make([]byte, n)
	if _, err := io.ReadFull(r, list); err != nil {
		t.Fatal(err)
	}
	masters := map[int]bool{}
	for _, cl := range clusters {
		masters[cl.cmd.Process.Pid] = true
	}
	own := c.LocalAddr().String()
	byPID := map[int]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(list)), "\n") {
		for _, f := range strings.Fields(line) {
			if peer, ok := strings.CutPrefix(f, "addr="); ok && peer != own {
				byPID[proctest.SocketOwner(peer, addr)]++
			}
		}
	}
	t.Logf("Redis client connections by process: %v (masters %v)", byPID, masters)
	for pid := range byPID {
		if !masters[pid] {
			t.Errorf("process %d talks to Redis; only the masters should", pid)
		}
	}
	if len(byPID) != len(clusters) {
		t.Errorf("Redis clients in %d processes, want one per cluster (%d)", len(byPID), len(clusters))
	}
}

// startRedis runs a redis-server on a free port for the test.
func startRedis(t *testing.T) string {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatal("redis-server not found: install it (apt-get install redis-server; .ci/run does)")
	}
	addr := freeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	srv := exec.Command("redis-server", "--port", port, "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir())
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return "redis://" + addr + "/0"
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not start: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func contains(list []int, x int) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}

// TestClusterUpgrade: SIGUSR2 starts a new master from the program's
// file with the listeners; once its workers serve, the old master stops
// its own and exits 0. Clients looping on requests see no failure. The
// new master then stops on SIGTERM and leaves nothing behind.
func TestClusterUpgrade(t *testing.T) { forListenModes(t, testUpgrade) }

func testUpgrade(t *testing.T, env []string) {
	// Orphans (the new master, once the old one exits) become this
	// process's children, so the test can reap it.
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	defer unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
	c := startCluster(t, 2, env...)
	old := c.cmd.Process.Pid
	oldWorkers := proctest.Children(old)
	stop := make(chan struct{})
	kept := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	defer kept.CloseIdleConnections()
	loops := []*loop{startLoop(noKeepAlive, c.base+"/pid", stop), startLoop(kept, c.base+"/pid", stop)}
	time.Sleep(200 * time.Millisecond)
	t.Logf("SIGUSR2 at %s", time.Now().Format("15:04:05.000"))
	c.signal(syscall.SIGUSR2)
	if err := c.wait(30 * time.Second); err != nil {
		t.Fatalf("the old master exited with %v", err)
	}
	t.Logf("the old master exited at %s", time.Now().Format("15:04:05.000"))
	b, err := os.ReadFile(filepath.Join(c.dir, "pid"))
	newMaster, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || newMaster == old || newMaster == 0 {
		t.Fatalf("PID file %q %v after the upgrade", b, err)
	}
	defer proctest.KillTree(newMaster)
	if kids := proctest.Children(newMaster); len(kids) != 2 {
		t.Fatalf("new master %d has workers %v", newMaster, kids)
	}
	for _, w := range oldWorkers {
		if proctest.Alive(w) {
			t.Errorf("old worker %d still runs", w)
		}
	}
	noFailures(t, stop, loops)
	newWorkers := proctest.Children(newMaster)
	syscall.Kill(newMaster, syscall.SIGTERM)
	var ws syscall.WaitStatus
	reaped := make(chan error, 1)
	go func() {
		_, err := syscall.Wait4(newMaster, &ws, 0, nil)
		reaped <- err
	}()
	select {
	case err := <-reaped:
		if err != nil || !ws.Exited() || ws.ExitStatus() != 0 {
			t.Errorf("new master: %v, status %v", err, ws)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the new master did not stop")
	}
	for _, w := range newWorkers {
		if proctest.Alive(w) {
			t.Errorf("worker %d of the new master still runs", w)
		}
	}
}
