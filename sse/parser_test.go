package sse_test

import (
	"strconv"
	"strings"
	"testing"
)

// item is what the test-side EventSource parser reports: a dispatched
// event or a comment.
type item struct {
	Comment   string // set for a comment (Type empty)
	IsComment bool
	Type      string // the event type ("message" by default)
	Data      string
	LastID    string // the event source's last event ID at dispatch
}

// specParser follows the WHATWG "interpreting an event stream" algorithm
// (html.spec.whatwg.org, server-sent events, 9.2.6) on raw bytes: lines
// end with CRLF, LF or CR; a blank line dispatches; a leading colon makes
// a comment; one space after the field's colon is dropped; an id with NUL
// is ignored; a retry that is not all ASCII digits is ignored; an event
// whose data buffer is empty is not dispatched; a final incomplete event
// is discarded. It works on bytes rather than decoded text: decoding
// UTF-8 with replacement is orthogonal to the framing checked here.
type specParser struct {
	line      []byte
	started   bool // the first line was seen (BOM check)
	skipLF    bool // the previous line ended with CR
	data      strings.Builder
	evType    string
	lastIDBuf string
	lastID    string
	retry     int64 // reconnection time in ms; -1 until a retry field
	items     []item
}

func newSpecParser() *specParser { return &specParser{retry: -1} }

// feed parses p and returns the items it completed.
func (p *specParser) feed(b []byte) []item {
	p.items = p.items[:0]
	for _, c := range b {
		switch {
		case c == '\n' && p.skipLF:
			p.skipLF = false
		case c == '\n' || c == '\r':
			p.skipLF = c == '\r'
			p.processLine(string(p.line))
			p.line = p.line[:0]
		default:
			p.skipLF = false
			p.line = append(p.line, c)
		}
	}
	return p.items
}

func (p *specParser) processLine(line string) {
	if !p.started { // one BOM at the start of the stream is ignored
		p.started = true
		line = strings.TrimPrefix(line, "\uFEFF")
	}
	switch {
	case line == "":
		p.dispatch()
		return
	case line[0] == ':':
		p.items = append(p.items, item{IsComment: true, Comment: line[1:]})
		return
	}
	field, value, _ := strings.Cut(line, ":")
	value = strings.TrimPrefix(value, " ")
	switch field {
	case "event":
		p.evType = value
	case "data":
		p.data.WriteString(value)
		p.data.WriteByte('\n')
	case "id":
		if !strings.Contains(value, "\x00") {
			p.lastIDBuf = value
		}
	case "retry":
		if value != "" && strings.Trim(value, "0123456789") == "" {
			if n, err := strconv.ParseInt(value, 10, 64); err == nil {
				p.retry = n
			}
		}
	}
}

func (p *specParser) dispatch() {
	p.lastID = p.lastIDBuf
	data, typ := p.data.String(), p.evType
	p.data.Reset()
	p.evType = ""
	if data == "" {
		return
	}
	if typ == "" {
		typ = "message"
	}
	p.items = append(p.items, item{Type: typ, Data: strings.TrimSuffix(data, "\n"), LastID: p.lastID})
}

// The parser itself against the examples of the specification, so that
// the tests built on it can be trusted.
func TestSpecParser(t *testing.T) {
	cases := []struct {
		name, in string
		want     []item
		lastID   string
		retry    int64
	}{
		{"stock", "data: YHOO\ndata: +2\ndata: 10\n\n", []item{{Type: "message", Data: "YHOO\n+2\n10"}}, "", -1},
		{"comment-and-ids", ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n",
			[]item{{IsComment: true, Comment: " test stream"}, {Type: "message", Data: "first event", LastID: "1"},
				{Type: "message", Data: "second event"}, {Type: "message", Data: " third event"}}, "", -1},
		{"empty-data", "data\n\ndata\ndata\n\ndata:", []item{{Type: "message", Data: ""}, {Type: "message", Data: "\n"}}, "", -1},
		{"same", "data:test\n\ndata: test\n\n", []item{{Type: "message", Data: "test"}, {Type: "message", Data: "test"}}, "", -1},
		{"crlf-cr", "event: a\r\ndata: x\rdata: y\r\n\r", []item{{Type: "a", Data: "x\ny"}}, "", -1},
		{"nul-id-ignored", "id: 7\n\nid: a\x00b\ndata: z\n\n", []item{{Type: "message", Data: "z", LastID: "7"}}, "7", -1},
		{"retry", "retry: 1500\nretry: 1x\n\n", nil, "", 1500},
		{"bom", "\uFEFFdata: b\n\n", []item{{Type: "message", Data: "b"}}, "", -1},
		{"no-data-no-dispatch", "event: e\nid: 3\n\n", nil, "3", -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newSpecParser()
			var got []item
			for i := 0; i < len(tc.in); i++ { // byte by byte: CRLF split across reads
				got = append(got, p.feed([]byte{tc.in[i]})...)
			}
			if !equalItems(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			if p.lastID != tc.lastID || p.retry != tc.retry {
				t.Fatalf("lastID %q retry %d, want %q %d", p.lastID, p.retry, tc.lastID, tc.retry)
			}
		})
	}
}

func equalItems(a, b []item) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
