package pubsub

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ID is a history ID: milliseconds since the Unix epoch and a sequence
// number within that millisecond, written "ms-seq" as Redis stream IDs,
// so that process and Redis histories speak the same IDs.
type ID struct {
	Ms, Seq uint64
}

// String returns "ms-seq".
func (id ID) String() string {
	var b [41]byte
	out := strconv.AppendUint(b[:0], id.Ms, 10)
	out = append(out, '-')
	return string(strconv.AppendUint(out, id.Seq, 10))
}

// Less reports whether id comes before o.
func (id ID) Less(o ID) bool {
	return id.Ms < o.Ms || (id.Ms == o.Ms && id.Seq < o.Seq)
}

// ParseID parses "ms-seq" (or "ms", meaning "ms-0"). Errors wrap ErrBadID.
func ParseID(s string) (ID, error) {
	msPart, seqPart, hasSeq := strings.Cut(s, "-")
	ms, err := strconv.ParseUint(msPart, 10, 64)
	if err != nil {
		return ID{}, fmt.Errorf("%w: %q", ErrBadID, s)
	}
	var seq uint64
	if hasSeq {
		if seq, err = strconv.ParseUint(seqPart, 10, 64); err != nil {
			return ID{}, fmt.Errorf("%w: %q", ErrBadID, s)
		}
	}
	return ID{ms, seq}, nil
}

// nextID returns the ID after last at time now: now's millisecond, or
// last's with the next sequence number when the clock did not move on (or
// went back).
func nextID(last ID, now time.Time) ID {
	ms := uint64(now.UnixMilli())
	if ms > last.Ms {
		return ID{ms, 0}
	}
	return ID{last.Ms, last.Seq + 1}
}
