#!/usr/bin/env bash
# Topic page under load: Tagline against nginx serving the same page as a
# static file, side by side in one run, with wrk (Debian's), 200 connections.
#
#   bench/topic_load.sh [ARTICLES] [SECONDS]
#
# Builds a synthetic store of ARTICLES (default 20000) in a temporary data
# directory, serves it with `tagline serve --no-crawl`, saves the busiest
# topic page, serves that file with nginx, then runs wrk on both. Prints
# requests/s and latency percentiles for each, and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
ARTICLES=${1:-20000}
SECONDS_RUN=${2:-15}
command -v wrk >/dev/null && command -v nginx >/dev/null || { echo "needs wrk and nginx: apt-get install wrk nginx" >&2; exit 1; }
cargo build --release -q
BIN=target/release/tagline
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; nginx -s stop -c "$WORK/nginx.conf" 2>/dev/null; rm -rf "$WORK"' EXIT
$BIN --data "$WORK/data" synth --articles "$ARTICLES" >/dev/null
$BIN --data "$WORK/data" reindex >/dev/null
PORT_T=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PORT_N=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# PAGE_CACHE=0 measures every request rendered from the database.
echo "page_cache_seconds = ${PAGE_CACHE:-1}" > "$WORK/data/tagline.toml"
TAGLINE_LOG=error $BIN --data "$WORK/data" serve --no-crawl --listen "127.0.0.1:$PORT_T" >/dev/null &
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT_T/healthz" >/dev/null && break; sleep 0.2; done
TAG=$(curl -fs "http://127.0.0.1:$PORT_T/api/v1/tags?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tags"][0]["name"])')
PAGE="/tag/$TAG"
mkdir -p "$WORK/www/tag"
curl -fs "http://127.0.0.1:$PORT_T$PAGE" -o "$WORK/www/tag/$TAG"
SIZE=$(wc -c < "$WORK/www/tag/$TAG")
# nginx's workers run unprivileged: let them read the page.
chmod 755 "$WORK" && chmod -R a+rX "$WORK/www"
cat > "$WORK/nginx.conf" <<CONF
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx.err;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  default_type text/html;
  client_body_temp_path $WORK/tmp; proxy_temp_path $WORK/tmp; fastcgi_temp_path $WORK/tmp; uwsgi_temp_path $WORK/tmp; scgi_temp_path $WORK/tmp;
  server { listen 127.0.0.1:$PORT_N; root $WORK/www; }
}
CONF
mkdir -p "$WORK/tmp"
nginx -c "$WORK/nginx.conf"
run() { wrk -t2 -c200 -d"${SECONDS_RUN}s" --latency "$1"; }
echo "page: $PAGE ($SIZE bytes), $ARTICLES articles, page cache ${PAGE_CACHE:-1} s, wrk -t2 -c200 -d${SECONDS_RUN}s"
run "http://127.0.0.1:$PORT_N$PAGE" > "$WORK/nginx.txt"
run "http://127.0.0.1:$PORT_T$PAGE" > "$WORK/tagline.txt"
python3 - "$WORK/nginx.txt" "$WORK/tagline.txt" <<'PY'
import re, sys
def parse(path):
    t = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
    lat = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", t, re.M))
    def ms(v):
        n, u = re.match(r"([\d.]+)(\w+)", v).groups()
        return float(n) * {"us": 0.001, "ms": 1, "s": 1000}[u]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
    return rps, {k: ms(v) for k, v in lat.items()}, int(errors.group(1)) if errors else 0
n, t = parse(sys.argv[1]), parse(sys.argv[2])
for name, (rps, lat, err) in (("nginx (static file)", n), ("tagline", t)):
    print(f"{name:20s} {rps:10.0f} req/s   p50 {lat['50']:.2f} ms   p99 {lat['99']:.2f} ms   non-2xx {err}")
print(f"ratio tagline/nginx: {t[0] / n[0]:.1%}   (bar: >= 25%, tagline p99 <= 20 ms)")
PY
