package http1

import (
	"strings"
	"testing"
)

// The request smuggling defences of the decision table in doc.go, one
// vector each. Every vector is also checked split at every offset.

const (
	post   = "POST / HTTP/1.1\r\nHost: a\r\n"
	post10 = "POST / HTTP/1.0\r\n"
	te     = post + "Transfer-Encoding: chunked\r\n\r\n"
)

func TestSmugglingContentLength(t *testing.T) {
	runBad(t, Limits{}, []badCase{
		// RFC 9112 §6.3 item 3: CL and TE together. We reject instead of
		// letting TE win, so no two hops can disagree.
		{"CL then TE", post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", errCLAndTE},
		{"TE then CL", post + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", errCLAndTE},
		{"CL 0 with TE", post + "Content-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n", errCLAndTE},
		{"CL with TE identity", post + "Content-Length: 1\r\nTransfer-Encoding: identity\r\n\r\nx", errCLAndTE},
		{"CL with empty TE", post + "Content-Length: 1\r\nTransfer-Encoding:\r\n\r\nx", errCLAndTE},
		// RFC 9110 §8.6 and RFC 9112 §6.3 item 5: several Content-Length
		// values. Differing ones MUST be rejected; identical ones MAY be
		// merged, we reject them too (no legitimate client sends them).
		{"duplicate CL, different", post + "Content-Length: 1\r\nContent-Length: 2\r\n\r\nxx", errDupCL},
		{"duplicate CL, identical", post + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", errDupCL},
		{"duplicate CL, case", post + "Content-Length: 5\r\ncontent-length: 5\r\n\r\nhello", errDupCL},
		{"CL list, identical", post + "Content-Length: 5, 5\r\n\r\nhello", errContentLength},
		{"CL list, different", post + "Content-Length: 5,6\r\n\r\nhello", errContentLength},
		// Content-Length = 1*DIGIT (RFC 9110 §8.6).
		{"CL plus sign", post + "Content-Length: +5\r\n\r\nhello", errContentLength},
		{"CL negative", post + "Content-Length: -1\r\n\r\n", errContentLength},
		{"CL inner space", post + "Content-Length: 4 2\r\n\r\n", errContentLength},
		{"CL inner tab", post + "Content-Length: 4\t2\r\n\r\n", errContentLength},
		{"CL hex", post + "Content-Length: 0x5\r\n\r\nhello", errContentLength},
		{"CL trailing letter", post + "Content-Length: 5a\r\n\r\nhello", errContentLength},
		{"CL decimal point", post + "Content-Length: 5.0\r\n\r\nhello", errContentLength},
		{"CL empty", post + "Content-Length:\r\n\r\n", errContentLength},
		{"CL unicode digit", post + "Content-Length: \xd9\xa1\r\n\r\n", errContentLength},
		{"CL overflow 2^63", post + "Content-Length: 9223372036854775808\r\n\r\n", errContentLength},
		{"CL overflow 10^21", post + "Content-Length: 1000000000000000000000\r\n\r\n", errContentLength},
		{"CL max int64 is only too large", post + "Content-Length: 9223372036854775807\r\n\r\n", errBodyTooLarge},
		// RFC 9110 §9.3.6: CONNECT has no content; a body would be
		// tunnel data to one hop and a request body to another.
		{"CONNECT with CL", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nContent-Length: 3\r\n\r\nabc", errConnectBody},
		{"CONNECT with TE", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", errConnectBody},
	})
	t.Run("CL with OWS is fine", func(t *testing.T) {
		got := whole(t, post+"Content-Length: \t5 \r\n\r\nhello")
		if !strings.Contains(got, "cl=5") || !strings.Contains(got, `Done "hello"`) {
			t.Fatal(got)
		}
	})
	t.Run("GET body framed by CL", func(t *testing.T) {
		got := whole(t, "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 21\r\n\r\nGET /admin HTTP/1.1\r\n")
		if strings.Count(got, "Head") != 1 || !strings.Contains(got, `Done "GET /admin HTTP/1.1\r\n"`) {
			t.Fatal(got)
		}
	})
}

func TestSmugglingTransferEncoding(t *testing.T) {
	runBad(t, Limits{}, []badCase{
		// RFC 9112 §6.1: TE in HTTP/1.0 means faulty framing.
		{"TE in HTTP/1.0", post10 + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", errTEInHTTP10},
		{"TE and CL in HTTP/1.0", post10 + "Transfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\nx", errTEInHTTP10},
		// RFC 9112 §6.3 item 4: chunked not final (MUST 400), §7: chunked
		// at most once.
		{"chunked, gzip", post + "Transfer-Encoding: chunked, gzip\r\n\r\n", errTENotChunked},
		{"chunked twice", post + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", errTENotChunked},
		{"chunked on two lines", post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", errTENotChunked},
		{"chunked then gzip line", post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n", errTENotChunked},
		{"gzip only", post + "Transfer-Encoding: gzip\r\n\r\n", errTENotChunked},
		{"identity", post + "Transfer-Encoding: identity\r\n\r\n", errTENotChunked},
		{"empty TE", post + "Transfer-Encoding:\r\n\r\n", errTENotChunked},
		{"only commas", post + "Transfer-Encoding: , ,\r\n\r\n", errTENotChunked},
		{"chunkedchunked", post + "Transfer-Encoding: chunkedchunked\r\n\r\n", errTENotChunked},
		{"xchunked", post + "Transfer-Encoding: xchunked\r\n\r\n", errTENotChunked},
		{"chunked with parameter", post + "Transfer-Encoding: chunked;q=1\r\n\r\n", errTENotChunked},
		{"chunked with quotes", post + "Transfer-Encoding: \"chunked\"\r\n\r\n", errTENotChunked},
		// RFC 9112 §6.1: a coding we do not implement before chunked → 501.
		{"gzip, chunked", post + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", errTEUnsupported},
		{"gzip line, chunked line", post + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n", errTEUnsupported},
		// Field syntax applies before meaning.
		{"TE with vertical tab", post + "Transfer-Encoding: \x0bchunked\r\n\r\n", errFieldValue},
		{"TE folded", post + "Transfer-Encoding:\r\n chunked\r\n\r\n", errObsFold},
	})
}

func TestSmugglingFieldSyntax(t *testing.T) {
	runBad(t, Limits{}, []badCase{
		// RFC 9112 §5.1: no whitespace between field name and colon (MUST 400).
		{"space before colon", post + "Content-Length : 5\r\n\r\nhello", errSpaceBeforeColon},
		{"tab before colon", post + "Transfer-Encoding\t: chunked\r\n\r\n0\r\n\r\n", errSpaceBeforeColon},
		// RFC 9110 §5.1: field names are tokens.
		{"NUL in name", post + "Content-Length\x00: 5\r\n\r\nhello", errFieldName},
		{"obs-text in name", post + "Cont\xe9nt-Length: 5\r\n\r\nhello", errFieldName},
		{"brackets in name", post + "[Content-Length]: 5\r\n\r\nhello", errFieldName},
		{"CR in name", post + "Content\rLength: 3\r\n\r\nabc", errBareCR},
		// RFC 9110 §5.5: no CTLs (but HTAB) in values; bare CR is invalid
		// (RFC 9112 §2.2).
		{"NUL in value", post + "X: a\x00b\r\n\r\n", errFieldValue},
		{"bare CR in value", post + "X: a\rb\r\n\r\n", errBareCR},
		{"CR CR LF", post + "X: a\r\r\n\r\n", errBareCR},
		{"CR between fields", "GET / HTTP/1.1\r\nHost: a\r\nFoo: 1\rBar: 2\r\n\r\n", errBareCR},
		{"empty value then CR", "POST / HTTP/1.1\r\nHost: a\r\nx:\rTransfer-Encoding: chunked\r\n\r\n", errBareCR},
		{"ESC in value", post + "X: \x1b[31m\r\n\r\n", errFieldValue},
		// RFC 9112 §5.2: obs-fold may be rejected; §2.2: whitespace after
		// the start line MUST be rejected or the line ignored.
		{"obs-fold SP", post + "X: a\r\n b\r\n\r\n", errObsFold},
		{"obs-fold HTAB", post + "X: a\r\n\tb\r\n\r\n", errObsFold},
		{"space before first field", "POST / HTTP/1.1\r\n Host: a\r\n\r\n", errObsFold},
		{"folded CL line", post + "Foo: bar\r\n Content-Length: 38\r\n\r\n", errObsFold},
		// RFC 9112 §2.2: we do not accept a bare LF as line terminator.
		{"bare LF after request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", errBareLF},
		{"bare LF after field", "GET / HTTP/1.1\r\nHost: a\n\r\n", errBareLF},
		{"bare LF ending head", "GET / HTTP/1.1\r\nHost: a\r\n\n", errBareLF},
		{"LF only", "GET / HTTP/1.1\nHost: a\n\n", errBareLF},
		{"LF hides CL", "GET / HTTP/1.1\r\nHost: a\r\nDummy: x\nContent-Length: 23\r\n\r\n", errBareLF},
		{"bare LF before request", "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", errBareLF},
		// RFC 9112 §3.2 and RFC 9110 §7.2: exactly one valid Host in HTTP/1.1.
		{"two Host fields", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", errDupHost},
		{"Host with comma list", "GET / HTTP/1.1\r\nHost: a, b\r\n\r\n", errHost},
		{"Host with at", "GET / HTTP/1.1\r\nHost: a@b\r\n\r\n", errHost},
		{"no Host in HTTP/1.1", "GET / HTTP/1.1\r\nX: y\r\n\r\n", errMissingHost},
	})
}

func TestSmugglingRequestLine(t *testing.T) {
	runBad(t, Limits{}, []badCase{
		// RFC 9112 §3: method is a token, single SP separators.
		{"method with paren", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", errMethod},
		{"method with NUL", "GET\x00 / HTTP/1.1\r\nHost: a\r\n\r\n", errMethod},
		{"method with CR", "GE\rT / HTTP/1.1\r\nHost: a\r\n\r\n", errBareCR},
		{"bare CR ends request line", "GET / HTTP/1.1\rHost: a\r\n\r\n", errBareCR},
		// RFC 9112 §3.2: request-target without SP, CTL or non-ASCII bytes,
		// in the form its method calls for.
		{"NUL in target", "GET /\x00 HTTP/1.1\r\nHost: a\r\n\r\n", errTarget},
		{"tab in target", "GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", errTarget},
		{"UTF-8 in target", "GET /\xce\xb4 HTTP/1.1\r\nHost: a\r\n\r\n", errTarget},
		{"two at signs", "GET http://a@b@c/ HTTP/1.1\r\nHost: a\r\n\r\n", errTarget},
		{"fragment in authority", "GET http://a#b/ HTTP/1.1\r\nHost: a\r\n\r\n", errTarget},
		{"percent in host", "GET http://a%41/ HTTP/1.1\r\nHost: a\r\n\r\n", errTarget},
		// RFC 9112 §2.3: HTTP-version is case-sensitive "HTTP/" DIGIT "." DIGIT.
		{"version with space", "GET / HTTP/ 1.1\r\nHost: a\r\n\r\n", errVersionSyntax},
		{"HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", errVersion},
	})
}

func TestSmugglingChunked(t *testing.T) {
	runBad(t, Limits{}, []badCase{
		// RFC 9112 §7.1: chunk-size = 1*HEXDIG, within int64.
		{"invalid hex", te + "g\r\n", errChunkSize},
		{"negative size", te + "-1\r\n", errChunkSize},
		{"leading space", te + " 5\r\nhello\r\n0\r\n\r\n", errChunkSize},
		{"0x prefix", te + "0x5\r\nhello\r\n0\r\n\r\n", errChunkExt},
		{"trailing space", te + "5 \r\nhello\r\n0\r\n\r\n", errChunkExt},
		{"space then junk", te + "2 erfrferferf\r\naa\r\n0\r\n\r\n", errChunkExt},
		{"17 hex digits", te + "00000000000000001\r\nx\r\n0\r\n\r\n", errChunkOverflow},
		{"2^63", te + "8000000000000000\r\n", errChunkOverflow},
		{"2^64-1", te + "ffffffffffffffff\r\n", errChunkOverflow},
		// RFC 9112 §7.1: CRLF after chunk data, nothing else.
		{"data overrun", te + "5\r\nhelloX\r\n0\r\n\r\n", errChunkCRLF},
		{"LF only after data", te + "5\r\nhello\n0\r\n\r\n", errChunkCRLF},
		{"CR only after data", te + "5\r\nhello\r0\r\n\r\n", errChunkCRLF},
		{"missing CRLF, next size", te + "5\r\nABCDE0\r\n\r\n", errChunkCRLF},
		// Chunk lines end in CRLF (errata 7633: no bare LF).
		{"bare LF after size", te + "5\nhello\r\n0\r\n\r\n", errBareLF},
		{"bare CR in size line", te + "5\r\r;ABCD\r\n34\r\nE\r\n0\r\n\r\n", errChunkExt},
		{"LF inside quoted extension", te + "5;a=\"x\ny\"\r\nhello\r\n0\r\n\r\n", errBareLF},
		{"control in extension", te + "5;a=\x01\r\nhello\r\n0\r\n\r\n", errChunkExt},
		{"bare LF after last chunk", te + "0\n\r\n", errBareLF},
		{"bare LF ending trailers", te + "0\r\n\n", errBareLF},
	})
	t.Run("trailers never reach the head", func(t *testing.T) {
		var p Parser
		data := []byte(te + "0\r\nContent-Length: 5\r\nTransfer-Encoding: gzip\r\nHost: evil\r\n\r\n")
		var events []Event
		for {
			n, ev, err := p.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			data, events = data[n:], append(events, ev)
			if ev == EventNeedMore {
				break
			}
		}
		r := p.Request()
		if len(r.Headers) != 2 || string(r.Host) != "a" || r.Header("Content-Length") != nil || len(events) != 3 {
			t.Fatalf("events %v, request %s", events, render(r))
		}
	})
}
