//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/plezi-go/plezi/cluster"
	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/pubsub"
)

// The harness drives a cluster server through its master's stdin and
// stdout, as every other server. The master runs no application code, so
// what needs a worker (the broadcast, counts of connections, memory) goes
// to the workers over the cluster's own pub/sub link:
//
//   - master → workers: the master is the cluster's Upstream (ctlMaster);
//     every worker subscribes to ctlChannel, which the router reports to
//     the Upstream with the function that delivers to those workers;
//   - workers → master: a worker's remote-scope publication
//     (Bus.PublishRemote) goes to the master's Upstream.
//
// A command is "SEQ VERB ARGS..."; every worker answers "SEQ PID ID TEXT".
const (
	ctlChannel = "bench.ctl"
	upChannel  = "bench.up"
)

// ctlReply is one worker's answer.
type ctlReply struct {
	pid, id int // process, worker number
	text    string
}

// ctlMaster is the master's end: the cluster.Upstream that hears the
// workers.
type ctlMaster struct {
	mu      sync.Mutex
	deliver func(channel string, data []byte, pattern string)
	replies map[int][]ctlReply // by command number; 0: "ready"
	wake    chan struct{}
	seq     int
}

var _ cluster.Upstream = (*ctlMaster)(nil)

func newCtlMaster() *ctlMaster {
	return &ctlMaster{replies: map[int][]ctlReply{}, wake: make(chan struct{}, 1)}
}

// Publish receives a worker's answer.
func (m *ctlMaster) Publish(channel string, data []byte) error {
	if channel != upChannel {
		return nil
	}
	f := strings.SplitN(string(data), " ", 4)
	if len(f) != 4 {
		return fmt.Errorf("bad answer %q", data)
	}
	seq, err1 := strconv.Atoi(f[0])
	pid, err2 := strconv.Atoi(f[1])
	id, err3 := strconv.Atoi(f[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return fmt.Errorf("bad answer %q", data)
	}
	m.mu.Lock()
	m.replies[seq] = append(m.replies[seq], ctlReply{pid, id, f[3]})
	m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
	return nil
}

// Subscribe keeps the function that reaches the workers on ctlChannel.
func (m *ctlMaster) Subscribe(name string, pattern bool, deliver func(string, []byte, string)) error {
	if name == ctlChannel && !pattern {
		m.mu.Lock()
		m.deliver = deliver
		m.mu.Unlock()
	}
	return nil
}

func (m *ctlMaster) Unsubscribe(string, bool) {}

// collect waits until n answers to command seq arrived (sorted by worker
// number), or fails after d.
func (m *ctlMaster) collect(seq, n int, d time.Duration) ([]ctlReply, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		m.mu.Lock()
		rs := m.replies[seq]
		if len(rs) >= n {
			delete(m.replies, seq)
		}
		m.mu.Unlock()
		if len(rs) >= n {
			rs = slices.Clone(rs)
			slices.SortFunc(rs, func(a, b ctlReply) int { return a.id - b.id })
			return rs, nil
		}
		select {
		case <-m.wake:
		case <-t.C:
			return nil, fmt.Errorf("cluster: %d of %d workers answered within %v", len(rs), n, d)
		}
	}
}

// ask sends a command to every worker and returns their n answers.
func (m *ctlMaster) ask(n int, d time.Duration, verb string, args ...any) ([]ctlReply, error) {
	m.mu.Lock()
	m.seq++
	seq, deliver := m.seq, m.deliver
	m.mu.Unlock()
	if deliver == nil {
		return nil, errors.New("cluster: no worker listens for commands")
	}
	cmd := strconv.Itoa(seq) + " " + verb
	for _, a := range args {
		cmd += " " + fmt.Sprint(a)
	}
	deliver(ctlChannel, []byte(cmd), "")
	return m.collect(seq, n, d)
}

// clusterMaster is a running master: Run on its goroutine, workers
// ready.
type clusterMaster struct {
	cl      *cluster.Cluster
	ctl     *ctlMaster
	n       int
	runErr  chan error
	workers []ctlReply // the "ready" answers: worker processes
}

// startMaster runs cl's master and waits until its n workers serve.
func startMaster(cl *cluster.Cluster, ctl *ctlMaster, n int) (*clusterMaster, error) {
	m := &clusterMaster{cl: cl, ctl: ctl, n: n, runErr: make(chan error, 1)}
	go func() { m.runErr <- cl.Run() }()
	ready := make(chan error, 1)
	go func() {
		var err error
		m.workers, err = ctl.collect(0, n, 30*time.Second)
		ready <- err
	}()
	select {
	case err := <-ready:
		if err != nil {
			m.stop()
			return nil, err
		}
		return m, nil
	case err := <-m.runErr:
		return nil, fmt.Errorf("cluster Run returned before the workers served: %v", err)
	}
}

// stop stops the workers (gracefully, SIGTERM) and waits for Run.
func (m *clusterMaster) stop() error {
	m.cl.Stop()
	select {
	case err := <-m.runErr:
		return err
	case <-time.After(40 * time.Second):
		return errors.New("cluster Run did not return within 40s of Stop")
	}
}

// ask sends a command to every worker and returns their answers.
func (m *clusterMaster) ask(d time.Duration, verb string, args ...any) ([]ctlReply, error) {
	return m.ctl.ask(m.n, d, verb, args...)
}

// counts returns the workers' opened and closed counters (sum) and the
// opened count of each.
func (m *clusterMaster) counts() (opened, closed int64, per []ctlReply, err error) {
	rs, err := m.ask(10*time.Second, "count")
	if err != nil {
		return 0, 0, nil, err
	}
	for _, r := range rs {
		var o, c, s int64
		if _, err := fmt.Sscanf(r.text, "opened=%d closed=%d subs=%d", &o, &c, &s); err != nil {
			return 0, 0, nil, fmt.Errorf("bad count answer %q", r.text)
		}
		opened += o
		closed += c
	}
	return opened, closed, rs, nil
}

// spread formats each worker's opened connections: "PID:N,PID:N".
func spread(per []ctlReply) string {
	var s []string
	for _, r := range per {
		var o int64
		fmt.Sscanf(r.text, "opened=%d", &o)
		s = append(s, fmt.Sprintf("%d:%d", r.pid, o))
	}
	return strings.Join(s, ",")
}

// command answers the wsserve commands that need the workers: "wait N
// SECS" and "waitclosed N SECS" (sums over the workers; the answer adds
// "spread=PID:OPENED,..."), and "mem" (the master's snapshot plus every
// worker's, summed; "workers=PID:RSS:OPENED,..."). It reports whether it
// handled f.
func (m *clusterMaster) command(f []string) bool {
	switch f[0] {
	case "wait", "waitclosed":
		n, secs, err := twoInts(f[1:])
		if err != nil {
			fmt.Printf("error %s: %v\n", f[0], err)
			return true
		}
		label := "opened"
		if f[0] == "waitclosed" {
			label = "closed"
		}
		deadline := time.Now().Add(time.Duration(secs) * time.Second)
		for {
			o, c, per, err := m.counts()
			if err != nil {
				fmt.Printf("error %s: %v\n", f[0], err)
				return true
			}
			got := o
			if f[0] == "waitclosed" {
				got = c
			}
			if got >= n {
				fmt.Printf("%s %d spread=%s\n", label, got, spread(per))
				return true
			}
			if time.Now().After(deadline) {
				fmt.Printf("error %s: %d of %d after %ds\n", label, got, n, secs)
				return true
			}
			time.Sleep(20 * time.Millisecond)
		}
	case "mem":
		total, err := snapshot()
		if err != nil {
			fmt.Printf("error %v\n", err)
			return true
		}
		rs, err := m.ask(60*time.Second, "mem")
		if err != nil {
			fmt.Printf("error %v\n", err)
			return true
		}
		var opened, closed int64
		var per []string
		for _, r := range rs {
			w, err := parseMem(r.text)
			if err != nil {
				fmt.Printf("error bad mem answer %q\n", r.text)
				return true
			}
			var o, c int64
			if _, rest, ok := strings.Cut(r.text, " opened="); ok {
				fmt.Sscanf("opened="+rest, "opened=%d closed=%d", &o, &c)
			}
			opened, closed = opened+o, closed+c
			total.RSS += w.RSS
			total.HeapInuse += w.HeapInuse
			total.HeapAlloc += w.HeapAlloc
			total.Stack += w.Stack
			total.Sys += w.Sys
			total.Gs += w.Gs
			per = append(per, fmt.Sprintf("%d:%d:%d", r.pid, w.RSS, o))
		}
		fmt.Printf("mem %s opened=%d closed=%d workers=%s\n", total, opened, closed, strings.Join(per, ","))
		return true
	}
	return false
}

// ctlWorker is a worker's end: it answers the master's commands.
type ctlWorker struct {
	cl     *cluster.Cluster
	broker *pubsub.Broker
	// handle answers verbs beyond count and mem ("" when unknown).
	handle func(verb string, args []string) string
}

// listen subscribes to the master's commands on w.broker, whose engine
// must be the cluster's (cluster.Engines).
func (w *ctlWorker) listen() error {
	_, err := w.broker.Subscribe(pubsub.Sub{Channel: ctlChannel, Handler: w.command})
	return err
}

// answer sends TEXT for command seq to the master.
func (w *ctlWorker) answer(seq, text string) {
	msg := seq + " " + strconv.Itoa(os.Getpid()) + " " + strconv.Itoa(w.cl.WorkerID()) + " " + text
	if bus := w.cl.Bus(); bus != nil {
		bus.PublishRemote(upChannel, []byte(msg))
	}
}

// ready tells the master that this worker serves and listens.
func (w *ctlWorker) ready() { w.answer("0", "ready") }

func (w *ctlWorker) command(m *pubsub.Message) {
	f := strings.Fields(string(m.Data))
	if len(f) < 2 {
		return
	}
	seq, verb, args := f[0], f[1], f[2:]
	switch verb {
	case "count":
		w.answer(seq, fmt.Sprintf("opened=%d closed=%d subs=%d", opened.Load(), closed.Load(), w.broker.Stats().Subscriptions))
	case "mem":
		s, err := snapshot()
		if err != nil {
			w.answer(seq, "error "+err.Error())
			return
		}
		w.answer(seq, fmt.Sprintf("%s opened=%d closed=%d", s, opened.Load(), closed.Load()))
	default:
		text := ""
		if w.handle != nil {
			text = w.handle(verb, args)
		}
		if text == "" {
			text = "error unknown command " + verb
		}
		w.answer(seq, text)
	}
}

// errChildDone: this process was a worker (or prefork child) that has
// served and stopped; it prints nothing for the harness.
var errChildDone = errors.New("child process done")

// runWorker serves as a cluster worker until the master stops it
// (SIGTERM) or goes away: listen adds the server to the engine; broker
// (nil: a broker of its own) carries the commands. procs > 0 sets this
// worker's GOMAXPROCS (and so its engine's loops).
func runWorker(cl *cluster.Cluster, procs int, broker *pubsub.Broker, listen func(*engine.Engine) error, handle func(string, []string) string) error {
	if procs > 0 {
		runtime.GOMAXPROCS(procs)
	}
	if broker == nil {
		broker = &pubsub.Broker{}
		local, _ := cl.Engines(broker, nil)
		broker.Engine = local
	}
	e := &engine.Engine{NodeID: uint16(cl.WorkerID())} // stops on the master's SIGTERM
	if err := listen(e); err != nil {
		return err
	}
	w := &ctlWorker{cl: cl, broker: broker, handle: handle}
	if err := w.listen(); err != nil {
		return err
	}
	e.On(engine.Started, func() {
		if err := cl.Ready(); err != nil {
			fmt.Fprintf(os.Stderr, "worker %d: ready: %v\n", cl.WorkerID(), err)
		}
		w.ready()
	})
	cl.OnMasterGone(func() { go e.Stop(context.Background()) })
	err := e.Start()
	cl.Close()
	if err != nil {
		return err
	}
	return errChildDone
}
