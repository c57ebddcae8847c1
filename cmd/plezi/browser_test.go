//go:build linux || darwin || freebsd

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// chromium is Debian's Chromium, which the browser test drives.
const chromium = "/usr/bin/chromium"

// playwrightFrom is the package.json whose node_modules holds
// playwright-core: examples/echo's browser test folder (.ci/run runs
// npm ci there).
const playwrightFrom = "../../examples/echo/browser/package.json"

// TestDemoBrowser runs browser/demo.mjs against the demo command: headless
// Chromium, driven by Node with playwright-core, opens three pages (one
// without WebSocket, on the SSE + POST fallback), chats between them,
// checks presence, acks, the clock and the slow job, and saves a
// screenshot as $PLEZI_ARTIFACTS/plezi-demo.png (default: the system's
// temporary folder). Without node, Chromium or playwright-core the test
// is skipped, except when PLEZI_BROWSER_TEST=1 (as .ci/run sets it):
// then their absence fails.
func TestDemoBrowser(t *testing.T) {
	node := browserTools(t)
	bin := build(t)
	_, base := startCmd(t, bin, "demo", "-p", "0", "-b", "127.0.0.1")
	dir := os.Getenv("PLEZI_ARTIFACTS")
	if dir == "" {
		dir = os.TempDir()
	}
	shot, _ := filepath.Abs(filepath.Join(dir, "plezi-demo.png"))
	os.Remove(shot)
	from, _ := filepath.Abs(playwrightFrom)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "demo.mjs", base+"/", shot)
	cmd.Dir = "browser"
	cmd.Env = append(os.Environ(), "PLAYWRIGHT_FROM="+from)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	t.Logf("browser/demo.mjs:\n%s", out)
	if err != nil {
		t.Fatalf("browser test: %v", err)
	}
	// Guard against a script that passes by checking nothing.
	m := regexp.MustCompile(`(?m)^browser: (\d+) passed, 0 failed$`).FindSubmatch(out)
	if m == nil {
		t.Fatal("no summary line")
	}
	if n, _ := strconv.Atoi(string(m[1])); n < 18 {
		t.Fatalf("only %d checks passed", n)
	}
	if st, err := os.Stat(shot); err != nil || st.Size() < 1000 {
		t.Fatalf("screenshot %s: %v", shot, err)
	}
	t.Logf("screenshot: %s", shot)
}

// browserTools returns node's path, or skips (fails under
// PLEZI_BROWSER_TEST=1) when a tool is missing.
func browserTools(t *testing.T) string {
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
	if _, err := os.Stat(chromium); err != nil {
		missing(chromium + " is missing (apt-get install chromium)")
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(playwrightFrom), "node_modules", "playwright-core", "package.json")); err != nil {
		missing("playwright-core is not installed (npm ci in examples/echo/browser)")
	}
	return node
}
