// Package http1 is Plezi's HTTP/1.1 request parser: sans-IO (bytes in,
// events out, no syscalls, no goroutines), incremental, and free of
// allocations for ordinary requests.
//
// # Calling protocol
//
// Feed the parser the bytes read from a connection and call Parse until it
// returns EventNeedMore (it consumed everything and waits for more bytes)
// or an error:
//
//	func (c *conn) OnData(data []byte) {
//		for {
//			n, ev, err := c.parser.Parse(data)
//			if err != nil {
//				var e *http1.Error
//				errors.As(err, &e)
//				c.reject(e.Status, e.Reason) // answer, then close
//				return
//			}
//			data = data[n:]
//			switch ev {
//			case http1.EventHead:
//				c.begin(c.parser.Request())
//			case http1.EventBody:
//				c.body(c.parser.Body())
//			case http1.EventDone:
//				c.finish()
//			case http1.EventNeedMore:
//				return
//			}
//		}
//	}
//
// Each call returns at most one event and the number of bytes it consumed.
// A request produces EventHead, then EventBody once per piece of body, then
// EventDone. A request without a body (no Content-Length or a zero one, no
// Transfer-Encoding) reports EventHead and, on the next call, EventDone
// with n == 0; so does a Content-Length body after its last piece. The end
// of a chunked body (last chunk and trailers) is consumed by the call that
// reports EventDone. After EventDone the next call starts on the next
// pipelined request.
//
// Input may be cut anywhere: a request split over any number of calls
// parses exactly as in one piece, and fails with the same error.
//
// # What the results point to
//
// The parser does not copy what it does not have to. When a call's data
// holds the complete head, Request's byte slices point into that data;
// only a head cut across calls is copied into the parser's own buffer.
// Body returns a sub-slice of the data of the call that reported EventBody,
// decoded (chunk framing removed). So:
//
//   - Body is valid while the data passed to that call is;
//   - Request is valid until the next request begins (the first call after
//     EventDone that is given bytes), as long as the caller leaves the bytes
//     it passed unchanged. A server that reuses its read buffer before
//     EventDone, e.g. when the body arrives in later reads, calls Detach at
//     EventHead: it copies the head into the parser (without allocating once
//     the buffer has grown) and Request then lives until the next request.
//     Request.Clone makes a copy that lives on.
//
// # Framing, connections and protocol switches
//
// The body is framed by Content-Length or by the chunked transfer coding.
// Chunk extensions are checked against the RFC 9112 grammar and ignored.
// Trailer fields are checked like header fields and bounded like the head
// (MaxHeaderBytes, MaxHeaders), then discarded: they are never merged into
// Request.Headers, and there is no API to read them.
//
// Request.KeepAlive tells whether the connection may carry another request.
// After a request whose KeepAlive is false, any further byte but CR and LF
// is an error: the caller should answer and close instead of parsing on. Request.Upgrade
// and CONNECT requests are reported, not acted on: a server that switches
// protocols stops feeding the parser after EventDone and hands the rest of
// the bytes to the new protocol; one that declines goes on parsing.
//
// # Errors
//
// A refused request yields an *Error with the Status to answer (400, 413,
// 414, 431, 501, 505) and a Reason. errors.Is matches it against the class
// sentinels (ErrBadRequest, ErrBodyTooLarge, ErrURITooLong,
// ErrHeaderTooLarge, ErrNotImplemented, ErrVersion). Once failed, the
// parser returns the same error until Reset; the connection should be
// closed after the error response. When several problems are present, the
// one that comes first in the byte stream is reported.
//
// Limits (zero values mean the defaults):
//
//	MaxRequestLine  8 KiB   request line longer          414
//	MaxHeaderBytes  32 KiB  head longer                  431
//	                        trailer section longer       431
//	                        chunk extensions, in total   413
//	MaxHeaders      128     more header (or trailer)
//	                        field lines                  431
//	MaxBody         50 MiB  Content-Length, or the sum
//	                        of chunk sizes, larger       413
//
// A chunk-size line (with its extensions) is also bounded to 4 KiB (400).
// Memory per parser: the head buffer never exceeds MaxHeaderBytes+1 bytes,
// the chunk/trailer line buffer MaxHeaderBytes; buffers larger than 4 KiB
// are released when the next request begins.
//
// # Request smuggling defences
//
// Where two HTTP processors could read different message boundaries from
// the same bytes, the parser refuses the request. Each decision has a test
// in smuggling_test.go.
//
//	Input                                          RFC                   Decision
//	---------------------------------------------  --------------------  -----------------------------
//	Content-Length and Transfer-Encoding           9112 §6.3(3), §11.2   400: the RFC lets chunked win
//	                                                                     but calls it an attack sign;
//	                                                                     refusing leaves nothing to
//	                                                                     disagree about
//	several Content-Length, different values       9110 §8.6, 9112 §6.3  400
//	several Content-Length, identical values,      9110 §8.6 (MAY        400: no valid sender does it,
//	or a list "5, 5"                               reject)               and hops may merge differently
//	Content-Length not 1*DIGIT (sign, inner        9110 §8.6             400; surrounding whitespace is
//	space, hex, empty, non-ASCII) or > 2^63-1                            trimmed like any field value
//	Transfer-Encoding in HTTP/1.0                  9112 §6.1             400 (framing is faulty)
//	chunked not the final coding, chunked twice,   9112 §6.3(4), §7      400
//	or an empty Transfer-Encoding
//	another coding before chunked ("gzip,          9112 §6.1             501: only chunked is
//	chunked")                                                            implemented
//	CONNECT with Content-Length > 0 or             9110 §9.3.6           400: tunnel bytes or body?
//	Transfer-Encoding
//	field name not a token (NUL, CR, obs-text...)  9110 §5.1             400
//	whitespace between field name and colon        9112 §5.1 (MUST)      400
//	CTL (NUL, DEL, ... but HTAB) in a field value  9110 §5.5             400; obs-text is accepted
//	bare CR anywhere in the head                   9112 §2.2             400, as soon as the byte
//	                                                                     after it arrives
//	bare LF as line terminator                     9112 §2.2 (MAY        400: a hop that does not split
//	                                               accept)               on LF sees other fields
//	obs-fold (line starting with SP or HTAB)       9112 §5.2 (MAY        400
//	                                               reject)
//	whitespace-preceded line after request line    9112 §2.2             400
//	empty lines (CRLF) before the request line     9112 §2.2 (SHOULD     skipped; they count toward
//	                                               ignore)               MaxHeaderBytes
//	method not a token                             9112 §3.1, 9110 §9.1  400; any token is a method
//	request line not method SP target SP version   9112 §3               400: single spaces only
//	request-target with SP, CTL, DEL, non-ASCII,   9112 §3.2             400
//	a bad %-escape in the path, or the wrong form
//	for its method (origin-form; absolute-form
//	with a valid host and port; authority-form
//	for CONNECT only; "*" for OPTIONS only)
//	HTTP-version not "HTTP/" DIGIT "." DIGIT       9112 §2.3             400; major version != 1: 505;
//	                                                                     HTTP/1.2-1.9 read as 1.1
//	Host missing (HTTP/1.1), repeated, or invalid  9112 §3.2 (MUST)      400 (Parser.AllowMissingHost
//	                                                                     waives "missing")
//	chunk size not hex, over 16 digits or 2^63-1   9112 §7.1             400
//	chunk extension off the grammar (whitespace    9112 §7.1.1           400; extensions are ignored
//	only before ";" and "="), CR or CTL in it                            and bounded
//	no CRLF after chunk data; LF-only chunk lines  9112 §7.1, errata     400
//	                                               7633
//	trailer fields                                 9110 §6.5, 9112       checked, bounded, discarded;
//	                                               §7.1.2                never merged into Headers
//	bytes after a request with KeepAlive false     9112 §9.6             400 (CR and LF are ignored)
//
// The llhttp test vectors are replayed in llhttp_test.go; where we
// deliberately differ from llhttp (its lenient modes, non-HTTP protocols,
// its fixed method list) is listed in testdata/LLHTTP-DIVERGENCES.md.
// FuzzDifferential checks that whatever we accept, net/http's
// http.ReadRequest accepts and reads the same way.
package http1
