package redis

import "strings"

// With a History, PUBLISH carries the message's stream ID in front of the
// payload: envelopePrefix, the ID, ':', the data. Without one the payload
// is published as it is, so other Redis clients (Iodine, redis-cli) read
// and write plain messages; a received message without the prefix is
// delivered as it is, with no ID.
const envelopePrefix = "\x00plz1:"

// openEnvelope splits a received payload into ID and data.
func openEnvelope(payload string) (id, data string) {
	rest, ok := strings.CutPrefix(payload, envelopePrefix)
	if !ok {
		return "", payload
	}
	id, data, ok = strings.Cut(rest, ":")
	if !ok {
		return "", payload
	}
	return id, data
}
