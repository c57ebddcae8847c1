package redis_test

import (
	"log"
	"log/slog"

	"github.com/plezi-go/plezi/pubsub"
	"github.com/plezi-go/plezi/pubsub/redis"
)

// Redis as the broker's default engine: Publish reaches every process on
// every machine connected to the server. (Not run: it needs a server.)
func ExampleNew() {
	b := &pubsub.Broker{}
	e, err := redis.New(b, redis.Options{
		URL:     "redis://:password@127.0.0.1:6379/0",
		Logger:  slog.Default(),
		History: &redis.History{Count: 100}, // for SSE Last-Event-ID resumes
	})
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	b.Engine = e
	b.Subscribe(pubsub.Sub{Pattern: "chat.*", Handler: func(m *pubsub.Message) {
		log.Printf("%s (%s): %s", m.Channel, m.ID, m.Data)
	}})
	if err := b.Publish("chat.lobby", []byte("hello")); err != nil {
		log.Print(err) // the server is unreachable: nothing was published
	}
}
