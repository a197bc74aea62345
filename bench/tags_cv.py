"""2-fold cross-validation of key-phrase ranking's constants on DUC-2001 dev
(issue 5).

Documents are split into two folds by a hash of their id. On each fold the
constants (`tagline tag --position-decay --idf-power`) are chosen from a grid
by F1@10 on the other fold, then scored on this one with
../shared/tools/score_tags.py. The part-of-speech lexicon is built from other
corpora (bench/pos_lexicon.py), so it has seen no DUC text. Writes scratch
files to a temporary directory.
usage: cargo build --release -p tagline && python3 bench/tags_cv.py
"""
import gzip, hashlib, json, os, subprocess, tempfile
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, '..', 'shared')
TMP = tempfile.mkdtemp()
docs = [json.loads(l) for l in gzip.open(os.path.join(SHARED, 'corpora/tags/duc2001.dev.jsonl.gz'), 'rt')]
fold_of = lambda d: int(hashlib.sha1(d['id'].encode()).hexdigest()[:8], 16) % 2


def f1(subset, decay, idf, name):
    src = ''.join(json.dumps({'id': d['id'], 'title': d['title'], 'text': d['text']}) + '\n' for d in subset)
    out = subprocess.run([os.path.join(ROOT, 'target/release/tagline'), 'tag', '--position-decay', str(decay),
                          '--idf-power', str(idf)], input=src, capture_output=True, text=True, check=True).stdout
    pred, gold = os.path.join(TMP, f'p_{name}.jsonl'), os.path.join(TMP, f'g_{name}.jsonl')
    open(pred, 'w').write(out)
    with open(gold, 'w') as f:
        for d in subset:
            f.write(json.dumps({'id': d['id'], 'keyphrases': d['keyphrases']}) + '\n')
    r = subprocess.run(['python3', os.path.join(SHARED, 'tools/score_tags.py'), gold, pred], capture_output=True, text=True)
    return float(r.stdout.strip().splitlines()[-1].split()[1])


grid = [(a, b) for a in (0.1, 0.2, 0.3, 0.4) for b in (0.0, 0.25, 0.5, 1.0)]
held = []
for k in (0, 1):
    train = [d for d in docs if fold_of(d) != k]
    test = [d for d in docs if fold_of(d) == k]
    best = max(grid, key=lambda p: f1(train, p[0], p[1], 'tr'))
    score = f1(test, best[0], best[1], 'te')
    held.append((score, len(test)))
    print(f'fold {k} ({len(test)} docs held out): picked position-decay {best[0]} idf-power {best[1]}; held-out F1@10 {score:.3f}')
print(f'held-out F1@10, weighted mean of the folds: {sum(s * n for s, n in held) / len(docs):.3f}')
