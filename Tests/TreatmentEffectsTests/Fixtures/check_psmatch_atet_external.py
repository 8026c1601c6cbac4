"""The ATET formula of make_psmatch_fixtures.py against two further published Stata outputs (data not copied here).

1. Lee and Wooldridge's simulated staggered data as stored in lwdid-py (github.com/gorgeousfish/lwdid-py, commit
   48fea6b1b2e69935757811ffcf8bd3620534177f, tests/staggered/reference_data/stata_psm_test_data.csv; Stata's output in
   stata_psm_se_results.json there): `teffects psmatch (y_44) (g4 x1 x2) if f04, atet` -> ATET 3.554019, SE 0.5866075
   (1,000 persons, continuous x1: no ties).
2. Dehejia-Wahba NSW treated + CPS controls (github.com/scunning1975/mixtape nsw_mixtape.dta, cps_mixtape.dta), the
   log in a public course solution: `teffects psmatch (re78) (treat age agesq agecube educ edusq marr nodegree black
   hisp re74 re75 u74 u75, logit), atet` -> ATET 1727.186, SE 761.7544 (16,177 persons, max 9 matches; an older Stata,
   and a logit with scores down to 1e-8).

Run: python check_psmatch_atet_external.py LW_CSV NSW_DTA CPS_DTA
"""
import sys
import numpy as np, pandas as pd
from make_psmatch_fixtures import psmatch

lw_csv, nsw_dta, cps_dta = sys.argv[1:4]
d = pd.read_csv(lw_csv)
Z = np.column_stack([d.x1, d.x2, np.ones(len(d))]).astype(float)
r = psmatch(d.y_44.values.astype(float), d.g4.values.astype(float), Z, "atet")
print(f"Lee-Wooldridge: ATET {r['effect']:.7f} SE {r['se']:.8f} (unadjusted {r['unadjusted_se']:.7f}); Stata 3.554019, 0.5866075")
nsw, cps = pd.read_stata(nsw_dta), pd.read_stata(cps_dta)
d = pd.concat([nsw[nsw.treat == 1], cps], ignore_index=True)
d["agesq"] = d.age ** 2; d["agecube"] = d.age ** 3; d["edusq"] = d.educ ** 2
d["u74"] = (d.re74 == 0).astype(float); d["u75"] = (d.re75 == 0).astype(float)
cols = "age agesq agecube educ edusq marr nodegree black hisp re74 re75 u74 u75".split()
Z = np.column_stack([d[c].astype(float) for c in cols] + [np.ones(len(d))])
for metric in ("euclidean", "mahalanobis"):
    r = psmatch(d.re78.values.astype(float), d.treat.values.astype(float), Z, "atet", metric=metric)
    print(f"NSW-CPS ({metric} derivative): ATET {r['effect']:.4f} SE {r['se']:.4f} (unadjusted {r['unadjusted_se']:.4f}, "
          f"max {r['max_matches']}); Stata 1727.186, 761.7544, max 9")
