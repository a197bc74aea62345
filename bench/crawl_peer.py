#!/usr/bin/env python3
"""The issue's Python peer for crawl throughput: urllib with 8 threads,
feedparser, and SQLite, storing every item of every feed in urls.txt.

usage: crawl_peer.py URLS_TXT DB_PATH"""
import sqlite3
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import feedparser


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return url, r.read()


def main():
    urls = [u.strip() for u in open(sys.argv[1]) if u.strip()]
    db = sqlite3.connect(sys.argv[2])
    db.execute("CREATE TABLE IF NOT EXISTS items (guid TEXT PRIMARY KEY, feed TEXT, title TEXT, link TEXT, published TEXT, summary TEXT)")
    with ThreadPoolExecutor(8) as pool:
        for url, body in pool.map(fetch, urls):
            parsed = feedparser.parse(body)
            db.executemany(
                "INSERT OR IGNORE INTO items VALUES (?, ?, ?, ?, ?, ?)",
                [(e.get("id"), url, e.get("title"), e.get("link"), e.get("published"), e.get("summary")) for e in parsed.entries],
            )
            db.commit()
    print(db.execute("SELECT count(*) FROM items").fetchone()[0])


if __name__ == "__main__":
    main()
