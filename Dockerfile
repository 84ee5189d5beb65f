# syntax=docker/dockerfile:1

# Build with the patched toolchain go.mod names (go1.26.11: 1.26.9 and .10
# fixed net/http, crypto/tls and crypto/x509 issues govulncheck flags in
# older 1.26 releases; the module proxy serves it), into static binaries that
# need nothing from the runtime image.
FROM golang:1.26 AS build
ENV GOTOOLCHAIN=go1.26.11 CGO_ENABLED=0
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -trimpath -ldflags="-s -w" -o /out/ ./cmd/aforrod ./cmd/aforroctl

# Alpine rather than distroless: its busybox wget lets the health check reach
# /readyz without a subcommand of our own.
FROM alpine:3.22
RUN addgroup -g 10001 aforro && adduser -D -H -u 10001 -G aforro aforro
COPY --from=build /out/ /usr/local/bin/
# By number, so runAsNonRoot-style checks need no /etc/passwd.
USER 10001:10001
ENV AFORRO_ADDR=0.0.0.0:8000
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s \
  CMD wget -q -O /dev/null http://127.0.0.1:8000/readyz || exit 1
ENTRYPOINT ["aforrod"]
CMD ["serve"]
