package dbtest

import (
	"context"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

// RedisURL is the Redis tests use: AFORRO_TEST_REDIS_URL, by default database
// 15 of the local server, which development data does not use.
func RedisURL() string {
	if u := os.Getenv("AFORRO_TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/15"
}

// Redis returns a client of its own on the test Redis, closed when the test
// ends, failing the test when Redis does not answer.
func Redis(t testing.TB) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(RedisURL())
	if err != nil {
		t.Fatalf("AFORRO_TEST_REDIS_URL: %v", err)
	}
	rdb := redis.NewClient(opts)
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("cannot reach Redis at %s (start it or set AFORRO_TEST_REDIS_URL): %v", RedisURL(), err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}
