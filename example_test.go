package plezi_test

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"regexp"
	"time"

	"github.com/plezi-go/plezi"
	"github.com/plezi-go/plezi/engine"
)

// Home is the seed's first controller.
type Home struct{ plezi.Controller }

func (c *Home) Index() any {
	t := time.Now()
	plezi.Run(func() { _ = t }) // the seed logs "Someone poked me at: t" here
	return "Hello World"
}

// The seed's first example on the default application: a route, a
// listener, Start until Stop.
func Example() {
	plezi.Route("/", &Home{})
	ln, err := plezi.Listen("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	started := make(chan struct{})
	plezi.Default().EngineOf().On(engine.Started, func() { close(started) })
	done := make(chan error)
	go func() { done <- plezi.Start() }()
	<-started

	fmt.Println(get("http://" + ln.Addr().String() + "/"))
	plezi.Stop()
	<-done
	// Output: Hello World
}

// Article shows REST mapping, parameters and URLFor on an App of one's
// own.
type Article struct{ plezi.Controller }

func (c *Article) Index() any { return "all articles in " + c.Params().Get("locale") }
func (c *Article) Show() any {
	return map[string]string{"id": c.Params().Get("id"), "self": c.URLFor(c.Params().Get("id"))}
}

func ExampleApp_Route() {
	app := &plezi.App{Engine: &engine.Engine{IgnoreSignals: true}}
	app.Route("/:locale", regexp.MustCompile(`^(en|fr)$`)) // a rewrite route
	app.Route("/articles", &Article{})                     // "/articles/(:id)"
	ln, _ := app.Listen("127.0.0.1:0")
	go app.Start()
	defer app.Stop()
	base := "http://" + ln.Addr().String()

	fmt.Println(get(base + "/fr/articles"))
	fmt.Println(get(base + "/en/articles/42"))
	// Output:
	// all articles in fr
	// {"id":"42","self":"/en/articles/42"}
}

// Counter is the seed's run_every example.
type Counter struct{ plezi.Controller }

var counted = make(chan int, 10)

func (c *Counter) Index() any {
	counter := 0
	c.App().RunEvery(time.Millisecond, 10, func() {
		counter++
		counted <- counter
	})
	return "Hello World"
}

func ExampleApp_RunEvery() {
	app := &plezi.App{Engine: &engine.Engine{IgnoreSignals: true}}
	app.Route("/", &Counter{})
	ln, _ := app.Listen("127.0.0.1:0")
	go app.Start()
	defer app.Stop()

	fmt.Println(get("http://" + ln.Addr().String()))
	for i := 0; i < 10; i++ {
		if n := <-counted; n == 10 {
			fmt.Printf("Counting %d out of 10\n", n)
		}
	}
	// Output:
	// Hello World
	// Counting 10 out of 10
}

// get returns a response body (or the error).
func get(url string) string {
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	for i := 0; ; i++ {
		resp, err := (&http.Client{Transport: tr}).Get(url)
		if err != nil {
			if i < 50 { // the app may still be starting
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return err.Error()
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return string(b)
	}
}
