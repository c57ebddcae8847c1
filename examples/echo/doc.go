// Command echo is the WebSocket and Server-Sent Events demo that the
// conformance and browser tests use:
//
//	go run ./examples/echo -p 3000
//
// serves
//
//   - / : a small page that opens both and shows what comes back;
//   - /ws : a WebSocket echo (text stays text, binary stays binary,
//     permessage-deflate when the client offers it, messages up to 4 MiB);
//   - /sse : an event stream sending an event every 250 ms, whose id
//     counts up from the request's Last-Event-ID + 1 (or from 1), with a
//     reconnection delay of 500 ms; /sse?close=N ends the stream after N
//     events, so that a browser reconnects and resumes.
//
// Flags: -p PORT (default $PORT, else 3000; 0 picks a free port) and
// -b ADDR (the address to bind; default all interfaces). The server
// prints "echo: listening on http://HOST:PORT" once it listens, and
// SIGINT or SIGTERM stop it gracefully.
package main
