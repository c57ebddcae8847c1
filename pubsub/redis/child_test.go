package redis_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plezi-go/plezi/pubsub"
	"github.com/plezi-go/plezi/pubsub/redis"
)

// childEnv names the Redis URL when the test binary runs as the second
// server process of BenchmarkRedisFanoutTwoProcesses.
const childEnv = "PLEZI_PUBSUB_CHILD_URL"

// runChild is the second server process: an engine with 500 subscribers
// of "room". It prints "ready" once subscribed, then for each "expect N"
// line on stdin prints "done" when N deliveries arrived, and exits at
// EOF. Its own deadline bounds it.
func runChild(url string) int {
	b := &pubsub.Broker{}
	e, err := redis.New(b, redis.Options{URL: url})
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	defer e.Close()
	var n atomic.Int64
	for range 500 {
		b.Subscribe(pubsub.Sub{Channel: "room", Target: countTarget{&n}})
	}
	deadline := time.Now().Add(2 * time.Minute)
	for !e.Connected() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	fmt.Println("ready")
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		want, _ := strconv.ParseInt(strings.TrimPrefix(in.Text(), "expect "), 10, 64)
		for n.Load() < want && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		fmt.Println("done")
	}
	return 0
}

// child is the second server process, seen from the benchmark.
type child struct {
	cmd *exec.Cmd
	in  *os.File
	out *bufio.Scanner
}

func startChild(b *testing.B, url string) *child {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+url)
	inR, inW, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stdin = inR
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	inR.Close()
	c := &child{cmd: cmd, in: inW, out: bufio.NewScanner(stdout)}
	b.Cleanup(func() {
		c.in.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	if !c.out.Scan() || c.out.Text() != "ready" {
		b.Fatalf("child did not start: %q", c.out.Text())
	}
	return c
}

// await asks the child to wait for n deliveries.
func (c *child) await(n int64) bool {
	fmt.Fprintf(c.in, "expect %d\n", n)
	return c.out.Scan() && c.out.Text() == "done"
}

// BenchmarkRedisFanoutTwoProcesses: two server processes (this one and a
// child) share 1,000 subscribers of one channel through Redis, 500 each;
// one op is one Publish from this process. It reports deliveries per
// second and per CPU-second of the two server processes (publisher
// included) and of redis-server.
func BenchmarkRedisFanoutTwoProcesses(b *testing.B) {
	srv := startServer(b)
	admin := srv.admin(b)
	kid := startChild(b, srv.URL())
	var n atomic.Int64
	br, _ := newEngine(b, srv.URL())
	for range 500 {
		br.Subscribe(pubsub.Sub{Channel: "room", Target: countTarget{&n}})
	}
	waitFor(b, 5*time.Second, "both processes subscribed", func() bool { return numsub(b, admin, "room") == 2 })
	data := []byte("hello, subscribers")
	cpu0, kid0, redis0 := selfCPU(), cpuOf(kid.cmd.Process.Pid), cpuOf(srv.cmd.Process.Pid)
	b.ReportAllocs()
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := br.Publish("room", data); err != nil {
				b.Error(err)
				return
			}
		}
	})
	want := int64(b.N) * 500
	waitFor(b, time.Minute, "this process's deliveries", func() bool { return n.Load() >= want })
	if !kid.await(want) {
		b.Fatal("child did not confirm its deliveries")
	}
	b.StopTimer()
	servers := selfCPU() - cpu0 + cpuOf(kid.cmd.Process.Pid) - kid0
	redisCPU := cpuOf(srv.cmd.Process.Pid) - redis0
	total := float64(2 * want)
	b.ReportMetric(total/b.Elapsed().Seconds(), "deliveries/s")
	if servers > 0 {
		b.ReportMetric(total/servers.Seconds(), "deliveries/server-CPU-s")
	}
	if redisCPU > 0 {
		b.ReportMetric(total/redisCPU.Seconds(), "deliveries/redis-CPU-s")
	}
}
