package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// bin is the echo command, built once by TestMain.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "plezi-echo-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "echo")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// startEcho runs the command on a free loopback port and returns its base
// URL. It is stopped with SIGTERM at the end of the test, and must then
// exit with status 0 within 10 s.
func startEcho(t *testing.T) string {
	t.Helper()
	cmd := exec.Command(bin, "-p", "0", "-b", "127.0.0.1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		lines <- line
		io.Copy(io.Discard, out)
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("echo exited with %v; stderr: %s", err, stderr.String())
			}
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
			t.Errorf("echo did not stop within 10 s of SIGTERM")
		}
	})
	select {
	case line := <-lines:
		base, ok := strings.CutPrefix(strings.TrimSpace(line), "echo: listening on ")
		if !ok {
			t.Fatalf("first line %q; stderr: %s", line, stderr.String())
		}
		return base
	case <-time.After(10 * time.Second):
		t.Fatal("echo did not say where it listens within 10 s")
	}
	return ""
}

// get fetches url with extra request headers (name, value pairs).
func get(t *testing.T, url string, hdr ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	tr := &http.Transport{DisableKeepAlives: true}
	t.Cleanup(tr.CloseIdleConnections)
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestIndex(t *testing.T) {
	base := startEcho(t)
	resp := get(t, base+"/")
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %v", resp.StatusCode, resp.Header)
	}
	for _, want := range []string{"new WebSocket(", "/ws", "new EventSource(\"/sse\")", "window.echo"} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("page lacks %q", want)
		}
	}
	if resp := get(t, base+"/nope"); resp.StatusCode != 404 {
		t.Errorf("GET /nope: %d", resp.StatusCode)
	}
}

// event is one event of the stream, as far as these tests look.
type event struct{ id, data string }

// readEvents reads n events from an event stream (LF-terminated lines, as
// the server writes them).
func readEvents(t *testing.T, body io.Reader, n int) []event {
	t.Helper()
	var evs []event
	var cur event
	sc := bufio.NewScanner(body)
	for len(evs) < n && sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.data != "" {
				evs = append(evs, cur)
			}
			cur = event{}
		case strings.HasPrefix(line, "id: "):
			cur.id = line[4:]
		case strings.HasPrefix(line, "data: "):
			cur.data = line[6:]
		}
	}
	if len(evs) < n {
		t.Fatalf("stream ended after %d events: %v", len(evs), sc.Err())
	}
	return evs
}

func TestSSE(t *testing.T) {
	base := startEcho(t)
	cases := []struct {
		lastID string
		first  int
	}{{"", 1}, {"41", 42}, {"not a number", 1}}
	for _, tc := range cases {
		hdr := []string{"Accept", "text/event-stream"}
		if tc.lastID != "" {
			hdr = append(hdr, "Last-Event-ID", tc.lastID)
		}
		resp := get(t, base+"/sse", hdr...)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("GET /sse: %d %v", resp.StatusCode, resp.Header)
		}
		start := time.Now()
		evs := readEvents(t, resp.Body, 3)
		for i, ev := range evs {
			want := fmt.Sprint(tc.first + i)
			if ev.id != want || ev.data != "event "+want {
				t.Fatalf("Last-Event-ID %q: event %d is %+v, want id %s", tc.lastID, i, ev, want)
			}
		}
		if d := time.Since(start); d < 500*time.Millisecond || d > 5*time.Second {
			t.Errorf("3 events in %v, want about 750 ms (every 250 ms)", d)
		}
		resp.Body.Close()
	}
	// ?close=N ends the stream after N events.
	resp := get(t, base+"/sse?close=2", "Accept", "text/event-stream", "Last-Event-ID", "7")
	if evs := readEvents(t, resp.Body, 2); evs[0].id != "8" || evs[1].id != "9" {
		t.Fatalf("close=2: %+v", evs)
	}
	rest, err := io.ReadAll(resp.Body)
	if err != nil || bytes.Contains(rest, []byte("data:")) {
		t.Fatalf("after the last event: %q, %v", rest, err)
	}
	if resp := get(t, base+"/sse"); resp.StatusCode != http.StatusNotAcceptable {
		t.Errorf("GET /sse without Accept: %d, want 406", resp.StatusCode)
	}
}

func TestFlags(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := exec.CommandContext(ctx, bin, "-nope").Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("bad flag: %v, want exit status 2", err)
	}
}
