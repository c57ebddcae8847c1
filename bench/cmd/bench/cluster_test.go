//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The multi-process servers run as they do under the harness: the test
// binary re-executes itself as the server (startChildEnv with
// BENCH_TEST_CHILD=1, which TestMain turns into the bench command), and
// the server's master or prefork parent re-executes it again for its
// workers or children.

const testChildEnv = "BENCH_TEST_CHILD"

// startTestServer starts the test binary as "bench ARGS..." with
// GOMAXPROCS 2 and returns it with its address once it is ready.
func startTestServer(t *testing.T, args ...string) (*child, string) {
	t.Helper()
	c, err := startChildEnv(args[0], []string{testChildEnv + "=1", "GOMAXPROCS=2"}, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.kill)
	ready, err := c.expect("ready", 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	addr, _, _ := strings.Cut(ready, " ")
	return c, addr
}

// treeOf returns the processes of pid's tree (pid first), failing unless
// there are want.
func treeOf(t *testing.T, pid, want int) []int {
	t.Helper()
	var s treeSample
	deadline := time.Now().Add(5 * time.Second)
	for {
		var err error
		if s, err = sampleTree(pid); err != nil {
			t.Fatal(err)
		}
		if len(s.procs) == want || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(s.procs) != want {
		t.Fatalf("process tree of %d: %d processes %v, want %d", pid, len(s.procs), s.pids(), want)
	}
	return s.pids()
}

// stopTestServer stops a server child and checks that every process of
// its tree is gone (no orphaned worker).
func stopTestServer(t *testing.T, c *child, pids []int) {
	t.Helper()
	rest, err := c.stop(40 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !slicesContainPrefix(rest, "stopped ") {
		t.Fatalf("no stopped line in %q", rest)
	}
	for _, line := range rest {
		if strings.HasPrefix(line, "stopped ") && !strings.HasSuffix(line, " ok") {
			t.Fatalf("server: %s", line)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range pids {
		for syscall.Kill(pid, 0) == nil {
			if time.Now().After(deadline) {
				t.Fatalf("process %d still runs after its server stopped", pid)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

func slicesContainPrefix(lines []string, prefix string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

// TestHTTPMultiProcess checks the HTTP servers that run as several
// processes: the harness's answer check passes, the tree has the
// parent and its 2 children, and stopping the parent leaves none behind.
func TestHTTPMultiProcess(t *testing.T) {
	for kind, procs := range map[string]int{"plezi-w2": 3, "plezi-w2-p1": 3, "fasthttp-prefork": 3, "plezi-w1": 1} {
		t.Run(kind, func(t *testing.T) {
			c, addr := startTestServer(t, "serve", "-kind", kind)
			pids := treeOf(t, c.pid(), procs)
			for range 3 {
				if _, err := verifyHello(addr); err != nil {
					t.Fatal(err)
				}
			}
			stopTestServer(t, c, pids)
		})
	}
}

// TestClusterBroadcast runs plezi-cluster's broadcast: the connections
// spread over two workers, worker 1 publishes, and every connection gets
// every message in order.
func TestClusterBroadcast(t *testing.T) {
	c, addr := startTestServer(t, "wsserve", "-kind", "plezi-cluster", "-mode", "bcast", "-workers", "2")
	pids := treeOf(t, c.pid(), 3)
	cs, err := wsDialMany(addr, 8, 2, 4, 4096)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, w := range cs {
			w.c.Close()
		}
	}()
	if err := c.send("wait 8 10"); err != nil {
		t.Fatal(err)
	}
	opened, err := c.expect("opened", 15*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_, spread, ok := strings.Cut(opened, "spread=")
	if !ok || len(strings.Split(spread, ",")) != 2 {
		t.Fatalf("opened answer %q: want a spread over 2 workers", opened)
	}
	if err := c.send("bcast 5 32"); err != nil {
		t.Fatal(err)
	}
	sent, err := c.expect("bcast", 15*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sent, "sent=40 errors=0 ") {
		t.Fatalf("bcast answer %q, want sent=40 errors=0", sent)
	}
	for i, w := range cs {
		w.c.SetDeadline(time.Now().Add(10 * time.Second))
		for seq := uint64(1); seq <= 5; seq++ {
			op, p, err := w.readMessage()
			got, ok := parseSeq(p)
			if err != nil || op != opText || len(p) != 32 || !ok || got != seq {
				t.Fatalf("conn %d: opcode %d %q %v; want text message %d", i, op, p, err, seq)
			}
		}
	}
	for _, w := range cs {
		w.c.Close()
	}
	cs = nil
	stopTestServer(t, c, pids)
}

// TestClusterIdleMemory checks a cluster's answers to the idle benchmark's
// commands: counts and memory summed over 3 workers.
func TestClusterIdleMemory(t *testing.T) {
	c, addr := startTestServer(t, "wsserve", "-kind", "plezi-cluster", "-mode", "idle", "-workers", "3")
	pids := treeOf(t, c.pid(), 4)
	cs, err := wsDialMany(addr, 6, 2, 4, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.send("wait 6 10"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.expect("opened", 15*time.Second); err != nil {
		t.Fatal(err)
	}
	m, err := askMem(c)
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS <= 0 || m.HeapInuse <= 0 {
		t.Fatalf("mem %+v", m)
	}
	rss, anon, n, err := treeMemory(c.pid())
	if err != nil || n != 4 || rss <= anon || anon <= 0 {
		t.Fatalf("treeMemory: rss %d anon %d procs %d err %v", rss, anon, n, err)
	}
	for _, w := range cs {
		w.c.Close()
	}
	if err := c.send("waitclosed 6 10"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.expect("closed", 15*time.Second); err != nil {
		t.Fatal(err)
	}
	stopTestServer(t, c, pids)
}

func TestParseStat(t *testing.T) {
	line := "4242 (a b) c)) S 17 4242 4242 0 -1 4194560 100 0 0 0 123 45 6 7 20 0 3 0 1000 1 2 3\n"
	st, err := parseStat([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	if st != (procStat{pid: 4242, ppid: 17, own: 168, reaped: 13}) {
		t.Fatalf("parsed %+v", st)
	}
	for _, bad := range []string{"", "4242 (x S 1 2", "4242 (x) S 1 2 3", "x (y) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16"} {
		if _, err := parseStat([]byte(bad)); err == nil {
			t.Fatalf("%q accepted", bad)
		}
	}
}

// TestSampleTree finds a child and a grandchild of this process.
func TestSampleTree(t *testing.T) {
	cmd := exec.Command("sh", "-c", "sleep 30 & wait")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	}()
	pids := treeOf(t, os.Getpid(), 3)
	if pids[0] != os.Getpid() || pids[1] != cmd.Process.Pid && pids[2] != cmd.Process.Pid {
		t.Fatalf("tree %v: want this process first and the shell %d", pids, cmd.Process.Pid)
	}
}

// TestTreeCountsExitedChild: the CPU of a child that ran and was reaped
// between two samples counts (through this process's cutime and cstime).
func TestTreeCountsExitedChild(t *testing.T) {
	s0, err := sampleTree(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	s1, err := sampleTree(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	child := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	ticks, shares := s1.since(s0)
	if float64(ticks) < child.Seconds()*clkTck-2 || child < 50*time.Millisecond {
		t.Fatalf("tree used %d ticks in the window; the exited child alone %v", ticks, child)
	}
	if len(shares) == 0 || shares[0].pid != os.Getpid() {
		t.Fatalf("shares %v", shares)
	}
}

func TestSince(t *testing.T) {
	s0 := treeSample{root: 1, procs: map[int]procStat{
		1: {pid: 1, own: 10, reaped: 0},
		2: {pid: 2, ppid: 1, own: 100},
		3: {pid: 3, ppid: 1, own: 50}, // exits in the window
	}}
	s1 := treeSample{root: 1, procs: map[int]procStat{
		1: {pid: 1, own: 11, reaped: 70}, // 3 reaped: it ended at 70
		2: {pid: 2, ppid: 1, own: 130},
		4: {pid: 4, ppid: 1, own: 5}, // started in the window
	}}
	ticks, shares := s1.since(s0)
	// 1 used 1, 2 used 30, 3 used 20 before it exited, 4 used 5.
	if ticks != 56 {
		t.Fatalf("ticks %d, want 56", ticks)
	}
	if got := fmtShares(shares); got != "1:21,2:30,4:5" {
		t.Fatalf("shares %s", got)
	}
	back, err := parseShares(fmtShares(shares))
	if err != nil || fmt.Sprint(back) != fmt.Sprint(shares) {
		t.Fatalf("parseShares: %v %v", back, err)
	}
	if _, err := parseShares("1:2,x"); err == nil {
		t.Fatal("bad shares accepted")
	}
	if got := sharesNote(shares, 1); got != "0.21 + 0.30 + 0.05" {
		t.Fatalf("sharesNote %q", got)
	}
}
