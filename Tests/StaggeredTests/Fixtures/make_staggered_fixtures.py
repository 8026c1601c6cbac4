"""Independent reference for the Staggered module: Callaway & Sant'Anna ATT(g,t) on mpdta.

Computed with moderndid (a Python port of R `did` / `DRDID`, https://pypi.org/project/moderndid/),
not with DiDKit. Cases: covariate lpop (xformla = ~lpop), est_method reg, ipw, dr and drimp
(moderndid's drdid_imp_panel passed as est_method, the DRDID function behind Stata csdid's default),
control group never / not yet treated, varying base period, no anticipation, analytic SEs
(boot=False); the four aggte aggregations with analytic SEs (boot=False, cband=False); the Wald pre-test.
Then four option cases: universal base period (dr, not yet), anticipation 1 (reg), aggte min_e=-2,
max_e=2 (ipw) and balance_e=1 (dr).
Plus a nonparametric bootstrap over counties of the dr / never-treated ATT(g,t) (seeded), an
independent check of the influence-function standard errors.

Run: python3 make_staggered_fixtures.py  (writes staggered_reference.json beside this script)
"""
import json
import os
import sys
import warnings
from importlib.metadata import version

import numpy as np
import pandas as pd
import moderndid

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))
df = pd.read_csv(os.path.join(HERE, "data.csv"))

METHODS = {"reg": "reg", "ipw": "ipw", "dr": "dr", "drimp": moderndid.drdid_imp_panel}
CONTROLS = {"never": "nevertreated", "notyet": "notyettreated"}


def run(data, method, control, xformla="~lpop", base="varying", anticipation=0):
    return moderndid.att_gt(data, yname="lemp", tname="year", idname="countyreal", gname="first.treat",
                            xformla=xformla, est_method=METHODS[method], control_group=CONTROLS[control],
                            base_period=base, anticipation=anticipation, boot=False)


def f(x):
    x = float(x)
    return x if np.isfinite(x) else None


# The main grid (varying base, no anticipation, default aggte windows), then options: a universal base
# period, anticipation, and aggte's min_e / max_e / balance_e.
GRID = [dict(method=m, control=c) for m in METHODS for c in CONTROLS]
GRID += [dict(method="dr", control="notyet", base="universal"),
         dict(method="reg", control="never", anticipation=1),
         dict(method="ipw", control="never", window=dict(min_e=-2, max_e=2)),
         dict(method="dr", control="never", window=dict(balance_e=1))]

cases = []
for spec in GRID:
    method, control = spec["method"], spec["control"]
    base, anticipation, window = spec.get("base", "varying"), spec.get("anticipation", 0), spec.get("window", {})
    r = run(df, method, control, base=base, anticipation=anticipation)
    case = {"method": method, "control": control, "covariates": ["lpop"], "base": base,
            "anticipation": anticipation, "window": window,
            "attgt": [{"group": int(g), "time": int(t), "att": f(a), "se": f(s)}
                      for g, t, a, s in zip(r.groups, r.times, r.att_gt, r.se_gt)],
            "wald": {"statistic": f(r.wald_stat) if r.wald_stat is not None else None,
                     "pValue": f(r.wald_pvalue) if r.wald_pvalue is not None else None},
            "aggregates": {}}
    for typ in ["simple", "dynamic", "group", "calendar"]:
        a = moderndid.aggte(r, type=typ, boot=False, cband=False, **window)
        agg = {"overall_att": f(a.overall_att), "overall_se": f(a.overall_se), "effects": []}
        if typ != "simple":
            for e, att, se in zip(a.event_times, a.att_by_event, a.se_by_event):
                agg["effects"].append({"key": int(e), "att": f(att), "se": f(se)})
        case["aggregates"][typ] = agg
    cases.append(case)

# Nonparametric bootstrap over counties (dr, never treated): resample units with replacement.
rng = np.random.default_rng(20210101)
ids = df["countyreal"].unique()
rows_of = {i: np.flatnonzero(df["countyreal"].to_numpy() == i) for i in ids}
B = 400
draws = []
for b in range(B):
    pick = rng.choice(ids, size=len(ids), replace=True)
    rows = np.concatenate([rows_of[i] for i in pick])
    boot = df.iloc[rows].reset_index(drop=True)
    boot["countyreal"] = np.repeat(np.arange(1, len(pick) + 1), [len(rows_of[i]) for i in pick])
    r = run(boot, "dr", "never")
    draws.append(np.asarray(r.att_gt, dtype=float))
draws = np.vstack(draws)
r0 = run(df, "dr", "never")
bootstrap = {"method": "dr", "control": "never", "replications": B, "seed": 20210101,
             "attgt": [{"group": int(g), "time": int(t), "se": f(s)}
                       for g, t, s in zip(r0.groups, r0.times, draws.std(axis=0, ddof=1))]}

out = {"source": "moderndid (Python port of R did/DRDID) on mpdta, Tests/StaggeredTests/Fixtures/data.csv",
       "script": "Tests/StaggeredTests/Fixtures/make_staggered_fixtures.py",
       "versions": {"python": sys.version.split()[0], "moderndid": version("moderndid"), "numpy": np.__version__,
                    "pandas": pd.__version__},
       "cases": cases, "nonparametricBootstrap": bootstrap}
with open(os.path.join(HERE, "staggered_reference.json"), "w") as fh:
    json.dump(out, fh, indent=1)
print("wrote", len(cases), "cases")
