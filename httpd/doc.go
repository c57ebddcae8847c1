// Package httpd is Plezi's HTTP/1.1 server on the engine.
//
// A Server is an engine protocol factory: Listen (or ListenTLS) adds a
// listener to an engine.Engine, and every connection gets a small
// protocol object that parses requests with package http1 and writes
// responses with one engine write per batch of pipelined requests.
//
// Two handler APIs:
//
//   - Native, func(*Ctx): the fast path. The request head is read in
//     place (no copies, no net/http allocations), and the response is
//     built into a per-connection buffer. A Ctx is valid only until the
//     handler returns.
//   - Handler, any http.Handler: the net/http adapter. The handler gets a
//     real *http.Request (whose Body streams and whose Context is
//     cancelled when the client leaves) and an http.ResponseWriter that
//     implements http.Flusher and io.ReaderFrom.
//
// Handlers run where the engine runs callbacks: inline on the event loops
// with Threads 0 (fastest; a handler must not block) or on the engine's
// pool with Threads N. A request whose body is larger than BufferedBody
// (or chunked) runs its handler on a goroutine of its own, reading the
// body through a bounded pipe; requests pipelined after it wait for its
// response.
//
// Responses carry Content-Length when the handler returns without
// flushing; after Flush the rest streams with chunked encoding. Bad
// requests get the status the parser chose (400, 413, 414, 431, 501, 505)
// and a close; slow heads and bodies get 408 (HeaderTimeout,
// BodyTimeout); idle keep-alive connections close after KeepAlive.
package httpd
