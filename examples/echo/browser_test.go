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

// TestBrowser runs browser/echo.mjs: headless Chromium, driven by Node
// with playwright-core, opens the page and exchanges WebSocket messages
// and SSE events with a running echo. Without node, Chromium or the
// installed node_modules the test is skipped, except when
// PLEZI_BROWSER_TEST=1 (as .ci/run sets it): then their absence fails.
func TestBrowser(t *testing.T) {
	node := browserTools(t)
	base := startEcho(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "echo.mjs", base+"/")
	cmd.Dir = "browser"
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	t.Logf("browser/echo.mjs:\n%s", out)
	if err != nil {
		t.Fatalf("browser test: %v", err)
	}
	// Guard against a script that passes by checking nothing.
	m := regexp.MustCompile(`(?m)^browser: (\d+) passed, 0 failed$`).FindSubmatch(out)
	if m == nil {
		t.Fatal("no summary line")
	}
	if n, _ := strconv.Atoi(string(m[1])); n < 10 {
		t.Fatalf("only %d checks passed", n)
	}
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
	if _, err := os.Stat(filepath.Join("browser", "node_modules", "playwright-core", "package.json")); err != nil {
		missing("playwright-core is not installed (npm ci in examples/echo/browser)")
	}
	return node
}
