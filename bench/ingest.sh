#!/usr/bin/env bash
# Ingest throughput on PostgreSQL with 1, 2 and 4 `tagline crawl --worker`
# processes (feeds only), each run on a fresh database, side by side in one
# run. Needs Debian's postgresql.
#
#   bench/ingest.sh [FEEDS] [ITEMS]     (default 2000 feeds x 10 items)
set -euo pipefail
cd "$(dirname "$0")/.."
FEEDS=${1:-2000}
ITEMS=${2:-10}
cargo build --release -q
BIN=$PWD/target/release/tagline
WORK=$(mktemp -d /tmp/tagline-ingest.XXXXXX)
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$WORK"
as_pg "$PG_BIN/initdb" -D "$WORK/pg" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg.log" -w -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
python3 bench/feed_farm.py --feeds "$FEEDS" --items "$ITEMS" --hosts 16 > "$WORK/farm.out" &
FARM=$!
trap 'kill $FARM $(jobs -p) 2>/dev/null; as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -m fast stop >/dev/null 2>&1; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do grep -q ready "$WORK/farm.out" 2>/dev/null && break; sleep 0.1; done
FARM_PORT=$(awk '/ready/ {print $2}' "$WORK/farm.out")
{
  echo '<opml version="2.0"><body>'
  for n in $(seq 0 $((FEEDS - 1))); do echo "<outline type=\"rss\" text=\"Outlet $n\" xmlUrl=\"http://127.0.0.$((n % 16 + 1)):$FARM_PORT/feed/$n\"/>"; done
  echo '</body></opml>'
} > "$WORK/sources.opml"
WANT=$((FEEDS * ITEMS))
echo "ingest: $FEEDS feeds x $ITEMS items = $WANT articles, feeds only, PostgreSQL on loopback"
for W in 1 2 4; do
  DB="postgres://postgres@127.0.0.1:$PG_PORT/ingest$W"
  psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "CREATE DATABASE ingest$W" postgres
  TAGLINE_LOG=error $BIN --data "$WORK/d$W" --database "$DB" --allow-private-network sources import --no-fetch-pages "$WORK/sources.opml" >/dev/null
  START=$(date +%s.%N)
  PIDS=()
  for i in $(seq "$W"); do
    TAGLINE_LOG=error $BIN --data "$WORK/d$W" --database "$DB" crawl --worker --feeds-only --interval 1 >/dev/null 2>&1 &
    PIDS+=($!)
  done
  while :; do
    N=$(psql -tA -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "SELECT count(*) FROM articles" "ingest$W")
    [ "$N" -ge "$WANT" ] && break
    sleep 0.2
  done
  END=$(date +%s.%N)
  kill "${PIDS[@]}" 2>/dev/null; wait "${PIDS[@]}" 2>/dev/null || true
  python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'{int(sys.argv[3])} worker(s): {int(sys.argv[4])} articles in {s:.1f} s = {int(sys.argv[4])/s:.0f} articles/s')" "$START" "$END" "$W" "$WANT"
done
