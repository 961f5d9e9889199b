package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"feedscope/feeds/urlsafe"
)

// DefaultChannel is the Redis channel flask-sse publishes to.
const DefaultChannel = "sse"

// RedisOptions configures RunRedis.
type RedisOptions struct {
	// URL is a Redis URL: redis://[user:password@]host:port/db
	// (rediss:// for TLS).
	URL string
	// Channel is the pub/sub channel (default "sse", flask-sse's).
	Channel string
	// MinBackoff and MaxBackoff bound the wait before resubscribing after
	// Redis went away (defaults 100 ms and 10 s); the wait doubles per
	// failed attempt, with jitter, and starts over once subscribed.
	MinBackoff, MaxBackoff time.Duration
	// HealthCheck is how long a subscription may stay silent before the
	// relay pings Redis to tell a quiet channel from a dead connection
	// (default 30 s).
	HealthCheck time.Duration
}

// ParseRedisURL checks a Redis URL the way RunRedis will use it, so a
// command line can reject a bad one before serving.
func ParseRedisURL(u string) (*redis.Options, error) {
	// Parsed once with urlsafe.Parse first: redis.ParseURL's url.Error
	// would quote the password of a URL that does not parse.
	if _, err := urlsafe.Parse(u); err != nil {
		return nil, fmt.Errorf("hub: redis URL: %w", err)
	}
	opt, err := redis.ParseURL(u)
	if err != nil {
		return nil, fmt.Errorf("hub: redis URL %q: %w", urlsafe.Redact(u), err)
	}
	return opt, nil
}

// RunRedis relays messages from a Redis pub/sub channel to h until ctx
// ends. It survives Redis going away: it logs the state, waits with
// backoff and subscribes again; what was published meanwhile is lost, as
// pub/sub keeps nothing. It returns an error only for a bad URL.
//
// A message in flask-sse's format, a JSON object with "data" and at most
// "type", "id" and "retry", becomes an event with that data (JSON-encoded
// when not a string), type and retry (milliseconds). Its "id" is kept as
// Event.OriginID and shown by /poll?since, but the SSE id is the hub's own
// sequence: flask-sse ids are arbitrary, unordered and optional, so they
// cannot tell the hub which events a reconnecting client has missed. Any
// other payload, JSON or not, becomes the data of an event as it is.
func RunRedis(ctx context.Context, h *Hub, opts RedisOptions) error {
	ropt, err := ParseRedisURL(opts.URL)
	if err != nil {
		return err
	}
	if opts.Channel == "" {
		opts.Channel = DefaultChannel
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = 100 * time.Millisecond
	}
	if opts.MaxBackoff < opts.MinBackoff {
		opts.MaxBackoff = max(10*time.Second, opts.MinBackoff)
	}
	if opts.HealthCheck <= 0 {
		opts.HealthCheck = 30 * time.Second
	}
	// The relay retries by itself, with its own backoff and logging.
	ropt.MaxRetries = -1
	rdb := redis.NewClient(ropt)
	defer rdb.Close()
	log := h.log.With("source", "redis", "addr", ropt.Addr, "channel", opts.Channel)

	wait := opts.MinBackoff
	for attempt := 1; ; attempt++ {
		subscribed, err := relay(ctx, rdb, h, opts, log)
		if ctx.Err() != nil {
			return nil
		}
		if subscribed {
			wait, attempt = opts.MinBackoff, 1
		}
		// Jitter (half the wait, at random) keeps several serve processes
		// from reconnecting in lockstep after a Redis restart.
		d := wait/2 + rand.N(wait/2+1)
		log.Warn("redis unavailable, resubscribing", "err", err, "attempt", attempt, "in", d.Round(time.Millisecond))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(d):
		}
		wait = min(wait*2, opts.MaxBackoff)
	}
}

// relay subscribes once and publishes what arrives until the connection
// fails; subscribed says whether the subscription was confirmed.
func relay(ctx context.Context, rdb *redis.Client, h *Hub, opts RedisOptions, log *slog.Logger) (subscribed bool, err error) {
	ps := rdb.Subscribe(ctx)
	defer ps.Close()
	// Receive does not watch ctx while it reads; closing the PubSub ends
	// the read at once.
	stop := context.AfterFunc(ctx, func() { ps.Close() })
	defer stop()
	if err := ps.Subscribe(ctx, opts.Channel); err != nil {
		return false, err
	}
	pinged := false
	for {
		msg, err := ps.ReceiveTimeout(ctx, opts.HealthCheck)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && !pinged {
				pinged = true
				if err := ps.Ping(ctx); err != nil {
					return subscribed, err
				}
				continue
			}
			return subscribed, err
		}
		pinged = false
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				subscribed = true
				log.Info("redis subscribed")
			}
		case *redis.Message:
			if h.Publish(parseFlaskSSE(m.Payload)) == 0 {
				return subscribed, ErrClosed
			}
		}
	}
}

// parseFlaskSSE turns a flask-sse message into an event; see RunRedis.
func parseFlaskSSE(payload string) Event {
	raw := Event{Data: payload}
	trimmed := strings.TrimSpace(payload)
	if !strings.HasPrefix(trimmed, "{") {
		return raw
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal([]byte(trimmed), &fields) != nil {
		return raw
	}
	if _, ok := fields["data"]; !ok {
		return raw
	}
	var ev Event
	for k, v := range fields {
		switch k {
		case "data":
			var s string
			if json.Unmarshal(v, &s) == nil {
				ev.Data = s
			} else {
				var b bytes.Buffer
				if json.Compact(&b, v) != nil {
					return raw
				}
				ev.Data = b.String()
			}
		case "type":
			if isNull(v) {
				continue
			}
			if json.Unmarshal(v, &ev.Type) != nil {
				return raw
			}
		case "id":
			if isNull(v) {
				continue
			}
			var s string
			if json.Unmarshal(v, &s) == nil {
				ev.OriginID = s
			} else if n, err := strconv.ParseFloat(string(v), 64); err == nil {
				ev.OriginID = strconv.FormatFloat(n, 'f', -1, 64)
			} else {
				return raw
			}
		case "retry":
			if isNull(v) {
				continue
			}
			var ms float64
			if json.Unmarshal(v, &ms) != nil || ms < 0 || ms > float64(24*time.Hour/time.Millisecond) {
				return raw
			}
			ev.Retry = time.Duration(ms * float64(time.Millisecond))
		default:
			// Not flask-sse's shape: pass the whole message through.
			return raw
		}
	}
	return ev
}

func isNull(v json.RawMessage) bool { return string(bytes.TrimSpace(v)) == "null" }
