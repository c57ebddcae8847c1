package pubsub_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/plezi-go/plezi/pubsub"
)

func ExampleBroker() {
	var b pubsub.Broker // publishes through its own Process engine
	b.Subscribe(pubsub.Sub{Channel: "chat", Handler: func(m *pubsub.Message) {
		fmt.Printf("chat: %s\n", m.Data)
	}})
	b.Subscribe(pubsub.Sub{Pattern: "news.*", Handler: func(m *pubsub.Message) {
		fmt.Printf("%s: %s\n", m.Channel, m.Data)
	}})
	b.Publish("chat", []byte("hello"))
	b.Publish("news.tech", []byte("Go 1.26 is out"))
	b.Publish("weather", []byte("nobody listens"))
	// Output:
	// chat: hello
	// news.tech: Go 1.26 is out
}

func ExampleBroker_UnsubscribeAll() {
	var b pubsub.Broker
	conn := "connection 1" // normally the *websocket.Conn or *sse.Stream
	b.Subscribe(pubsub.Sub{Channel: "a", Owner: conn, Handler: func(*pubsub.Message) {}})
	b.Subscribe(pubsub.Sub{Pattern: "b.*", Owner: conn, Handler: func(*pubsub.Message) {}})
	// Subscribing again to the same name replaces the old subscription.
	b.Subscribe(pubsub.Sub{Channel: "a", Owner: conn, Handler: func(*pubsub.Message) {}})
	fmt.Println(b.Stats().Subscriptions)
	fmt.Println(b.UnsubscribeAll(conn)) // from the connection's OnClose
	fmt.Println(b.Stats().Subscriptions)
	// Output:
	// 2
	// 2
	// 0
}

func ExampleMatch() {
	fmt.Println(pubsub.Match("user:*:inbox", "user:42:inbox"))
	fmt.Println(pubsub.Match("h[^e]llo", "hello"))
	fmt.Println(pubsub.Match(`price\?`, "price?"))
	// Output:
	// true
	// false
	// true
}

func ExampleProcess_Since() {
	b := &pubsub.Broker{}
	b.Engine = pubsub.NewProcess(b, &pubsub.History{Count: 2})
	ctx := context.Background()

	first := pubsub.NewMessage("feed", []byte("one"))
	b.Engine.Publish(ctx, first) // sets first.ID
	seen := pubsub.NewMessage("feed", []byte("two"))
	b.Engine.Publish(ctx, seen)
	b.Publish("feed", []byte("three"))
	b.Publish("feed", []byte("four"))

	// A client that saw "two" reconnects (SSE Last-Event-ID: seen.ID).
	missed, _ := b.Since(ctx, "feed", seen.ID)
	for _, m := range missed {
		fmt.Println(m.String())
	}
	// "one" and "two" fell out of the 2-message history: a client that
	// saw only "one" cannot resume (it would miss "two").
	_, err := b.Since(ctx, "feed", first.ID)
	fmt.Println(errors.Is(err, pubsub.ErrHistoryGone))
	// Output:
	// three
	// four
	// true
}
