#!/usr/bin/env python3
"""Near-duplicate detection, measured (issue 5).

Builds a test set from the corpora in ../shared: every ECB+ dev article and
the first 400 BBC dev articles are originals; a deterministic 40% of them get
an edited copy made the way syndication edits wire copy, with two or three of:
a reworded headline, trimmed paragraphs (the end, or the dateline line),
added boilerplate (advertising, newsletter and sharing lines, a copyright
line). Originals arrive first in shuffled order, each copy some time after
its original. `tagline dedup` reads the stream; a copy is found when it names
its original, and any other "duplicate_of" is a false positive. ECB+ holds
several outlets' reports of each event: those are hard negatives.

    cargo build --release -p tagline && python3 bench/neardup.py [--threshold T]
"""
import argparse
import difflib
import gzip
import json
import os
import random
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPORA = os.path.join(ROOT, "..", "shared", "corpora")
BIN = os.path.join(ROOT, "target", "release", "tagline")

WORD = re.compile(r"\w+")
# Two texts sharing this many consecutive words (punctuation aside), or a
# short text 80% of which runs unchanged inside another, are copies of one
# report.
WIRE_RUN = 40
# ... or share, in order, this fraction of the shorter text's words.
WIRE_SHARE = 0.8

BOILERPLATE = [
    "Advertisement",
    "Sign up for our newsletter to get the day's top stories in your inbox.",
    "Share this article on Facebook, Twitter and WhatsApp.",
    "Read more: the latest news from around the world.",
    "(c) 2025 Wire Service. All rights reserved. This material may not be published, broadcast, rewritten or redistributed.",
    "Follow us on social media for breaking news and updates.",
    "Related: more stories on this topic.",
]


def load(name, limit=None):
    out = []
    with gzip.open(os.path.join(CORPORA, name), "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                out.append(json.loads(line))
                if limit and len(out) >= limit:
                    break
    return out


def reword(title, rng):
    words = title.split()
    if len(words) > 3:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    return rng.choice(["UPDATE: ", "", "Breaking: ", "WATCH: "]) + " ".join(words) + rng.choice(["", " - report", " (updated)"])


def edit(doc, rng):
    lines = [l for l in doc["text"].split("\n") if l.strip()]
    title = doc.get("title", "")
    edits = rng.sample(["headline", "trim", "boilerplate"], rng.choice([2, 3]))
    if "headline" in edits:
        title = reword(title, rng)
        if lines and lines[0].strip() == doc.get("title", "").strip():
            lines[0] = title
    if "trim" in edits and len(lines) > 3:
        if rng.random() < 0.5:
            lines = lines[: max(2, int(len(lines) * rng.uniform(0.6, 0.85)))]
        else:
            lines = lines[1:]
    if "boilerplate" in edits:
        extra = rng.sample(BOILERPLATE, rng.choice([1, 2, 3]))
        if rng.random() < 0.5:
            lines = lines + extra
        else:
            lines = extra[:1] + lines + extra[1:]
    return {"title": title, "text": "\n".join(lines)}, edits


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threshold", type=float)
    args = ap.parse_args()
    rng = random.Random(20251130)
    originals = []
    for d in load("clusters/ecbplus.dev.jsonl.gz"):
        originals.append({"id": "o:" + d["id"], "title": d.get("title", ""), "text": d["text"]})
    for d in load("category/bbc_news.dev.jsonl.gz", 400):
        originals.append({"id": "o:bbc-" + str(d["id"]), "title": d.get("title", ""), "text": d.get("text", "")})
    rng.shuffle(originals)
    copies = []
    for o in originals:
        if rng.random() < 0.4:
            c, edits = edit(o, rng)
            copies.append({"id": "c:" + o["id"][2:], "title": c["title"], "text": c["text"], "of": o["id"], "edits": edits})
    # Arrival: originals first, each copy inserted at a random later point.
    stream = list(originals)
    for c in copies:
        at = stream.index(next(o for o in stream if o["id"] == c["of"]))
        stream.insert(rng.randrange(at + 1, len(stream) + 1), c)
    cmd = [BIN, "dedup"] + (["--threshold", str(args.threshold)] if args.threshold is not None else [])
    payload = "".join(json.dumps({"id": d["id"], "title": d["title"], "text": d["text"]}) + "\n" for d in stream)
    started = time.time()
    out = subprocess.run(cmd, input=payload, capture_output=True, text=True, check=True).stdout
    elapsed = time.time() - started
    gold = {c["id"]: c["of"] for c in copies}
    texts = {d["id"]: d["text"] for d in stream}

    def shared_run(a, b):
        # Exact, and independent of the detector's MinHash estimate: the
        # longest run of identical consecutive words, and the words of the
        # shorter text found in order in the other (difflib's matching
        # blocks), which a one-word edit ("said" for "say") barely dents.
        wa, wb = WORD.findall(texts[a].lower()), WORD.findall(texts[b].lower())
        sm = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
        m = sm.find_longest_match(0, len(wa), 0, len(wb))
        in_order = sum(b.size for b in sm.get_matching_blocks())
        shorter = min(len(wa), len(wb))
        # A short text (a one-sentence lead) is a copy when most of it runs
        # unchanged inside the other; so is any text 80% of whose words
        # appear, in order, in the other.
        return m.size >= min(WIRE_RUN, 0.8 * shorter) or in_order >= WIRE_SHARE * shorter

    tp = fp = natural = 0
    found = set()
    for line in out.splitlines():
        r = json.loads(line)
        dup = r.get("duplicate_of")
        if dup is None:
            continue
        if gold.get(r["id"]) == dup:
            tp += 1
            found.add(r["id"])
        elif shared_run(r["id"], dup):
            # Copies of one wire report the corpus already held (ECB+ has the
            # same AP story on several sites), or a copy matched to such a
            # twin of its original.
            natural += 1
        else:
            fp += 1
            print(f"false positive: {r['id']} -> {dup} ({r['containment']:.2f})", file=sys.stderr)
    precision = (tp + natural) / (tp + natural + fp) if tp + natural + fp else 1.0
    recall = len(found) / len(copies) if copies else 1.0
    print(f"{len(originals)} originals, {len(copies)} edited copies, {len(stream)} documents, {elapsed:.2f} s")
    print(f"found {tp} of the edited copies; {natural} other pairs that are copies of one wire report counted correct; {fp} false")
    print(f"(copies of one wire report: a shared run of >= {WIRE_RUN} words, or of 80% of the shorter text, or {WIRE_SHARE:.0%} of the shorter text's words in order)")
    print(f"precision {precision:.4f} recall {recall:.4f} (bar: precision >= 0.99, recall >= 0.95)")


if __name__ == "__main__":
    main()
