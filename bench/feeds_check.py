#!/usr/bin/env python3
"""Feed-parser correctness on the dev corpus: writes one input line per
record of ../shared/corpora/feeds/expectations.jsonl (URL and headers from its
`http` field), runs `tagline parse-feed --batch`, and scores the predictions
with ../shared/tools/check_feeds.py, without and then with the fp-sanitize
group. Build first: `cargo build --release -p tagline`."""
import json, os, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "..", "shared", "corpora", "feeds")
CHECK = os.path.join(ROOT, "..", "shared", "tools", "check_feeds.py")
TAGLINE = os.environ.get("TAGLINE_BIN") or os.path.join(ROOT, "target", "release", "tagline")


def main():
    expectations = os.path.join(CORPUS, "expectations.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        inp, pred = os.path.join(tmp, "in.jsonl"), os.path.join(tmp, "pred.jsonl")
        with open(expectations) as src, open(inp, "w") as out:
            for line in src:
                d = json.loads(line)
                rec = {"id": d["id"], "path": os.path.join(CORPUS, d["path"])}
                http = d.get("http") or {}
                if http.get("url"):
                    rec["url"] = http["url"]
                headers = {k.lower(): v for k, v in (http.get("headers") or {}).items()}
                if "content-type" in headers:
                    rec["content_type"] = headers["content-type"]
                if "content-location" in headers:
                    rec["content_location"] = headers["content-location"]
                out.write(json.dumps(rec) + "\n")
        with open(inp) as i, open(pred, "w") as o:
            subprocess.run([TAGLINE, "parse-feed", "--batch"], stdin=i, stdout=o, check=True)
        print("--- without fp-sanitize", flush=True)
        subprocess.run([sys.executable, CHECK, expectations, pred, "--exclude-group", "fp-sanitize"], check=True)
        print("--- fp-sanitize only", flush=True)
        subprocess.run([sys.executable, CHECK, expectations, pred, "--group", "fp-sanitize"], check=True)


if __name__ == "__main__":
    main()
