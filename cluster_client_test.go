package plezi_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"
)

// The idle test's client processes: the test binary again, with
// clientEnv set to "address count first-source-index".
const clientEnv = "PLEZI_TEST_WSCLIENT"

// idleClient is a client process's main: it opens count WebSocket
// connections to /hall from source addresses 127.0.0.2-127.0.0.9,
// reads each greeting ("pid N"), reports on stdout, and holds the
// connections until its standard input closes.
func idleClient(spec string) int {
	var addr string
	var count, index int
	if _, err := fmt.Sscan(spec, &addr, &count, &index); err != nil {
		fmt.Fprintln(os.Stderr, "client spec:", err)
		return 2
	}
	var mu sync.Mutex
	var conns []net.Conn
	byPID := map[string]int{}
	var firstErr error
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				src := &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+(index*count+i)%8))}
				c, pid, err := openIdle(addr, src)
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
				} else {
					conns = append(conns, c)
					byPID[pid]++
				}
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < count; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	r := map[string]any{"Held": len(conns), "ByPID": byPID}
	if firstErr != nil {
		r["Err"] = firstErr.Error()
	}
	b, _ := json.Marshal(r)
	os.Stdout.Write(append(b, '\n'))
	io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		c.Close()
	}
	return 0
}

// openIdle upgrades one connection and reads its greeting.
func openIdle(addr string, src *net.TCPAddr) (net.Conn, string, error) {
	d := net.Dialer{LocalAddr: src, Timeout: 10 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, "", err
	}
	c.SetDeadline(time.Now().Add(30 * time.Second))
	io.WriteString(c, "GET /hall HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	r := bufio.NewReaderSize(c, 512)
	status, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(status, "HTTP/1.1 101") {
		c.Close()
		return nil, "", fmt.Errorf("handshake: %q %v", status, err)
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			c.Close()
			return nil, "", err
		}
		if line == "\r\n" {
			break
		}
	}
	// The greeting: an unmasked text frame "pid N" under 126 bytes.
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil || h[0] != 0x81 || h[1] >= 126 {
		c.Close()
		return nil, "", fmt.Errorf("greeting frame % x: %v", h, err)
	}
	msg := make([]byte, h[1])
	if _, err := io.ReadFull(r, msg); err != nil || !bytes.HasPrefix(msg, []byte("pid ")) {
		c.Close()
		return nil, "", fmt.Errorf("greeting %q: %v", msg, err)
	}
	c.SetDeadline(time.Time{})
	return c, string(msg[4:]), nil
}
