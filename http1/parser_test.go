package http1

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// render describes a request head in one stable, comparable text.
func render(r *Request) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Head %s %s %d.%d cl=%d", r.Method, r.Target, r.ProtoMajor, r.ProtoMinor, r.ContentLength)
	for _, f := range []struct {
		on   bool
		name string
	}{{r.Chunked, "chunked"}, {r.KeepAlive, "keep-alive"}, {!r.KeepAlive, "close"},
		{r.Expect100, "expect-100"}, {r.Upgrade, "upgrade"}} {
		if f.on {
			b.WriteString(" " + f.name)
		}
	}
	if r.Host == nil {
		b.WriteString(" host=nil")
	} else {
		fmt.Fprintf(&b, " host=%q", r.Host)
	}
	for _, h := range r.Headers {
		fmt.Fprintf(&b, "\n  %s: %s", h.Name, h.Value)
	}
	return b.String()
}

// feeder drives a Parser the way an engine does: every piece is copied into
// one scratch buffer that is overwritten (with 0xAA) once the piece is
// consumed, so anything the parser wrongly keeps pointing into a previous
// piece shows up as garbage. It records a transcript of what happened and
// checks the calling contract on every call.
type feeder struct {
	t       testing.TB
	p       *Parser
	detach  bool // call Detach at EventHead and check Request at EventDone
	scratch []byte
	out     strings.Builder
	head    string
	body    []byte
	inMsg   bool
	failed  bool
}

func newFeeder(t testing.TB, p *Parser, detach bool) *feeder {
	return &feeder{t: t, p: p, detach: detach, scratch: make([]byte, 0, 64)}
}

// piece feeds one piece; it reports false once the parser failed.
func (f *feeder) piece(piece []byte) bool {
	if f.failed {
		return false
	}
	data := append(f.scratch[:0], piece...)
	f.scratch = data
	defer func() {
		for i := range data {
			data[i] = 0xAA
		}
	}()
	for zero := 0; ; {
		n, ev, err := f.p.Parse(data)
		if n < 0 || n > len(data) {
			f.t.Fatalf("Parse consumed %d of %d bytes", n, len(data))
		}
		if err != nil {
			f.flushBody("Partial")
			var e *Error
			if !errors.As(err, &e) {
				f.t.Fatalf("error %v is not an *Error", err)
			}
			fmt.Fprintf(&f.out, "Error %d %s\n", e.Status, e.Reason)
			f.failed = true
			return false
		}
		if ev == EventNeedMore {
			if n != len(data) {
				f.t.Fatalf("EventNeedMore consumed %d of %d bytes", n, len(data))
			}
			return true
		}
		if zero++; n > 0 {
			zero = 0
		}
		if zero > 2 {
			f.t.Fatalf("Parse makes no progress (event %v)", ev)
		}
		f.event(ev, data, n)
		data = data[n:]
	}
}

func (f *feeder) event(ev Event, data []byte, n int) {
	switch ev {
	case EventHead:
		if f.inMsg {
			f.t.Fatalf("EventHead inside a message")
		}
		f.inMsg, f.head, f.body = true, render(f.p.Request()), f.body[:0]
		f.out.WriteString(f.head + "\n")
		if f.detach {
			f.p.Detach()
		}
	case EventBody:
		b := f.p.Body()
		if !f.inMsg || len(b) == 0 || len(b) > n || !bytes.Equal(b, data[n-len(b):n]) ||
			cap(b) != cap(data)-(n-len(b)) {
			f.t.Fatalf("EventBody: body %q is not data[n-len:n] (n=%d)", b, n)
		}
		f.body = append(f.body, b...)
	case EventDone:
		if !f.inMsg {
			f.t.Fatalf("EventDone outside a message")
		}
		if f.detach && render(f.p.Request()) != f.head {
			f.t.Fatalf("detached request changed:\n%s\nwas\n%s", render(f.p.Request()), f.head)
		}
		f.flushBody("Done")
	default:
		f.t.Fatalf("unexpected event %v", ev)
	}
	if ev != EventBody && f.p.Body() != nil {
		f.t.Fatalf("Body() = %q after %v", f.p.Body(), ev)
	}
}

func (f *feeder) flushBody(what string) {
	if f.inMsg {
		fmt.Fprintf(&f.out, "%s %q\n", what, f.body)
		f.inMsg = false
	}
}

// transcript parses the pieces with a fresh parser (with limits l) and
// returns what happened.
func transcript(t testing.TB, l Limits, detach bool, pieces ...[]byte) string {
	p := &Parser{Limits: l}
	f := newFeeder(t, p, detach)
	for _, pc := range pieces {
		if !f.piece(pc) {
			break
		}
	}
	f.flushBody("Partial")
	return f.out.String()
}

// whole parses s in one piece with default limits.
func whole(t testing.TB, s string) string { return transcript(t, Limits{}, false, []byte(s)) }

// randomPieces cuts data into random pieces (many of them tiny).
func randomPieces(rng *rand.Rand, data []byte) [][]byte {
	var out [][]byte
	for len(data) > 0 {
		n := 1 + rng.IntN(min(len(data), 1+rng.IntN(24)))
		out = append(out, data[:n])
		data = data[n:]
	}
	return out
}

// checkSplits verifies that every way of cutting data gives the transcript
// of the whole: at each offset, byte by byte, and randomly.
func checkSplits(t *testing.T, l Limits, data []byte) {
	t.Helper()
	want := transcript(t, l, false, data)
	check := func(how string, detach bool, pieces ...[]byte) {
		t.Helper()
		if got := transcript(t, l, detach, pieces...); got != want {
			t.Fatalf("%s (detach=%v):\n%s\nwant (whole):\n%s", how, detach, got, want)
		}
	}
	check("whole", true, data)
	for i := 0; i <= len(data); i++ {
		// Every offset of small inputs; the ends and a sample of large ones.
		if len(data) < 2048 || i < 512 || i > len(data)-512 || i%61 == 0 {
			check("split at "+strconv.Itoa(i), i%2 == 0, data[:i], data[i:])
		}
	}
	bytewise := make([][]byte, len(data))
	for i := range data {
		bytewise[i] = data[i : i+1]
	}
	check("byte by byte", false, bytewise...)
	check("byte by byte", true, bytewise...)
	rng := rand.New(rand.NewPCG(uint64(len(data)), 7))
	for i := 0; i < 50; i++ {
		check("random pieces", i%2 == 1, randomPieces(rng, data)...)
	}
}

const browserGET = "GET /static/app.js?v=3 HTTP/1.1\r\n" +
	"Host: www.example.com\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
	"Accept-Language: en-US,en;q=0.5\r\n" +
	"Accept-Encoding: gzip, deflate, br, zstd\r\n" +
	"Referer: https://www.example.com/\r\n" +
	"Connection: keep-alive\r\n" +
	"Cookie: session=8f2d0c1e9a7b4f3e; theme=dark\r\n" +
	"Sec-Fetch-Dest: script\r\n" +
	"If-None-Match: \"33a64df551425fcc55e4d42a148795d9f25f89d4\"\r\n" +
	"\r\n"

func get20() string {
	var b strings.Builder
	b.WriteString("GET /api/v1/items/42 HTTP/1.1\r\nHost: api.example.com\r\n")
	for i := 1; i < 20; i++ {
		fmt.Fprintf(&b, "X-Header-%02d: value number %d\r\n", i, i)
	}
	b.WriteString("\r\n")
	return b.String()
}

const postSmall = "POST /api/login HTTP/1.1\r\nHost: example.com\r\n" +
	"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 27\r\n\r\n" +
	"user=alice&password=s3cr3t!"

const chunkedPost = "POST /upload HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n" +
	"7\r\nMozilla\r\n11;name=\"quoted \\\" value\"\r\nDeveloper Network\r\n" +
	"0\r\nExpires: Wed, 21 Oct 2015 07:28:00 GMT\r\n\r\n"

func TestParseGood(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"simple GET", "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
			"Head GET / 1.1 cl=-1 keep-alive host=\"a\"\n  Host: a\nDone \"\"\n"},
		{"POST with body", postSmall,
			"Head POST /api/login 1.1 cl=27 keep-alive host=\"example.com\"\n  Host: example.com\n" +
				"  Content-Type: application/x-www-form-urlencoded\n  Content-Length: 27\n" +
				"Done \"user=alice&password=s3cr3t!\"\n"},
		{"chunked with extension and trailer", chunkedPost,
			"Head POST /upload 1.1 cl=-1 chunked keep-alive host=\"example.com\"\n  Host: example.com\n" +
				"  Transfer-Encoding: chunked\nDone \"MozillaDeveloper Network\"\n"},
		{"HTTP/1.0 closes", "GET /x HTTP/1.0\r\n\r\n",
			"Head GET /x 1.0 cl=-1 close host=nil\nDone \"\"\n"},
		{"HTTP/1.0 keep-alive", "GET /x HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
			"Head GET /x 1.0 cl=-1 keep-alive host=nil\n  Connection: Keep-Alive\nDone \"\"\n"},
		{"HTTP/1.0 close wins", "GET /x HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n",
			"Head GET /x 1.0 cl=-1 close host=nil\n  Connection: keep-alive, close\nDone \"\"\n"},
		{"HTTP/1.1 close", "GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, Close\r\n\r\n",
			"Head GET / 1.1 cl=-1 close host=\"a\"\n  Host: a\n  Connection: foo, Close\nDone \"\"\n"},
		{"HTTP/1.2 is 1.1", "GET / HTTP/1.2\r\nHost: a\r\n\r\n",
			"Head GET / 1.2 cl=-1 keep-alive host=\"a\"\n  Host: a\nDone \"\"\n"},
		{"upgrade", "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n",
			"Head GET /ws 1.1 cl=-1 keep-alive upgrade host=\"a\"\n  Host: a\n" +
				"  Connection: keep-alive, Upgrade\n  Upgrade: websocket\nDone \"\"\n"},
		{"upgrade needs Connection", "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n",
			"Head GET /ws 1.1 cl=-1 keep-alive host=\"a\"\n  Host: a\n  Upgrade: websocket\nDone \"\"\n"},
		{"upgrade ignored in 1.0", "GET /ws HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
			"Head GET /ws 1.0 cl=-1 close host=nil\n  Connection: upgrade\n  Upgrade: websocket\nDone \"\"\n"},
		{"expect 100-continue", "PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nhi",
			"Head PUT /f 1.1 cl=2 keep-alive expect-100 host=\"a\"\n  Host: a\n  Expect: 100-Continue\n" +
				"  Content-Length: 2\nDone \"hi\"\n"},
		{"expect ignored in 1.0", "PUT /f HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n",
			"Head PUT /f 1.0 cl=0 close host=nil\n  Expect: 100-continue\n  Content-Length: 0\nDone \"\"\n"},
		{"empty lines before the request", "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
			"Head GET / 1.1 cl=-1 keep-alive host=\"a\"\n  Host: a\nDone \"\"\n"},
		{"absolute-form", "GET http://user:p%41ss@example.com:8080/a/b?c=d#e HTTP/1.1\r\nHost: x\r\n\r\n",
			"Head GET http://user:p%41ss@example.com:8080/a/b?c=d#e 1.1 cl=-1 keep-alive host=\"x\"\n  Host: x\nDone \"\"\n"},
		{"absolute-form IPv6", "GET http://[::1]:8080/ HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
			"Head GET http://[::1]:8080/ 1.1 cl=-1 keep-alive host=\"[::1]:8080\"\n  Host: [::1]:8080\nDone \"\"\n"},
		{"CONNECT authority-form", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
			"Head CONNECT example.com:443 1.1 cl=-1 keep-alive host=\"example.com:443\"\n  Host: example.com:443\nDone \"\"\n"},
		{"OPTIONS asterisk", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
			"Head OPTIONS * 1.1 cl=-1 keep-alive host=\"a\"\n  Host: a\nDone \"\"\n"},
		{"extension method", "PURGE /c HTTP/1.1\r\nHost: a\r\n\r\n",
			"Head PURGE /c 1.1 cl=-1 keep-alive host=\"a\"\n  Host: a\nDone \"\"\n"},
		{"values trimmed, empty, obs-text, inner spaces",
			"GET / HTTP/1.1\r\nHost:\r\nA: \t x  y \t\r\nB:\r\nC: caf\xc3\xa9\r\nd-E_f!: 1\r\n\r\n",
			"Head GET / 1.1 cl=-1 keep-alive host=\"\"\n  Host: \n  A: x  y\n  B: \n  C: caf\xc3\xa9\n  d-E_f!: 1\nDone \"\"\n"},
		{"Content-Length zero and leading zeros",
			"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\nPOST / HTTP/1.1\r\nHost: a\r\nContent-Length: 003\r\n\r\nabc",
			"Head POST / 1.1 cl=0 keep-alive host=\"a\"\n  Host: a\n  Content-Length: 0\nDone \"\"\n" +
				"Head POST / 1.1 cl=3 keep-alive host=\"a\"\n  Host: a\n  Content-Length: 003\nDone \"abc\"\n"},
		{"chunked: case, empty list elements, hex digits, BWS in extensions",
			"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: , Chunked ,\r\n\r\n" +
				"00A ; a = b ;c;d=\"\"\r\n0123456789\r\nf\r\nabcdefghijklmno\r\n000\r\n\r\n",
			"Head POST / 1.1 cl=-1 chunked keep-alive host=\"a\"\n  Host: a\n  Transfer-Encoding: , Chunked ,\n" +
				"Done \"0123456789abcdefghijklmno\"\n"},
		{"trailers are discarded", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" +
			"1\r\nx\r\n0\r\nContent-Length: 99\r\nHost: evil\r\nX-Trailer: 1\r\n\r\n",
			"Head POST / 1.1 cl=-1 chunked keep-alive host=\"a\"\n  Host: a\n  Transfer-Encoding: chunked\nDone \"x\"\n"},
		{"pipelined", "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n" + postSmall + "GET /3 HTTP/1.1\r\nHost: a\r\n\r\n",
			"Head GET /1 1.1 cl=-1 keep-alive host=\"a\"\n  Host: a\nDone \"\"\n" +
				"Head POST /api/login 1.1 cl=27 keep-alive host=\"example.com\"\n  Host: example.com\n" +
				"  Content-Type: application/x-www-form-urlencoded\n  Content-Length: 27\n" +
				"Done \"user=alice&password=s3cr3t!\"\n" +
				"Head GET /3 1.1 cl=-1 keep-alive host=\"a\"\n  Host: a\nDone \"\"\n"},
		{"partial body", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc",
			"Head POST / 1.1 cl=10 keep-alive host=\"a\"\n  Host: a\n  Content-Length: 10\nPartial \"abc\"\n"},
		{"partial head", "GET / HTTP/1.1\r\nHost: a\r\n", ""},
		{"target characters llhttp and browsers send", "GET /a|b/\"c\"/%7E?q=%zz&r=\\x{}^` HTTP/1.1\r\nHost: a\r\n\r\n",
			"Head GET /a|b/\"c\"/%7E?q=%zz&r=\\x{}^` 1.1 cl=-1 keep-alive host=\"a\"\n  Host: a\nDone \"\"\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := whole(t, tc.in); got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
			checkSplits(t, Limits{}, []byte(tc.in))
		})
	}
}

// badCase is a request the parser must refuse with err.
type badCase struct {
	name, in string
	err      *Error
}

func runBad(t *testing.T, l Limits, cases []badCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var p Parser
			p.Limits = l
			f := newFeeder(t, &p, false)
			f.piece([]byte(tc.in))
			_, _, err := p.Parse(nil)
			var e *Error
			if !errors.As(err, &e) || e != tc.err {
				t.Fatalf("got %v (transcript %q), want %v", err, f.out.String(), tc.err)
			}
			if !errors.Is(err, e.Unwrap()) || statusOf(e.Unwrap()) != e.Status {
				t.Fatalf("%v does not unwrap to its class", err)
			}
			checkSplits(t, l, []byte(tc.in))
		})
	}
}

func statusOf(class error) int {
	for status, c := range map[int]error{400: ErrBadRequest, 413: ErrBodyTooLarge, 414: ErrURITooLong,
		431: ErrHeaderTooLarge, 501: ErrNotImplemented, 505: ErrVersion} {
		if c == class {
			return status
		}
	}
	return 0
}

func TestParseBad(t *testing.T) {
	runBad(t, Limits{}, []badCase{
		{"no target", "GET HTTP/1.1\r\n\r\n", errRequestLine},
		{"empty target", "GET  HTTP/1.1\r\nHost: a\r\n\r\n", errTarget},
		{"no space", "GARBAGE\r\n\r\n", errRequestLine},
		{"HTTP/0.9", "GET /\r\n\r\n", errRequestLine},
		{"double space", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", errVersionSyntax},
		{"tab separator", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", errRequestLine},
		{"trailing space", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", errVersionSyntax},
		{"space in target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", errVersionSyntax},
		{"lower-case version", "GET / http/1.1\r\nHost: a\r\n\r\n", errVersionSyntax},
		{"version 1.10", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", errVersionSyntax},
		{"version 2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", errVersion},
		{"version 0.9", "GET / HTTP/0.9\r\n\r\n", errVersion},
		{"RTSP", "OPTIONS / RTSP/1.0\r\n\r\n", errVersionSyntax},
		{"method with slash", "GE/T / HTTP/1.1\r\nHost: a\r\n\r\n", errMethod},
		{"method with NUL", "GE\x00T / HTTP/1.1\r\nHost: a\r\n\r\n", errMethod},
		{"empty method", " / HTTP/1.1\r\nHost: a\r\n\r\n", errMethod},
		{"target with control", "GET /a\x01 HTTP/1.1\r\nHost: a\r\n\r\n", errTarget},
		{"target with DEL", "GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n", errTarget},
		{"target with UTF-8", "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", errTarget},
		{"target with bare CR", "GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n", errBareCR},
		{"bad percent escape in path", "GET /a%2x HTTP/1.1\r\nHost: a\r\n\r\n", errTarget},
		{"truncated percent escape", "GET /a% HTTP/1.1\r\nHost: a\r\n\r\n", errTarget},
		{"relative target", "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", errTarget},
		{"asterisk for GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", errTarget},
		{"CONNECT without port", "CONNECT example.com HTTP/1.1\r\nHost: a\r\n\r\n", errTarget},
		{"CONNECT with path", "CONNECT /x HTTP/1.1\r\nHost: a\r\n\r\n", errTarget},
		{"absolute-form empty host", "GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", errTarget},
		{"absolute-form bad port", "GET http://a:8x/ HTTP/1.1\r\nHost: a\r\n\r\n", errTarget},
		{"absolute-form bad IPv6", "GET http://[zz]/ HTTP/1.1\r\nHost: a\r\n\r\n", errTarget},
		{"absolute-form IPv4 in brackets", "GET http://[1.2.3.4]/ HTTP/1.1\r\nHost: a\r\n\r\n", errTarget},
		{"absolute-form bad userinfo escape", "GET http://a%zz@b/ HTTP/1.1\r\nHost: a\r\n\r\n", errTarget},
		{"absolute-form userinfo with slash", "GET http://a\\b@c/ HTTP/1.1\r\nHost: a\r\n\r\n", errTarget},
		{"no scheme", "GET :x HTTP/1.1\r\nHost: a\r\n\r\n", errTarget},
		{"scheme only", "GET http HTTP/1.1\r\nHost: a\r\n\r\n", errTarget},
		{"missing Host", "GET / HTTP/1.1\r\n\r\n", errMissingHost},
		{"header without colon", "GET / HTTP/1.1\r\nHost: a\r\nFoo\r\n\r\n", errNoColon},
		{"empty header name", "GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n", errFieldName},
		{"header name with slash", "GET / HTTP/1.1\r\nHost: a\r\nA/B: v\r\n\r\n", errFieldName},
		{"header name with UTF-8", "GET / HTTP/1.1\r\nHost: a\r\nCaf\xc3\xa9: v\r\n\r\n", errFieldName},
		{"header value with DEL", "GET / HTTP/1.1\r\nHost: a\r\nA: \x7f\r\n\r\n", errFieldValue},
		{"header value with form feed", "GET / HTTP/1.1\r\nHost: a\r\nA: \f\r\n\r\n", errFieldValue},
		{"Host with space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", errHost},
		{"Host with slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", errHost},
		{"multiple Host", "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", errDupHost},
		{"data after close", "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\n", errAfterClose},
		{"data after HTTP/1.0", "GET / HTTP/1.0\r\n\r\n\r\nG", errAfterClose},
		{"chunk size missing", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", errChunkSize},
		{"chunk without last-chunk", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nfoo\r\n\r\n", errChunkSize},
		{"chunk extension without name", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2;\r\naa\r\n0\r\n\r\n", errChunkExt},
		{"chunk extension unterminated quote", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2;a=\"b\r\naa\r\n0\r\n\r\n", errChunkExt},
		{"chunk extension bad quoted-pair", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2;a=\"\\\x01\"\r\naa\r\n0\r\n\r\n", errChunkExt},
		{"chunk extension control in quotes", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2;a=\"\x01\"\r\naa\r\n0\r\n\r\n", errChunkExt},
		{"chunk extension bad value", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2;a=b c\r\naa\r\n0\r\n\r\n", errChunkExt},
		{"trailer without colon", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nfoo\r\n\r\n", errNoColon},
		{"trailer bare LF", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: b\n\r\n", errBareLF},
		{"trailer obs-fold", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: b\r\n c\r\n\r\n", errObsFold},
	})
}

// line makes a request line of exactly n bytes (without CRLF).
func line(n int) string {
	return "GET /" + strings.Repeat("a", n-len("GET / HTTP/1.1")) + " HTTP/1.1"
}

// headOf makes a head of exactly n bytes, empty line included.
func headOf(n int) string {
	h := "GET / HTTP/1.1\r\nHost: a\r\nX: "
	return h + strings.Repeat("v", n-len(h)-4) + "\r\n\r\n"
}

func chunked(chunks ...string) string {
	s := "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	for _, c := range chunks {
		s += fmt.Sprintf("%x\r\n%s\r\n", len(c), c)
	}
	return s + "0\r\n\r\n"
}

func fields(n int, name string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%s%d: v\r\n", name, i)
	}
	return b.String()
}

func TestLimits(t *testing.T) {
	small := Limits{MaxRequestLine: 64, MaxHeaderBytes: 256, MaxHeaders: 5, MaxBody: 100}
	ok := func(l Limits, name, in string) {
		t.Run(name, func(t *testing.T) {
			if got := transcript(t, l, false, []byte(in)); !strings.Contains(got, "Done") || strings.Contains(got, "Error") {
				t.Fatalf("rejected at the limit:\n%s", got)
			}
			checkSplits(t, l, []byte(in))
		})
	}
	ok(small, "request line at limit", line(64)+"\r\nHost: a\r\n\r\n")
	ok(small, "head at limit", headOf(256))
	ok(small, "header count at limit", "GET / HTTP/1.1\r\nHost: a\r\n"+fields(4, "X")+"\r\n")
	ok(small, "body at limit", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n"+strings.Repeat("b", 100))
	ok(small, "chunked body at limit", chunked(strings.Repeat("b", 60), strings.Repeat("c", 40)))
	ok(small, "trailers at limits", chunked("x")[:len(chunked("x"))-2]+fields(5, "T")+"\r\n")
	ok(Limits{}, "default request line at limit", line(DefaultMaxRequestLine)+"\r\nHost: a\r\n\r\n")
	ok(Limits{}, "default head at limit", headOf(DefaultMaxHeaderBytes))
	ok(Limits{}, "default header count at limit", "GET / HTTP/1.1\r\nHost: a\r\n"+fields(DefaultMaxHeaders-1, "X")+"\r\n")

	runBad(t, small, []badCase{
		{"request line over limit", line(65) + "\r\nHost: a\r\n\r\n", errRequestLineLen},
		{"request line over limit, incomplete", line(66), errRequestLineLen},
		{"head over limit", headOf(257), errHeadTooLarge},
		{"head over limit, incomplete", headOf(300)[:258], errHeadTooLarge},
		{"empty lines count toward the head", strings.Repeat("\r\n", 128) + "G", errHeadTooLarge},
		// The first violation in the byte stream wins, however the head is cut.
		{"bare CR before the request line limit", "GET /\r" + strings.Repeat("a", 70), errBareCR},
		{"request line limit before a bare CR", line(64) + "aa\rb", errRequestLineLen},
		{"bare CR before the head limit", headOf(300)[:200] + "\rx" + strings.Repeat("y", 100), errBareCR},
		{"head limit before a bare CR", headOf(300)[:257] + "\rx", errHeadTooLarge},
		{"head limit at a folded line", headOf(258)[:256] + " x: y\r\n\r\n", errHeadTooLarge},
		{"folded line before the head limit", headOf(252)[:250] + " x: y\r\n\r\n", errObsFold},
		{"too many headers", "GET / HTTP/1.1\r\nHost: a\r\n" + fields(5, "X") + "\r\n", errTooManyHeaders},
		{"Content-Length over limit", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n", errBodyTooLarge},
		{"chunked total over limit", chunked(strings.Repeat("b", 60), strings.Repeat("c", 41)), errBodyTooLarge},
		{"huge chunk", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffff\r\n", errBodyTooLarge},
		{"trailer section over limit", chunked("x")[:len(chunked("x"))-2] + "T: " + strings.Repeat("t", 260) + "\r\n\r\n", errTrailerTooLarge},
		{"too many trailers", chunked("x")[:len(chunked("x"))-2] + fields(6, "T") + "\r\n", errTooManyTrailers},
		{"chunk extensions over limit", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" +
			strings.Repeat("1;"+strings.Repeat("e", 98)+"\r\nx\r\n", 3), errChunkExtTooLarge},
	})
	runBad(t, Limits{}, []badCase{
		{"default request line over limit", line(DefaultMaxRequestLine+1) + "\r\nHost: a\r\n\r\n", errRequestLineLen},
		{"default head over limit", headOf(DefaultMaxHeaderBytes + 1), errHeadTooLarge},
		{"default header count over limit", "GET / HTTP/1.1\r\nHost: a\r\n" + fields(DefaultMaxHeaders, "X") + "\r\n", errTooManyHeaders},
		{"default body limit", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 52428801\r\n\r\n", errBodyTooLarge},
		{"chunk line over 4 KiB", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;" +
			strings.Repeat("e", maxChunkLine) + "\r\nx\r\n0\r\n\r\n", errChunkLineLen},
	})
}

func TestHugeLimits(t *testing.T) {
	l := Limits{MaxRequestLine: int(^uint(0) >> 1), MaxHeaderBytes: int(^uint(0) >> 1), MaxHeaders: 1 << 40, MaxBody: 1<<63 - 1}
	in := "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi"
	if got := transcript(t, l, false, []byte(in)); !strings.Contains(got, `Done "hi"`) {
		t.Fatal(got)
	}
	checkSplits(t, l, []byte(in))
}

func TestCRLFAfterClose(t *testing.T) {
	got := whole(t, "POST / HTTP/1.0\r\nContent-Length: 4\r\n\r\nq=42\r\n\r\n")
	if got != "Head POST / 1.0 cl=4 close host=nil\n  Content-Length: 4\nDone \"q=42\"\n" {
		t.Fatalf("%q", got)
	}
}

func TestLimitsNotMutated(t *testing.T) {
	p := Parser{Limits: Limits{MaxHeaders: 3}}
	p.Parse([]byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
	if p.Limits != (Limits{MaxHeaders: 3}) {
		t.Fatalf("Limits changed to %+v", p.Limits)
	}
}

func TestEventSequence(t *testing.T) {
	var p Parser
	data := []byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	type step struct {
		n  int
		ev Event
	}
	var got []step
	for {
		n, ev, err := p.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, step{n, ev})
		data = data[n:]
		if ev == EventNeedMore {
			break
		}
	}
	want := []step{{27, EventHead}, {0, EventDone}, {0, EventNeedMore}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestErrorIsSticky(t *testing.T) {
	var p Parser
	_, _, err := p.Parse([]byte("GET / HTTP/1.1\nHost: a\r\n\r\n"))
	if err != errBareLF {
		t.Fatalf("got %v", err)
	}
	if n, ev, err2 := p.Parse([]byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n")); n != 0 || ev != EventNeedMore || err2 != err {
		t.Fatalf("after error: %d %v %v", n, ev, err2)
	}
	p.Reset()
	if _, ev, err := p.Parse([]byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n")); ev != EventHead || err != nil {
		t.Fatalf("after Reset: %v %v", ev, err)
	}
	if got := errBareLF.Error(); got != "http1: bare LF line terminator (400)" {
		t.Fatalf("Error() = %q", got)
	}
	if !errors.Is(errRequestLineLen, ErrURITooLong) || !errors.Is(errTEUnsupported, ErrNotImplemented) {
		t.Fatal("error classes do not match")
	}
}

func TestResetMidRequest(t *testing.T) {
	var p Parser
	p.Parse([]byte("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nab"))
	p.Reset()
	f := newFeeder(t, &p, false)
	f.piece([]byte("GET /x HTTP/1.1\r\nHost: b\r\n\r\n"))
	if got := f.out.String(); got != "Head GET /x 1.1 cl=-1 keep-alive host=\"b\"\n  Host: b\nDone \"\"\n" {
		t.Fatalf("got %q", got)
	}
}

func TestHeaderLookup(t *testing.T) {
	var p Parser
	p.Parse([]byte("GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\nAccept: a\r\naccept: b\r\n\r\n"))
	r := p.Request()
	if got := r.Header("ACCEPT"); string(got) != "a" {
		t.Errorf("Header(ACCEPT) = %q", got)
	}
	if got := r.Header("x-empty"); got == nil || len(got) != 0 {
		t.Errorf("Header(x-empty) = %#v, want empty non-nil", got)
	}
	if got := r.Header("missing"); got != nil {
		t.Errorf("Header(missing) = %q", got)
	}
	if n := testing.AllocsPerRun(100, func() { r.Header("accept") }); n != 0 {
		t.Errorf("Header allocates %v times", n)
	}
}

func TestCloneAndDetach(t *testing.T) {
	data := []byte("POST /p HTTP/1.1\r\nHost: h\r\nA: 1\r\nContent-Length: 3\r\n\r\nxyz")
	var p Parser
	n, _, _ := p.Parse(data)
	want := render(p.Request())
	c := p.Request().Clone()
	p.Detach()
	p.Detach() // no-op
	for i := range data[:n] {
		data[i] = '#'
	}
	if got := render(p.Request()); got != want {
		t.Errorf("detached request changed:\n%s", got)
	}
	if got := render(c); got != want {
		t.Errorf("clone changed:\n%s", got)
	}
	if _, ev, _ := p.Parse(data[n:]); ev != EventBody || string(p.Body()) != "xyz" {
		t.Errorf("body after Detach: %v %q", ev, p.Body())
	}
}

func TestAllocations(t *testing.T) {
	for _, tc := range []struct {
		name   string
		pieces []string
	}{
		{"browser GET", []string{browserGET}},
		{"GET with 20 headers", []string{get20()}},
		{"POST small body", []string{postSmall}},
		{"chunked", []string{chunkedPost}},
		{"head split in 3", []string{browserGET[:30], browserGET[30:200], browserGET[200:]}},
		{"chunked split bytewise", strings.Split(chunkedPost, "")},
		{"detached", []string{postSmall}},
	} {
		var p Parser
		pieces := make([][]byte, len(tc.pieces))
		for i, s := range tc.pieces {
			pieces[i] = []byte(s)
		}
		run := func() {
			for _, data := range pieces {
				for {
					n, ev, err := p.Parse(data)
					if err != nil {
						t.Fatal(err)
					}
					if ev == EventHead && tc.name == "detached" {
						p.Detach()
					}
					data = data[n:]
					if ev == EventNeedMore {
						break
					}
				}
			}
		}
		if n := testing.AllocsPerRun(200, run); n != 0 {
			t.Errorf("%s: %v allocations per request, want 0", tc.name, n)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	for _, bc := range []struct{ name, req string }{
		{"BrowserGET", browserGET},
		{"GET20Headers", get20()},
		{"PostSmallBody", postSmall},
		{"Chunked", chunkedPost},
	} {
		b.Run(bc.name, func(b *testing.B) {
			data := []byte(bc.req)
			var p Parser
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				d := data
				for {
					n, ev, err := p.Parse(d)
					if err != nil {
						b.Fatal(err)
					}
					d = d[n:]
					if ev == EventNeedMore {
						break
					}
				}
			}
		})
	}
}

// BenchmarkParseSplitHead measures the slow path: a head cut in two.
func BenchmarkParseSplitHead(b *testing.B) {
	data := []byte(browserGET)
	cut := len(data) / 2
	var p Parser
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		for _, d := range [][]byte{data[:cut], data[cut:]} {
			for {
				n, ev, err := p.Parse(d)
				if err != nil {
					b.Fatal(err)
				}
				d = d[n:]
				if ev == EventNeedMore {
					break
				}
			}
		}
	}
}

func TestValidValue(t *testing.T) {
	// validValue must agree with valueTab for every byte at every position
	// of a word, and for words mixing obs-text with invalid bytes.
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 17; pos++ {
			v := bytes.Repeat([]byte("\xffa"), 9)[:17]
			v[pos] = byte(c)
			if got := validValue(v); got != valueTab[c] {
				t.Fatalf("validValue with %#x at %d = %v", c, pos, got)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	pick := []byte{0, 9, 0x1f, ' ', 'a', 0x7e, 0x7f, 0x80, 0xff}
	for i := 0; i < 100000; i++ {
		v := make([]byte, rng.IntN(20))
		for j := range v {
			v[j] = pick[rng.IntN(len(pick))]
		}
		want := true
		for _, c := range v {
			want = want && valueTab[c]
		}
		if validValue(v) != want {
			t.Fatalf("validValue(%q) = %v", v, !want)
		}
	}
}

func TestEventString(t *testing.T) {
	for ev, want := range map[Event]string{EventNeedMore: "NeedMore", EventHead: "Head",
		EventBody: "Body", EventDone: "Done", 9: "Event(?)"} {
		if ev.String() != want {
			t.Errorf("%d: %q", ev, ev.String())
		}
	}
}

// A parser keeps buffers up to 4 KiB between requests and drops bigger ones.
func TestBuffersReleased(t *testing.T) {
	var p Parser
	big := headOf(20000)
	for _, pc := range []string{big[:100], big[100:]} {
		p.Parse([]byte(pc))
	}
	p.Parse(nil)
	if cap(p.hbuf) <= keepBuf {
		t.Fatalf("head buffer of %d bytes, want the big head", cap(p.hbuf))
	}
	p.Parse([]byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
	if p.hbuf != nil {
		t.Fatalf("big head buffer (%d bytes) kept", cap(p.hbuf))
	}
}
