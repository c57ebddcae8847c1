//go:build linux

package plezi_test

import (
	"bufio"
	"encoding/json"
	"github.com/plezi-go/plezi/internal/proctest"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
)

// TestClusterThirtyThousandIdle: 30,000 concurrent idle WebSocket
// connections held by three worker processes (past the 20,000
// descriptors one process may have here), from three client processes
// spread over the source addresses 127.0.0.2-127.0.0.9. Every connection
// is upgraded and greeted by a worker; the total RSS is reported.
func TestClusterThirtyThousandIdle(t *testing.T) {
	const clients, perClient = 3, 10000
	c := startCluster(t, 3)
	master := c.cmd.Process.Pid
	workers := proctest.Children(master)
	rssBefore := proctest.TreeRSS(master)
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
	rss := proctest.TreeRSS(master)
	t.Logf("held %d idle WebSocket connections; per worker %v (workers %v); RSS of master + workers %.1f MiB, of which the master %.1f MiB (%.1f MiB before: %.0f bytes per connection)",
		held, byPID, workers, float64(rss)/(1<<20), float64(proctest.RSS(master))/(1<<20), float64(rssBefore)/(1<<20), float64(rss-rssBefore)/float64(max(held, 1)))
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
