//go:build linux

package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// wsLoad is the state of the WebSocket load client.
type wsLoad struct {
	pid    int       // the server's process ID, for its CPU time
	conns  []*wsConn // the connections, after their handshakes
	counts []counter // per connection: messages (echo: round trips)
	op     byte      // opText or opBinary
	size   int       // message size, bytes
	errs   atomic.Int64
	stop   atomic.Bool
	wg     sync.WaitGroup
	// Broadcast: the count every connection must reach, how many have
	// not yet reached it, and a signal when the last one does.
	target    atomic.Int64
	remaining atomic.Int64
	reached   chan struct{}
}

// runWSLoad is the wsload subcommand: -conns WebSocket connections to
// -addr, handshakes done, then by -mode:
//
//	idle   hold them; stdin "close" closes them all -> "closed N"
//	echo   ping-pong (write one -size message, read the echo, check it);
//	       after -warmup, measure for -dur -> "result rts=... ..."
//	bcast  read and check broadcast messages; stdin "expect T SECS" ->
//	       "marked T", then once every connection received T messages in
//	       all -> "result deliveries=... ..."
//
// It prints "connected N dial=DUR" once every handshake is done. Result
// lines carry the server's and this process's CPU ticks over the window.
func runWSLoad(args []string) error {
	fs := flag.NewFlagSet("wsload", flag.ExitOnError)
	addr := fs.String("addr", "", "server address")
	pid := fs.Int("pid", 0, "server process ID (for its CPU time)")
	mode := fs.String("mode", "echo", "idle, echo or bcast")
	conns := fs.Int("conns", 100, "connections")
	size := fs.Int("size", 64, "message size, bytes (bcast: at least 16)")
	binary := fs.Bool("binary", false, "binary messages (default text)")
	warmup := fs.Duration("warmup", time.Second, "echo: load before the window")
	dur := fs.Duration("dur", 4*time.Second, "echo: measured window")
	src := fs.Int("src", 8, "source addresses 127.0.0.2 .. 127.0.0.(1+src)")
	dialers := fs.Int("dialers", 32, "concurrent dials and handshakes")
	maxLife := fs.Duration("max", 10*time.Minute, "exit after this long whatever happens")
	fs.Parse(args)
	if *addr == "" || *pid == 0 {
		return errors.New("-addr and -pid are required")
	}
	if *size < 1 || *size > 1<<20 || (*mode == "bcast" && *size < seqDigits) {
		return fmt.Errorf("-size %d out of range", *size)
	}
	time.AfterFunc(*maxLife, func() {
		fmt.Fprintln(os.Stderr, "wsload: ran too long; exiting")
		os.Exit(3)
	})
	bufSize := 0 // idle: the handshake's leftover only
	if *mode != "idle" {
		bufSize = max(4096, 2*(*size+maxClientHeader))
	}
	t0 := time.Now()
	cs, err := wsDialMany(*addr, *conns, *src, *dialers, bufSize)
	if err != nil {
		return err
	}
	l := &wsLoad{pid: *pid, conns: cs, counts: make([]counter, len(cs)), op: opText, size: *size, reached: make(chan struct{}, 1)}
	if *binary {
		l.op = opBinary
	}
	defer l.closeAll()
	fmt.Printf("connected %d dial=%v\n", len(cs), since(t0))
	switch *mode {
	case "idle":
		return l.idle()
	case "echo":
		return l.echo(*warmup, *dur)
	case "bcast":
		return l.bcast()
	}
	return fmt.Errorf("unknown -mode %q", *mode)
}

// closeAll closes every connection and waits for the readers.
func (l *wsLoad) closeAll() {
	l.stop.Store(true)
	for i, c := range l.conns {
		if c != nil {
			c.c.Close()
			l.conns[i] = nil
		}
	}
	l.wg.Wait()
}

// idle answers "close" until stdin ends.
func (l *wsLoad) idle() error {
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		switch strings.TrimSpace(sc.Text()) {
		case "close":
			n := len(l.conns)
			l.closeAll()
			fmt.Printf("closed %d\n", n)
		case "":
		default:
			fmt.Printf("error unknown command %q\n", sc.Text())
		}
	}
	return nil
}

// fail counts a connection error and reports it on stderr, unless the
// client is stopping (then errors are the closes).
func (l *wsLoad) fail(i int, what string, err error) {
	if l.stop.Load() {
		return
	}
	l.errs.Add(1)
	fmt.Fprintf(os.Stderr, "wsload: conn %d: %s: %v\n", i, what, err)
}

// wsMark is the counters and CPU clocks at one end of a window.
type wsMark struct {
	t               time.Time
	msgs, cli, busy int64
	sv              treeSample // the server's processes (one, or a cluster's)
}

func (l *wsLoad) take() (wsMark, error) {
	m := wsMark{t: time.Now(), msgs: l.sum()}
	var err error
	if m.sv, err = sampleTree(l.pid); err != nil {
		return m, err
	}
	if m.cli, err = cpuTicks(os.Getpid()); err != nil {
		return m, err
	}
	m.busy, err = machineBusyTicks()
	return m, err
}

func (l *wsLoad) sum() int64 {
	var s int64
	for i := range l.counts {
		s += l.counts[i].n.Load()
	}
	return s
}

// result prints the window between m0 and m1; label names the count.
// ticks is the server's CPU summed over its process tree; split is each
// process's share, the server's first.
func (l *wsLoad) result(label string, m0, m1 wsMark) {
	ticks, shares := m1.sv.since(m0.sv)
	fmt.Printf("result %s=%d wall=%g ticks=%d cticks=%d busy=%d errors=%d split=%s\n",
		label, m1.msgs-m0.msgs, m1.t.Sub(m0.t).Seconds(), ticks, m1.cli-m0.cli, m1.busy-m0.busy, l.errs.Load(), fmtShares(shares))
}

// echo runs the ping-pong load and prints one result.
func (l *wsLoad) echo(warmup, dur time.Duration) error {
	for i, c := range l.conns {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			l.echoConn(i, c)
		}()
	}
	time.Sleep(warmup)
	m0, err := l.take()
	if err != nil {
		return err
	}
	time.Sleep(dur)
	m1, err := l.take()
	if err != nil {
		return err
	}
	l.result("rts", m0, m1)
	return nil
}

// echoConn loops on one connection: write a message (a fresh mask key
// each time; the payload carries the round trip's number), read the echo
// and compare. Nothing allocates in the loop.
func (l *wsLoad) echoConn(i int, c *wsConn) {
	payload := make([]byte, l.size)
	out := make([]byte, l.size+maxClientHeader)
	for j := range payload {
		payload[j] = 'a' + byte((i+j)%26)
	}
	stamp := payload[:min(seqDigits, len(payload))]
	for k := uint64(0); !l.stop.Load(); k++ {
		putHex(stamp, k) // a stale or repeated echo differs
		n := putClientFrame(out, l.op, payload, c.rng.next())
		if _, err := c.c.Write(out[:n]); err != nil {
			l.fail(i, "write", err)
			return
		}
		op, p, err := c.readMessage()
		if err != nil {
			l.fail(i, "read", err)
			return
		}
		if op != l.op || !bytes.Equal(p, payload) {
			l.fail(i, "echo", fmt.Errorf("got opcode %d, %d bytes %.40q; want opcode %d, %d bytes %.40q", op, len(p), p, l.op, len(payload), payload))
			return
		}
		l.counts[i].n.Add(1)
	}
}

// bcast starts a reader per connection and answers "expect" commands
// until stdin ends.
func (l *wsLoad) bcast() error {
	for i, c := range l.conns {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			l.bcastConn(i, c)
		}()
	}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if f[0] != "expect" {
			fmt.Printf("error unknown command %q\n", f[0])
			continue
		}
		t, secs, err := twoInts(f[1:])
		if err != nil {
			fmt.Printf("error expect: %v\n", err)
			continue
		}
		if err := l.expect(t, time.Duration(secs)*time.Second); err != nil {
			fmt.Printf("error expect: %v\n", err)
		}
	}
	return nil
}

// expect marks the window's start, waits until every connection received
// target messages in all (or d passed, or a connection failed) and prints
// the result.
func (l *wsLoad) expect(target int64, d time.Duration) error {
	if target <= l.target.Load() {
		return fmt.Errorf("target %d not above the last one (%d)", target, l.target.Load())
	}
	select {
	case <-l.reached:
	default:
	}
	l.remaining.Store(int64(len(l.conns)))
	l.target.Store(target)
	m0, err := l.take()
	if err != nil {
		return err
	}
	fmt.Printf("marked %d\n", target)
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-l.reached:
			m1, err := l.take()
			if err != nil {
				return err
			}
			l.result("deliveries", m0, m1)
			return nil
		case <-tick.C:
			if l.errs.Load() > 0 {
				return fmt.Errorf("%d connection errors; %d of %d deliveries", l.errs.Load(), l.sum(), target*int64(len(l.conns)))
			}
		case <-deadline.C:
			return fmt.Errorf("%d of %d deliveries after %v", l.sum(), target*int64(len(l.conns)), d)
		}
	}
}

// bcastConn reads broadcast messages on one connection and checks each:
// opcode, size, and a sequence number one above the last (nothing lost,
// repeated or reordered). Nothing allocates in the loop.
func (l *wsLoad) bcastConn(i int, c *wsConn) {
	next := uint64(1)
	for {
		op, p, err := c.readMessage()
		if err != nil {
			l.fail(i, "read", err)
			return
		}
		seq, ok := parseSeq(p)
		if op != l.op || len(p) != l.size || !ok || seq != next {
			l.fail(i, "broadcast", fmt.Errorf("got opcode %d, %d bytes %.40q; want opcode %d, %d bytes, sequence %d", op, len(p), p, l.op, l.size, next))
			return
		}
		next++
		if l.counts[i].n.Add(1) == l.target.Load() && l.remaining.Add(-1) == 0 {
			select {
			case l.reached <- struct{}{}:
			default:
			}
		}
	}
}
