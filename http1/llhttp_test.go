package http1

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The llhttp request vectors (a third-party MIT corpus, read in place at
// test time and never copied here) replayed against our parser. Cases
// llhttp accepts must parse the same (method, target, version, header
// fields, framing, body); cases it rejects must be rejected. Every case
// where we deliberately differ is listed, with our outcome and the reason,
// in testdata/LLHTTP-DIVERGENCES.md: the test checks that we still behave
// as listed there and skips it, and fails on a listed case that no longer
// exists.

var llhttpDir = filepath.Join("..", "..", "shared", "testdata", "llhttp-request")

// llCase is one request vector: a fenced http block and the log of what
// llhttp's parser reported for it.
type llCase struct {
	name  string // "file.md: heading"
	meta  llMeta
	input []byte
	log   []string
}

type llMeta struct {
	Type     string `json:"type"`
	NoScan   bool   `json:"noScan"`
	Pause    string `json:"pause"`
	SkipBody bool   `json:"skipBody"`
}

// loadLLHTTP reads the corpus; it returns nil if the corpus is absent.
func loadLLHTTP(t testing.TB) []llCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(llhttpDir, "*.md"))
	if err != nil || len(files) == 0 {
		return nil
	}
	var cases []llCase
	seen := map[string]int{}
	for _, file := range files {
		if filepath.Base(file) == "README.md" {
			continue
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range parseLLHTTPFile(t, filepath.Base(file), string(data)) {
			if seen[c.name]++; seen[c.name] > 1 {
				c.name += fmt.Sprintf(" (%d)", seen[c.name])
			}
			cases = append(cases, c)
		}
	}
	return cases
}

// parseLLHTTPFile extracts the cases of one markdown file: a heading, a
// meta comment, an http block and a log block.
func parseLLHTTPFile(t testing.TB, file, md string) []llCase {
	var cases []llCase
	var heading string
	var cur *llCase
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "#"):
			heading = strings.TrimSpace(strings.TrimLeft(l, "#"))
		case strings.HasPrefix(l, "<!-- meta="):
			js := strings.TrimSuffix(strings.TrimSpace(strings.TrimPrefix(l, "<!-- meta=")), "-->")
			cur = &llCase{name: file + ": " + heading}
			if err := json.Unmarshal([]byte(js), &cur.meta); err != nil {
				t.Fatalf("%s: meta %q: %v", cur.name, js, err)
			}
		case cur != nil && (l == "```http" || l == "```log"):
			j := i + 1
			for j < len(lines) && lines[j] != "```" {
				j++
			}
			block := lines[i+1 : j]
			i = j
			if l == "```http" {
				cur.input = llhttpInput(strings.Join(block, "\n"))
				continue
			}
			cur.log = block
			cases = append(cases, *cur)
			cur = nil
		}
	}
	return cases
}

var (
	escNewline = regexp.MustCompile(`\\(\r\n|\r|\n)`)
	escHex     = regexp.MustCompile(`\\x([0-9a-fA-F]+)`)
	escOctal   = regexp.MustCompile(`\\([0-7]{1,3})`)
)

// llhttpInput turns an http block into bytes the way llhttp's test runner
// (test/md-test.ts) does: backslash-newline joins lines, newlines become
// CRLF, then \r \n \t \f \xHH and octal escapes are replaced, and the
// resulting (JavaScript) string is encoded as UTF-8.
func llhttpInput(s string) []byte {
	s = escNewline.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, "\n", "\r\n")
	s = strings.NewReplacer(`\r`, "\r", `\n`, "\n", `\t`, "\t", `\f`, "\f").Replace(s)
	s = escHex.ReplaceAllStringFunc(s, func(m string) string {
		v, _ := strconv.ParseUint(m[2:], 16, 32)
		return string(rune(v))
	})
	s = escOctal.ReplaceAllStringFunc(s, func(m string) string {
		v, _ := strconv.ParseUint(m[1:], 8, 32)
		return string(rune(v))
	})
	if strings.Contains(s, "${") {
		panic("inline JavaScript in an llhttp vector: " + s)
	}
	return []byte(s)
}

// llMsg is one message as llhttp or our parser saw it.
type llMsg struct {
	method, url string
	major       int
	minor       int
	headers     []string // "name: value", value trimmed of OWS
	cl          int64    // -1 when llhttp did not flag a Content-Length
	chunked     bool
	head        bool // headers complete
	done        bool // message complete
	body        string
}

func (m llMsg) String() string {
	return fmt.Sprintf("%s %q %d.%d head=%v done=%v cl=%d chunked=%v\n  headers %q\n  body %q",
		m.method, m.url, m.major, m.minor, m.head, m.done, m.cl, m.chunked, m.headers, m.body)
}

// llResult is what happened to one input.
type llResult struct {
	msgs    []llMsg
	err     string // a rejection, if any
	upgrade bool   // stopped at a protocol switch (Upgrade or CONNECT)
}

var (
	logSpan    = regexp.MustCompile(`^off=(\d+) len=(\d+) span\[(\w+)\]=`)
	logHeaders = regexp.MustCompile(`^off=\d+ headers complete method=\d+ v=(\d+)/(\d+) flags=([0-9a-f]+) content_length=(\d+)`)
	logError   = regexp.MustCompile(`^off=\d+ error code=(\d+) reason="(.*)"`)
)

// expected reads llhttp's log. Spans are taken from the input by offset;
// a span may come in pieces, and field spans after "headers complete"
// belong to trailers, which we ignore like our parser does.
func (c llCase) expected(t *testing.T) llResult {
	var res llResult
	var m *llMsg
	var names, values []string
	newField := true
	flush := func() {
		for i := range names {
			m.headers = append(m.headers, names[i]+": "+string(trimOWS([]byte(values[i]))))
		}
		names, values = nil, nil
	}
	for _, l := range c.log {
		if sm := logSpan.FindStringSubmatch(l); sm != nil {
			off, _ := strconv.Atoi(sm[1])
			n, _ := strconv.Atoi(sm[2])
			span := string(c.input[off : off+n])
			switch {
			case sm[3] == "method":
				m.method += span
			case sm[3] == "url":
				m.url += span
			case sm[3] == "header_field" && !m.head:
				if newField {
					names, values, newField = append(names, ""), append(values, ""), false
				}
				names[len(names)-1] += span
			case sm[3] == "header_value" && !m.head:
				values[len(values)-1] += span
			case sm[3] == "body":
				m.body += span
			}
			continue
		}
		switch {
		case strings.HasSuffix(l, " message begin"):
			res.msgs = append(res.msgs, llMsg{cl: -1})
			m, names, values, newField = &res.msgs[len(res.msgs)-1], nil, nil, true
		case strings.HasSuffix(l, " header_value complete"):
			newField = true
		case strings.HasSuffix(l, " message complete"):
			m.done = true
		case logHeaders.MatchString(l):
			sm := logHeaders.FindStringSubmatch(l)
			flush()
			m.head = true
			m.major, _ = strconv.Atoi(sm[1])
			m.minor, _ = strconv.Atoi(sm[2])
			flags, _ := strconv.ParseUint(sm[3], 16, 32)
			if m.chunked = flags&0x08 != 0; !m.chunked && flags&0x20 != 0 {
				m.cl, _ = strconv.ParseInt(sm[4], 10, 64)
			}
		case logError.MatchString(l):
			sm := logError.FindStringSubmatch(l)
			if sm[1] == "22" { // HPE_PAUSED_UPGRADE: the rest is another protocol
				res.upgrade = true
			} else {
				res.err = "llhttp error " + sm[1] + ": " + sm[2]
			}
		}
	}
	return res
}

// ours runs our parser on the whole input. Like a server, it stops after a
// request that switches protocols (Upgrade, CONNECT). llhttp does not check
// Host, so neither does the replay (AllowMissingHost; Host is tested in
// parser_test.go and smuggling_test.go).
func (c llCase) ours() (res llResult, status int) {
	p := Parser{AllowMissingHost: true}
	data := c.input
	var m *llMsg
	for {
		n, ev, err := p.Parse(data)
		var e *Error
		if errors.As(err, &e) {
			return res, e.Status
		}
		data = data[n:]
		switch ev {
		case EventNeedMore:
			return res, 0
		case EventHead:
			r := p.Request()
			res.msgs = append(res.msgs, llMsg{method: string(r.Method), url: string(r.Target),
				major: r.ProtoMajor, minor: r.ProtoMinor, cl: r.ContentLength, chunked: r.Chunked, head: true})
			m = &res.msgs[len(res.msgs)-1]
			for _, h := range r.Headers {
				m.headers = append(m.headers, string(h.Name)+": "+string(h.Value))
			}
		case EventBody:
			m.body += string(p.Body())
		case EventDone:
			m.done = true
			if r := p.Request(); r.Upgrade || string(r.Method) == "CONNECT" {
				res.upgrade = true
				return res, 0
			}
		}
	}
}

// compare returns why our result differs from llhttp's, or "".
func compare(want, got llResult, status int) string {
	if want.err != "" {
		if status == 0 {
			return "llhttp rejects (" + want.err + "), we accept"
		}
		for i, m := range got.msgs {
			if m.done && (i >= len(want.msgs) || !want.msgs[i].done || m.String() != want.msgs[i].String()) {
				return fmt.Sprintf("message %d before the rejection differs:\n%v\nwant\n%v", i, m, want.msgs)
			}
		}
		return ""
	}
	if status != 0 {
		return fmt.Sprintf("we reject (%d), llhttp accepts", status)
	}
	var heads []llMsg
	for _, m := range want.msgs {
		if m.head {
			heads = append(heads, m)
		}
	}
	if len(heads) != len(got.msgs) {
		return fmt.Sprintf("%d requests, llhttp has %d:\n%v\nwant\n%v", len(got.msgs), len(heads), got.msgs, heads)
	}
	for i := range heads {
		if got.msgs[i].String() != heads[i].String() {
			return fmt.Sprintf("request %d:\n%v\nwant\n%v", i, got.msgs[i], heads[i])
		}
	}
	if want.upgrade != got.upgrade {
		return fmt.Sprintf("protocol switch: we %v, llhttp %v", got.upgrade, want.upgrade)
	}
	return ""
}

// outcome summarizes our result as the divergence table writes it.
func outcome(res llResult, status int) string {
	switch {
	case status != 0:
		return "reject " + strconv.Itoa(status)
	case len(res.msgs) > 0 && !res.msgs[len(res.msgs)-1].done, len(res.msgs) == 0:
		return "incomplete"
	}
	return "accept"
}

// divergence is one row of testdata/LLHTTP-DIVERGENCES.md.
type divergence struct{ ours, reason string }

func loadDivergences(t *testing.T) map[string]divergence {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "LLHTTP-DIVERGENCES.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]divergence{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if !strings.HasPrefix(l, "| ") || strings.HasPrefix(l, "| File |") {
			continue
		}
		cols := strings.Split(strings.ReplaceAll(l, `\|`, "\x00"), "|")
		if len(cols) != 6 {
			t.Fatalf("bad divergence row %q", l)
		}
		cell := func(i int) string {
			return strings.ReplaceAll(strings.TrimSpace(cols[i]), "\x00", "|")
		}
		name := cell(1) + ": " + cell(2)
		if _, dup := out[name]; dup {
			t.Fatalf("divergence %q listed twice", name)
		}
		out[name] = divergence{ours: cell(3), reason: cell(4)}
	}
	return out
}

func TestLLHTTPRequests(t *testing.T) {
	cases := loadLLHTTP(t)
	if cases == nil {
		t.Skipf("llhttp request corpus not found in %s (it lives outside this repository, in ../shared/testdata)", llhttpDir)
	}
	divs := loadDivergences(t)
	found := map[string]bool{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := c.expected(t)
			got, status := c.ours()
			diff := compare(want, got, status)
			if d, ok := divs[c.name]; ok {
				found[c.name] = true
				if o := outcome(got, status); o != d.ours {
					t.Fatalf("listed as a divergence where we %s, but we %s", d.ours, o)
				}
				if diff == "" {
					t.Fatalf("listed as a divergence, but we agree with llhttp")
				}
				t.Skipf("divergence (we %s): %s", d.ours, d.reason)
			}
			if diff != "" {
				t.Errorf("%s\ninput %q", diff, c.input)
			}
			// The same outcome whatever the split (the whole corpus doubles
			// as split-invariance vectors).
			checkSplits(t, Limits{}, bytes.Clone(c.input))
		})
	}
	for name := range divs {
		if !found[name] {
			t.Errorf("divergence %q matches no llhttp case", name)
		}
	}
}
