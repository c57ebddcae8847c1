//go:build linux

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if os.Getenv(testChildEnv) == "1" {
		// A server the tests started (cluster_test.go), or its worker.
		main()
		os.Exit(0)
	}
	goleak.VerifyTestMain(m,
		// nbio starts a package-level task pool when its websocket
		// package is initialized (created in goroutine 1); it never ends.
		goleak.IgnoreAnyFunction("github.com/lesismal/nbio/taskpool.New.func3"),
	)
}

func TestFanOut(t *testing.T) {
	conns := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	var mu sync.Mutex
	got := map[int][]int{}
	send := func(c, m int) error {
		if c == 3 {
			return errors.New("closed")
		}
		mu.Lock()
		got[c] = append(got[c], m)
		mu.Unlock()
		return nil
	}
	prepared := 0
	prepare := func(i int) (int, error) { prepared++; return 100 + i, nil }
	for _, par := range []int{1, 3, 10, 50} {
		clear(got)
		prepared = 0
		sent, errs := fanOut(conns, 5, par, prepare, send)
		if sent != 45 || errs != 5 || prepared != 5 {
			t.Fatalf("par %d: sent %d errors %d prepared %d; want 45, 5, 5", par, sent, errs, prepared)
		}
		for _, c := range conns {
			want := []int{100, 101, 102, 103, 104}
			if c == 3 {
				want = nil
			}
			if fmt.Sprint(got[c]) != fmt.Sprint(want) {
				t.Fatalf("par %d: conn %d got %v, want %v", par, c, got[c], want)
			}
		}
	}
}

func TestFanOutStopsOnPrepareError(t *testing.T) {
	sent, errs := fanOut([]int{1, 2}, 5, 2, func(i int) (int, error) {
		if i == 2 {
			return 0, errors.New("bad message")
		}
		return i, nil
	}, func(int, int) error { return nil })
	if sent != 4 || errs != 1 {
		t.Fatalf("sent %d errors %d; want 4 and 1", sent, errs)
	}
}

func TestConnSet(t *testing.T) {
	s := newConnSet[int]()
	for i := range 5 {
		s.add(i)
	}
	s.remove(2)
	s.remove(7)
	l := s.list()
	sort.Ints(l)
	if fmt.Sprint(l) != "[0 1 3 4]" {
		t.Fatalf("list %v", l)
	}
}

func TestParseWSResult(t *testing.T) {
	r, err := parseWSResult("rts", "rts=1000 wall=2 ticks=50 cticks=40 busy=100 errors=0")
	if err != nil {
		t.Fatal(err)
	}
	if r.msgs != 1000 || r.perCPU() != 2000 || r.perSec() != 500 || r.cliCPU != 0.4 || r.other != 0.1 {
		t.Fatalf("parsed %+v", r)
	}
	r, err = parseWSResult("deliveries", "deliveries=10 wall=1 ticks=50 cticks=40 busy=100 errors=0 split=7:1,8:30,9:19")
	if err != nil || fmt.Sprint(r.shares) != "[{7 1} {8 30} {9 19}]" {
		t.Fatalf("parsed %+v, %v", r, err)
	}
	for _, bad := range []string{
		"rts=1000 wall=2 ticks=50 cticks=40 busy=100 errors=0 split=7:x",
		"rts=1000 wall=2 ticks=50 cticks=40 busy=100 errors=3",
		"rts=1000 wall=2 ticks=0 cticks=40 busy=100 errors=0",
		"rts=0 wall=2 ticks=5 cticks=40 busy=100 errors=0",
		"deliveries=1000 wall=2 ticks=50 cticks=40 busy=100 errors=0",
	} {
		if _, err := parseWSResult("rts", bad); err == nil {
			t.Fatalf("%q accepted", bad)
		}
	}
}

// waitCount polls until ctr reaches n.
func waitCount(t *testing.T, what string, get func() int64, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for get() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d of %d after 10s", what, get(), n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// startWS starts a server of kind in this process for the test.
func startWS(t *testing.T, kind string, cfg wsConfig) *wsServer {
	t.Helper()
	srv, err := wsKinds[kind](cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return srv
}

// dialWS opens n connections to srv and closes them when the test ends.
func dialWS(t *testing.T, srv *wsServer, n int) []*wsConn {
	t.Helper()
	cs, err := wsDialMany(srv.addr, n, 2, 4, 4096)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, c := range cs {
			c.c.Close()
		}
	})
	for _, c := range cs {
		c.c.SetDeadline(time.Now().Add(10 * time.Second))
	}
	return cs
}

// testKinds are the servers of this build. Under the race detector the
// nbio servers are left out: nbio v1.6.8 races inside itself (its accept
// goroutine writes the nbhttp.Conn, nbhttp/engine.go:340, while a poller
// reads it, processor.go:230); the tests without -race cover them.
func testKinds() []string {
	var ks []string
	for _, k := range wsKindOrder {
		// The cluster servers run in processes of their own (cluster_test.go).
		if _, ok := wsKinds[k]; ok && !(raceEnabled && strings.HasPrefix(k, "nbio")) && !isClusterWS(k) {
			ks = append(ks, k)
		}
	}
	return ks
}

// TestServersEcho runs every server of this build in echo mode on
// loopback with the load client's codec: text and binary messages come
// back unchanged, and the open and close counters move.
func TestServersEcho(t *testing.T) {
	for _, kind := range testKinds() {
		t.Run(kind, func(t *testing.T) {
			o0, c0 := opened.Load(), closed.Load()
			srv := startWS(t, kind, wsConfig{mode: "echo"})
			cs := dialWS(t, srv, 3)
			waitCount(t, "opened", opened.Load, o0+3)
			out := make([]byte, 300+maxClientHeader)
			for i, c := range cs {
				for j, op := range []byte{opText, opBinary, opText} {
					msg := bytes.Repeat([]byte{byte('a' + i + j)}, 10+100*j)
					n := putClientFrame(out, op, msg, c.rng.next())
					if _, err := c.c.Write(out[:n]); err != nil {
						t.Fatal(err)
					}
					gotOp, p, err := c.readMessage()
					if err != nil || gotOp != op || !bytes.Equal(p, msg) {
						t.Fatalf("conn %d message %d: opcode %d %q %v; want opcode %d %q", i, j, gotOp, p, err, op, msg)
					}
				}
			}
			for _, c := range cs {
				c.c.Close()
			}
			waitCount(t, "closed", closed.Load, c0+3)
		})
	}
}

// TestServersBroadcast runs every server of this build in broadcast
// mode: each connection receives every message once, in order, with the
// right type and size.
func TestServersBroadcast(t *testing.T) {
	for _, kind := range testKinds() {
		for _, text := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/text=%v", kind, text), func(t *testing.T) {
				o0 := opened.Load()
				srv := startWS(t, kind, wsConfig{mode: "bcast", text: text, par: 2})
				cs := dialWS(t, srv, 5)
				waitCount(t, "opened", opened.Load, o0+5)
				sent, errs := srv.broadcast(1, 20, 32)
				if sent != 100 || errs != 0 {
					t.Fatalf("broadcast: sent %d errors %d; want 100, 0", sent, errs)
				}
				sent, errs = srv.broadcast(21, 5, 40)
				if sent != 25 || errs != 0 {
					t.Fatalf("second broadcast: sent %d errors %d; want 25, 0", sent, errs)
				}
				wantOp := byte(opBinary)
				if text {
					wantOp = opText
				}
				for i, c := range cs {
					for seq := uint64(1); seq <= 25; seq++ {
						op, p, err := c.readMessage()
						if err != nil {
							t.Fatalf("conn %d, message %d: %v", i, seq, err)
						}
						got, ok := parseSeq(p)
						size := 32
						if seq > 20 {
							size = 40
						}
						if op != wantOp || len(p) != size || !ok || got != seq {
							t.Fatalf("conn %d: got opcode %d %q; want opcode %d, %d bytes, sequence %d", i, op, p, wantOp, size, seq)
						}
					}
				}
			})
		}
	}
}

// TestServersIdle checks that idle servers hold connections, count
// them, and offer no broadcast (they keep no connection set).
func TestServersIdle(t *testing.T) {
	for _, kind := range testKinds() {
		t.Run(kind, func(t *testing.T) {
			o0, c0 := opened.Load(), closed.Load()
			srv := startWS(t, kind, wsConfig{mode: "idle"})
			if srv.broadcast != nil {
				t.Fatal("idle server has a broadcast")
			}
			cs := dialWS(t, srv, 4)
			waitCount(t, "opened", opened.Load, o0+4)
			for _, c := range cs {
				c.c.Close()
			}
			waitCount(t, "closed", closed.Load, c0+4)
		})
	}
}

func TestCheckWSKinds(t *testing.T) {
	if err := checkWSKinds([]string{"gorilla", "nbio"}); err != nil {
		t.Fatal(err)
	}
	if err := checkWSKinds([]string{"nope"}); err == nil {
		t.Fatal("unknown server accepted")
	}
}
