"""2-fold cross-validation of the story threshold on ECB+ dev (issue 5).

Folds are ECB+ topics with even and odd numbers; on each, the threshold is
chosen on the other fold from a grid and scored on this one with
../shared/tools/score_clusters.py. Writes scratch files to a temporary
directory. usage: python3 bench/ecb_cv.py   (build first: cargo build
--release -p tagline)
"""
import gzip, json, os, re, subprocess, sys, tempfile
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, '..', 'shared')
TMP = tempfile.mkdtemp()
gold={}
for l in gzip.open(os.path.join(SHARED, 'corpora/clusters/ecbplus.dev.jsonl.gz'),'rt'):
    d=json.loads(l); gold[d['id']]=d
inp=[{'id': d['id'], 'title': d['title'], 'text': d['text']} for d in gold.values()]
def run(docs,t,name):
    src='\n'.join(json.dumps(d) for d in docs)+'\n'
    out=subprocess.run([os.path.join(ROOT, 'target/release/tagline'),'cluster','--threshold',str(t)],input=src,capture_output=True,text=True).stdout
    open(os.path.join(TMP, f'p_{name}.jsonl'),'w').write(out)
    with open(os.path.join(TMP, f'g_{name}.jsonl'),'w') as f:
        for d in docs: f.write(json.dumps({'id':d['id'],'cluster':gold[d['id']]['cluster']})+'\n')
    r=subprocess.run(['python3',os.path.join(SHARED, 'tools/score_clusters.py'),os.path.join(TMP, f'g_{name}.jsonl'),os.path.join(TMP, f'p_{name}.jsonl')],capture_output=True,text=True)
    return float(r.stdout.strip().splitlines()[-1].split()[1])
folds=[[d for d in inp if int(re.search(r'\d+',gold[d['id']]['topic']).group())%2==p] for p in (0,1)]
grid=[0.15,0.175,0.2,0.225,0.25,0.275,0.3,0.325,0.35]
pooled=[]
for i in (0,1):
    tr,te=folds[1-i],folds[i]
    scores={t:run(tr,t,'tr') for t in grid}
    print('fold', i, 'training-fold scores', scores)
    best=max(grid,key=lambda t:scores[t])
    held=run(te,best,'te')
    print('fold',i,'(even' if i==0 else '(odd','topics held out,',len(te),'docs) picked',best,'held-out B3',held)
    pooled.append((held,len(te)))
# B-cubed F1 is a mean over documents and no story spans two folds, so the
# pooled held-out figure is the document-weighted mean of the folds.
print('held-out B3, both folds pooled: %.3f' % (sum(s*n for s,n in pooled)/sum(n for _,n in pooled)))
