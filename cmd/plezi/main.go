package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"

	"github.com/plezi-go/plezi/engine"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "plezi:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("plezi", flag.ContinueOnError)
	port := fs.Int("p", envInt("PORT", 3000), "port to listen on (0: any free port)")
	bind := fs.String("b", "", "address to bind (default: all interfaces); a path starting with / or . is a Unix socket")
	threads := fs.Int("t", 0, "handler goroutines (0: run callbacks on the event loops)")
	loops := fs.Int("loops", 0, "event loops (0: one per CPU)")
	verbose := fs.Bool("v", false, "log connections and lifecycle events")
	if err := fs.Parse(args); err != nil {
		return err
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	e := &engine.Engine{Threads: *threads, Loops: *loops, Logger: logger}

	network, addr := "tcp", net.JoinHostPort(*bind, strconv.Itoa(*port))
	if b := *bind; len(b) > 0 && (b[0] == '/' || b[0] == '.') {
		network, addr = "unix", b
	}
	ln, err := e.Listen(network, addr, func(*engine.Conn) engine.Protocol { return echo{} })
	if err != nil {
		return err
	}
	e.On(engine.Started, func() {
		fmt.Fprintf(os.Stderr, "plezi: echo server listening on %s (%s); Ctrl-C to stop\n", ln.Addr(), network)
	})
	e.On(engine.Finished, func() { fmt.Fprintln(os.Stderr, "plezi: stopped") })
	return e.Start()
}

// echo writes back every byte it receives.
type echo struct{}

func (echo) OnData(c *engine.Conn, p []byte) { c.Write(p) }

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}
