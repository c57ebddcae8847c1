// Package websocket is WebSocket (RFC 6455) with permessage-deflate
// (RFC 7692) on Plezi's engine: server upgrades from the httpd server
// (native Ctx and net/http adapter) or from any net/http server, and a
// client Dial, all served by the same sans-IO protocol code.
//
// # Server
//
//	s := &httpd.Server{Native: func(x *httpd.Ctx) {
//		websocket.UpgradeCtx(x, handler, nil) // inline on the loop
//	}}
//
//	http.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
//		websocket.Upgrade(w, r, handler, &websocket.Options{Engine: e})
//	})
//
// On httpd the connection stays on its event loop (httpd.Upgrader). On
// another net/http server Upgrade hijacks the connection and attaches it
// to Options.Engine (the engine's portable transport: two goroutines per
// connection); without an Engine it answers 500 and returns ErrNoEngine.
// There is no hidden package-level engine.
//
// The handshake is checked as RFC 6455 section 4.2.1 asks: GET, the
// Connection and Upgrade tokens, a Sec-WebSocket-Key of 16 base64 bytes
// (else 400 with the reason), Sec-WebSocket-Version 13 (else 426 with
// Sec-WebSocket-Version: 13), and the Origin (else 403): by default an
// absent Origin or one whose host equals Host, as gorilla/websocket does;
// Options.AllowedOrigins or Options.CheckOrigin widen it. The server picks
// the first of Options.Subprotocols that the client offered.
//
// # Client
//
// Dial connects (TCP or TLS), sends the handshake, validates the answer
// (status, tokens, accept key, subprotocol, extensions) and attaches the
// connection to Options.Engine.
//
// # Callbacks
//
// A Handler has OnMessage; OnOpen, OnDrained, OnShutdown and OnClose are
// optional interfaces. They run inside the engine's callbacks and Defer
// tasks, so for one connection they never run concurrently. OnMessage's
// data is valid only during the call (it usually points into the engine's
// read buffer: a message that arrives whole in one read is unmasked in
// place and never copied). OnClose reports the peer's code (1005 when its
// close frame had none), the code this side failed the connection with,
// or 1006 when the connection ended without a close frame.
//
// The write methods of Conn are safe from any goroutine and never block:
// frames are queued on the engine connection. Small frames are encoded in
// a pooled buffer that the engine copies only if the socket does not take
// it at once; large frames are queued without a copy.
//
// # Protocol
//
// The reader is an incremental state machine: a stream split at any byte
// boundary parses the same, and small frames cost no allocation. It fails
// the connection, with a close frame and then a TCP close, on: unmasked
// client frames or masked server frames, reserved bits without an
// extension (or RSV1 on a continuation or a control frame), reserved
// opcodes, control frames over 125 bytes or fragmented, a continuation
// without a message or a new message inside one, bad close payloads
// (1002); invalid UTF-8 in text or in a close reason (1007, as soon as a
// prefix cannot be valid: Autobahn 6.4.x); corrupt compressed data
// (1007); a message, or its decompressed form, over Options.MaxMessage
// (1009, checked from the frame header, before the payload is read).
// Pings are answered, control frames may come between fragments, and the
// closing handshake echoes the peer's code.
//
// # Liveness
//
// A connection idle for Options.PingInterval (40 s) gets a ping; a peer
// silent for Options.PongTimeout (20 s) after it is dropped: TCP closed
// without a close frame (the peer is presumed gone), OnClose gets 1006
// "no answer to ping". Both use the engine's timing wheel
// (engine.Conn.SetTimeout and OnTimeout), not a timer per connection. A
// negative PingInterval disables pings. Close waits Options.CloseTimeout
// for the peer's close frame, with one engine timer per closing
// connection.
//
// A timeout shortened while a longer one is scheduled (httpd's 40 s
// keep-alive when the connection upgrades, PingInterval then a shorter
// PongTimeout) takes effect at once: the engine moves the connection's
// wheel check forward.
//
// # Compression
//
// permessage-deflate (internal/wsflate) is on when the client offers it,
// unless Options.DisableCompression. The server answers
// server_no_context_takeover (unless Options.ContextTakeover) so that a
// broadcast is compressed once for every connection; messages under the
// threshold (128 bytes) go uncompressed. RSV1 marks a compressed
// message's first frame only.
//
// # Broadcast
//
// NewMessage encodes a frame once; Conn.WriteMessage queues those same
// bytes on each connection (engine.Conn.QueueShared: written by the
// event loop, many messages per writev), or the compressed
// frame, built once on first need, on connections with deflate.
//
// # Bounds
//
//   - a message being assembled: at most Options.MaxMessage (250 KiB),
//     then 1009; buffers over 64 KiB are released after their message;
//   - a decompressed message: Options.MaxMessage, then 1009;
//   - a control payload: 125 bytes, in a fixed array;
//   - output: the engine's MaxPending per connection; a peer that does
//     not read is closed as a slow consumer (OnClose: 1006 and the
//     engine's reason).
package websocket
