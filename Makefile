# Everyday commands; each is the one the README gives.
GO ?= go
# Shipped binaries use the patched toolchain go.mod names: go1.26.9 and .10
# fixed net/http, crypto/tls and crypto/x509 issues govulncheck flags in older
# 1.26 releases. The go command downloads it from the module proxy the first
# time (once, into the module cache); `make build TOOLCHAIN=local` uses yours.
TOOLCHAIN ?= go1.26.11
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
TEST_TIMEOUT ?= 20m
FUZZTIME ?= 10000x
BENCH_SECONDS ?= 10
BENCH_DATASET ?= big
FUZZ_TARGETS = FuzzOrderBody FuzzProductBody FuzzQueryParams FuzzSearchParams

.DEFAULT_GOAL := build
.PHONY: run test faults fuzz bench-orders bench-search bench-reads build lint fmt migrate seed docker

# Starts PostgreSQL/Redis privately when none answer, migrates, seeds, serves.
# Built, then run as a job of its own (set -m: its own process group, given
# the terminal), so Ctrl-C reaches aforrod alone: it stops cleanly and exits
# 0, and so does make, without a word. (Under "go run" the go command exits 1
# after an interrupt and make prints "*** [run] Error 1"; and make itself,
# when it gets the SIGINT, dies of it after its recipe ends.)
run:
	$(GO) build -o bin/aforrod ./cmd/aforrod
	@set -m 2>/dev/null; bin/aforrod dev

test:
	$(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) ./...

# The fault-injection suite (faults/, README "Reliability"): the aforrod
# binary, a private PostgreSQL cluster and redis-server per scenario, killed,
# restarted and cut under load. It needs initdb/pg_ctl and redis-server.
faults:
	$(GO) test -tags faults -race -count=1 -timeout 15m ./faults

# Each fuzzer searches for new inputs for FUZZTIME (go test runs one -fuzz
# target at a time); its seed corpus already runs in every make test. The
# budget is a count of runs, not a duration: Go 1.26's fuzz coordinator can
# report its own -fuzztime deadline as a failure ("context deadline
# exceeded", golang/go#75804, fixed in Go 1.27); a count has no deadline.
fuzz:
	@for f in $(FUZZ_TARGETS); do \
		$(GO) test -run='^$$' -fuzz="^$$f\$$" -fuzztime=$(FUZZTIME) ./server || exit 1; \
	done

# Load benchmarks (docs/benchmarks.md); not part of make test.
bench-orders:
	bash bench/orders.sh $(BENCH_SECONDS)

# Needs a database seeded with: aforrod seed --products 1000000 --stores 100
bench-search:
	$(GO) run ./cmd/aforrobench-search

# Every list through HTTP at a million products and 100 stores: aforro_big
# (1 million inventory rows), or BENCH_DATASET=dense for aforro_dense (seeded
# --dense, 25 million). Seeds an empty database and places orders through
# the API when there are none; prints a Markdown table.
bench-reads:
	BENCH_DATASET=$(BENCH_DATASET) bash bench/reads.sh $(BENCH_SECONDS)

build:
	GOTOOLCHAIN=$(TOOLCHAIN) CGO_ENABLED=0 $(GO) build -trimpath -o bin/ ./cmd/aforrod ./cmd/aforroctl

lint:
	$(GO) vet -tags faults ./...
	$(GO) run $(STATICCHECK) -tags faults ./...

fmt:
	gofmt -l -w $$(git ls-files -co --exclude-standard '*.go')

migrate:
	$(GO) run ./cmd/aforrod migrate

seed:
	$(GO) run ./cmd/aforrod seed

docker:
	docker compose build
