"""Independent fixtures for DiDKit's TreatmentEffects tests: statsmodels' TreatmentEffect on cattaneo2.

Run:  python make_teffects_fixtures.py   (writes statsmodels_teffects.json beside this script)
Needs: statsmodels 0.14.4 (its TreatmentEffect, Probit, Logit, OLS), numpy, pandas, scipy.

What is independent of DiDKit: the data handling, the treatment and outcome model fits (statsmodels'
Probit/Logit/OLS/WLS), the point estimates (TreatmentEffect.<method>(return_results=False)) and the
moment conditions (statsmodels' GMM classes `momcond`, one column per parameter).

statsmodels' own GMM standard errors use a forward/backward finite-difference Jacobian with an
absolute step of 1e-4 and Nelder-Mead parameters, so they agree with Stata only to ~1e-3 (its test
suite says so). For a 1e-6 fixture this script therefore evaluates statsmodels' moment conditions at
the closed-form estimates (checking that their mean is ~0), differentiates their mean with a
five-point stencil on parameter-scaled steps, and forms the M-estimation sandwich
V = A^-1 B A^-T / n, B = mom'mom / n (no small-sample factor, as Stata's teffects). statsmodels'
reported GMM bse is stored too, as `se_statsmodels_gmm` (information only; not tested at 1e-6).

statsmodels' GMM moment conditions clip the propensity score into [0.01, 0.99] (a guard of its own);
Stata's teffects and DiDKit do not (they stop at Stata's overlap tolerance, 1e-5). With a probit two
cattaneo2 births have scores below 0.01, so the clip would make the moment conditions disagree with
the closed-form estimates statsmodels itself reports; this script turns the clip off (`_NoClip`).
TreatmentEffect.aipw reads the outcome fits' `resid`, which a LogitResults lacks; the script gives it
the response residual `y - p` (what the OLS case uses).

Parameters in statsmodels' order: [effect (ATE or ATET), POmean(0), ...]. Risk ratio and marginal odds
ratio (0/1 outcome) by the delta method on the log scale from that covariance.
"""
import json
import os
import platform

import numpy as np
import pandas as pd
import scipy
import statsmodels
from statsmodels.discrete.discrete_model import Logit, LogitResults, Probit
from statsmodels.regression.linear_model import OLS
import statsmodels.treatment.treatment_effects as te_module
from statsmodels.treatment.treatment_effects import TreatmentEffect


class _NoClip:
    """numpy for statsmodels' treatment_effects module, with np.clip the identity (see the docstring)."""

    def __getattr__(self, name):
        return getattr(np, name)

    @staticmethod
    def clip(a, lo, hi):
        return a


te_module.np = _NoClip()
# TreatmentEffect.aipw reads `results.resid` (OLS); for a logit outcome model that is the response residual y - p.
LogitResults.resid = property(lambda self: self.resid_response)

HERE = os.path.dirname(os.path.abspath(__file__))
data = pd.read_csv(os.path.join(HERE, "cattaneo2.csv"))
tind = np.asarray(data["mbsmoke_"])
TREAT = "mbsmoke_ ~ mmarried_ + mage + mage2 + fbaby_ + medu"
OUTCOME_RHS = "prenatal1_ + mmarried_ + mage + fbaby_"


def sandwich(model, params):
    mom = model.momcond(params)
    n = mom.shape[0]
    gbar = mom.mean(0)
    scale = np.max(np.abs(mom).mean(0))
    assert np.max(np.abs(gbar)) < 1e-7 * max(scale, 1.0), ("moment conditions not solved", gbar)
    k = len(params)
    a = np.zeros((k, k))
    for j in range(k):
        h = 1e-4 * max(abs(params[j]), 1e-3)
        def g(d):
            p = params.copy()
            p[j] += d
            return model.momcond(p).mean(0)
        a[:, j] = (-g(2 * h) + 8 * g(h) - 8 * g(-h) + g(-2 * h)) / (12 * h)
    b = mom.T @ mom / n
    ainv = np.linalg.inv(a)
    return ainv @ b @ ainv.T / n


def case(name, teff, method, effect_group, binary):
    res = getattr(teff, method)(return_results=True, **({} if method.startswith("aipw") else {"effect_group": effect_group}))
    start = np.asarray(res.start_params, dtype=float)
    cov = sandwich(res.results_gmm.model, start)
    se = np.sqrt(np.diag(cov))
    out = {
        "name": name,
        "method": method,
        "estimand": "ate" if effect_group == "all" else "atet",
        "effect": start[0], "effect_se": se[0],
        "pomean0": start[1], "pomean0_se": se[1],
        "pomean1": start[0] + start[1],
        "pomean1_se": float(np.sqrt(cov[0, 0] + cov[1, 1] + 2 * cov[0, 1])),
        "se_statsmodels_gmm": [float(v) for v in res.results_gmm.bse[:2]],
    }
    if binary:
        m0, m1 = start[1], start[0] + start[1]
        # Covariance of (mu0, mu1) from that of (effect, mu0): mu1 = effect + mu0.
        t = np.array([[0.0, 1.0], [1.0, 1.0]])
        v = t @ cov[:2, :2] @ t.T
        for key, g, est in [("risk_ratio", np.array([-1 / m0, 1 / m1]), m1 / m0),
                            ("odds_ratio", np.array([-1 / (m0 * (1 - m0)), 1 / (m1 * (1 - m1))]),
                             (m1 / (1 - m1)) / (m0 / (1 - m0)))]:
            se_log = float(np.sqrt(g @ v @ g))
            out[key] = est
            out[key + "_se"] = est * se_log
            out[key + "_ci"] = [est * np.exp(-1.959963984540054 * se_log), est * np.exp(1.959963984540054 * se_log)]
    return {k: (float(v) if isinstance(v, (np.floating, float)) else v) for k, v in out.items()}


cases = []
for link_name, link in [("probit", Probit), ("logit", Logit)]:
    res_select = link.from_formula(TREAT, data).fit(disp=0, tol=1e-12, maxiter=100)
    teff = TreatmentEffect(OLS.from_formula("bweight ~ " + OUTCOME_RHS, data), tind, results_select=res_select)
    for method, groups in [("ra", ["all", 1]), ("ipw", ["all", 1]), ("aipw", ["all"]), ("aipw_wls", ["all"]),
                           ("ipw_ra", ["all", 1])]:
        if link_name == "probit" and method == "ra":
            pass  # ra has no treatment model: one run suffices
        elif link_name == "logit" and method == "ra":
            continue
        for grp in groups:
            c = case(f"bweight_{method}_{'ate' if grp == 'all' else 'atet'}_{link_name}", teff, method, grp, False)
            c["treatment_model"] = link_name
            c["outcome"] = "bweight"
            c["outcome_model"] = "linear"
            cases.append(c)

# A 0/1 outcome (low birth weight) with logit outcome models: ra (ATE, ATET) and aipw (ATE).
res_select = Logit.from_formula(TREAT, data).fit(disp=0, tol=1e-12, maxiter=100)
teff = TreatmentEffect(Logit.from_formula("lbweight ~ " + OUTCOME_RHS, data), tind, results_select=res_select)
for method, grp in [("ra", "all"), ("ra", 1), ("aipw", "all")]:
    c = case(f"lbweight_{method}_{'ate' if grp == 'all' else 'atet'}_logit", teff, method, grp, True)
    c["treatment_model"] = "logit"
    c["outcome"] = "lbweight"
    c["outcome_model"] = "logit"
    cases.append(c)

doc = {
    "source": "statsmodels TreatmentEffect on cattaneo2.csv (statsmodels 0.14.4 test data); see this script's docstring",
    "versions": {"python": platform.python_version(), "statsmodels": statsmodels.__version__, "numpy": np.__version__,
                 "pandas": pd.__version__, "scipy": scipy.__version__},
    "treatment_covariates": ["mmarried_", "mage", "mage2", "fbaby_", "medu"],
    "outcome_covariates": ["prenatal1_", "mmarried_", "mage", "fbaby_"],
    "cases": cases,
}
with open(os.path.join(HERE, "statsmodels_teffects.json"), "w") as f:
    json.dump(doc, f, indent=1)
print(f"wrote {len(cases)} cases")
