#!/usr/bin/python3
"""Peer for bench_matching: the text part of matching done the scikit-learn way.

The same math as TfidfVectorizer (token pattern (?u)\\b\\w\\w+\\b, lower case, smoothed IDF,
L2 norm) + linear_kernel (cosine of normalised vectors) + top-k per row with argpartition.
scikit-learn and scipy cannot be installed next to libboost1.81-dev on this machine (Debian's
python3-scipy pulls libboost1.74-dev), so the sparse product is written with numpy: for every
term, the outer product of its buyer and company weights is added into a dense block of the
score matrix -- the same multiply-adds a sparse x sparse product performs.

usage: peer_tfidf.py BUYERS.txt COMPANIES.txt K
  one document per line; prints one JSON object with the timings (seconds).
"""
import json
import re
import sys
import time
from collections import Counter

import numpy as np

TOKEN = re.compile(r"(?u)\b\w\w+\b")
BLOCK_ROWS = 2000  # buyers per dense score block: 2000 x companies float32 stays small


def vectorise(docs, vocabulary):
    """Per document: (term ids, raw counts)."""
    out = []
    for doc in docs:
        counts = Counter(TOKEN.findall(doc.lower()))
        ids = np.fromiter((vocabulary.setdefault(t, len(vocabulary)) for t in counts), dtype=np.int64,
                          count=len(counts))
        out.append((ids, np.fromiter(counts.values(), dtype=np.float32, count=len(counts))))
    return out


def main():
    buyers_path, companies_path, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(buyers_path, encoding="utf-8") as f:
        buyers = f.read().split("\n")[:-1]
    with open(companies_path, encoding="utf-8") as f:
        companies = f.read().split("\n")[:-1]
    started = time.perf_counter()
    started_cpu = time.process_time()  # CPU seconds too: the machine may be shared and loaded
    vocabulary = {}
    raw_b = vectorise(buyers, vocabulary)
    raw_c = vectorise(companies, vocabulary)
    df = np.zeros(len(vocabulary), dtype=np.float64)
    for ids, _ in raw_b + raw_c:
        df[ids] += 1
    n = len(raw_b) + len(raw_c)
    idf = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)

    def postings(raw):
        """Inverted index: term -> (document ids, normalised tf-idf weights)."""
        docs, terms, weights = [], [], []
        for d, (ids, counts) in enumerate(raw):
            w = counts * idf[ids]
            norm = np.sqrt(np.dot(w, w))
            if norm > 0:
                w = w / norm
            docs.append(np.full(len(ids), d, dtype=np.int64))
            terms.append(ids)
            weights.append(w)
        docs, terms, weights = np.concatenate(docs), np.concatenate(terms), np.concatenate(weights)
        order = np.argsort(terms, kind="stable")
        docs, terms, weights = docs[order], terms[order], weights[order]
        bounds = np.searchsorted(terms, np.arange(len(vocabulary) + 1))
        return docs, weights, bounds

    b_docs, b_w, b_bounds = postings(raw_b)
    c_docs, c_w, c_bounds = postings(raw_c)
    vectorised = time.perf_counter()
    vectorised_cpu = time.process_time()

    top = np.zeros((len(buyers), k), dtype=np.int64)
    shared_terms = [t for t in range(len(vocabulary))
                    if b_bounds[t + 1] > b_bounds[t] and c_bounds[t + 1] > c_bounds[t]]
    for start in range(0, len(buyers), BLOCK_ROWS):
        stop = min(len(buyers), start + BLOCK_ROWS)
        block = np.zeros((stop - start, len(companies)), dtype=np.float32)
        for t in shared_terms:
            lo, hi = b_bounds[t], b_bounds[t + 1]
            rows = b_docs[lo:hi]
            inside = (rows >= start) & (rows < stop)
            if not inside.any():
                continue
            rows = rows[inside] - start
            wb = b_w[lo:hi][inside]
            cols = c_docs[c_bounds[t]:c_bounds[t + 1]]
            wc = c_w[c_bounds[t]:c_bounds[t + 1]]
            block[np.ix_(rows, cols)] += np.outer(wb, wc)
        kk = min(k, len(companies))
        part = np.argpartition(-block, kk - 1, axis=1)[:, :kk]
        scores = np.take_along_axis(block, part, axis=1)
        order = np.argsort(-scores, axis=1, kind="stable")
        top[start:stop, :kk] = np.take_along_axis(part, order, axis=1)
    finished = time.perf_counter()
    finished_cpu = time.process_time()
    print(json.dumps({
        "vectorise_s": round(vectorised - started, 4),
        "similarity_topk_s": round(finished - vectorised, 4),
        "total_s": round(finished - started, 4),
        "similarity_topk_cpu_s": round(finished_cpu - vectorised_cpu, 4),
        "total_cpu_s": round(finished_cpu - started_cpu, 4),
        "vocabulary": len(vocabulary),
        "checksum": int(top[:, 0].sum()),
    }))


if __name__ == "__main__":
    main()
