// Package sse serves Server-Sent Events (the text/event-stream format a
// browser's EventSource reads) on Plezi's engine.
//
// Upgrade (any http.Handler) or UpgradeCtx (the server's native path)
// answers an EventSource request with a stream and switches the
// connection to it:
//
//	mux.HandleFunc("GET /events", func(w http.ResponseWriter, r *http.Request) {
//		s, err := sse.Upgrade(w, r, nil, nil)
//		if err != nil {
//			return // a 405 or 406 was written
//		}
//		s.Send(&sse.Event{ID: "1", Event: "hello", Data: []byte("world")})
//	})
//
// # Events
//
// An Event has an id (which a reconnecting client sends back as
// Last-Event-ID, available as Stream.LastEventID), an event type, a retry
// delay and data that may span lines. AppendEvent is the sans-IO encoder;
// it refuses ids and types it cannot encode faithfully (CR or LF, or NUL
// in an id, which browsers would ignore) with an *EventError. Prepare
// encodes an event once for many streams (SendPrepared queues the same
// bytes on each, without a copy).
//
// # Streams and their guarantee
//
// A Stream's methods are safe from any goroutine and never block. Its
// handler's optional callbacks, OnOpen, OnShutdown and OnClose, and its
// Defer tasks run under the engine's guarantee: never two at once for one
// stream, OnOpen first, OnClose last. An idle stream writes a comment
// line every Options.KeepAlive (default 15 s) through the engine's timing
// wheel, instead of being closed as an idle connection. Input from the
// client after its request is discarded; when the client closes its side
// the stream closes.
//
// # Bounds
//
//   - output queued per stream: the engine's MaxPending; past it the
//     stream closes with engine.ErrSlowConsumer (OnClose's reason);
//   - output sent before the stream opens: EarlyLimit bytes, the same
//     policy;
//   - encoding buffers are pooled; those grown past 64 KiB are dropped.
//
// # Servers
//
// On Plezi's server (package httpd), the native Ctx and the adapter's
// ResponseWriter both implement httpd.Upgrader: the connection changes
// protocol in place. On any other server that supports http.Hijacker
// (net/http's HTTP/1.x server), Upgrade hijacks the connection and joins
// it to Options.Engine with engine.Attach. HTTP/2 streams cannot be
// hijacked: Upgrade refuses them with ErrNotHijackable.
package sse
