#!/usr/bin/env python3
"""Balance statistics of a weighted match (k up to 2, with replacement, some treated
unmatched) on lalonde (MatchIt's data), computed independently of DiDKit with NumPy,
SciPy and statsmodels, for DiDKit's balance tests.

Run from this folder: python3 balance_weighted_reference.py > expected.json

The match: treated units in row order j = 0, 1, ...; j % 10 == 0 unmatched; j % 3 == 0
one control, c[(7 j) % nc]; otherwise two, c[(7 j) % nc] and c[(7 j + 11 j*j + 5) % nc]
(controls in row order, reused across treated: with replacement). Weights as MatchIt and
psmatch2: treated 1, each use of a control 1/k of its treated unit.

Per variable (race expanded to its three levels), before and after matching:
- means (after: matched treated; controls weighted by w);
- variance ratio V1/V0 (n-1 variances; after: sum w (x-m0)^2 / (sum w - 1), Stata iweights);
- p-value: before, scipy.stats.ttest_ind(equal_var=True); after, the t-test of the treatment
  coefficient in the weighted regression of x on [1, treated] with frequency (iweight)
  semantics, N = sum of weights, df = N - 2 (pstest's regress [iw=_weight]); computed by
  normal equations in NumPy and cross-checked with statsmodels GLM(freq_weights);
- SMD: pstest (m1-m0)/sqrt((V1+V0)/2) and MatchIt (m1-m0)/SD1 (sqrt(p(1-p)) for 0/1),
  both with before-matching denominators.
"""
import csv, json, numpy as np, scipy, statsmodels
import statsmodels.api as sm
from scipy import stats

rows = list(csv.DictReader(open("../matchit-lalonde-nn-noreplace/data.csv")))
t = np.array([float(r["treat"]) for r in rows])
n = len(rows)
treated_rows = [i for i in range(n) if t[i] == 1]
control_rows = [i for i in range(n) if t[i] == 0]
nc = len(control_rows)
pairs = []
for j, tr in enumerate(treated_rows):
    if j % 10 == 0:
        continue
    cs = [control_rows[(7 * j) % nc]] if j % 3 == 0 else [control_rows[(7 * j) % nc], control_rows[(7 * j + 11 * j * j + 5) % nc]]
    pairs += [[tr, c] for c in cs]
w = np.zeros(n)
per = {}
for tr, c in pairs:
    per[tr] = per.get(tr, 0) + 1
for tr, c in pairs:
    w[tr] = 1
    w[c] += 1 / per[tr]

variables = {}
for v in ["age", "educ", "married", "nodegree", "re74", "re75"]:
    variables[v] = np.array([float(r[v]) for r in rows])
for level in ["black", "hispan", "white"]:
    variables["race=" + level] = np.array([1.0 if r["race"] == level else 0.0 for r in rows])


def wvar(x, ww):
    m = np.sum(ww * x) / np.sum(ww)
    return np.sum(ww * (x - m) ** 2) / (np.sum(ww) - 1)


def weighted_t(x, d, ww):
    keep = ww > 0
    x, d, ww = x[keep], d[keep], ww[keep]
    X = np.column_stack([np.ones_like(d), d])
    xtwx = X.T @ (ww[:, None] * X)
    beta = np.linalg.solve(xtwx, X.T @ (ww * x))
    e = x - X @ beta
    df = np.sum(ww) - 2
    s2 = np.sum(ww * e * e) / df
    se = np.sqrt(s2 * np.linalg.inv(xtwx)[1, 1])
    p = 2 * stats.t.sf(abs(beta[1] / se), df)
    # Cross-check: statsmodels GLM with frequency weights (df_resid = sum w - 2, scale = Pearson chi2 / df_resid).
    g = sm.GLM(x, X, family=sm.families.Gaussian(), freq_weights=ww).fit()
    p_sm = 2 * stats.t.sf(abs(g.params[1] / g.bse[1]), g.df_resid)
    assert abs(g.df_resid - df) < 1e-9 and abs(p_sm - p) <= 1e-12 + 1e-9 * p, (p, p_sm)
    return float(p)


out = {"source": "balance_weighted_reference.py (NumPy %s, SciPy %s, statsmodels %s)" % (np.__version__, scipy.__version__, statsmodels.__version__),
       "pairs": pairs, "variables": []}
for name, x in variables.items():
    a, b = x[t == 1], x[t == 0]
    v1, v0 = a.var(ddof=1), b.var(ddof=1)
    binary = bool(np.all((x == 0) | (x == 1)))
    sd1 = np.sqrt(a.mean() * (1 - a.mean())) if binary else np.sqrt(v1)
    mt = (t == 1) & (w > 0)
    mc = (t == 0) & (w > 0)
    m1a = x[mt].mean()
    m0a = np.sum(w[mc] * x[mc]) / np.sum(w[mc])
    rec = {
        "name": name,
        "before": {"treatedMean": float(a.mean()), "controlMean": float(b.mean()),
                   "pValue": float(stats.ttest_ind(a, b, equal_var=True).pvalue), "varianceRatio": float(v1 / v0),
                   "smdPstest": float((a.mean() - b.mean()) / np.sqrt((v1 + v0) / 2)),
                   "smdMatchit": float((a.mean() - b.mean()) / sd1)},
        "after": {"treatedMean": float(m1a), "controlMean": float(m0a),
                  "pValue": weighted_t(x, t, np.where(t == 1, (w > 0).astype(float), w)),
                  "varianceRatio": float(x[mt].var(ddof=1) / wvar(x[mc], w[mc])),
                  "smdPstest": float((m1a - m0a) / np.sqrt((v1 + v0) / 2)),
                  "smdMatchit": float((m1a - m0a) / sd1)},
    }
    out["variables"].append(rec)
print(json.dumps(out, indent=1))
