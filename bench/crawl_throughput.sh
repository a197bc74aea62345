#!/usr/bin/env bash
# Crawl throughput (issue 4): 1,000 local RSS feeds of 50 items over 100
# loopback hosts, served by nginx from Debian's package, imported as sources
# from OPML and crawled once with --feeds-only (bulk ingest: stored as the
# feeds carry them, queued for enrichment); then `tagline enrich` drains
# that queue (language, category, tags, stories), timed on its own; then
# the Python peer (feedparser + urllib, 8 threads, SQLite, no enrichment)
# on the same workload.
# usage: bench/crawl_throughput.sh   (build first: cargo build --release -p tagline)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TAGLINE="$ROOT/target/release/tagline"
WORK="$(mktemp -d)"
trap 'nginx -c "$WORK/nginx.conf" -s stop 2>/dev/null || true; rm -rf "$WORK"' EXIT
command -v nginx >/dev/null || { echo "needs nginx (apt-get install nginx-light)" >&2; exit 1; }

python3 "$ROOT/../shared/tools/gen_crawl_workload.py" "$WORK" >/dev/null
chmod -R a+rX "$WORK"  # nginx workers run as www-data
nginx -c "$WORK/nginx.conf"
sleep 0.5

{
  echo '<?xml version="1.0"?><opml version="2.0"><head><title>workload</title></head><body>'
  sed 's|.*|<outline type="rss" xmlUrl="&"/>|' "$WORK/urls.txt"
  echo '</body></opml>'
} > "$WORK/sources.opml"

DATA="$WORK/data"
"$TAGLINE" --data "$DATA" sources import "$WORK/sources.opml" >/dev/null
echo "sources: $(wc -l < "$WORK/urls.txt"), bytes: $(du -sb "$WORK/site" | cut -f1)"

start=$(date +%s.%N)
TAGLINE_LOG=warn "$TAGLINE" --data "$DATA" --allow-private-network crawl --once --feeds-only >/dev/null 2>"$WORK/crawl.err" || { tail "$WORK/crawl.err" >&2; exit 1; }
end=$(date +%s.%N)
stored=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from articles').fetchone()[0])" "$DATA/tagline.db")
crawl_s=$(echo "$end - $start" | bc)
echo "tagline: $stored items stored in $crawl_s s"

start=$(date +%s.%N)
TAGLINE_LOG=warn "$TAGLINE" --data "$DATA" enrich >/dev/null 2>"$WORK/enrich.err" || { tail "$WORK/enrich.err" >&2; exit 1; }
end=$(date +%s.%N)
left=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from enrich_queue').fetchone()[0])" "$DATA/tagline.db")
enrich_s=$(echo "$end - $start" | bc)
echo "tagline enrich: $stored items enriched in $enrich_s s ($left left in the queue); stored + enriched: $(echo "$crawl_s + $enrich_s" | bc) s"

start=$(date +%s.%N)
peer=$(python3 "$ROOT/bench/crawl_peer.py" "$WORK/urls.txt" "$WORK/peer.db")
end=$(date +%s.%N)
echo "python peer (feedparser + urllib, 8 threads, SQLite): $peer items stored in $(echo "$end - $start" | bc) s"
