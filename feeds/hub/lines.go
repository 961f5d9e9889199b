package hub

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxLineSize bounds one line of RunLines input.
const MaxLineSize = 1 << 20

// RunLines publishes each line of r (without its line ending) as one
// message, until r ends or ctx does; empty lines are skipped. A line
// longer than MaxLineSize is dropped with a logged warning rather than
// buffered. It returns nil at the end of r, and the read error otherwise.
//
// ctx cannot interrupt a Read that is blocked: the caller ends one by
// closing r where r allows it (a pipe does).
func RunLines(ctx context.Context, h *Hub, r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	log := h.log.With("source", "lines")
	var long strings.Builder
	tooLong := false
	for n := 1; ; {
		if ctx.Err() != nil {
			return nil
		}
		chunk, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if !tooLong && long.Len()+len(chunk) <= MaxLineSize {
				long.Write(chunk)
			} else {
				tooLong = true
				long.Reset()
			}
			continue
		}
		if len(chunk) > 0 || long.Len() > 0 {
			line := chunk
			if long.Len() > 0 {
				long.Write(chunk)
				line = []byte(long.String())
				long.Reset()
			}
			if tooLong || len(line) > MaxLineSize+2 {
				log.Warn("dropping line", "line", n, "reason", fmt.Sprintf("longer than %d bytes", MaxLineSize))
			} else if s := strings.TrimRight(string(line), "\r\n"); s != "" {
				if h.Publish(Event{Data: s}) == 0 {
					return nil // hub closed
				}
			}
			tooLong = false
			n++
		}
		if err == io.EOF {
			log.Info("input ended")
			return nil
		}
		if err != nil {
			return fmt.Errorf("hub: reading lines: %w", err)
		}
	}
}
