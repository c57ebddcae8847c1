//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	gws "github.com/gorilla/websocket"
	"github.com/plezi-go/plezi/internal/proctest"
)

// TestDemoWorkers: "plezi -w 2 -t 2" runs a master and two worker processes
// (each with two handler goroutines);
// the chat works for clients spread over them (pub/sub through the
// master); -pid names the master; SIGTERM stops everything with status 0
// and removes the PID file.
func TestDemoWorkers(t *testing.T) {
	bin := build(t)
	pidFile := filepath.Join(t.TempDir(), "plezi.pid")
	cmd, base := startCmd(t, bin, "-w", "2", "-t", "2", "-p", "0", "-b", "127.0.0.1", "-pid", pidFile)
	master := cmd.Process.Pid
	if b, err := os.ReadFile(pidFile); err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(master) {
		t.Fatalf("PID file %q %v, want %d", b, err, master)
	}
	clients := make([]*gws.Conn, 6)
	for i := range clients {
		clients[i] = dial(t, base)
	}
	if kids := proctest.Children(master); len(kids) != 2 {
		t.Fatalf("worker processes %v, want 2", kids)
	}
	// A worker tells the master about a new channel over its link when
	// the client connects; give those frames a moment to beat the chat
	// message coming through another worker.
	time.Sleep(100 * time.Millisecond)
	clients[0].WriteJSON(map[string]string{"event": "chat", "name": "W", "text": "to every worker"})
	for _, c := range clients {
		awaitChat(t, c, "W", "to every worker")
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the master did not stop")
	}
	if kids := proctest.Children(master); len(kids) != 0 {
		t.Errorf("processes left: %v", kids)
	}
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Errorf("PID file left: %v", err)
	}
}
