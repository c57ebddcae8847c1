//go:build linux || darwin || freebsd

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/plezi-go/plezi/internal/browsertest"
)

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
	node := browsertest.Node(t, filepath.Dir(playwrightFrom))
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
	browsertest.CheckSummary(t, out, 18) // a script that checks nothing fails
	if st, err := os.Stat(shot); err != nil || st.Size() < 1000 {
		t.Fatalf("screenshot %s: %v", shot, err)
	}
	t.Logf("screenshot: %s", shot)
}
