# BatchRouter container: the single compiled binary on a slim Debian base.
# Build:  docker build -t batchrouter .
# Run:    docker run --init -p 8080:8080 -v batchrouter-data:/data -e OPENAI_API_KEY=sk-… batchrouter
# Operate: docker exec -it <container> batchrouter keys create --admin   (same data dir, same user)
# (Not built in this repository's CI: it has no container engine. The build stage runs the same
# `bun build --compile` as `make build`.)

FROM oven/bun:1.4.5 AS build
WORKDIR /src
COPY package.json bun.lock ./
RUN bun install --frozen-lockfile
COPY . .
RUN bun build --compile --minify --sourcemap --bytecode src/main.ts src/features/items/ingest-worker.ts --outfile dist/batchrouter

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin batchrouter \
 && install -d -o batchrouter -g batchrouter -m 0700 /data
COPY --from=build /src/dist/batchrouter /usr/local/bin/batchrouter
USER batchrouter
# Inside a container the router must listen on all interfaces to be reachable through -p; keep
# the published port behind a TLS proxy, and /metrics behind an admin key.
ENV BATCHROUTER_HOST=0.0.0.0 \
    BATCHROUTER_PORT=8080 \
    BATCHROUTER_DATA_DIR=/data \
    BATCHROUTER_METRICS_REQUIRE_ADMIN_KEY=1
VOLUME /data
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/batchrouter"]
CMD ["serve"]
