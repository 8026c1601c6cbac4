#!/usr/bin/env python3
"""Independent fixtures for DiDKit's ETWFE module (Tests/ETWFETests).

Builds Wooldridge's extended TWFE design with explicit dummies in pandas/numpy
(NOT with DiDKit code), fits it with statsmodels (OLS and Logit), and computes
ATT(g,t) = mean over the cell's treated rows of F(eta) - F(eta - tau) with
delta-method SEs from the model covariance, the emfx-style aggregations
(simple, group, calendar, event: cell-size weights), and for logit the odds
ratios exp(delta_gt) with exp(CI).

Conventions (R etwfe, cgroup = "notyet"):
  columns: cohort dummies (never-treated cohort 0 the reference), period dummies
  (first period the reference), x, x*cohort, x*period, D_gt for treated g and
  t >= g, D_gt * (x - mean of x in cohort g), intercept.
Cluster covariance: G/(G-1) (N-1)/(N-K) B M B for OLS (Stata regress / statsmodels
cluster with correction, K = all coefficients of this design); G/(G-1) B M B for logit.
Intervals: normal (z), as marginaleffects/emfx.

Run: python3 make_etwfe_fixtures.py  (writes etwfe_fixtures.json beside it)
"""
import json, os, sys
import numpy as np
import pandas as pd
import statsmodels
import statsmodels.api as sm
from scipy.stats import norm
import scipy

HERE = os.path.dirname(os.path.abspath(__file__))
MPDTA = "/work/shared/reference/did-mpdta-attgt-reg/data.csv"


def build(df, id_, t_, g_, xs, control="notyet"):
    df = df.sort_values([id_, t_]).reset_index(drop=True)
    periods = sorted(df[t_].unique())
    cohorts = sorted(c for c in df[g_].unique() if c != 0)
    cols, names = [], []
    for g in cohorts:
        cols.append((df[g_] == g).astype(float)); names.append(f"cohort{g}")
    for t in periods[1:]:
        cols.append((df[t_] == t).astype(float)); names.append(f"period{t}")
    for x in xs:
        cols.append(df[x].astype(float)); names.append(x)
        for g in cohorts:
            cols.append(df[x] * (df[g_] == g)); names.append(f"{x}*cohort{g}")
        for t in periods[1:]:
            cols.append(df[x] * (df[t_] == t)); names.append(f"{x}*period{t}")
    cells = []
    for g in cohorts:
        for t in periods:
            if control == "notyet" and t < g:
                continue
            if control == "never" and t == periods[0]:
                continue
            cells.append((g, t))
    xbar = {(g, x): df.loc[df[g_] == g, x].mean() for g in cohorts for x in xs}
    for (g, t) in cells:
        d = ((df[g_] == g) & (df[t_] == t)).astype(float)
        cols.append(d); names.append(f"D{g}_{t}")
        for x in xs:
            cols.append(d * (df[x] - xbar[(g, x)])); names.append(f"D{g}_{t}*{x}")
    cols.append(pd.Series(np.ones(len(df)))); names.append("_cons")
    X = np.column_stack([np.asarray(c, dtype=float) for c in cols])
    return df, X, names, cells


def effects(df, X, names, cells, beta, V, g_, t_, link):
    F = (lambda e: e) if link == "linear" else (lambda e: 1 / (1 + np.exp(-e)))
    f = (lambda e: np.ones_like(e)) if link == "linear" else (lambda e: F(e) * (1 - F(e)))
    eta = X @ beta
    att, grad, n = {}, {}, {}
    for (g, t) in cells:
        rows = ((df[g_] == g) & (df[t_] == t)).to_numpy()
        tcols = [j for j, nm in enumerate(names) if nm == f"D{g}_{t}" or nm.startswith(f"D{g}_{t}*")]
        Xc = X[rows]
        X0 = Xc.copy(); X0[:, tcols] = 0
        e1, e0 = eta[rows], X0 @ beta
        att[(g, t)] = float(np.mean(F(e1) - F(e0)))
        grad[(g, t)] = (f(e1)[:, None] * Xc - f(e0)[:, None] * X0).mean(axis=0)
        n[(g, t)] = int(rows.sum())
    z = norm.ppf(0.975)

    def row(est, gr):
        se = float(np.sqrt(gr @ V @ gr))
        return {"att": est, "se": se, "lo": est - z * se, "hi": est + z * se}

    out = {"attgt": [dict(group=int(g), time=int(t), n=n[(g, t)], **row(att[(g, t)], grad[(g, t)])) for (g, t) in cells]}
    post = [c for c in cells if c[1] >= c[0]]

    def agg(sel):
        w = np.array([n[c] for c in sel], float); w /= w.sum()
        return row(float(sum(wi * att[c] for wi, c in zip(w, sel))), sum(wi * grad[c] for wi, c in zip(w, sel)))

    out["simple"] = agg(post)
    out["group"] = [dict(group=int(g), **agg([c for c in post if c[0] == g])) for g in sorted({c[0] for c in post})]
    out["calendar"] = [dict(time=int(t), **agg([c for c in post if c[1] == t])) for t in sorted({c[1] for c in post})]
    out["event"] = [dict(event=int(e), **agg([c for c in cells if c[1] - c[0] == e])) for e in sorted({c[1] - c[0] for c in cells})]
    if link == "logit":
        out["oddsRatios"] = []
        for (g, t) in cells:
            j = names.index(f"D{g}_{t}")
            b, se = beta[j], np.sqrt(V[j, j])
            out["oddsRatios"].append(dict(group=int(g), time=int(t), oddsRatio=float(np.exp(b)),
                                          lo=float(np.exp(b - z * se)), hi=float(np.exp(b + z * se))))
    return out


def cluster_cov_linear(X, resid, groups, K):
    N = X.shape[0]
    B = np.linalg.inv(X.T @ X)
    G = len(np.unique(groups))
    S = pd.DataFrame(X * resid[:, None]).groupby(groups).sum().to_numpy()
    return G / (G - 1) * (N - 1) / (N - K) * B @ (S.T @ S) @ B


def main():
    mp = pd.read_csv(MPDTA).rename(columns={"first.treat": "first_treat"})
    out = {"versions": {"python": sys.version.split()[0], "numpy": np.__version__, "pandas": pd.__version__,
                        "statsmodels": statsmodels.__version__, "scipy": scipy.__version__},
           "source": "make_etwfe_fixtures.py: explicit-dummy ETWFE design fitted with statsmodels"}
    # 1. Linear on mpdta: lemp ~ lpop, not-yet-treated controls, clustered by countyreal.
    df, X, names, cells = build(mp, "countyreal", "year", "first_treat", ["lpop"])
    ols = sm.OLS(df["lemp"].to_numpy(), X).fit(cov_type="cluster", cov_kwds={"groups": df["countyreal"].to_numpy()})
    V = ols.cov_params()
    Vmine = cluster_cov_linear(X, ols.resid, df["countyreal"].to_numpy(), X.shape[1])
    assert np.allclose(V, Vmine, rtol=1e-8, atol=1e-12 * np.abs(V).max()), "statsmodels cluster covariance is not CR1"
    out["mpdta_linear"] = dict(K=X.shape[1], N=X.shape[0], coefficients={nm: float(b) for nm, b in zip(names, ols.params)},
                               **effects(df, X, names, cells, ols.params, V, "first_treat", "year", "linear"))
    # HC1 (Stata's vce(robust) for regress): statsmodels cov_type="HC1".
    hc1 = sm.OLS(df["lemp"].to_numpy(), X).fit(cov_type="HC1")
    out["mpdta_linear_robust"] = effects(df, X, names, cells, hc1.params, hc1.cov_params(), "first_treat", "year", "linear")
    # The same with never-treated controls (pre-treatment cells in the model, first period the reference).
    dfn, Xn, namesn, cellsn = build(mp, "countyreal", "year", "first_treat", ["lpop"], control="never")
    olsn = sm.OLS(dfn["lemp"].to_numpy(), Xn).fit(cov_type="cluster", cov_kwds={"groups": dfn["countyreal"].to_numpy()})
    out["mpdta_linear_never"] = dict(K=Xn.shape[1], **effects(dfn, Xn, namesn, cellsn, olsn.params, olsn.cov_params(),
                                                              "first_treat", "year", "linear"))
    # 2. Logit on a seeded synthetic staggered panel (written beside this script).
    rng = np.random.default_rng(20261130)
    n_units, years = 1200, list(range(2001, 2009))
    cohort = rng.choice([0, 2004, 2006, 2008], size=n_units, p=[0.4, 0.2, 0.2, 0.2])
    xi = rng.normal(size=n_units)
    rows = []
    for i in range(n_units):
        a = rng.normal(scale=0.5)
        for t in years:
            g = cohort[i]
            tau = (0.3 + 0.15 * (t - g) + (0.2 if g == 2006 else 0.0)) if (g and t >= g) else 0.0
            eta = -1.0 + 0.1 * (t - 2001) + 0.3 * (g == 2004) - 0.2 * (g == 2008) + 0.4 * xi[i] + a + tau
            y = int(rng.random() < 1 / (1 + np.exp(-eta)))
            rows.append((i + 1, t, int(g), round(float(xi[i]), 6), y))
    sim = pd.DataFrame(rows, columns=["id", "year", "cohort", "x", "y"])
    sim.to_csv(os.path.join(HERE, "etwfe_logit_panel.csv"), index=False)
    for key, xs in [("logit_nox", []), ("logit_x", ["x"])]:
        df, X, names, cells = build(sim, "id", "year", "cohort", xs)
        m = sm.Logit(df["y"].to_numpy(), X).fit(method="newton", tol=1e-12, maxiter=100, disp=0,
                                                 cov_type="cluster", cov_kwds={"groups": df["id"].to_numpy(), "use_correction": True})
        # statsmodels' cluster correction for MLE is G/(G-1) (N-1)/(N-K); Stata's logit uses G/(G-1): undo the second factor.
        N, K = X.shape
        Vc = np.asarray(m.cov_params()) * (N - K) / (N - 1)
        Bi = np.linalg.inv(-m.model.hessian(m.params))
        sc = m.model.score_obs(m.params)
        S = pd.DataFrame(sc).groupby(df["id"].to_numpy()).sum().to_numpy()
        G = S.shape[0]
        Vm = G / (G - 1) * Bi @ S.T @ S @ Bi
        assert np.allclose(Vc, Vm, rtol=1e-8), "cluster covariance mismatch"
        # Robust (Stata's logit, vce(robust)): N/(N-1) B (sum s s') B.
        Vr = N / (N - 1) * Bi @ sc.T @ sc @ Bi
        out[key] = dict(K=K, N=N, loglik=float(m.llf), cluster=effects(df, X, names, cells, m.params, Vm, "cohort", "year", "logit"),
                        robust=effects(df, X, names, cells, m.params, Vr, "cohort", "year", "logit"),
                        oim=effects(df, X, names, cells, m.params, Bi, "cohort", "year", "logit"))
    with open(os.path.join(HERE, "etwfe_fixtures.json"), "w") as fh:
        json.dump(out, fh, indent=1)
    s = out["mpdta_linear"]["simple"]
    print("mpdta linear simple ATT", s["att"], "SE", s["se"])
    print("ATT(2004,2004)", out["mpdta_linear"]["attgt"][0])


main()
