// Command plezi runs a Plezi server.
//
// Until the HTTP layer lands it serves a raw TCP echo protocol on the
// engine, which is enough to see the event loops, the task pool and
// graceful shutdown at work:
//
//	go run ./cmd/plezi -p 3000
//	nc localhost 3000
package main
