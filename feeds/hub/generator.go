package hub

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// DefaultRate is the generator's rate in messages per second.
const DefaultRate = 20

// GeneratorOptions configures RunGenerator.
type GeneratorOptions struct {
	// Rate is messages per second: 0 means DefaultRate, and a negative
	// Rate means as fast as the clients take them (`--rate 0` on the
	// command line): the generator then waits while no streaming client is
	// connected or the slowest has more than half its queue pending.
	Rate float64
	// Seed seeds the noise and the random walk; 0 picks one at random.
	Seed uint64
}

// maxBurst caps how many messages a late tick catches up on, so a stalled
// process does not answer with a flood.
const maxBurst = 1000

// RunGenerator publishes the built-in demo signals to h until ctx ends.
// Each message is a JSON object:
//
//	{"ts":"2026-11-25T18:00:00.123Z","seq":42,"sine":0.71,"noise":0.13,"sawtooth":0.4,"walk":12.3,"counter":42}
//
// ts is the time of the sample; sine has a period of 10 s, sawtooth rises
// from 0 to 1 every 5 s, noise is uniform in [0, 1), walk is a random walk
// starting at 0, and counter counts messages from 1 like seq.
func RunGenerator(ctx context.Context, h *Hub, opts GeneratorOptions) error {
	if math.IsNaN(opts.Rate) || math.IsInf(opts.Rate, 0) {
		return fmt.Errorf("hub: generator rate %v is not a number of messages per second", opts.Rate)
	}
	seed := opts.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	g := &generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), start: time.Now()}
	if opts.Rate < 0 {
		return g.runFlat(ctx, h)
	}
	rate := opts.Rate
	if rate == 0 {
		rate = DefaultRate
	}
	// A tick per message up to 1000/s; beyond that each tick publishes
	// what is due, since timers are not finer than about a millisecond.
	period := max(time.Duration(float64(time.Second)/rate), time.Millisecond)
	t := time.NewTicker(period)
	defer t.Stop()
	var sent uint64
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-t.C:
			due := uint64(now.Sub(g.start).Seconds() * rate)
			if due > sent+maxBurst {
				sent = due - maxBurst
			}
			for ; sent < due; sent++ {
				if h.Publish(g.next(time.Now())) == 0 {
					return nil // hub closed
				}
			}
		}
	}
}

// runFlat publishes as fast as the slowest streaming client takes events.
// Waiting for room keeps the log ahead of the clients by at most half a
// queue, so none of them is dropped for being slow and nothing grows.
func (g *generator) runFlat(ctx context.Context, h *Hub) error {
	window := max(uint64(h.opts.ClientQueue)/2, 1)
	for {
		if err := h.awaitRoom(ctx, window); err != nil {
			if errors.Is(err, ErrClosed) || ctx.Err() != nil {
				return nil
			}
			return err
		}
		if h.Publish(g.next(time.Now())) == 0 {
			return nil
		}
	}
}

type generator struct {
	rng   *rand.Rand
	start time.Time
	seq   uint64
	walk  float64
	buf   []byte
}

// next builds the next sample; appending by hand keeps the generator far
// cheaper than the clients it feeds, which matters at rate 0.
func (g *generator) next(now time.Time) Event {
	g.seq++
	t := now.Sub(g.start).Seconds()
	g.walk += g.rng.NormFloat64() * 0.1
	b := g.buf[:0]
	b = append(b, `{"ts":"`...)
	b = now.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
	b = append(b, `","seq":`...)
	b = strconv.AppendUint(b, g.seq, 10)
	b = appendField(b, "sine", math.Sin(2*math.Pi*t/10))
	b = appendField(b, "noise", g.rng.Float64())
	b = appendField(b, "sawtooth", math.Mod(t, 5)/5)
	b = appendField(b, "walk", g.walk)
	b = append(b, `,"counter":`...)
	b = strconv.AppendUint(b, g.seq, 10)
	b = append(b, '}')
	g.buf = b
	return Event{Time: now, Data: string(b)}
}

func appendField(b []byte, name string, v float64) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return strconv.AppendFloat(b, v, 'g', 6, 64)
}
