#!/usr/bin/env python3
"""Before-matching balance statistics of lalonde (MatchIt's data) by SciPy/NumPy,
for DiDKit's balance tests. Run: python3 balance_reference.py
Prints: variable, pooled two-sample t-test p-value (scipy.stats.ttest_ind,
equal_var=True), pstest %bias/100 = (m1-m0)/sqrt((V1+V0)/2), variance ratio V1/V0
(n-1 variances)."""
import csv, numpy as np, scipy
from scipy import stats
rows = list(csv.DictReader(open("matchit-lalonde-nn-noreplace/data.csv")))
t = np.array([float(r["treat"]) for r in rows])
print("# scipy", scipy.__version__, "numpy", np.__version__)
for v in ["age", "educ", "married", "re74"]:
    x = np.array([float(r[v]) for r in rows])
    a, b = x[t == 1], x[t == 0]
    p = stats.ttest_ind(a, b, equal_var=True).pvalue
    v1, v0 = a.var(ddof=1), b.var(ddof=1)
    print(v, repr(float(p)), repr(float((a.mean() - b.mean()) / np.sqrt((v1 + v0) / 2))), repr(float(v1 / v0)))
