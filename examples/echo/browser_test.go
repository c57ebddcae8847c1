package main

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/plezi-go/plezi/internal/browsertest"
)

// TestBrowser runs browser/echo.mjs: headless Chromium, driven by Node
// with playwright-core, opens the page and exchanges WebSocket messages
// and SSE events with a running echo. Without node, Chromium or the
// installed node_modules the test is skipped, except when
// PLEZI_BROWSER_TEST=1 (as .ci/run sets it): then their absence fails.
func TestBrowser(t *testing.T) {
	node := browsertest.Node(t, "browser")
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
	browsertest.CheckSummary(t, out, 10) // a script that checks nothing fails
}
