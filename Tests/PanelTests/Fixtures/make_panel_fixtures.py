#!/usr/bin/env python3
"""Reference values for DiDKit's event-study tests, from statsmodels.

Regenerates `_DiDKitTestSupport/SyntheticEventPanel.swift` bit for bit, builds
the event-study design independently (window -3..1, reference -1; terms
treated, event=e, treated:event=e, x, z, _cons), fits it with statsmodels and
writes panel_reference.json. Run: python3 make_panel_fixtures.py

Conventions (Stata's): logit cluster SEs = statsmodels' cluster sandwich
without correction times G/(G-1); OLS cluster = statsmodels' default CR1.
"""
import json, os, sys
import numpy as np, scipy, statsmodels
import statsmodels.api as sm

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from fixture_rng import splitmix_uniforms  # noqa: E402

N, SEED = 3000, 424242
YEARS = list(range(2008, 2017))

delta = {-3: -0.4, -2: -0.2, -1: 0.0, 0: 0.3, 1: 0.6}
theta = {-3: np.log(0.635), -2: np.log(0.927), -1: 0.0, 0: np.log(3.271), 1: np.log(2.577)}
u = splitmix_uniforms(SEED, N * 21).reshape(N, 21)
rows = []
for p in range(N):
    t = 1.0 if u[p, 0] < 0.3 else 0.0
    s = 2012 + int(np.floor(4 * u[p, 1]))
    x = 2 * (u[p, 2] - 0.5)
    for k, yr in enumerate(YEARS):
        z = u[p, 3 + 2 * k] - 0.5
        e = yr - s
        eta = -1 + 0.3 * t + delta.get(e, 0.0) + theta.get(e, 0.0) * t + 0.5 * x + 0.4 * z
        y = 1.0 if u[p, 4 + 2 * k] < 1 / (1 + np.exp(-eta)) else 0.0
        rows.append((p, yr, t, s, x, z, y))
d = np.array(rows)
e = d[:, 1] - d[:, 3]
keep = (e >= -3) & (e <= 1)
d, e = d[keep], e[keep]
treated = d[:, 2]
cols, names = [treated], ["treated"]
for ev in [-3, -2, 0, 1]:
    cols.append((e == ev).astype(float)); names.append(f"event={ev}")
for ev in [-3, -2, 0, 1]:
    cols.append(treated * (e == ev)); names.append(f"treated:event={ev}")
cols += [d[:, 4], d[:, 5], np.ones(len(d))]; names += ["x", "z", "_cons"]
X = np.column_stack(cols)
y = d[:, 6]
groups = d[:, 0].astype(int)
G = len(np.unique(groups))
lg = sm.Logit(y, X).fit(method="newton", tol=1e-14, maxiter=100, disp=0)
cl = sm.Logit(y, X).fit(method="newton", tol=1e-14, maxiter=100, disp=0, cov_type="cluster",
                        cov_kwds={"groups": groups, "use_correction": False}).cov_params() * G / (G - 1)
pre = [names.index("treated:event=-3"), names.index("treated:event=-2")]
R = np.zeros((2, len(names))); R[0, pre[0]] = 1; R[1, pre[1]] = 1
def wald(b, V):
    r = R @ b
    return float(r @ np.linalg.solve(R @ V @ R.T, r))
ols = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": groups})
out = {"versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
                    "statsmodels": statsmodels.__version__},
       "persons": N, "seed": SEED, "names": names, "observations": int(len(y)), "clusters": G,
       "logit": {"params": lg.params.tolist(), "bse_oim": lg.bse.tolist(), "bse_cluster": np.sqrt(np.diag(cl)).tolist(),
                 "llf": float(lg.llf), "pretrend_chi2_oim": wald(lg.params, lg.cov_params()), "pretrend_chi2_cluster": wald(lg.params, cl)},
       "ols": {"params": ols.params.tolist(), "bse_cluster": ols.bse.tolist()}}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "panel_reference.json"), "w") as f:
    json.dump(out, f, indent=1)
print("observations", len(y), "treated persons", int(sum(u[:, 0] < 0.3)))
