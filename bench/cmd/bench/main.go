//go:build linux

// Command bench is plezi's comparative benchmark harness. It compares the
// event-driven engine (github.com/plezi-go/plezi/engine) with the plain
// goroutine-per-connection net.Conn model, on loopback only, with every
// server in its own OS process.
//
// Subcommands run by hand:
//
//	bench idle    idle memory per connection (10,000 held connections)
//	bench echo    echo round trips per server CPU-second
//	bench timers  1,000,000 pending RunAfter timers: memory and costs
//	bench http    hello-world HTTP/1.1 requests per server CPU-second (wrk)
//	bench ws      the three WebSocket benchmarks below, one after the other
//	bench wsidle  idle WebSocket memory per connection (10,000 connections)
//	bench wsecho  WebSocket echo round trips per server CPU-second
//	bench wsbcast WebSocket broadcast deliveries per server CPU-second
//
// Subcommands the harness spawns as child processes:
//
//	bench serve   a server (engine, net.Conn or HTTP), driven over stdin/stdout
//	bench load    an echo load client that measures the server's CPU
//	bench wsserve a WebSocket server (plezi, gorilla, nbio), driven over stdin/stdout
//	bench wsload  a WebSocket load client (raw frames) that measures the server's CPU
//
// Run "bench <subcommand> -h" for the flags of each.
package main

import (
	"fmt"
	"os"
)

func usage() {
	fmt.Fprintf(os.Stderr, `usage: bench <subcommand> [flags]

benchmarks:
  idle     idle memory per connection, engine vs goroutine-per-connection
  echo     echo round trips per server CPU-second, interleaved rounds
  timers   1,000,000 pending RunAfter timers: memory, RunAfter/Stop cost, batch fire
  wsredis  pub/sub broadcast through Redis, two plezi server processes
  pschurn  pub/sub: 10,000 channels held, subscribe/unsubscribe churn per second
  http     hello-world HTTP/1.1 with wrk: plezi httpd vs net/http, fasthttp, nbio
  ws       wsidle, wsecho and wsbcast in one run (BENCHMARKS.md section 5)
  wsidle   idle WebSocket memory per connection: plezi vs gorilla, nbio
  wsecho   WebSocket echo round trips per server CPU-second
  wsbcast  WebSocket broadcast deliveries per server CPU-second

child processes (spawned by the benchmarks):
  serve    run one server, controlled over stdin/stdout
  load     run one echo load client
  wsserve  run one WebSocket server, controlled over stdin/stdout
  wsload   run one WebSocket load client
`)
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	args := os.Args[2:]
	var err error
	switch os.Args[1] {
	case "idle":
		err = runIdle(args)
	case "echo":
		err = runEcho(args)
	case "timers":
		err = runTimers(args)
	case "http":
		err = runHTTP(args)
	case "serve":
		err = runServe(args)
	case "load":
		err = runLoad(args)
	case "ws":
		err = runWS(args)
	case "wsidle":
		err = runWSIdle(args)
	case "wsecho":
		err = runWSEcho(args)
	case "wsbcast":
		err = runWSBcast(args)
	case "wsredis":
		err = runWSRedis(args)
	case "pschurn":
		err = runPSChurn(args)
	case "wsserve":
		err = runWSServe(args)
	case "wsload":
		err = runWSLoad(args)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
