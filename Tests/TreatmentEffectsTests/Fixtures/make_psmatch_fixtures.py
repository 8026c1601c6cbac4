"""Brute-force psmatch fixture: Stata's `teffects psmatch` on cattaneo2, computed independently of DiDKit.

    teffects psmatch (bweight) (mbsmoke mmarried mage fage medu prenatal1)          (ATE, logit)
    teffects psmatch (bweight) (mbsmoke mmarried mage fage medu prenatal1), atet

Everything is brute force (every distance computed, no sorting tricks; ties are equal distances, compared exactly):
the logit score (statsmodels), one match per person in the other arm with all ties at the nearest distance, the
Abadie-Imbens (2006) variance with the conditional variance of each person from itself and its nearest other same-arm
person (ties included; Stata's vce(robust, nn(2))), and the Abadie-Imbens (2016) adjustment for the estimated score:
- ATE: V - c' I^-1 c / N, c = (1/N) sum_i f_i (cov_i1 / p_i + cov_i0 / (1 - p_i)), the conditional covariances of the
  score covariates and y over the 2 persons of each arm nearest in score (the person itself included in its own arm);
- ATET: V - c_t' I^-1 c_t / N + d' I^-1 d / N with
  c_t = (1/N1) sum_i f_i [z_i (Ytilde_i(1) - Ytilde_i(0) - tau) + cov_i1 + p_i/(1 - p_i) cov_i0], Ytilde_i(w) the mean y
  of the 2 persons of arm w nearest in score (in the own arm the 2 nearest *other* persons), and
  d = (1/N1) sum_i f_i z_i ((2 t_i - 1)(y_i - ybar^x_i) - tau), ybar^x_i the mean y of the person's nearest persons of
  the other arm in the Euclidean distance of the score covariates (intercept left out).

Stata's published output for these two commands (a Stata log by Carlos Mendez, "Treatment Effects in Stata",
https://carlos-mendez.org/post/stata_matching/, analysis.log in github.com/cmg777/starter-academic-v501
content/post/stata_matching/, data quarcs-lab/data-open ametrics/cattaneo2.dta):
ATE -229.4492 (AI robust SE 25.88746), ATET -224.5927 (SE 30.55147). This script gives both SEs to 7 digits.

Run: python make_psmatch_fixtures.py  (writes psmatch_cattaneo.json next to this file)
"""
import json, os
import numpy as np, pandas as pd, statsmodels, statsmodels.api as sm


def psmatch(y, t, Z, estimand, metric="euclidean"):
    """Stata's teffects psmatch (logit, nneighbor(1), vce(robust, nn(2))) by brute force; Z has the constant last."""
    fit = sm.Logit(t, Z).fit(disp=0, tol=1e-12)
    p = 1 / (1 + np.exp(-(Z @ fit.params)))
    f = p * (1 - p)  # logistic density at the index
    n, q = Z.shape
    arms = {0: np.where(t == 0)[0], 1: np.where(t == 1)[0]}

    def nearest(i, arm, k, exclude_self):
        idx = arms[arm]
        if exclude_self:
            idx = idx[idx != i]
        dist = np.abs(p[idx] - p[i])
        return idx[dist <= np.sort(dist)[k - 1]]

    def local_cov(h):
        zz, yy = Z[h], y[h]
        return ((zz - zz.mean(0)) * (yy - yy.mean())[:, None]).sum(0) / (len(h) - 1)

    matches = [nearest(i, 1 - int(t[i]), 1, False) for i in range(n)]
    imputed = np.array([y[m].mean() for m in matches])
    y1 = np.where(t == 1, y, imputed)
    y0 = np.where(t == 0, y, imputed)
    sigma2 = np.array([np.var(np.append(y[nearest(i, int(t[i]), 1, True)], y[i]), ddof=1) for i in range(n)])
    info_inv = np.linalg.inv((Z * (f * f / (p * (1 - p)))[:, None]).T @ Z / n)
    cov = [[local_cov(nearest(i, w, 2, False)) for w in (0, 1)] for i in range(n)]
    k = np.zeros(n); k2 = np.zeros(n)
    for l in range(n):
        if estimand == "atet" and t[l] == 0:
            continue
        w = 1 / len(matches[l]); k[matches[l]] += w; k2[matches[l]] += w * w
    if estimand == "ate":
        tau = (y1 - y0).mean()
        v = (((y1 - y0 - tau) ** 2).sum() + ((k ** 2 + 2 * k - k2) * sigma2).sum()) / n ** 2
        c = sum(f[i] * (cov[i][1] / p[i] + cov[i][0] / (1 - p[i])) for i in range(n)) / n
        adjusted = v - c @ info_inv @ c / n
    else:
        tr = t == 1; n1 = tr.sum()
        tau = (y[tr] - y0[tr]).mean()
        v = (((y[tr] - y0[tr] - tau) ** 2).sum() + ((k ** 2 - k2) * sigma2)[~tr].sum()) / n1 ** 2
        own = np.array([y[nearest(i, int(t[i]), 2, True)].mean() for i in range(n)])
        other = np.array([y[nearest(i, 1 - int(t[i]), 2, False)].mean() for i in range(n)])
        local = np.where(tr, own - other, other - own)  # Ytilde(1) - Ytilde(0)
        c = sum(f[i] * (Z[i] * (local[i] - tau) + cov[i][1] + p[i] / (1 - p[i]) * cov[i][0]) for i in range(n)) / n1
        X = Z[:, :-1]
        W = np.eye(X.shape[1]) if metric == "euclidean" else np.linalg.inv(np.cov(X, rowvar=False))
        ybar = np.zeros(n)
        for i in range(n):
            other_arm = arms[1 - int(t[i])]
            dx = X[other_arm] - X[i]
            dist = np.einsum("ij,jk,ik->i", dx, W, dx)
            ybar[i] = y[other_arm[dist == dist.min()]].mean()
        tau_x = np.where(tr, y - ybar, ybar - y)
        d = (Z * (f * (tau_x - tau))[:, None]).sum(0) / n1
        adjusted = v - c @ info_inv @ c / n + d @ info_inv @ d / n
    return {"effect": float(tau), "se": float(np.sqrt(adjusted)), "unadjusted_se": float(np.sqrt(v)),
            "max_matches": int(max(len(matches[i]) for i in range(n) if estimand == "ate" or t[i] == 1))}


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    d = pd.read_csv(os.path.join(here, "cattaneo2.csv"))
    y = d.bweight.values.astype(float)
    t = d.mbsmoke_.values.astype(float)
    Z = np.column_stack([d.mmarried_, d.mage, d.fage, d.medu, d.prenatal1_, np.ones(len(d))]).astype(float)
    atet = psmatch(y, t, Z, "atet")
    atet["se_mahalanobis_derivative"] = psmatch(y, t, Z, "atet", metric="mahalanobis")["se"]
    out = {"source": "make_psmatch_fixtures.py (brute force); numpy " + np.__version__ + ", statsmodels " + statsmodels.__version__ + ", pandas " + pd.__version__,
           "covariates": ["mmarried_", "mage", "fage", "medu", "prenatal1_"], "treatment_model": "logit",
           "ate": psmatch(y, t, Z, "ate"), "atet": atet,
           "stata": {"source": "Stata log, https://carlos-mendez.org/post/stata_matching/ (teffects psmatch (bweight) (mbsmoke mmarried mage fage medu prenatal1))",
                     "ate": {"effect": -229.4492, "se": 25.88746}, "atet": {"effect": -224.5927, "se": 30.55147}}}
    with open(os.path.join(here, "psmatch_cattaneo.json"), "w") as fh:
        json.dump(out, fh, indent=2)
    print(json.dumps(out, indent=2))
