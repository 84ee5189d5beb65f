# syntax=docker/dockerfile:1

# Build with the patched toolchain go.mod names (STYLE.md explains why), into
# static binaries that need nothing from the runtime image.
FROM golang:1.26 AS build
ENV GOTOOLCHAIN=go1.26.11 CGO_ENABLED=0
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -trimpath -ldflags="-s -w" -o /out/ ./cmd/aforrod ./cmd/aforroctl

# Alpine rather than distroless: its busybox wget lets the health check reach
# /healthz without a subcommand of our own.
FROM alpine:3.22
RUN adduser -D -H -u 10001 aforro
COPY --from=build /out/ /usr/local/bin/
USER aforro
ENV AFORRO_ADDR=0.0.0.0:8000
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s \
  CMD wget -q -O /dev/null http://127.0.0.1:8000/healthz || exit 1
ENTRYPOINT ["aforrod"]
CMD ["serve"]
