// Package wsflate implements the WebSocket permessage-deflate extension
// (RFC 7692) without IO: the extension negotiation of the opening
// handshake, and per-connection compressors and decompressors that turn a
// message into the payload of a frame with RSV1 set and back. The
// websocket package calls it; it never reads or writes a socket.
//
// # Negotiation
//
// On a server, Negotiate reads the client's Sec-WebSocket-Extensions
// header values (several lines, comma-separated lists, other extensions
// mixed in, quoted values per RFC 6455 §9.1) and accepts the first
// permessage-deflate offer it can honour; it returns the agreed Params and
// the response element. Decisions:
//
//   - The answer always carries server_no_context_takeover (RFC 7692
//     §7.1.1.1 lets a server add it unasked), unless
//     Config.ServerContextTakeover is set and the client did not ask for
//     it. Server compression then uses writers shared by all connections,
//     and a broadcast is compressed once for every connection
//     (CompressOnce).
//   - compress/flate always uses a 32 KiB window, so an offer with
//     server_max_window_bits below 15 is declined and the next offer is
//     tried (§7.1.2.1); the window bounds back-references within one
//     message too, so no context setting makes it honourable.
//     server_max_window_bits=15 is accepted and echoed.
//   - client_max_window_bits is accepted with or without a value: we
//     inflate with up to 32 KiB. A value is echoed (the client promised
//     it), which lets our decompressor keep a smaller dictionary.
//   - client_no_context_takeover is echoed when offered, and sent when
//     Config.ClientNoContextTakeover asks for it; our decompressor for
//     that connection then keeps no dictionary at all.
//   - An offer with an unknown or duplicate parameter, a value on a flag,
//     or a window size outside 8..15 (or with leading zeros) is declined.
//
// On a client, Offer writes one offer (server_no_context_takeover unless
// Config.ServerContextTakeover; client_no_context_takeover when
// Config.ClientNoContextTakeover; never client_max_window_bits, which we
// could not honour) and Accept validates the answer: any parameter we did
// not offer and may not be added, a bad value, a duplicate, another
// extension or a second permessage-deflate is an error (ErrBadResponse,
// *ResponseError) and the client fails the connection.
//
// # Compression
//
// A Compressor compresses what one side sends on one connection; Compress
// appends the payload (DEFLATE up to a sync flush, its final 00 00 ff ff
// removed, §7.2.1). The caller asks ShouldCompress first: messages shorter
// than Config.Threshold (DefaultThreshold, 128 bytes) go uncompressed with
// RSV1 clear, because at flate.BestSpeed typical JSON breaks even around
// 64 bytes and saves about 25% at 128 (measured: 32 B grow to 38, 128 B
// shrink to 96, 512 B to 243). The default level is flate.BestSpeed, the
// fastest and the only level whose per-message reset is cheap in
// compress/flate.
//
// Without context takeover (the server default) each message is
// compressed on its own by a writer borrowed from a process-wide pool for
// the duration of the call; its bytes are valid on any connection, which
// is what lets a broadcast share one compressed frame. With context
// takeover (Config.ServerContextTakeover on a server; a client's default
// unless it or the server asks client_no_context_takeover) the Compressor
// owns one writer until Release, so later messages refer back into earlier
// ones: a repeated 2000-byte chat message shrinks from 704 bytes to 44.
// Such a connection must send every compressed message through its
// Compressor (ContextTakeover reports it): a shared broadcast frame would
// put its window out of step with the peer's.
//
// # Decompression
//
// A Decompressor inflates what one side receives. Decompress appends the
// 00 00 ff ff internally, reads with a pooled flate reader and stops with
// ErrTooLarge as soon as the output would exceed the caller's max: a
// deflate bomb is never inflated further, the output buffer never exceeds
// max, and growing it costs less than 2*max in all (nothing when dst has
// room): a 1 GiB bomb under a 256 KiB max allocates 512 KiB
// (TestBombBounded). Invalid DEFLATE, including a reference into context the peer
// agreed not to keep, returns a *CorruptError wrapping ErrCorrupt. With
// the peer's context takeover the Decompressor keeps the last 32 KiB of
// output (or the peer's smaller agreed window) as the dictionary of the
// next message (flate.Resetter.Reset); that dictionary is allocated at the
// first compressed message and recycled by Release.
//
// # Memory per connection
//
// Measured by TestRetainedMemory (Go 1.26, linux/amd64): what one
// connection holds between messages, after one 1 KiB message.
//
//	server Compressor, default (pooled writers)            48 B
//	Compressor with context takeover (server or client)  1.15 MiB (1,206,992 B: a flate.Writer)
//	Decompressor, peer keeps context (32 KiB window)       32 KiB (32,816 B)
//	Decompressor, peer keeps context, window bits 10      1.0 KiB (1,072 B)
//	Decompressor, peer's *_no_context_takeover              24 B
//
// So a server with the defaults holds about 32 KiB per connection that
// received a compressed message (48 B more for the compressor), and
// nothing for idle clients that offered client_no_context_takeover or
// when Config.ClientNoContextTakeover is set. Config.ServerContextTakeover
// costs 1.15 MiB per connection: use it for few, chatty connections only.
// The pools hold a flate writer (1.15 MiB at BestSpeed, 788 KiB at other
// levels) and a reader (44 KiB) per concurrent call; sync.Pool drops idle
// ones at garbage collection.
//
// # Speed
//
// go test -bench . -benchmem on a shared 2-core VM under heavy load from
// other jobs (so best of three runs; single runs varied up to 3x),
// pseudo-JSON messages, eight different messages in turn, time per
// message. Every path makes 0 allocs/op up to 1 KiB; at 16 KiB
// compress/flate's Huffman decoder makes 8 small allocations (about 400 B)
// per dynamic block, which this package cannot avoid.
//
//	                        32 B       1 KiB             16 KiB
//	Compress pooled         2.3 µs     15 µs (ratio 0.40)  127 µs (0.30)
//	Compress takeover       3.4 µs     11 µs (ratio 0.33)  183 µs (0.30)
//	Compress pooled level 6  10 µs     39 µs (ratio 0.35)  1.7 ms (0.23)
//	Decompress              0.4 µs     12 µs               166 µs
//	Decompress takeover     1.6 µs     11 µs               218 µs
//
// A dictionary costs about 1-2 µs per message: 32 KiB copied into the
// flate reader by Reset and the window shifted after each message.
//
// # Concurrency
//
// Negotiate, Offer, Accept and CompressOnce are safe for concurrent use. A
// Compressor or a Decompressor belongs to one connection and one
// direction and is used by one goroutine at a time, message after message,
// as the engine's per-connection serialization provides.
package wsflate
