//go:build linux

package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// runWSRedis is the wsredis subcommand: the pub/sub broadcast of wsbcast
// through Redis with two plezi server processes sharing the subscribers.
// Per run: a redis-server of its own on a free port, two plezi-redis
// servers (each a pubsub.Broker on the Redis engine), one load client per
// server with half the connections; the harness asks server A to publish
// n messages, and the window ends when every connection on both servers
// has received all of them. Deliveries are counted per CPU-second of
// both servers together; redis-server's CPU is reported beside them.
func runWSRedis(args []string) error {
	fs := flag.NewFlagSet("wsredis", flag.ExitOnError)
	clients := fs.Int("clients", 1000, "connections in all (half on each server)")
	n := fs.Int("n", 1000, "messages published in the measured burst")
	size := fs.Int("size", 32, "message size, bytes (at least 16)")
	warmN := fs.Int("warmup-n", 20, "messages published before the measured burst")
	rounds := fs.Int("rounds", 3, "rounds")
	procs := fs.Int("gomaxprocs", 2, "GOMAXPROCS of each server process")
	fs.Parse(args)
	if *size < seqDigits || *n < 1 || *clients < 2 {
		return fmt.Errorf("want -size >= %d, -n >= 1, -clients >= 2", seqDigits)
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		return fmt.Errorf("redis-server is needed: %w", err)
	}
	stamp := wsStamp()
	var runs []redisRun
	for r := 0; r < *rounds; r++ {
		run, err := redisOnce(*clients, *n, *size, *warmN, *procs)
		if err != nil {
			return fmt.Errorf("round %d: %w", r+1, err)
		}
		runs = append(runs, run)
		fmt.Printf("round %d deliveries=%d wall=%.2fs servers CPU=%.2fs (A %.2fs, B %.2fs) clients CPU=%.2fs redis CPU=%.2fs -> %s deliveries/server-CPU-s, %s/s\n",
			r+1, run.msgs, run.wall, run.srvA+run.srvB, run.srvA, run.srvB, run.cli, run.redis,
			fmtF(run.perCPU(), 0), fmtF(run.perSec(), 0))
	}
	fmt.Printf("\nMachine: %s.\n", stampNote(stamp))
	fmt.Printf("Loopback; %d WebSocket clients, half on each of two plezi server processes (GOMAXPROCS=%d each, pubsub.Broker on the Redis engine, one redis-server); server A publishes %d messages of %d bytes (%d warm-up first); medians of %d rounds.\n\n",
		*clients, *procs, *n, *size, *warmN, *rounds)
	fmt.Println("| setup | deliveries / server CPU-s (both servers) | deliveries / s | servers CPU (cores) | redis-server CPU (cores) | clients CPU (cores) | deliveries / server CPU-s, every run |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---|")
	med := medianOf(runs, redisRun.perCPU)
	var every []string
	for _, r := range runs {
		every = append(every, fmtF(r.perCPU(), 0))
	}
	m := runs[len(runs)/2]
	fmt.Printf("| plezi websocket + pubsub on Redis, 2 processes | **%s** | %s | %.2f | %.2f | %.2f | %s |\n",
		fmtF(med, 0), fmtF(medianOf(runs, redisRun.perSec), 0), (m.srvA+m.srvB)/m.wall, m.redis/m.wall, m.cli/m.wall, strings.Join(every, ", "))
	return nil
}

// redisRun is one measured burst across both servers.
type redisRun struct {
	msgs                   int64
	wall                   float64
	srvA, srvB, cli, redis float64 // CPU seconds in the window
}

func (r redisRun) perCPU() float64 { return float64(r.msgs) / (r.srvA + r.srvB) }
func (r redisRun) perSec() float64 { return float64(r.msgs) / r.wall }

// redisOnce runs one round: redis-server, two servers, two load clients.
func redisOnce(clients, n, size, warmN, procs int) (run redisRun, err error) {
	rs, url, err := startRedis()
	if err != nil {
		return run, err
	}
	defer func() {
		rs.Process.Kill()
		rs.Wait()
	}()
	env := []string{"GOMAXPROCS=" + strconv.Itoa(procs), "PLEZI_BENCH_REDIS=" + url}
	var srvs, loads [2]*child
	defer func() {
		for _, c := range append(loads[:], srvs[:]...) {
			if c != nil {
				c.kill()
			}
		}
	}()
	half := [2]int{clients / 2, clients - clients/2}
	for i := range srvs {
		c, err := startChildEnv("plezi-redis", env, "wsserve", "-kind", "plezi-redis", "-mode", "bcast")
		if err != nil {
			return run, err
		}
		srvs[i] = c
		ready, err := c.expect("ready", 20*time.Second)
		if err != nil {
			return run, err
		}
		addr, _, _ := strings.Cut(ready, " ")
		if loads[i], err = startWSLoad(c, addr, "bcast", half[i], "-size", strconv.Itoa(size)); err != nil {
			return run, err
		}
		if err := c.send("wait %d 60", half[i]); err != nil {
			return run, err
		}
		if _, err := c.expect("opened", 70*time.Second); err != nil {
			return run, err
		}
	}
	time.Sleep(500 * time.Millisecond) // both servers' Redis subscriptions are up
	var total int64
	if warmN > 0 {
		total += int64(warmN)
		if _, err := redisBurst(srvs, loads, warmN, size, total); err != nil && !errors.Is(err, errNoCPU) {
			return run, fmt.Errorf("warm-up: %w", err)
		}
	}
	total += int64(n)
	r0, err := cpuTicks(rs.Process.Pid)
	if err != nil {
		return run, err
	}
	runs, err := redisBurst(srvs, loads, n, size, total)
	if err != nil {
		return run, err
	}
	r1, err := cpuTicks(rs.Process.Pid)
	if err != nil {
		return run, err
	}
	run = redisRun{msgs: runs[0].msgs + runs[1].msgs, wall: max(runs[0].wall, runs[1].wall),
		srvA: runs[0].srvCPU, srvB: runs[1].srvCPU, cli: runs[0].cliCPU + runs[1].cliCPU,
		redis: ticksToSeconds(r1 - r0)}
	if run.msgs != int64(n)*int64(clients) {
		return run, fmt.Errorf("%d deliveries, want %d", run.msgs, n*clients)
	}
	for i := range srvs {
		if _, err := loads[i].stop(30 * time.Second); err != nil {
			return run, err
		}
		if _, err := stopServer(srvs[i]); err != nil {
			return run, err
		}
		loads[i], srvs[i] = nil, nil
	}
	return run, nil
}

// redisBurst has both clients mark their window, server A publish n
// messages, and returns both clients' measurements.
func redisBurst(srvs, loads [2]*child, n, size int, total int64) ([2]wsRun, error) {
	var out [2]wsRun
	for _, l := range loads {
		if err := l.send("expect %d 120", total); err != nil {
			return out, err
		}
		if _, err := l.expect("marked", 10*time.Second); err != nil {
			return out, err
		}
	}
	if err := srvs[0].send("bcast %d %d", n, size); err != nil {
		return out, err
	}
	// Every answer is read before a figure is refused (errNoCPU), so
	// that the next burst reads its own.
	var bad error
	for i, l := range loads {
		res, err := l.expect("result", 130*time.Second)
		if err != nil {
			return out, err
		}
		if out[i], err = parseWSResult("deliveries", res); err != nil && bad == nil {
			bad = err
		}
	}
	if _, err := srvs[0].expect("bcast", 30*time.Second); err != nil {
		return out, err
	}
	return out, bad
}

// startRedis starts redis-server on a free loopback port, without
// persistence, and waits until it answers PING.
func startRedis() (*exec.Cmd, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			continue
		}
		c.SetDeadline(time.Now().Add(time.Second))
		fmt.Fprint(c, "PING\r\n")
		line, _ := bufio.NewReader(c).ReadString('\n')
		c.Close()
		if strings.HasPrefix(line, "+PONG") {
			return cmd, "redis://" + addr + "/0", nil
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	return nil, "", fmt.Errorf("redis-server on %s did not answer", addr)
}
