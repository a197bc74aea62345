#!/usr/bin/env python3
"""Feed parsing throughput of Python's feedparser on the files of speed.jsonl,
for comparison with `cargo run --release -p feed --example throughput`.

    python3 bench/feeds_speed.py ../shared/corpora/feeds/speed.jsonl
"""
import json, os, sys, time
import feedparser

listing = sys.argv[1]
base = os.path.dirname(listing)
files = [open(os.path.join(base, json.loads(l)["path"]), "rb").read() for l in open(listing) if l.strip()]
size = sum(map(len, files))
rounds = 3
start = time.perf_counter()
for _ in range(rounds):
    for f in files:
        feedparser.parse(f)
secs = time.perf_counter() - start
print(f"feedparser {size * rounds / secs / 1e6:7.1f} MB/s  ({len(files)} files, {size / 1e6:.1f} MB, {rounds} rounds)")
