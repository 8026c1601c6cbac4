"""Independent point estimates for DiDKit's nnmatch: the causalinference package (Laurence Wong,
Imbens and Rubin 2015's matching estimator) on seeded synthetic data.

Run:  python make_nnmatch_fixtures.py   (writes nnmatch_data.csv and causalinference_nnmatch.json)
Needs: causalinference 0.1.3, numpy.

causalinference's matching (est_via_matching) matches with replacement, keeps exact ties, uses the
inverse-variance metric ('inv': 1 / the whole sample's variances) and corrects the bias with a least-squares
regression on the matched persons of each arm, repeats included: the same estimator as DiDKit's nnmatch with
--metric ivariance [--bias-adjust]. Only the point estimates are compared: causalinference's standard errors
use a homoskedastic ("conservative") variance, not Abadie-Imbens' matched conditional variances.
Its 'maha' metric averages the two arms' covariances (Stata and DiDKit use the whole sample's), so it is not used.
"""
import json
import os
import platform

import importlib.metadata
import numpy as np
from causalinference import CausalModel

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261130)
n = 300
x1 = rng.normal(size=n)
x2 = rng.uniform(0, 4, size=n)
t = (rng.uniform(size=n) < 1 / (1 + np.exp(-(-1 + 0.8 * x1 + 0.4 * x2)))).astype(float)
y = 1 + x1 + 0.5 * x2 ** 2 + t * (2 + x1) + rng.normal(size=n)
with open(os.path.join(HERE, "nnmatch_data.csv"), "w") as f:
    f.write("x1,x2,t,y\n")
    for row in zip(x1, x2, t, y):
        f.write(",".join(repr(float(v)) for v in row) + "\n")

cases = []
for m in (1, 3):
    for bias_adj in (False, True):
        cm = CausalModel(y, t, np.column_stack((x1, x2)))
        cm.est_via_matching(weights="inv", matches=m, bias_adj=bias_adj)
        e = cm.estimates["matching"]
        cases.append({"neighbors": m, "bias_adjust": bias_adj, "ate": float(e["ate"]), "att": float(e["att"])})

doc = {"source": "causalinference CausalModel.est_via_matching(weights='inv') on nnmatch_data.csv (this script)",
       "versions": {"python": platform.python_version(), "causalinference": importlib.metadata.version("causalinference"),
                    "numpy": np.__version__},
       "covariates": ["x1", "x2"], "cases": cases}
with open(os.path.join(HERE, "causalinference_nnmatch.json"), "w") as f:
    json.dump(doc, f, indent=1)
print(cases)
