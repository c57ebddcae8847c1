//go:build linux

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Server CPU and memory of a process tree: a cluster master and its
// workers, a fasthttp prefork parent and its children, or a single
// process (a tree of one).

// procStat is what the harness reads from /proc/PID/stat.
type procStat struct {
	pid, ppid int
	own       int64 // utime+stime: this process's threads, clock ticks
	reaped    int64 // cutime+cstime: its descendants that exited and were waited for
}

// parseStat reads the fields of a /proc/PID/stat line the harness uses.
func parseStat(b []byte) (procStat, error) {
	var st procStat
	// The command name (field 2) is in parentheses and may hold spaces
	// and parentheses: count fields from the last ')'.
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 1 || end < open {
		return st, fmt.Errorf("malformed stat %.60q", b)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b[:open])))
	if err != nil {
		return st, fmt.Errorf("malformed stat %.60q", b)
	}
	f := strings.Fields(string(b[end+1:]))
	// f[0] is field 3 (state), so field N is f[N-3].
	if len(f) < 15 {
		return st, fmt.Errorf("short stat %.60q", b)
	}
	var v [5]int64
	for i, n := range []int{4, 14, 15, 16, 17} { // ppid utime stime cutime cstime
		if v[i], err = strconv.ParseInt(f[n-3], 10, 64); err != nil {
			return st, fmt.Errorf("malformed stat field %d in %.60q", n, b)
		}
	}
	return procStat{pid: pid, ppid: int(v[0]), own: v[1] + v[2], reaped: v[3] + v[4]}, nil
}

func readStat(pid int) (procStat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, err
	}
	return parseStat(b)
}

// treeSample is the CPU clocks of a process and all its descendants at
// one instant.
type treeSample struct {
	root  int
	procs map[int]procStat
}

// sampleTree finds root's descendants (every /proc/*/stat whose parent
// is root or one of them, recursively) and reads their clocks.
func sampleTree(root int) (treeSample, error) {
	rs, err := readStat(root)
	if err != nil {
		return treeSample{}, err
	}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return treeSample{}, err
	}
	kids := map[int][]procStat{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == root {
			continue
		}
		st, err := readStat(pid)
		if err != nil {
			continue // gone since the listing
		}
		kids[st.ppid] = append(kids[st.ppid], st)
	}
	s := treeSample{root: root, procs: map[int]procStat{root: rs}}
	for queue := []int{root}; len(queue) > 0; queue = queue[1:] {
		for _, k := range kids[queue[0]] {
			if _, seen := s.procs[k.pid]; !seen {
				s.procs[k.pid] = k
				queue = append(queue, k.pid)
			}
		}
	}
	return s, nil
}

// total is the tree's CPU in clock ticks: what every process in it used
// plus what its exited, waited-for descendants used (their cutime and
// cstime, which the kernel adds to the parent when it reaps a child).
// The difference of two totals therefore counts a process that lived
// through the whole window (its own clocks), one that started in it (all
// of its clocks: it started after the first sample) and one that exited
// in it and was reaped (in its parent's reaped clocks).
func (s treeSample) total() int64 {
	var t int64
	for _, p := range s.procs {
		t += p.own + p.reaped
	}
	return t
}

// pids returns the tree's processes: the root first, then the others in
// increasing order.
func (s treeSample) pids() []int {
	out := make([]int, 0, len(s.procs))
	for pid := range s.procs {
		if pid != s.root {
			out = append(out, pid)
		}
	}
	slices.Sort(out)
	return append([]int{s.root}, out...)
}

// procShare is one process's part of a window.
type procShare struct {
	pid   int
	ticks int64
}

// since returns the tree's CPU ticks between s0 and s (s later) and each
// process's share: the processes of s (the root first), a process that
// started in the window with all its clocks. What a process that exited
// in the window used in it shows in its parent's share.
func (s treeSample) since(s0 treeSample) (int64, []procShare) {
	var shares []procShare
	at := map[int]int{}
	for _, pid := range s.pids() {
		p := s.procs[pid]
		t := p.own + p.reaped
		if q, ok := s0.procs[pid]; ok {
			t -= q.own + q.reaped
		}
		at[pid] = len(shares)
		shares = append(shares, procShare{pid, t})
	}
	for pid, q := range s0.procs {
		if _, alive := s.procs[pid]; !alive {
			// Its parent's reaped clocks gained its whole life.
			if i, ok := at[q.ppid]; ok {
				shares[i].ticks -= q.own + q.reaped
			}
		}
	}
	return s.total() - s0.total(), shares
}

// fmtShares writes shares as "PID:TICKS,PID:TICKS" (the wsload result
// line's split field).
func fmtShares(shares []procShare) string {
	parts := make([]string, len(shares))
	for i, p := range shares {
		parts[i] = strconv.Itoa(p.pid) + ":" + strconv.FormatInt(p.ticks, 10)
	}
	return strings.Join(parts, ",")
}

// parseShares reads what fmtShares wrote.
func parseShares(s string) ([]procShare, error) {
	var out []procShare
	for _, part := range splitList(s) {
		a, b, ok := strings.Cut(part, ":")
		pid, err1 := strconv.Atoi(a)
		t, err2 := strconv.ParseInt(b, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("bad process share %q", part)
		}
		out = append(out, procShare{pid, t})
	}
	return out, nil
}

// sharesNote describes a split of server CPU for a table: the root's
// share, then each other process's (in cores over wall seconds), e.g.
// "0.00 + 0.41 + 0.47". A tree of one process gives "".
func sharesNote(shares []procShare, wall float64) string {
	if len(shares) < 2 || wall <= 0 {
		return ""
	}
	parts := make([]string, len(shares))
	for i, p := range shares {
		parts[i] = fmt.Sprintf("%.2f", ticksToSeconds(p.ticks)/wall)
	}
	return strings.Join(parts, " + ")
}

// socketCount returns how many of pid's descriptors are sockets.
func socketCount(pid int) int {
	dir := "/proc/" + strconv.Itoa(pid) + "/fd"
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range ents {
		if l, err := os.Readlink(dir + "/" + e.Name()); err == nil && strings.HasPrefix(l, "socket:") {
			n++
		}
	}
	return n
}

// statusKB returns a "Name:   N kB" field of a /proc/PID file such as
// status, in bytes.
func statusKB(pid int, file, name string) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/" + file)
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), name+":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("unexpected %s line %q", name, sc.Text())
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		return kb << 10, err
	}
	return 0, fmt.Errorf("no %s in /proc/%d/%s", name, pid, file)
}

// treeMemory sums VmRSS and RssAnon (resident anonymous memory: the
// heap, stacks and runtime structures, without the binary's file pages,
// which every process of a cluster, and the harness and load clients
// running the same binary, map and count in their RSS) over root's tree.
func treeMemory(root int) (rss, anon int64, procs int, err error) {
	s, err := sampleTree(root)
	if err != nil {
		return 0, 0, 0, err
	}
	for _, pid := range s.pids() {
		r, err := statusKB(pid, "status", "VmRSS")
		if err != nil {
			return 0, 0, 0, err
		}
		a, err := statusKB(pid, "status", "RssAnon")
		if err != nil {
			return 0, 0, 0, err
		}
		rss += r
		anon += a
	}
	return rss, anon, len(s.procs), nil
}
