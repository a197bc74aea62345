#!/usr/bin/env python3
"""A publisher web for ingest benchmarks, written for Tagline: N RSS feeds of
K items each, served on several loopback addresses (127.0.0.1 .. 127.0.0.H)
so that the crawler's per-host politeness limit behaves as with many
publishers. Prints one line, "ready PORT", when listening.

    bench/feed_farm.py --feeds 2000 --items 10 --hosts 16 --port 0
"""
import argparse
import email.utils
import http.server
import socketserver
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("--feeds", type=int, default=2000)
parser.add_argument("--items", type=int, default=10)
parser.add_argument("--hosts", type=int, default=16)
parser.add_argument("--port", type=int, default=0)
args = parser.parse_args()
BASE = time.mktime((2025, 6, 28, 12, 0, 0, 0, 0, 0))
PLACES = ["Kazakhstan", "China", "India", "Brazil", "Kenya", "Germany", "Japan", "Mexico", "Egypt", "Peru"]


def feed(n, host):
    items = []
    for k in range(args.items):
        place = PLACES[(n + k) % len(PLACES)]
        other = PLACES[(n * 7 + k) % len(PLACES)]
        when = email.utils.formatdate(BASE - 3600 * (n * args.items + k + 1), usegmt=True)
        items.append(
            f"<item><title>{place} and {other} discuss trade, report {k} of outlet {n}</title>"
            f"<link>http://{host}/a/{n}/{k}</link><guid>farm-{n}-{k}</guid><pubDate>{when}</pubDate>"
            f"<description>Officials from {place} and {other} met to discuss the trade agreement, tariffs "
            f"and the harbour budget in item {k} of outlet {n}. The talks continue next week.</description></item>"
        )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Outlet {n}</title>'
            f"<link>http://{host}/</link>{''.join(items)}</channel></rss>").encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        parts = self.path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "feed" and parts[1].isdigit() and int(parts[1]) < args.feeds:
            body = feed(int(parts[1]), self.headers.get("Host", "127.0.0.1"))
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
        else:
            body = b"not found"
            self.send_response(404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


first = Server(("127.0.0.1", args.port), Handler)
port = first.server_address[1]
servers = [first] + [Server((f"127.0.0.{h}", port), Handler) for h in range(2, args.hosts + 1)]
for s in servers[1:]:
    threading.Thread(target=s.serve_forever, daemon=True).start()
print(f"ready {port}", flush=True)
first.serve_forever()
