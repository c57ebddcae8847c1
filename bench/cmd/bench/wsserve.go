//go:build linux

package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"github.com/plezi-go/plezi/pubsub"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// wsConfig is what a WebSocket server of the ws benchmarks is asked to do.
type wsConfig struct {
	mode string // idle (hold connections), echo (write each message back) or bcast
	text bool   // bcast: send text messages (else binary)
	par  int    // bcast: goroutines writing to the connections (shards)
	// workers is the worker processes of the cluster servers.
	workers int
}

// wsServer is a WebSocket server running in this process.
type wsServer struct {
	addr string
	stop func() error
	// broadcast sends n messages of size bytes, with sequence numbers
	// first, first+1, ..., to every connection open when it starts, and
	// returns once they are sent or queued (as the server's idiom does).
	// It is nil unless the mode is bcast.
	broadcast func(first uint64, n, size int) (sent, errs int64)
	broker    *pubsub.Broker // plezi's pub/sub servers: the Broker broadcasts go through
	// command answers the stdin commands the server handles itself (a
	// cluster master: wait, waitclosed and mem sum over its workers) and
	// reports whether it did; nil: serveCommand answers them all.
	command func(f []string) bool
}

// wsKinds are the WebSocket servers by name.
var wsKinds = map[string]func(wsConfig) (*wsServer, error){
	"plezi":         func(cfg wsConfig) (*wsServer, error) { return servePleziWS(cfg, false) },
	"plezi-adapter": func(cfg wsConfig) (*wsServer, error) { return servePleziWS(cfg, true) },
	"plezi-pubsub":  servePleziPubSub,
	"plezi-redis":   servePleziRedis,
	"gorilla":       func(cfg wsConfig) (*wsServer, error) { return serveGorilla(cfg, false) },
	"gorilla-mutex": func(cfg wsConfig) (*wsServer, error) { return serveGorilla(cfg, true) },
	"nbio":          func(cfg wsConfig) (*wsServer, error) { return serveNbioWS(cfg, false) },
	"nbio-mixed":    func(cfg wsConfig) (*wsServer, error) { return serveNbioWS(cfg, true) },
	// Worker processes (package cluster), pub/sub through the master.
	"plezi-cluster":    func(cfg wsConfig) (*wsServer, error) { return servePleziClusterWS(cfg, 0) },
	"plezi-cluster-p1": func(cfg wsConfig) (*wsServer, error) { return servePleziClusterWS(cfg, 1) },
}

// wsKindOrder lists every WebSocket server name, plezi's first.
var wsKindOrder = []string{"plezi", "plezi-adapter", "plezi-pubsub", "plezi-cluster", "plezi-cluster-p1", "gorilla", "gorilla-mutex", "nbio", "nbio-mixed"}

// wsLabels names the WebSocket servers in tables.
var wsLabels = map[string]string{
	"plezi":            "plezi websocket (httpd Native + UpgradeCtx, Threads 0)",
	"plezi-adapter":    "plezi websocket (httpd net/http adapter + Upgrade, Threads 0)",
	"plezi-pubsub":     "plezi websocket + pubsub.Broker.Publish (process engine)",
	"plezi-redis":      "plezi websocket + pubsub.Broker.Publish (Redis engine)",
	"plezi-cluster":    "plezi websocket, cluster worker processes (GOMAXPROCS 2 each; broadcast: pubsub, cluster engine, worker 1 publishes)",
	"plezi-cluster-p1": "plezi websocket, cluster worker processes (GOMAXPROCS 1 each; broadcast: pubsub, cluster engine, worker 1 publishes)",
	"gorilla":          "gorilla/websocket v1.5.3 (net/http, goroutine per conn)",
	"gorilla-mutex":    "gorilla/websocket v1.5.3 (net/http, broadcast under a per-conn mutex)",
	"nbio":             "nbio v1.6.8 websocket (IOModNonBlocking)",
	"nbio-mixed":       "nbio v1.6.8 websocket (IOModMixed)",
}

func wsLabel(name string) string {
	if l, ok := wsLabels[name]; ok {
		return l
	}
	return name
}

// checkWSKinds reports a name that is not a WebSocket server.
func checkWSKinds(names []string) error {
	for _, n := range names {
		if _, ok := wsKinds[n]; !ok {
			return fmt.Errorf("unknown server %q (have %s)", n, strings.Join(wsKindOrder, ", "))
		}
	}
	return nil
}

// runWSServe is the wsserve subcommand: one WebSocket server in this
// process, driven by the harness over stdin/stdout like serve (ready,
// mem, wait, waitclosed, stopped), plus
//
//	bcast N SIZE -> "bcast sent=... errors=... took=..." once N messages
//	                of SIZE bytes went to every connection
func runWSServe(args []string) error {
	fs := flag.NewFlagSet("wsserve", flag.ExitOnError)
	kind := fs.String("kind", "gorilla", "server: "+strings.Join(wsKindOrder, ", "))
	mode := fs.String("mode", "echo", "idle, echo or bcast")
	binary := fs.Bool("binary", false, "bcast: binary messages (default text)")
	par := fs.Int("par", 0, "bcast: goroutines writing to the connections (0: GOMAXPROCS)")
	workers := fs.Int("workers", 2, "plezi-cluster: worker processes (1: a single process)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	memprofile := fs.String("memprofile", "", "write an allocation profile (allocs) to this file when the server stops")
	maxLife := fs.Duration("max", 10*time.Minute, "exit after this long whatever happens")
	fs.Parse(args)
	if !slices.Contains([]string{"idle", "echo", "bcast"}, *mode) {
		return fmt.Errorf("unknown -mode %q", *mode)
	}
	if err := checkWSKinds([]string{*kind}); err != nil {
		return err
	}
	time.AfterFunc(*maxLife, func() {
		fmt.Fprintf(os.Stderr, "wsserve: exceeded -max %v; exiting\n", *maxLife)
		os.Exit(3)
	})
	if sfx := childSuffix(*kind, *workers); sfx != "" {
		*cpuprofile, *memprofile = addSuffix(*cpuprofile, sfx), addSuffix(*memprofile, sfx)
	}
	stopProfile, err := startCPUProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stopProfile()
	cfg := wsConfig{mode: *mode, text: !*binary, par: *par, workers: *workers}
	if cfg.par <= 0 {
		cfg.par = runtime.GOMAXPROCS(0)
	}
	srv, err := wsKinds[*kind](cfg)
	if errors.Is(err, errChildDone) {
		return childDone(*memprofile)
	}
	if err != nil {
		return err
	}
	fmt.Printf("ready %s %d\n", srv.addr, os.Getpid())

	seq := uint64(1)
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 0:
		case f[0] == "bcast":
			seq = bcastCommand(srv, f[1:], seq)
		case srv.command != nil && srv.command(f):
		default:
			serveCommand(f)
		}
	}
	t0 := time.Now()
	err = srv.stop()
	status := "ok"
	if err != nil {
		status = "error: " + err.Error()
	}
	if *memprofile != "" {
		if err := writeAllocProfile(*memprofile); err != nil {
			status += "; memprofile: " + err.Error()
		}
	}
	fmt.Printf("stopped %v %s\n", since(t0), status)
	return nil
}

// bcastCommand runs "bcast N SIZE" with sequence numbers from seq and
// returns the next sequence number.
func bcastCommand(srv *wsServer, args []string, seq uint64) uint64 {
	if srv.broadcast == nil {
		fmt.Println("error bcast: the server was not started with -mode bcast")
		return seq
	}
	n, size, err := twoInts(args)
	if err != nil || n < 1 || size < seqDigits {
		fmt.Printf("error bcast: want N >= 1 and SIZE >= %d\n", seqDigits)
		return seq
	}
	t0 := time.Now()
	sent, errs := srv.broadcast(seq, int(n), size)
	fmt.Printf("bcast sent=%d errors=%d took=%v\n", sent, errs, since(t0))
	return seq + uint64(n)
}

// connSet is the set of a server's open connections, for broadcasts.
type connSet[C comparable] struct {
	mu sync.Mutex
	m  map[C]struct{}
}

func newConnSet[C comparable]() *connSet[C] { return &connSet[C]{m: map[C]struct{}{}} }

func (s *connSet[C]) add(c C) {
	s.mu.Lock()
	s.m[c] = struct{}{}
	s.mu.Unlock()
}

func (s *connSet[C]) remove(c C) {
	s.mu.Lock()
	delete(s.m, c)
	s.mu.Unlock()
}

// list returns the connections open now.
func (s *connSet[C]) list() []C {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]C, 0, len(s.m))
	for c := range s.m {
		out = append(out, c)
	}
	return out
}

// fanOut is the broadcast loop every server shares: par goroutines each
// own a contiguous shard of conns. For each of n messages the caller's
// goroutine calls prepare once (the frame is encoded once where the
// library allows it) and hands the result to every shard through a
// bounded channel (16 messages; the preparer blocks when a shard is that
// far behind); each shard sends it to its connections in order, so every
// connection gets the messages in sequence.
func fanOut[C, M any](conns []C, n, par int, prepare func(i int) (M, error), send func(C, M) error) (sent, errs int64) {
	par = max(1, min(par, len(conns)))
	type tally struct{ sent, errs int64 }
	tallies := make([]tally, par)
	chans := make([]chan M, par)
	var wg sync.WaitGroup
	for j := range par {
		chans[j] = make(chan M, 16)
		shard := conns[j*len(conns)/par : (j+1)*len(conns)/par]
		wg.Add(1)
		go func() {
			defer wg.Done()
			var t tally
			for m := range chans[j] {
				for _, c := range shard {
					if err := send(c, m); err != nil {
						t.errs++
					} else {
						t.sent++
					}
				}
			}
			tallies[j] = t
		}()
	}
	for i := range n {
		m, err := prepare(i)
		if err != nil {
			fmt.Fprintf(os.Stderr, "wsserve: preparing message %d: %v\n", i, err)
			errs++
			break
		}
		for _, ch := range chans {
			ch <- m
		}
	}
	for _, ch := range chans {
		close(ch)
	}
	wg.Wait()
	for _, t := range tallies {
		sent += t.sent
		errs += t.errs
	}
	return sent, errs
}
