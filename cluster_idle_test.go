//go:build linux

package plezi_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The idle test's client processes: the test binary again, with
// clientEnv set to "address count first-source-index".
const clientEnv = "PLEZI_TEST_WSCLIENT"

// TestClusterThirtyThousandIdle: 30,000 concurrent idle WebSocket
// connections held by three worker processes (past the 20,000
// descriptors one process may have here), from three client processes
// spread over the source addresses 127.0.0.2-127.0.0.9. Every connection
// is upgraded and greeted by a worker; the total RSS is reported.
func TestClusterThirtyThousandIdle(t *testing.T) {
	const clients, perClient = 3, 10000
	c := startCluster(t, 3)
	master := c.cmd.Process.Pid
	workers := children(master)
	rssBefore := treeRSS(master)
	type report struct {
		Held  int
		ByPID map[string]int
		Err   string
	}
	reports := make([]report, clients)
	stdins := make([]io.WriteCloser, clients)
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), clientEnv+"="+c.addr+" "+strconv.Itoa(perClient)+" "+strconv.Itoa(i))
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		stdins[i] = stdin
		t.Cleanup(func() { stdin.Close(); cmd.Process.Kill(); cmd.Wait() })
		wg.Add(1)
		go func() {
			defer wg.Done()
			line, err := bufio.NewReader(stdout).ReadBytes('\n')
			if err != nil {
				reports[i].Err = "client exited: " + err.Error()
				return
			}
			if err := json.Unmarshal(line, &reports[i]); err != nil {
				reports[i].Err = err.Error()
			}
		}()
	}
	wg.Wait()
	held, byPID := 0, map[string]int{}
	for i, r := range reports {
		if r.Err != "" {
			t.Errorf("client %d: %s", i, r.Err)
		}
		held += r.Held
		for pid, n := range r.ByPID {
			byPID[pid] += n
		}
	}
	rss := treeRSS(master)
	t.Logf("held %d idle WebSocket connections; per worker %v (workers %v); RSS of master + workers %.1f MiB, of which the master %.1f MiB (%.1f MiB before: %.0f bytes per connection)",
		held, byPID, workers, float64(rss)/(1<<20), float64(rssOf(master))/(1<<20), float64(rssBefore)/(1<<20), float64(rss-rssBefore)/float64(max(held, 1)))
	if raceEnabled {
		t.Log("(the race detector is on: memory figures are inflated)")
	}
	if held != clients*perClient {
		t.Fatalf("held %d connections, want %d", held, clients*perClient)
	}
	for pid := range byPID {
		p, _ := strconv.Atoi(pid)
		if !contains(workers, p) {
			t.Errorf("pid %s greeted connections but is not a worker (%v)", pid, workers)
		}
	}
	for _, s := range stdins {
		s.Close()
	}
}

// treeRSS returns the resident memory of pid and its children.
func treeRSS(pid int) int64 {
	total := rssOf(pid)
	for _, k := range children(pid) {
		total += rssOf(k)
	}
	return total
}

func rssOf(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// idleClient is a client process's main: it opens count WebSocket
// connections to /hall from source addresses 127.0.0.2-127.0.0.9,
// reads each greeting ("pid N"), reports on stdout, and holds the
// connections until its standard input closes.
func idleClient(spec string) int {
	var addr string
	var count, index int
	if _, err := fmt.Sscan(spec, &addr, &count, &index); err != nil {
		fmt.Fprintln(os.Stderr, "client spec:", err)
		return 2
	}
	var mu sync.Mutex
	var conns []net.Conn
	byPID := map[string]int{}
	var firstErr error
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				src := &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+(index*count+i)%8))}
				c, pid, err := openIdle(addr, src)
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
				} else {
					conns = append(conns, c)
					byPID[pid]++
				}
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < count; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	r := map[string]any{"Held": len(conns), "ByPID": byPID}
	if firstErr != nil {
		r["Err"] = firstErr.Error()
	}
	b, _ := json.Marshal(r)
	os.Stdout.Write(append(b, '\n'))
	io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		c.Close()
	}
	return 0
}

// openIdle upgrades one connection and reads its greeting.
func openIdle(addr string, src *net.TCPAddr) (net.Conn, string, error) {
	d := net.Dialer{LocalAddr: src, Timeout: 10 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, "", err
	}
	c.SetDeadline(time.Now().Add(30 * time.Second))
	io.WriteString(c, "GET /hall HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	r := bufio.NewReaderSize(c, 512)
	status, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(status, "HTTP/1.1 101") {
		c.Close()
		return nil, "", fmt.Errorf("handshake: %q %v", status, err)
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			c.Close()
			return nil, "", err
		}
		if line == "\r\n" {
			break
		}
	}
	// The greeting: an unmasked text frame "pid N" under 126 bytes.
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil || h[0] != 0x81 || h[1] >= 126 {
		c.Close()
		return nil, "", fmt.Errorf("greeting frame % x: %v", h, err)
	}
	msg := make([]byte, h[1])
	if _, err := io.ReadFull(r, msg); err != nil || !bytes.HasPrefix(msg, []byte("pid ")) {
		c.Close()
		return nil, "", fmt.Errorf("greeting %q: %v", msg, err)
	}
	c.SetDeadline(time.Time{})
	return c, string(msg[4:]), nil
}
