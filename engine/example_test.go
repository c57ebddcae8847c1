package engine_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"time"

	"github.com/plezi-go/plezi/engine"
)

// run starts e, calls client, and stops e.
func run(e *engine.Engine, client func()) {
	e.IgnoreSignals = true
	started := make(chan struct{})
	e.On(engine.Started, func() { close(started) })
	go e.Start()
	<-started
	client()
	e.Stop(context.Background())
}

// An echo server on the engine.
func Example() {
	e := &engine.Engine{}
	ln, err := e.Listen("tcp", "127.0.0.1:0", func(*engine.Conn) engine.Protocol {
		return engine.ProtocolFunc(func(c *engine.Conn, p []byte) { c.Write(p) })
	})
	if err != nil {
		panic(err)
	}
	run(e, func() {
		c, _ := net.Dial("tcp", ln.Addr().String())
		defer c.Close()
		fmt.Fprintln(c, "Hello, engine")
		line, _ := bufio.NewReader(c).ReadString('\n')
		fmt.Print(line)
	})
	// Output: Hello, engine
}

// The seed's counter: four deferred tasks read, sleep and increment a
// counter. They run within the connection's lock, one at a time, so the
// count always ends at 4 — with the handler pool too.
func ExampleConn_Defer() {
	e := &engine.Engine{Threads: 4}
	ln, _ := e.Listen("tcp", "127.0.0.1:0", func(*engine.Conn) engine.Protocol {
		count := 0
		return engine.ProtocolFunc(func(c *engine.Conn, _ []byte) {
			count = 0
			for i := 0; i < 4; i++ {
				c.Defer(func() {
					tmp := count
					fmt.Fprintf(c, "[%d] start\n", tmp)
					time.Sleep(10 * time.Millisecond)
					fmt.Fprintf(c, "[%d] finish\n", tmp)
					count = tmp + 1
				})
			}
		})
	})
	run(e, func() {
		c, _ := net.Dial("tcp", ln.Addr().String())
		defer c.Close()
		c.Write([]byte("go"))
		r := bufio.NewReader(c)
		for i := 0; i < 8; i++ {
			line, _ := r.ReadString('\n')
			fmt.Print(line)
		}
	})
	// Output:
	// [0] start
	// [0] finish
	// [1] start
	// [1] finish
	// [2] start
	// [2] finish
	// [3] start
	// [3] finish
}

// RunEvery with a repetition count: the task runs three times, then stops.
func ExampleEngine_RunEvery() {
	e := &engine.Engine{}
	done := make(chan struct{})
	run(e, func() {
		counter := 0
		e.RunEvery(10*time.Millisecond, 3, func() {
			counter++
			fmt.Printf("Counting %d out of 3\n", counter)
			if counter == 3 {
				close(done)
			}
		})
		<-done
	})
	// Output:
	// Counting 1 out of 3
	// Counting 2 out of 3
	// Counting 3 out of 3
}

// A RunAfter task that schedules itself again, as in the seed.
func ExampleEngine_RunAfter() {
	e := &engine.Engine{}
	done := make(chan struct{})
	run(e, func() {
		counter := 0
		var task func()
		task = func() {
			counter++
			fmt.Printf("Counting %d/3\n", counter)
			if counter < 3 {
				e.RunAfter(10*time.Millisecond, task)
			} else {
				close(done)
			}
		}
		e.RunAfter(10*time.Millisecond, task)
		<-done
	})
	// Output:
	// Counting 1/3
	// Counting 2/3
	// Counting 3/3
}

// Timers can be stopped (Iodine's could not).
func ExampleTimer_Stop() {
	e := &engine.Engine{}
	run(e, func() {
		t := e.RunAfter(time.Hour, func() { fmt.Println("never") })
		fmt.Println(t.Stop())
	})
	// Output: true
}
