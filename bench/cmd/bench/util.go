//go:build linux

package main

import (
	"bufio"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// child is a subprocess running this binary with a subcommand, driven by
// lines on its stdin and stdout.
type child struct {
	name  string
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines chan string
	done  chan struct{} // closed when the process exited
	err   error         // Wait's result, valid after done
}

// startChild re-executes this binary with args. Its stderr goes to ours;
// its stdout lines are read with expect. The child is killed if we die.
func startChild(name string, args ...string) (*child, error) {
	return startChildEnv(name, nil, args...)
}

// startChildEnv is startChild with extra environment variables ("K=V")
// added to ours.
func startChildEnv(name string, env []string, args ...string) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, args...)
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{name: name, cmd: cmd, in: in, lines: make(chan string, 64), done: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
		c.err = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// send writes one command line to the child.
func (c *child) send(format string, args ...any) error {
	_, err := fmt.Fprintf(c.in, format+"\n", args...)
	return err
}

// expect returns the rest of the next stdout line that starts with
// prefix+" ", echoing other lines to stderr, or fails after d.
func (c *child) expect(prefix string, d time.Duration) (string, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				<-c.done
				return "", fmt.Errorf("%s exited (%v) while waiting for %q", c.name, c.err, prefix)
			}
			if rest, ok := strings.CutPrefix(line, prefix+" "); ok {
				return rest, nil
			}
			if rest, ok := strings.CutPrefix(line, "error "); ok {
				return "", fmt.Errorf("%s: %s", c.name, rest)
			}
			fmt.Fprintf(os.Stderr, "[%s] %s\n", c.name, line)
		case <-t.C:
			return "", fmt.Errorf("%s: timed out after %v waiting for %q", c.name, d, prefix)
		}
	}
}

// stop closes the child's stdin (its signal to finish) and waits up to d
// for it to exit, then kills it. It returns the child's lines not yet read.
func (c *child) stop(d time.Duration) ([]string, error) {
	c.in.Close()
	var rest []string
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case line, ok := <-c.lines:
			if ok {
				rest = append(rest, line)
				continue
			}
			<-c.done
			return rest, c.err
		case <-t.C:
			c.cmd.Process.Kill()
			<-c.done
			return rest, fmt.Errorf("%s: did not exit within %v; killed", c.name, d)
		}
	}
}

// kill ends the child at once (error paths).
func (c *child) kill() {
	select {
	case <-c.done:
	default:
		c.cmd.Process.Kill()
	}
}

// median returns the median of xs (the mean of the middle two for an even
// count).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// fmtInt formats n with thousands separators.
func fmtInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// fmtF formats a float with thousands separators and the given decimals.
func fmtF(x float64, decimals int) string {
	s := strconv.FormatFloat(x, 'f', decimals, 64)
	whole, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return s
	}
	out := fmtInt(n)
	if whole == "-0" {
		out = "-0"
	}
	if decimals > 0 {
		out += "." + frac
	}
	return out
}

// fmtMiB formats bytes as MiB.
func fmtMiB(b int64) string { return strconv.FormatFloat(float64(b)/(1<<20), 'f', 1, 64) }

// list joins formatted values for a "runs" column.
func list(xs []float64, f func(float64) string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = f(x)
	}
	return strings.Join(parts, ", ")
}

// splitList parses a comma-separated flag.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// splitInts parses a comma-separated flag of integers.
func splitInts(s string) ([]int, error) {
	var out []int
	for _, p := range splitList(s) {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad number %q", p)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, errors.New("empty list")
	}
	return out, nil
}

// machineNote describes the machine for the report header.
func machineNote() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	kernel := "?"
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = strings.TrimSpace(string(b))
	}
	return fmt.Sprintf("%s, %d CPUs, Linux %s, %s; %s", model, numCPU(), kernel, goVersion(), engineVersion())
}

// engineVersion says which engine code was measured: the repository's
// commit, whether engine/ had uncommitted changes, and a hash of the
// engine's non-test Go sources (exact even for uncommitted code).
func engineVersion() string {
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return "engine version unknown (no git)"
	}
	root := strings.TrimSpace(string(top))
	out, err := exec.Command("git", "-C", root, "log", "-1", "--format=%h").Output()
	if err != nil {
		return "engine version unknown"
	}
	v := "engine at commit " + strings.TrimSpace(string(out))
	st, err := exec.Command("git", "-C", root, "status", "--porcelain", "--", "engine").Output()
	if err == nil && len(strings.TrimSpace(string(st))) > 0 {
		n := len(strings.Split(strings.TrimSpace(string(st)), "\n"))
		v += fmt.Sprintf(" + %d uncommitted file(s) in engine/", n)
	}
	files, _ := filepath.Glob(filepath.Join(root, "engine", "*.go"))
	h := sha256.New()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		fmt.Fprintf(h, "%s %d\n", filepath.Base(f), len(b))
		h.Write(b)
	}
	return fmt.Sprintf("%s (engine/*.go sha256 %x)", v, h.Sum(nil)[:6])
}

// stamp is the machine and engine description taken when a benchmark
// starts (go run builds the binary just before, so it matches the code
// measured).
var stamp string

// startStamp records the stamp; endStamp returns it for the report, with a
// warning when engine/ changed while the benchmark ran.
func startStamp() { stamp = machineNote() }

func endStamp() string {
	if now := machineNote(); now != stamp {
		return stamp + " [engine/ changed while this ran; figures are for the code above, built at the start]"
	}
	return stamp
}

// waitQuiet waits, up to max, until the machine's CPU use over a 300 ms
// sample is below threshold cores (other workloads skew CPU figures on a
// shared machine). It returns the last sample.
func waitQuiet(threshold float64, max time.Duration) float64 {
	deadline := time.Now().Add(max)
	for {
		b0, err := machineBusyTicks()
		if err != nil {
			return -1
		}
		t0 := time.Now()
		time.Sleep(300 * time.Millisecond)
		b1, err := machineBusyTicks()
		if err != nil {
			return -1
		}
		load := ticksToSeconds(b1-b0) / time.Since(t0).Seconds()
		if load < threshold || time.Now().After(deadline) {
			if load >= threshold {
				fmt.Fprintf(os.Stderr, "bench: machine still busy (%.2f cores) after waiting %v; measuring anyway\n", load, max)
			}
			return load
		}
		time.Sleep(700 * time.Millisecond)
	}
}
