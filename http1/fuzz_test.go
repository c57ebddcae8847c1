package http1

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"testing"
)

// Seeds shared by both fuzzers (testdata/fuzz holds more, and crashers).
var fuzzSeeds = []string{
	"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
	browserGET,
	postSmall,
	chunkedPost,
	"\r\nGET http://a:1/b?c HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
	"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n",
	"GET /ws HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
	"PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc" +
		"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
	te + "5 ; a = \"b\\\"c\"\r\nhello\r\n0\r\nT: 1\r\n\r\n",
	post + "Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",
	"GET http://u:p%41@h.example:8080/p%20a?q=%zz#f HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET http://[::1]:80/ HTTP/1.1\r\nHost: [::1]\r\n\r\n",
	"GET s:opaque HTTP/1.1\r\nHost: a\r\n\r\n",
	"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nPragma: no-cache\r\nAccept: a\r\naccept: b\r\n\r\n",
	post + "Trailer: X\r\nTransfer-Encoding: chunked\r\n\r\n1;a=b\r\nx\r\n0\r\nX: 1\r\n\r\n",
	"POST / HTTP/1.0\r\nContent-Length: 007\r\n\r\nabcdefg",
}

var fuzzLimits = Limits{MaxRequestLine: 40, MaxHeaderBytes: 120, MaxHeaders: 4, MaxBody: 64}

// FuzzParse checks that no input panics or breaks the calling contract
// (see feeder), and that parsing is independent of how the input is cut:
// whole, in two at a fuzzer-chosen point, and byte by byte, with default
// and with small limits.
func FuzzParse(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add([]byte(s), uint16(i*7))
	}
	for i, c := range loadLLHTTP(f) {
		f.Add(c.input, uint16(i))
	}
	f.Fuzz(func(t *testing.T, data []byte, cut uint16) {
		at := int(cut) % (len(data) + 1)
		bytewise := make([][]byte, len(data))
		for i := range data {
			bytewise[i] = data[i : i+1]
		}
		for _, l := range []Limits{{}, fuzzLimits} {
			want := transcript(t, l, false, data)
			if got := transcript(t, l, true, data[:at], data[at:]); got != want {
				t.Fatalf("split at %d:\n%s\nwhole:\n%s", at, got, want)
			}
			if got := transcript(t, l, at%2 == 0, bytewise...); got != want {
				t.Fatalf("byte by byte:\n%s\nwhole:\n%s", got, want)
			}
		}
	})
}

// FuzzDifferential compares us with net/http: every request we accept,
// http.ReadRequest must accept too and read the same way (method, target,
// version, header fields, framing, body, connection persistence). Where
// net/http is stricter or looser it is fine: we only check our "yes".
//
// Known, documented differences that the harness accounts for:
//   - we skip empty lines before the request line (RFC 9112 §2.2), which
//     net/http does not: they are removed before calling it;
//   - net/http moves Host out of Header (compared through Request.Host),
//     drops Transfer-Encoding (and Trailer for chunked bodies) from it, and adds "Cache-Control: no-cache" for a lone
//     "Pragma: no-cache";
//   - net/http rejects whitespace between a chunk size and ";" (BWS), which
//     RFC 9112 §7.1.1 tells recipients to accept: such inputs are skipped.
func FuzzDifferential(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	for _, c := range loadLLHTTP(f) {
		f.Add(c.input)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ours, body, ok := firstRequest(data)
		if !ok {
			return
		}
		if ours.Chunked && chunkBWS(data) {
			return
		}
		input := bytes.TrimLeft(data, "\r\n")
		req, err := http.ReadRequest(bufio.NewReaderSize(bytes.NewReader(input), 1<<16))
		if err != nil {
			t.Fatalf("we accept, net/http does not: %v\n%s", err, render(ours))
		}
		theirs, err := io.ReadAll(req.Body)
		if err != nil {
			t.Fatalf("we accept, net/http fails reading the body: %v\n%s", err, render(ours))
		}
		if diff := compareNetHTTP(ours, body, req, theirs); diff != "" {
			t.Fatalf("%s\nours: %s\nbody %q", diff, render(ours), body)
		}
	})
}

// firstRequest parses the first request of data and returns a copy of it
// and its body if it parsed completely. Like http.ReadRequest, it does not
// insist on a Host header.
func firstRequest(data []byte) (*Request, []byte, bool) {
	p := Parser{AllowMissingHost: true}
	var r *Request
	var body []byte
	for {
		n, ev, err := p.Parse(data)
		if err != nil || ev == EventNeedMore {
			return nil, nil, false
		}
		data = data[n:]
		switch ev {
		case EventHead:
			r = p.Request().Clone()
		case EventBody:
			body = append(body, p.Body()...)
		case EventDone:
			return r, body, true
		}
	}
}

// chunkBWS reports whether a chunk-size line of the chunked request in
// data has whitespace between the size and the first ";".
func chunkBWS(data []byte) bool {
	_, rest, _ := bytes.Cut(data, []byte("\r\n\r\n"))
	for {
		line, after, ok := bytes.Cut(rest, []byte("\r\n"))
		if !ok {
			return false
		}
		i := tokenLenHex(line)
		if i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			return true
		}
		var size uint64
		for _, c := range line[:i] {
			size = size<<4 | uint64(unhex(c))
		}
		if size == 0 || size+2 > uint64(len(after)) {
			return false
		}
		rest = after[size+2:]
	}
}

func tokenLenHex(b []byte) int {
	i := 0
	for i < len(b) && isHex(b[i]) {
		i++
	}
	return i
}

func compareNetHTTP(r *Request, body []byte, req *http.Request, theirs []byte) string {
	switch {
	case req.Method != string(r.Method):
		return "method: net/http " + req.Method
	case req.RequestURI != string(r.Target):
		return "target: net/http " + req.RequestURI
	case req.ProtoMajor != r.ProtoMajor || req.ProtoMinor != r.ProtoMinor:
		return "version: net/http " + req.Proto
	case req.Close == r.KeepAlive:
		return "persistence differs"
	case r.Chunked != slices.Equal(req.TransferEncoding, []string{"chunked"}):
		return "chunked differs"
	case !r.Chunked && max(r.ContentLength, 0) != req.ContentLength:
		return "content length differs"
	case !bytes.Equal(body, theirs):
		return "body: net/http " + string(theirs)
	case req.URL.Host == "" && req.Host != string(r.Host):
		return "host: net/http " + req.Host
	}
	want := http.Header{}
	for _, h := range r.Headers {
		k := textproto.CanonicalMIMEHeaderKey(string(h.Name))
		if k == "Host" || k == "Transfer-Encoding" || k == "Trailer" && r.Chunked {
			continue
		}
		want[k] = append(want[k], string(h.Value))
	}
	if p := want["Pragma"]; len(p) > 0 && p[0] == "no-cache" && want["Cache-Control"] == nil {
		want["Cache-Control"] = []string{"no-cache"}
	}
	if !headersEqual(want, req.Header) {
		return "headers: net/http " + strings.TrimSpace(strings.ReplaceAll(headerString(req.Header), "\r\n", " | "))
	}
	return ""
}

func headersEqual(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func headerString(h http.Header) string {
	var b strings.Builder
	h.Write(&b)
	return b.String()
}
