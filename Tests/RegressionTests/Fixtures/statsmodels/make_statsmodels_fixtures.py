#!/usr/bin/env python3
"""Reference values for DiDKit's regression tests, from statsmodels.

Regenerates the synthetic data of `_DiDKitTestSupport/SyntheticRegressionData.swift`
bit for bit (counter-based SplitMix64, same order of draws), fits it with
statsmodels and writes `statsmodels_reference.json` beside this script.

Run:  python3 make_statsmodels_fixtures.py
Versions used for the committed file are recorded in its "versions" key.

Conventions (Stata's, which DiDKit follows; statsmodels' own defaults differ):
- logit/probit robust: statsmodels HC0 sandwich times N/(N-1);
- logit cluster: statsmodels cluster sandwich without correction times G/(G-1);
- OLS HC1: statsmodels HC1 (N/(N-k)); OLS cluster: statsmodels' default
  correction G/(G-1) (N-1)/(N-k) (= Stata's CR1), t with G-1 df.
"""
import json, os, sys
import numpy as np
import scipy, statsmodels
import statsmodels.api as sm

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
from fixture_rng import splitmix_uniforms  # noqa: E402

N, SEED = 100_000, 20261123
P, Q = 26, 4

def make_data(n, seed):
    per_row = 3 * P + Q + 3
    u = splitmix_uniforms(seed, n * per_row).reshape(n, per_row)
    x = np.zeros((n, P)); d = np.zeros((n, Q))
    eta = np.full(n, -0.3)
    col = 0
    for j in range(P):
        s = u[:, col] + u[:, col + 1] + u[:, col + 2]; col += 3
        v = 2 * (s - 1.5)
        if j > 0:
            v = v + 0.4 * x[:, j - 1]
        x[:, j] = v
        eta += 0.05 * ((j % 7) - 3) * v
    gamma = [0.4, -0.3, 0.2, 0.5]
    for j in range(Q):
        d[:, j] = (u[:, col] < 0.2 + 0.1 * j).astype(float); col += 1
        eta += gamma[j] * d[:, j]
    cluster = np.floor(2000 * u[:, col]); col += 1
    y = (u[:, col] < 1 / (1 + np.exp(-eta))).astype(float); col += 1
    ylin = eta + 2 * (u[:, col] - 0.5) * (1 + np.abs(x[:, 0])); col += 1
    return x, d, cluster, y, ylin

x, d, cluster, y, ylin = make_data(N, SEED)
names = [f"x{j}" for j in range(P)] + [f"d{j}" for j in range(Q)] + ["_cons"]
X = np.column_stack([x, d, np.ones(N)])
G = len(np.unique(cluster))
out = {"versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
                    "statsmodels": statsmodels.__version__},
       "rows": N, "seed": SEED, "names": names, "clusters": G,
       "checksums": {"sum_y": float(y.sum()), "sum_x0": float(x[:, 0].sum()), "sum_ylin": float(ylin.sum())}}

# Logit.
lg = sm.Logit(y, X).fit(method="newton", tol=1e-14, maxiter=100, disp=0)
hc0 = sm.Logit(y, X).fit(method="newton", tol=1e-14, maxiter=100, disp=0, cov_type="HC0").cov_params()
cl = sm.Logit(y, X).fit(method="newton", tol=1e-14, maxiter=100, disp=0, cov_type="cluster",
                        cov_kwds={"groups": cluster.astype(int), "use_correction": False}).cov_params()
V_robust = hc0 * N / (N - 1)
V_cluster = cl * G / (G - 1)
# Wald test that x1, x2, d0 are zero, and that x3 = x4 (R b = 0), with each covariance.
idx = [names.index("x1"), names.index("x2"), names.index("d0")]
R1 = np.zeros((3, len(names))); R1[range(3), idx] = 1
R2 = np.zeros((1, len(names))); R2[0, names.index("x3")] = 1; R2[0, names.index("x4")] = -1
def wald(b, V, R):
    r = R @ b
    return float(r @ np.linalg.solve(R @ V @ R.T, r))
# Predictions at five new rows: probability and delta-method SE p(1-p) sqrt(x'Vx).
new_rows = np.array([[0.1 * (j - 10) * (k + 1) / 5 for j in range(P)] + [k % 2, (k + 1) % 2, 1, 0] + [1]
                     for k in range(5)])
eta_new = new_rows @ lg.params
p_new = 1 / (1 + np.exp(-eta_new))
se_new = [float(p * (1 - p) * np.sqrt(r @ lg.cov_params() @ r)) for p, r in zip(p_new, new_rows)]
out["logit"] = {"params": lg.params.tolist(), "bse_oim": lg.bse.tolist(),
                "bse_robust": np.sqrt(np.diag(V_robust)).tolist(),
                "bse_cluster": np.sqrt(np.diag(V_cluster)).tolist(),
                "llf": float(lg.llf), "llnull": float(lg.llnull),
                "wald_x1_x2_d0": {"oim": wald(lg.params, lg.cov_params(), R1), "robust": wald(lg.params, V_robust, R1),
                                  "cluster": wald(lg.params, V_cluster, R1)},
                "wald_x3_eq_x4_oim": wald(lg.params, lg.cov_params(), R2),
                "new_rows": new_rows.tolist(), "predicted": p_new.tolist(), "predicted_se_oim": se_new}

# Probit (Newton on the observed Hessian, OIM SEs).
pr = sm.Probit(y, X).fit(method="newton", tol=1e-14, maxiter=100, disp=0)
pr_hc0 = sm.Probit(y, X).fit(method="newton", tol=1e-14, maxiter=100, disp=0, cov_type="HC0").cov_params()
out["probit"] = {"params": pr.params.tolist(), "bse_oim": pr.bse.tolist(),
                 "bse_robust": np.sqrt(np.diag(pr_hc0 * N / (N - 1))).tolist(), "llf": float(pr.llf)}

# OLS.
ols = sm.OLS(ylin, X).fit()
ols_hc1 = sm.OLS(ylin, X).fit(cov_type="HC1")
ols_cl = sm.OLS(ylin, X).fit(cov_type="cluster", cov_kwds={"groups": cluster.astype(int)})
out["ols"] = {"params": ols.params.tolist(), "bse_classical": ols.bse.tolist(), "bse_hc1": ols_hc1.bse.tolist(),
              "bse_cluster": ols_cl.bse.tolist(), "rsquared": float(ols.rsquared),
              "wald_x1_x2_d0_classical": wald(ols.params, ols.cov_params(), R1),
              "pvalues_classical": ols.pvalues.tolist()}

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "statsmodels_reference.json"), "w") as f:
    json.dump(out, f, indent=1)
print("wrote statsmodels_reference.json", out["checksums"])
