package pubsub_test

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/plezi-go/plezi/pubsub"
)

// matchCase is one line of testdata/match_table.txt.
type matchCase struct {
	pattern, s string
	want       bool
}

// loadMatchTable reads the glob table shared with the Redis cross-check.
func loadMatchTable(t testing.TB) []matchCase {
	t.Helper()
	f, err := os.Open("testdata/match_table.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []matchCase
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if text == "" || text[0] == '#' {
			continue
		}
		fields := strings.Split(text, "\t")
		if len(fields) != 3 {
			t.Fatalf("line %d: want 3 tab-separated fields: %q", line, text)
		}
		p, err1 := strconv.Unquote(fields[0])
		s, err2 := strconv.Unquote(fields[1])
		if err1 != nil || err2 != nil {
			t.Fatalf("line %d: bad quoting: %q", line, text)
		}
		cases = append(cases, matchCase{p, s, fields[2] == "1"})
	}
	if len(cases) < 50 {
		t.Fatalf("table too small: %d cases", len(cases))
	}
	return cases
}

func TestMatchTable(t *testing.T) {
	for _, c := range loadMatchTable(t) {
		if got := pubsub.Match(c.pattern, c.s); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}

// TestMatchAbusive checks that a pattern with many stars against a long
// non-matching string ends quickly (Redis's skip-longer-matches rule) and
// that nesting past 1000 matches nothing, as in Redis.
func TestMatchAbusive(t *testing.T) {
	p := strings.Repeat("*a", 50) + "b"
	s := strings.Repeat("a", 10000)
	if pubsub.Match(p, s) {
		t.Fatal("matched")
	}
	deep := strings.Repeat("a*", 1001) + "a"
	if pubsub.Match(deep, strings.Repeat("a", 1002)) {
		t.Fatal("nesting past 1000 matched")
	}
	shallow := strings.Repeat("a*", 900) + "a"
	if !pubsub.Match(shallow, strings.Repeat("a", 901)) {
		t.Fatal("nesting under 1000 did not match")
	}
}

// token is one element of a parsed pattern for the reference matcher.
type token struct {
	kind byte // '*', '?', '[' (set), 'l' (literal)
	lit  byte
	set  [256]bool
}

// parseRef parses a pattern the way stringmatchlen reads it.
func parseRef(p string) []token {
	var toks []token
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '*':
			if len(toks) == 0 || toks[len(toks)-1].kind != '*' {
				toks = append(toks, token{kind: '*'})
			}
		case '?':
			toks = append(toks, token{kind: '?'})
		case '[':
			var tk token
			tk.kind = '['
			i = parseClass(p, i+1, &tk.set)
			toks = append(toks, tk)
		case '\\':
			if i+1 < len(p) {
				i++
			}
			toks = append(toks, token{kind: 'l', lit: p[i]})
		default:
			toks = append(toks, token{kind: 'l', lit: p[i]})
		}
	}
	return toks
}

// parseClass fills set from the class starting at p[i] and returns the
// index of its closing ']' (or the pattern's last index).
func parseClass(p string, i int, set *[256]bool) int {
	not := i < len(p) && p[i] == '^'
	if not {
		i++
	}
	var in [256]bool
	for ; i < len(p) && p[i] != ']'; i++ {
		switch {
		case p[i] == '\\' && i+1 < len(p):
			i++
			in[p[i]] = true
		case i+2 < len(p) && p[i+1] == '-':
			lo, hi := int(int8(p[i])), int(int8(p[i+2]))
			if lo > hi {
				lo, hi = hi, lo
			}
			for c := 0; c < 256; c++ {
				if v := int(int8(c)); v >= lo && v <= hi {
					in[c] = true
				}
			}
			i += 2
		default:
			in[p[i]] = true
		}
	}
	for c := range in {
		set[c] = in[c] != not
	}
	if i >= len(p) {
		return len(p) - 1
	}
	return i
}

// refMatch is an independent matcher (dynamic programming over tokens)
// for the fuzz test to compare Match against.
func refMatch(p, s string) bool {
	if s == "" {
		return p == "" // Redis: the empty string matches only ""
	}
	toks := parseRef(p)
	// ok[j]: toks[:i] matches s[:j].
	ok := make([]bool, len(s)+1)
	ok[0] = true
	for _, tk := range toks {
		next := make([]bool, len(s)+1)
		for j := 0; j <= len(s); j++ {
			switch tk.kind {
			case '*':
				next[j] = ok[j] || (j > 0 && next[j-1])
			case '?':
				next[j] = j > 0 && ok[j-1]
			case '[':
				next[j] = j > 0 && ok[j-1] && tk.set[s[j-1]]
			default:
				next[j] = j > 0 && ok[j-1] && s[j-1] == tk.lit
			}
		}
		ok = next
	}
	return ok[len(s)]
}

func TestRefMatchAgreesWithTable(t *testing.T) {
	for _, c := range loadMatchTable(t) {
		if strings.Count(c.pattern, "*") > 900 {
			continue
		}
		if got := refMatch(c.pattern, c.s); got != c.want {
			t.Errorf("refMatch(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}

// FuzzMatch checks that Match never panics, agrees with the reference
// matcher, and that a pattern made by escaping s matches s exactly.
func FuzzMatch(f *testing.F) {
	for _, c := range loadMatchTable(f) {
		f.Add(c.pattern, c.s)
	}
	f.Fuzz(func(t *testing.T, p, s string) {
		if len(p) > 512 || len(s) > 512 {
			return
		}
		got := pubsub.Match(p, s)
		if want := refMatch(p, s); got != want {
			t.Fatalf("Match(%q, %q) = %v, reference says %v", p, s, got, want)
		}
		if s != "" && !pubsub.Match(escape(s), s) {
			t.Fatalf("escaped %q does not match itself", s)
		}
	})
}

// escape returns a pattern matching exactly s.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
