package httpd_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/httpd"
)

// TestShutdownAnswersWhatIsOnItsWay: when the server stops, a connection
// that has not sent its first request yet (accepted as the server
// stopped) and one whose request body is still arriving are both
// answered, with Connection: close; an idle keep-alive connection
// closes at once; Stop returns without forcing anything.
func TestShutdownAnswersWhatIsOnItsWay(t *testing.T) {
	e := &engine.Engine{Loops: 2, IgnoreSignals: true}
	s := &httpd.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		io.WriteString(w, "got "+string(b))
	})}
	ln, err := s.Listen(e, "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	e.On(engine.Started, func() { close(started) })
	done := make(chan error, 1)
	go func() { done <- e.Start() }()
	<-started
	dial := func() net.Conn {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		t.Cleanup(func() { c.Close() })
		return c
	}
	fresh, slow, idle := dial(), dial(), dial()
	io.WriteString(slow, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello")
	io.WriteString(idle, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	idleR := bufio.NewReader(idle)
	resp, err := http.ReadResponse(idleR, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("keep-alive request: %v", err)
	}
	io.ReadAll(resp.Body)
	time.Sleep(50 * time.Millisecond) // the server has read the first half of slow's body
	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		stopped <- e.Stop(ctx)
	}()
	if _, err := idleR.ReadByte(); err != io.EOF {
		t.Errorf("idle keep-alive connection: %v, want EOF", err)
	}
	time.Sleep(50 * time.Millisecond)
	io.WriteString(fresh, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	io.WriteString(slow, "world")
	for name, c := range map[string]net.Conn{"fresh": fresh, "slow": slow} {
		b, err := io.ReadAll(c)
		got := string(b)
		if err != nil || !strings.HasPrefix(got, "HTTP/1.1 200") || !strings.Contains(got, "Connection: close") {
			t.Errorf("%s: %q %v", name, got, err)
		}
		if name == "slow" && !strings.HasSuffix(got, "got helloworld") {
			t.Errorf("slow: body %q", got)
		}
	}
	if err := <-stopped; err != nil {
		t.Errorf("Stop: %v (connections had to be forced)", err)
	}
	<-done
}
