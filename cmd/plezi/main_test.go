//go:build linux || darwin || freebsd

package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// build compiles the command once per test.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "plezi")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// startCmd runs the command and returns its base URL from its banner.
func startCmd(t *testing.T, bin string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	urls := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`on (https?://\S+);`)
		s := bufio.NewScanner(stderr)
		for s.Scan() {
			if m := re.FindStringSubmatch(s.Text()); m != nil {
				urls <- m[1]
			}
		}
	}()
	select {
	case u := <-urls:
		return cmd, u
	case <-time.After(30 * time.Second):
		t.Fatal("the command did not report its address")
		return nil, ""
	}
}

func fetch(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestDemo runs the command as the README says (on a free port), loads the
// demo page and stops it with SIGINT.
func TestDemo(t *testing.T) {
	bin := build(t)
	cmd, base := startCmd(t, bin, "-p", "0", "-b", "127.0.0.1")
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{}}
	if code, body := fetch(t, c, base+"/"); code != 200 || !strings.Contains(body, "Plezi for Go is running") {
		t.Fatalf("demo page: %d %q", code, body)
	}
	if code, body := fetch(t, c, base+"/hello"); code != 200 || body != "Hello World" {
		t.Fatalf("/hello: %d %q", code, body)
	}
	c.Transport.(*http.Transport).CloseIdleConnections()
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the command did not stop on SIGINT")
	}
}

func TestStaticAndTLS(t *testing.T) {
	bin := build(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<p>public</p>"), 0o644)
	_, base := startCmd(t, bin, "-p", "0", "-b", "127.0.0.1", "-www", dir, "-tls")
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("banner %q", base)
	}
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	defer c.Transport.(*http.Transport).CloseIdleConnections()
	if code, body := fetch(t, c, base+"/"); code != 200 || body != "<p>public</p>" {
		t.Fatalf("%d %q", code, body)
	}
}

// TestBadFlags: a clear message and exit status 2.
func TestBadFlags(t *testing.T) {
	bin := build(t)
	for _, args := range [][]string{{"-nope"}, {"-p", "70000"}, {"-www", "/does/not/exist"}, {"-tls-cert", "x"}, {"-k", "0"}, {"stray"}} {
		var stderr bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Stderr = &stderr
		err := cmd.Run()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 2 {
			t.Errorf("%v: exit %v, want status 2", args, err)
		}
		if !strings.Contains(stderr.String(), "plezi:") && !strings.Contains(stderr.String(), "flag") {
			t.Errorf("%v: unclear message %q", args, stderr.String())
		}
	}
}

// TestNew runs `plezi new` into a temporary folder (with a replace
// directive to this checkout, offline), then vets and tests the
// generated app with the go command, as a user would.
func TestNew(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a generated app (skipped with -short)")
	}
	bin := build(t)
	checkout, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "myapp")
	env := append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	cmd := exec.Command(bin, "new", "-replace", checkout, dir)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "created") {
		t.Fatalf("plezi new: %v\n%s", err, out)
	}
	for _, f := range []string{"main.go", "controllers.go", "app_test.go", "go.mod", "views/index.html.tmpl", "public/style.css"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	for _, args := range [][]string{{"vet", "./..."}, {"test", "-count=1", "./..."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	// A second run refuses to overwrite; a bad name is a usage error.
	for _, args := range [][]string{{"new", dir}, {"new", "9lives"}, {"new"}} {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		if err := cmd.Run(); err == nil {
			t.Errorf("plezi %v succeeded", args)
		}
	}
}
