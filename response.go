package aforro

import (
	"encoding/json"
	"fmt"
)

// MarshalResponse is the one JSON encoding of every API answer: compact,
// ending in a newline. The server writes it, and the order transaction
// stores it for idempotent replays, so a replay matches a fresh answer byte
// for byte.
func MarshalResponse(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode response: %w", err)
	}
	return append(b, '\n'), nil
}
