//go:build linux

package main

import (
	"flag"
	"fmt"
	"os/exec"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/plezi-go/plezi/pubsub"
	"github.com/plezi-go/plezi/pubsub/redis"
)

// runPSChurn is the pschurn subcommand: 10,000 channels with one
// subscriber each, then subscribe/unsubscribe churn per second on top of
// them, in this process: once with the process engine, once with the
// Redis engine (each new channel is a SUBSCRIBE on Redis, each last
// subscriber leaving an UNSUBSCRIBE). Subscribers are handler-only
// subscriptions (no connection): this measures the broker, not sockets.
func runPSChurn(args []string) error {
	fs := flag.NewFlagSet("pschurn", flag.ExitOnError)
	channels := fs.Int("channels", 10000, "channels held, one subscriber each")
	dur := fs.Duration("dur", 3*time.Second, "churn measured for this long")
	rounds := fs.Int("rounds", 3, "rounds per engine")
	fs.Parse(args)
	fmt.Printf("| engine | %d channels subscribed in | churn: subscribe + unsubscribe cycles / s, median | every run | publishes / s to one of the channels |\n", *channels)
	fmt.Println("|---|---:|---:|---|---:|")
	for _, eng := range []string{"process", "redis"} {
		var setups []time.Duration
		var rates, pubs []float64
		for r := 0; r < *rounds; r++ {
			setup, rate, pub, err := churnOnce(eng, *channels, *dur)
			if err != nil {
				return fmt.Errorf("%s round %d: %w", eng, r+1, err)
			}
			setups, rates, pubs = append(setups, setup), append(rates, rate), append(pubs, pub)
		}
		var every string
		for i, x := range rates {
			if i > 0 {
				every += ", "
			}
			every += fmtF(x, 0)
		}
		fmt.Printf("| %s | %v | **%s** | %s | %s |\n", eng, medianDur(setups).Round(time.Millisecond),
			fmtF(medianOf(rates, func(x float64) float64 { return x }), 0), every,
			fmtF(medianOf(pubs, func(x float64) float64 { return x }), 0))
	}
	return nil
}

func medianDur(ds []time.Duration) time.Duration {
	return time.Duration(medianOf(ds, func(d time.Duration) float64 { return float64(d) }))
}

// churnOnce holds channels subscriptions, measures churn for dur, then
// publishes to the held channels for a while.
func churnOnce(eng string, channels int, dur time.Duration) (setup time.Duration, churn, pubs float64, err error) {
	b := &pubsub.Broker{}
	var got atomic.Int64
	h := func(*pubsub.Message) { got.Add(1) }
	if eng == "redis" {
		if _, err := exec.LookPath("redis-server"); err != nil {
			return 0, 0, 0, err
		}
		rs, url, err := startRedis()
		if err != nil {
			return 0, 0, 0, err
		}
		defer func() {
			rs.Process.Kill()
			rs.Wait()
		}()
		e, err := redis.New(b, redis.Options{URL: url})
		if err != nil {
			return 0, 0, 0, err
		}
		defer e.Close()
		b.Engine = e
	}
	t0 := time.Now()
	for i := range channels {
		if _, err := b.Subscribe(pubsub.Sub{Channel: "held:" + strconv.Itoa(i), Handler: h}); err != nil {
			return 0, 0, 0, err
		}
	}
	setup = time.Since(t0)
	n := 0
	t0 = time.Now()
	for time.Since(t0) < dur {
		for range 1000 {
			s, err := b.Subscribe(pubsub.Sub{Channel: "churn:" + strconv.Itoa(n), Handler: h})
			if err != nil {
				return 0, 0, 0, err
			}
			s.Unsubscribe()
			n++
		}
	}
	churn = float64(n) / time.Since(t0).Seconds()
	if st := b.Stats(); st.Subscriptions != channels {
		return 0, 0, 0, fmt.Errorf("%d subscriptions after the churn, want %d", st.Subscriptions, channels)
	}
	time.Sleep(200 * time.Millisecond) // Redis: the held channels are subscribed
	p := 0
	t0 = time.Now()
	for time.Since(t0) < time.Second {
		if err := b.Publish("held:"+strconv.Itoa(p%channels), []byte("x")); err != nil {
			return 0, 0, 0, err
		}
		p++
	}
	pubs = float64(p) / time.Since(t0).Seconds()
	return setup, churn, pubs, nil
}
