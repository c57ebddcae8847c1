//go:build linux

// Package proctest reads /proc for tests that run real processes: a
// process's children, whether it is alive, its memory, and which process
// holds a TCP connection.
package proctest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Children returns the PIDs of pid's live child processes (zombies
// excluded).
func Children(pid int) []int {
	var kids []int
	for _, p := range pids() {
		ppid, state, ok := Stat(p)
		if ok && ppid == pid && state != 'Z' {
			kids = append(kids, p)
		}
	}
	return kids
}

// Stat returns a process's parent and state letter (R, S, Z, ...).
func Stat(pid int) (ppid int, state byte, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	i := bytes.LastIndexByte(b, ')') // the command name may hold anything
	if i < 0 || i+4 >= len(b) {
		return 0, 0, false
	}
	f := strings.Fields(string(b[i+2:]))
	if len(f) < 2 {
		return 0, 0, false
	}
	ppid, _ = strconv.Atoi(f[1])
	return ppid, f[0][0], true
}

// Alive reports a process that exists and is not a zombie.
func Alive(pid int) bool {
	_, state, ok := Stat(pid)
	return ok && state != 'Z'
}

// KillTree sends SIGKILL to pid and its descendants.
func KillTree(pid int) {
	for _, k := range Children(pid) {
		KillTree(k)
	}
	syscall.Kill(pid, syscall.SIGKILL)
}

// RSS returns a process's resident memory in bytes (0 if unknown).
func RSS(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// TreeRSS returns the resident memory of pid and its children.
func TreeRSS(pid int) int64 {
	total := RSS(pid)
	for _, k := range Children(pid) {
		total += RSS(k)
	}
	return total
}

// SocketOwner returns the process holding the IPv4 TCP connection from
// local to remote ("ip:port" each), or -1.
func SocketOwner(local, remote string) int {
	l, r := hexAddr(local), hexAddr(remote)
	b, _ := os.ReadFile("/proc/net/tcp")
	inode := ""
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 9 && f[1] == l && f[2] == r {
			inode = f[9]
		}
	}
	if inode == "" {
		return -1
	}
	want := "socket:[" + inode + "]"
	for _, p := range pids() {
		dir := "/proc/" + strconv.Itoa(p) + "/fd/"
		fds, _ := os.ReadDir(dir)
		for _, fd := range fds {
			if link, _ := os.Readlink(dir + fd.Name()); link == want {
				return p
			}
		}
	}
	return -1
}

// hexAddr writes an IPv4 "ip:port" as /proc/net/tcp does.
func hexAddr(a string) string {
	host, port, _ := net.SplitHostPort(a)
	ip := net.ParseIP(host).To4()
	if ip == nil {
		return ""
	}
	p, _ := strconv.Atoi(port)
	return fmt.Sprintf("%02X%02X%02X%02X:%04X", ip[3], ip[2], ip[1], ip[0], p)
}

// pids lists the processes in /proc.
func pids() []int {
	dirs, _ := os.ReadDir("/proc")
	var list []int
	for _, d := range dirs {
		if p, err := strconv.Atoi(d.Name()); err == nil {
			list = append(list, p)
		}
	}
	return list
}
