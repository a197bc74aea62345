"""Category classifiers from scikit-learn beside Tagline's, on the same dev
files and the same question (issue 5).

Every model is trained on the three category files together (BBC dev, AG
News dev, AG News train sample), labels in Tagline's taxonomy, and scored by
5-fold cross-validation (folds by a hash of the id) on `ag_news.dev` and
`bbc_news.dev`, with predictions mapped as `tagline train category` maps them
(World and Politics count as AG's World and as BBC's politics; Technology,
Science and Health as Sci/Tech and tech). One more model is trained on BBC
alone, the corpus README's baseline setting. Compare with the figures
`tagline train category --data DIR` prints.

usage: pip install scikit-learn && python3 bench/category_peers.py
"""
import gzip, hashlib, json, os
import numpy as np
from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIR = os.path.join(ROOT, '..', 'shared', 'corpora', 'category')
TAXONOMY = {'business': 'Business', 'entertainment': 'Entertainment', 'politics': 'Politics', 'sport': 'Sports',
            'tech': 'Technology', 'World': 'World', 'Sports': 'Sports', 'Business': 'Business', 'Sci/Tech': 'Technology'}
COUNTS_AS = {'World': {'World', 'Politics'}, 'politics': {'World', 'Politics'}, 'Sci/Tech': {'Technology'},
             'tech': {'Technology'}}


def clean(s):
    return s.replace('#36;', '$').replace('#39;', "'").replace('&lt;', '<').replace('&gt;', '>').replace('\\', ' ')


docs = []
for name in ('bbc_news.dev', 'ag_news.dev', 'ag_news.train_sample'):
    for line in gzip.open(os.path.join(DIR, name + '.jsonl.gz'), 'rt'):
        d = json.loads(line)
        title = d.get('title', '')
        # The title twice, as Tagline's features count it.
        docs.append((d['id'], name, clean(title + ' ' + title + ' ' + d['text']), d['label']))
fold = lambda i: int(hashlib.sha1(i.encode()).hexdigest()[:8], 16) % 5
right = lambda pred, gold: pred in COUNTS_AS.get(gold, {TAXONOMY[gold]})


def log1p_counts(ngrams):
    v = CountVectorizer(ngram_range=ngrams)
    class Log:
        def fit_transform(self, t):
            x = v.fit_transform(t); x.data = np.log1p(x.data); return x
        def transform(self, t):
            x = v.transform(t); x.data = np.log1p(x.data); return x
    return Log()


def hashed_tfidf():
    h = HashingVectorizer(ngram_range=(1, 2), n_features=2 ** 18, alternate_sign=False, norm=None)
    t = TfidfTransformer()
    class Hashed:
        def fit_transform(self, s):
            x = h.transform(s); x.data = np.log1p(x.data); return t.fit_transform(x)
        def transform(self, s):
            x = h.transform(s); x.data = np.log1p(x.data); return t.transform(x)
    return Hashed()


SYSTEMS = [
    ('naive Bayes (alpha 0.1), log counts of word 1-2 grams', lambda: log1p_counts((1, 2)), lambda: MultinomialNB(alpha=0.1), None),
    ('linear SVM (C 1), hashed TF-IDF of word 1-2 grams', hashed_tfidf, lambda: LinearSVC(C=1), None),
    ('logistic regression (C 10), TF-IDF of word 1-2 grams, min_df 2',
     lambda: TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2), lambda: LogisticRegression(C=10, max_iter=2000), None),
    ('the same, trained on BBC alone', lambda: TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
     lambda: LogisticRegression(C=10, max_iter=2000), 'bbc_news.dev'),
]
for name, vectorizer, model, only in SYSTEMS:
    score = {}
    for k in range(5):
        train = [d for d in docs if fold(d[0]) != k and (only is None or d[1] == only)]
        test = [d for d in docs if fold(d[0]) == k and d[1] in ('ag_news.dev', 'bbc_news.dev') and (only is None or d[1] == only)]
        v = vectorizer()
        m = model().fit(v.fit_transform([d[2] for d in train]), [TAXONOMY[d[3]] for d in train])
        for d, p in zip(test, m.predict(v.transform([d[2] for d in test]))):
            s = score.setdefault(d[1], [0, 0])
            s[0] += right(p, d[3])
            s[1] += 1
    print(name + ': ' + ', '.join(f'{f} {ok / n:.3f}' for f, (ok, n) in sorted(score.items())), flush=True)
