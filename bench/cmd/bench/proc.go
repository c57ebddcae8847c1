//go:build linux

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// clkTck is the kernel's USER_HZ: the unit of utime and stime in
// /proc/PID/stat. It is 100 on every Linux architecture Go supports
// (checked with `getconf CLK_TCK` on the benchmark machine).
const clkTck = 100

// mem is a memory snapshot of this process.
type mem struct {
	RSS       int64 // VmRSS from /proc/self/status
	HeapInuse int64 // runtime.MemStats.HeapInuse
	HeapAlloc int64 // runtime.MemStats.HeapAlloc
	Stack     int64 // runtime.MemStats.StackInuse
	Sys       int64 // runtime.MemStats.Sys
	Gs        int   // goroutines
}

// snapshot collects garbage, returns freed memory to the OS and then
// measures, so that RSS reflects live memory and not GC pacing.
func snapshot() (mem, error) {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss, err := selfRSS()
	if err != nil {
		return mem{}, err
	}
	return mem{
		RSS:       rss,
		HeapInuse: int64(ms.HeapInuse),
		HeapAlloc: int64(ms.HeapAlloc),
		Stack:     int64(ms.StackInuse),
		Sys:       int64(ms.Sys),
		Gs:        runtime.NumGoroutine(),
	}, nil
}

func (m mem) String() string {
	return fmt.Sprintf("rss=%d heapinuse=%d heapalloc=%d stack=%d sys=%d gs=%d",
		m.RSS, m.HeapInuse, m.HeapAlloc, m.Stack, m.Sys, m.Gs)
}

// parseMem reads what String wrote.
func parseMem(s string) (mem, error) {
	var m mem
	_, err := fmt.Sscanf(s, "rss=%d heapinuse=%d heapalloc=%d stack=%d sys=%d gs=%d",
		&m.RSS, &m.HeapInuse, &m.HeapAlloc, &m.Stack, &m.Sys, &m.Gs)
	return m, err
}

// selfRSS returns this process's resident set size in bytes.
func selfRSS() (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "VmRSS:") {
			continue
		}
		f := strings.Fields(line[len("VmRSS:"):])
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("unexpected VmRSS line %q", line)
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, err
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("no VmRSS in /proc/self/status")
}

// cpuTicks returns user+system CPU time of process pid (all its threads)
// in clock ticks, from fields 14 and 15 of /proc/PID/stat.
func cpuTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces:
	// count fields from the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("malformed /proc/%d/stat", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state), so field N is f[N-3].
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	ut, err1 := strconv.ParseInt(f[14-3], 10, 64)
	st, err2 := strconv.ParseInt(f[15-3], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("malformed /proc/%d/stat", pid)
	}
	return ut + st, nil
}

// ticksToSeconds converts clock ticks to seconds.
func ticksToSeconds(t int64) float64 { return float64(t) / clkTck }

// since is a shorthand for formatting elapsed times.
func since(t time.Time) time.Duration { return time.Since(t).Round(time.Millisecond) }

// machineBusyTicks returns the CPU time all processors spent not idle
// (user, nice, system, irq, softirq, steal) since boot, in clock ticks,
// from the first line of /proc/stat.
func machineBusyTicks() (int64, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	f := strings.Fields(string(line))
	if len(f) < 9 || f[0] != "cpu" {
		return 0, fmt.Errorf("unexpected /proc/stat line %q", line)
	}
	var busy int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} { // user nice system irq softirq steal
		v, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return 0, err
		}
		busy += v
	}
	return busy, nil
}
