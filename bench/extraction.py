#!/usr/bin/env python3
"""Extraction benchmark: Tagline vs trafilatura on the dev corpora, side by side.

Runs `tagline extract --batch` (all cores) and trafilatura (a process pool of
the same size) over the same pages, scores both with
../shared/tools/score_extraction.py, and checks metadata on the readability
pages. Scratch files go to a temporary directory.

    python3 bench/extraction.py [--no-trafilatura] [--repeat N]

Needs a release build (cargo build --release -p tagline) and, for the
comparison, `pip install trafilatura`.
"""
import argparse, gzip, json, os, re, subprocess, sys, tempfile, time
from concurrent.futures import ProcessPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared")
CORPORA = os.path.join(SHARED, "corpora", "extraction")
SCORER = os.path.join(SHARED, "tools", "score_extraction.py")
TAGLINE = os.environ.get("TAGLINE_BIN") or os.path.join(ROOT, "target", "release", "tagline")


def load(corpus):
    base = os.path.join(CORPORA, corpus)
    docs = []
    with open(os.path.join(base, "ground-truth.jsonl")) as f:
        for line in f:
            d = json.loads(line)
            d["path"] = os.path.join(base, d["html"])
            d["page_url"] = d.get("url") or d.get("base_url")
            docs.append(d)
    return docs


def run_tagline(docs, tmp):
    inp = os.path.join(tmp, "in.jsonl")
    with open(inp, "w") as f:
        for d in docs:
            rec = {"id": d["id"], "path": d["path"]}
            if d["page_url"]:
                rec["url"] = d["page_url"]
            f.write(json.dumps(rec) + "\n")
    t = time.perf_counter()
    out = subprocess.run([TAGLINE, "extract", "--batch"], stdin=open(inp), capture_output=True, check=True)
    elapsed = time.perf_counter() - t
    return [json.loads(l) for l in out.stdout.decode().splitlines()], elapsed


def _trafilatura_one(args):
    import trafilatura
    path, url = args
    html = gzip.open(path).read().decode("utf-8", "replace")
    return trafilatura.extract(html, url=url) or ""


def run_trafilatura(docs):
    jobs = [(d["path"], d["page_url"]) for d in docs]
    with ProcessPoolExecutor(os.cpu_count()) as pool:
        list(pool.map(_trafilatura_one, jobs[:4]))  # warm up imports in every worker
        t = time.perf_counter()
        texts = list(pool.map(_trafilatura_one, jobs, chunksize=4))
        elapsed = time.perf_counter() - t
    return [{"id": d["id"], "text": x} for d, x in zip(docs, texts)], elapsed


def score(corpus, preds, tmp, name):
    path = os.path.join(tmp, f"{name}-{corpus}.jsonl")
    with open(path, "w") as f:
        for p in preds:
            f.write(json.dumps({"id": p["id"], "body": p.get("text") or ""}) + "\n")
    out = subprocess.run([sys.executable, SCORER, os.path.join(CORPORA, corpus, "ground-truth.jsonl"), path],
                         capture_output=True, text=True, check=True).stdout
    return out


def tokens(s):
    return re.findall(r"\w+", (s or "").lower())


def metadata(docs, preds):
    by_id = {p["id"]: p for p in preds}
    title = [0, 0]; byline = []; date = [0, 0]
    for d in docs:
        if d.get("subset") != "real":
            continue
        p = by_id.get(d["id"], {})
        if d.get("title"):
            title[1] += 1
            title[0] += (p.get("title") or "").strip() == d["title"].strip()
        if d.get("author"):
            a, b = tokens(d["author"]), tokens(p.get("byline"))
            common = sum(min(a.count(w), b.count(w)) for w in set(a))
            pr = common / len(b) if b else 0.0
            rc = common / len(a) if a else 0.0
            byline.append(2 * pr * rc / (pr + rc) if pr + rc else 0.0)
        if d.get("published"):
            date[1] += 1
            date[0] += (p.get("published") or "")[:10] == d["published"][:10]
    return {
        "title_exact": (title[0] / title[1], title[1]),
        "byline_token_f1": (sum(byline) / len(byline) if byline else 0.0, len(byline)),
        "published_day": (date[0] / date[1] if date[1] else 0.0, date[1]),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-trafilatura", action="store_true")
    ap.add_argument("--repeat", type=int, default=5, help="speed runs; the best is reported")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        all_docs = {c: load(c) for c in ("scrapinghub", "readability")}
        docs = all_docs["scrapinghub"] + all_docs["readability"]
        mb = sum(len(gzip.open(d["path"]).read()) for d in docs) / 1e6
        print(f"pages: {len(docs)} ({mb:.1f} MB of HTML), cores: {os.cpu_count()}")
        t_runs = [run_tagline(docs, tmp) for _ in range(args.repeat)]
        preds, t_time = min(t_runs, key=lambda r: r[1])
        print(f"tagline: {len(docs) / t_time:.0f} pages/s ({t_time:.2f} s)")
        results = {"tagline": preds}
        if not args.no_trafilatura:
            tr_runs = [run_trafilatura(docs) for _ in range(args.repeat)]
            tpreds, tr_time = min(tr_runs, key=lambda r: r[1])
            print(f"trafilatura: {len(docs) / tr_time:.0f} pages/s ({tr_time:.2f} s)")
            print(f"speed ratio tagline/trafilatura: {tr_time / t_time:.1f}x")
            results["trafilatura"] = tpreds
        for name, ps in results.items():
            for corpus, cd in all_docs.items():
                ids = {d["id"] for d in cd}
                out = score(corpus, [p for p in ps if p["id"] in ids], tmp, name)
                print(f"--- {name} on {corpus}\n{out.strip()}")
        m = metadata(all_docs["readability"], preds)
        for k, (v, n) in m.items():
            print(f"metadata {k}: {v:.3f} over {n} pages")


if __name__ == "__main__":
    main()
