#!/usr/bin/env python3
"""An independent implementation of psmatch2's 1:1 nearest-neighbour sweep,
written from shared/psmatch2-semantics.md (not from DiDKit's Swift code), and
the fixtures it produces for DiDKit's tests.

Run:  python3 psmatch2_reference.py   (writes psmatch2_cases.json; Python 3 only)

Each case gives scores and treatment flags (scores rounded so that ties occur),
the options, the pairs psmatch2's sweep makes (row indices) and the unmatched
treated rows; also the pairs of a global greedy nearest-available matcher
(treated in the same order, nearest unused control, lower score on a tie), so
the tests can show the two disagree where the doc says they do.
"""
import json, os, random

def sweep(scores, treat, replacement, caliper, descending=False):
    key = lambda i: (-scores[i] if descending else scores[i], i)
    controls = sorted([i for i in range(len(scores)) if treat[i] == 0], key=key)
    treated = sorted([i for i in range(len(scores)) if treat[i] == 1], key=key)
    used = set()
    pairs, unmatched = [], []
    cur, direction = 0, +1
    last = len(controls) - 1

    def neighbour(pos):
        q = pos + direction
        while 0 <= q <= last and not replacement and q in used:
            q += direction
        return q

    k = 0
    while k < len(treated):
        t = treated[k]
        if not (0 <= cur <= last):
            break
        cand = cur
        d_prev = abs(scores[t] - scores[controls[cur]])
        d_cand = d_prev
        if not (direction == -1 and cur == last):
            pos = cur
            while True:
                nxt = neighbour(pos)
                if not (0 <= nxt <= last):
                    break
                d = abs(scores[t] - scores[controls[nxt]])
                if d > d_prev:
                    break
                if d < d_prev:
                    cand, d_cand = nxt, d
                d_prev, pos = d, nxt
        ok = caliper is None or d_cand < caliper
        if ok:
            pairs.append([t, controls[cand]])
            if not replacement:
                used.add(cand)
        else:
            unmatched.append(t)
        if cand == last and k != len(treated) - 1:
            direction = -1
        k += 1
        if not replacement and ok:
            nxt = neighbour(cand)
            if not (0 <= nxt <= last):
                break
            cur = nxt
        else:
            cur = cand
    unmatched.extend(treated[k:])
    return pairs, unmatched

def global_greedy(scores, treat, caliper, descending=False):
    key = lambda i: (-scores[i] if descending else scores[i], i)
    controls = [i for i in range(len(scores)) if treat[i] == 0]
    treated = sorted([i for i in range(len(scores)) if treat[i] == 1], key=key)
    free = set(controls)
    pairs = []
    for t in treated:
        best = min(free, key=lambda c: (abs(scores[t] - scores[c]), scores[c], c), default=None)
        if best is not None and (caliper is None or abs(scores[t] - scores[best]) < caliper):
            pairs.append([t, best]); free.discard(best)
    return pairs

def make(seed, n, share, decimals, top_treated=0):
    rng = random.Random(seed)
    scores = [round(rng.betavariate(2, 5), decimals) for _ in range(n)]
    treat = [1 if rng.random() < share else 0 for _ in range(n)]
    # Treated units above every control force the backward turn.
    for _ in range(top_treated):
        scores.append(round(max(scores) + rng.random() * 0.05, decimals)); treat.append(1)
    return scores, treat

cases = []
specs = [
    ("ties, no caliper, without replacement", 1, 60, 0.3, 2, 0, False, None, False),
    ("ties, no caliper, with replacement", 1, 60, 0.3, 2, 0, True, None, False),
    ("binding caliper, without replacement", 2, 80, 0.35, 3, 0, False, 0.01, False),
    ("binding caliper, with replacement", 2, 80, 0.35, 3, 0, True, 0.01, False),
    ("backward turn at the top, without replacement", 3, 40, 0.4, 2, 4, False, None, False),
    ("backward turn at the top, with replacement", 3, 40, 0.4, 2, 4, True, None, False),
    ("many treated, controls run out", 4, 30, 0.85, 2, 0, False, None, False),
    ("descending order, caliper", 5, 70, 0.3, 2, 2, False, 0.02, True),
    ("larger sample with caliper", 6, 400, 0.2, 3, 3, False, 0.005, False),
]
for name, seed, n, share, dec, top, repl, cal, desc in specs:
    s, t = make(seed, n, share, dec, top)
    pairs, unmatched = sweep(s, t, repl, cal, desc)
    case = {"name": name, "scores": s, "treated": t, "replacement": repl, "caliper": cal, "descending": desc,
            "pairs": pairs, "unmatched": sorted(unmatched)}
    if not repl:
        g = global_greedy(s, t, cal, desc)
        case["globalGreedyPairs"] = g
        case["sweepDiffersFromGlobal"] = sorted(map(tuple, g)) != sorted(map(tuple, pairs))
    cases.append(case)

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "psmatch2_cases.json")
with open(out, "w") as f:
    json.dump(cases, f)
for c in cases:
    print(c["name"], len(c["pairs"]), "pairs", len(c["unmatched"]), "unmatched",
          "differs from global" if c.get("sweepDiffersFromGlobal") else "")
