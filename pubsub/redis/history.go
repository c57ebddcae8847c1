package redis

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/plezi-go/plezi/pubsub"
	"github.com/redis/rueidis"
)

// trimLua drops a stream's entries past the count bound (ARGV[1]) and the
// age bound in ms (ARGV[2]; 0: none), at most 1000 a call, with XDEL so
// that the stream's max-deleted-entry-id tells Since what was lost.
const trimLua = `
local function trim(key, count, age)
  local cut = {}
  local n = redis.call('XLEN', key)
  if n > count then
    for _, e in ipairs(redis.call('XRANGE', key, '-', '+', 'COUNT', math.min(n - count, 1000))) do
      cut[#cut + 1] = e[1]
    end
  end
  if age > 0 and #cut < 1000 then
    local t = redis.call('TIME')
    local oldest = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - age
    local from = '-'
    if #cut > 0 then from = '(' .. cut[#cut] end
    for _, e in ipairs(redis.call('XRANGE', key, from, string.format('(%d-0', oldest), 'COUNT', 1000 - #cut)) do
      cut[#cut + 1] = e[1]
    end
  end
  if #cut > 0 then redis.call('XDEL', key, unpack(cut)) end
end
`

// publishLua appends to the stream, trims it, refreshes its expiry and
// publishes the envelope, atomically. KEYS[1]: stream; ARGV: count, age
// ms, channel, data, envelope prefix. Returns the entry ID.
var publishLua = rueidis.NewLuaScript(trimLua + `
local id = redis.call('XADD', KEYS[1], '*', 'd', ARGV[4])
trim(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))
if tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
redis.call('PUBLISH', ARGV[3], ARGV[5] .. id .. ':' .. ARGV[4])
return id
`)

// sinceLua reads a stream after an ID. KEYS[1]: stream; ARGV: count, age
// ms, range start ("-" or "(id"). Returns {"missing", now ms} or {"ok",
// max-deleted-entry-id, last-generated-id, entries}.
var sinceLua = rueidis.NewLuaScript(trimLua + `
if redis.call('EXISTS', KEYS[1]) == 0 then
  local t = redis.call('TIME')
  return {'missing', string.format('%d', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))}
end
trim(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local f = {}
for i = 1, #info, 2 do f[info[i]] = info[i + 1] end
return {'ok', f['max-deleted-entry-id'], f['last-generated-id'],
  redis.call('XRANGE', KEYS[1], ARGV[3], '+', 'COUNT', ARGV[1])}
`)

// publishHistory publishes m through publishLua, setting m.ID.
func (e *Engine) publishHistory(ctx context.Context, m *pubsub.Message) error {
	h := e.opt.History
	id, err := publishLua.Exec(ctx, e.client, []string{h.KeyPrefix + m.Channel}, []string{
		strconv.Itoa(h.Count), strconv.FormatInt(h.Age.Milliseconds(), 10),
		m.Channel, rueidis.BinaryString(m.Data), envelopePrefix,
	}).ToString()
	if err != nil {
		return fmt.Errorf("%w: publish %q: %v", ErrUnavailable, m.Channel, err)
	}
	m.ID = id
	return nil
}

// Since implements pubsub.Resumer from the channel's stream. Without a
// History it returns pubsub.ErrNoHistory. A stream that expired (no
// message for Age) answers: nothing missed when lastID is younger than
// Age, a gap otherwise.
func (e *Engine) Since(ctx context.Context, channel, lastID string) ([]*pubsub.Message, error) {
	h := e.opt.History
	if h == nil {
		return nil, pubsub.ErrNoHistory
	}
	start, last := "-", pubsub.ID{}
	if lastID != "" {
		var err error
		if last, err = pubsub.ParseID(lastID); err != nil {
			return nil, err
		}
		start = "(" + last.String()
	}
	ctx, cancel := e.bound(ctx)
	defer cancel()
	res, err := sinceLua.Exec(ctx, e.client, []string{h.KeyPrefix + channel}, []string{
		strconv.Itoa(h.Count), strconv.FormatInt(h.Age.Milliseconds(), 10), start,
	}).ToArray()
	if err != nil {
		return nil, fmt.Errorf("%w: history of %q: %v", ErrUnavailable, channel, err)
	}
	return e.sinceResult(channel, lastID, last, res)
}

// sinceResult interprets sinceLua's answer.
func (e *Engine) sinceResult(channel, lastID string, last pubsub.ID, res []rueidis.RedisMessage) ([]*pubsub.Message, error) {
	status, _ := res[0].ToString()
	if status == "missing" {
		nowStr, _ := res[1].ToString()
		now, _ := strconv.ParseUint(nowStr, 10, 64)
		// The stream expires Age after its last message: if lastID is
		// younger than Age, nothing was published after it.
		age := e.opt.History.Age.Milliseconds()
		tooOld := age > 0 && last.Ms+uint64(age) < now
		if lastID != "" && (tooOld || last.Ms > now) {
			return nil, &pubsub.GapError{Channel: channel, LastID: lastID}
		}
		return nil, nil
	}
	if len(res) != 4 {
		return nil, fmt.Errorf("pubsub/redis: unexpected history reply (%d fields)", len(res))
	}
	maxDeleted, err1 := parseField(res[1])
	lastGen, err2 := parseField(res[2])
	entries, err3 := res[3].AsXRange()
	if err := firstErr(err1, err2, err3); err != nil {
		return nil, fmt.Errorf("pubsub/redis: unexpected history reply: %w", err)
	}
	if lastID != "" && (last.Less(maxDeleted) || lastGen.Less(last)) {
		oldest := ""
		if len(entries) > 0 {
			oldest = entries[0].ID
		}
		return nil, &pubsub.GapError{Channel: channel, LastID: lastID, Oldest: oldest}
	}
	out := make([]*pubsub.Message, len(entries))
	for i, x := range entries {
		out[i] = &pubsub.Message{Channel: channel, ID: x.ID, Data: []byte(x.FieldValues["d"]), Time: idTime(x.ID)}
	}
	return out, nil
}

func parseField(m rueidis.RedisMessage) (pubsub.ID, error) {
	s, err := m.ToString()
	if err != nil {
		return pubsub.ID{}, err
	}
	return pubsub.ParseID(s)
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// idTime returns the time encoded in a stream ID.
func idTime(id string) time.Time {
	x, err := pubsub.ParseID(id)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(int64(x.Ms))
}
