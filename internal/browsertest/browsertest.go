// Package browsertest holds what the headless-Chromium tests share: the
// tools they need (node, Debian's Chromium, playwright-core from npm) and
// the check of a script's summary line.
//
// Without a tool a test skips, except when PLEZI_BROWSER_TEST=1 (as in
// CI), where a missing tool fails it: a browser test never passes by
// doing nothing.
package browsertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// Chromium is Debian's Chromium, which the browser tests drive.
const Chromium = "/usr/bin/chromium"

// Node returns node's path once node, Chromium and playwright-core (in
// the node_modules folder of dir) are all there; otherwise it skips or,
// with PLEZI_BROWSER_TEST=1, fails the test.
func Node(t testing.TB, dir string) string {
	t.Helper()
	missing := func(what string) {
		t.Helper()
		if os.Getenv("PLEZI_BROWSER_TEST") == "1" {
			t.Fatalf("PLEZI_BROWSER_TEST=1 but %s", what)
		}
		t.Skipf("%s (with PLEZI_BROWSER_TEST=1 this fails)", what)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed")
	}
	if _, err := os.Stat(Chromium); err != nil {
		missing(Chromium + " is missing (apt-get install chromium)")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "playwright-core", "package.json")); err != nil {
		missing("playwright-core is not installed (npm ci in examples/echo/browser)")
	}
	return node
}

var summary = regexp.MustCompile(`(?m)^browser: (\d+) passed, 0 failed$`)

// CheckSummary fails the test unless the script's output ends its checks
// with "browser: N passed, 0 failed" for at least min checks (a script
// that checks nothing must not pass).
func CheckSummary(t testing.TB, out []byte, min int) {
	t.Helper()
	m := summary.FindSubmatch(out)
	if m == nil {
		t.Fatal("no summary line")
	}
	if n, _ := strconv.Atoi(string(m[1])); n < min {
		t.Fatalf("only %d checks passed, want at least %d", n, min)
	}
}
