#!/usr/bin/env python3
"""Reference values for DiDKit's distribution functions, from SciPy.

Run:  python3 make_distribution_fixtures.py > distributions.csv
Made with: Python 3.11.7, SciPy 1.17.1, NumPy 2.4.6 (see the header line of
distributions.csv). Values are printed with repr() (17 significant digits).
Columns: function, param1, param2, argument, value
  function in normal_cdf, normal_sf, normal_ppf, t_cdf, t_sf, t_ppf,
  chi2_cdf, chi2_sf, f_cdf, f_sf, f_ppf.
Grids cover the centre and the tails down to values near 1e-300, for the
degrees of freedom DiDKit meets (small Wald tests up to large residual df).
"""
import numpy as np
import scipy
from scipy import stats

rows = []
def add(fn, p1, p2, x, v):
    if np.isfinite(v) and v > 0:
        rows.append(f"{fn},{p1!r},{p2!r},{x!r},{float(v)!r}")

zs = [-37.5, -30.0, -20.0, -10.0, -8.0, -5.0, -3.0, -1.96, -1.0, -0.5, -1e-3, 0.0,
      1e-3, 0.5, 1.0, 1.6448536269514722, 1.96, 3.0, 5.0, 8.0]
for z in zs:
    add("normal_cdf", 0.0, 0.0, z, stats.norm.cdf(z))
    add("normal_sf", 0.0, 0.0, z, stats.norm.sf(z))
ps = [1e-300, 1e-200, 1e-100, 1e-50, 1e-20, 1e-10, 1e-5, 1e-3, 0.01, 0.025, 0.05, 0.1, 0.3,
      0.5, 0.7, 0.9, 0.95, 0.975, 0.99, 0.999, 1 - 1e-5, 1 - 1e-10]
for p in ps:
    rows.append(f"normal_ppf,0.0,0.0,{p!r},{float(stats.norm.ppf(p))!r}")

dfs = [1.0, 2.0, 3.0, 4.5, 5.0, 10.0, 30.0, 100.0, 1000.0, 100000.0]
ts = [-1e6, -1e3, -100.0, -30.0, -10.0, -5.0, -3.0, -2.0, -1.0, -0.1, 0.0, 0.1, 1.0, 2.0, 5.0, 30.0]
for df in dfs:
    for t in ts:
        add("t_cdf", df, 0.0, t, stats.t.cdf(t, df))
        add("t_sf", df, 0.0, t, stats.t.sf(t, df))
    for p in [1e-100, 1e-20, 1e-10, 1e-5, 1e-3, 0.01, 0.025, 0.05, 0.2, 0.4, 0.6, 0.95, 0.975, 0.995]:
        q = stats.t.ppf(p, df)
        rows.append(f"t_ppf,{df!r},0.0,{p!r},{float(q)!r}")

for df in [1.0, 2.0, 3.0, 4.0, 7.0, 10.0, 25.0, 100.0, 1000.0, 10000.0]:
    for x in [1e-8, 1e-3, 0.1, 0.5, 1.0, 2.0, 5.0, 0.5 * df, df, 1.5 * df, 2 * df, 3 * df + 50, 10 * df + 300]:
        add("chi2_cdf", df, 0.0, x, stats.chi2.cdf(x, df))
        add("chi2_sf", df, 0.0, x, stats.chi2.sf(x, df))

for d1, d2 in [(1.0, 1.0), (2.0, 5.0), (5.0, 2.0), (10.0, 20.0), (30.0, 300.0), (288.0, 14640.0)]:
    for x in [1e-4, 0.1, 0.5, 0.9, 1.0, 1.2, 2.0, 5.0, 50.0]:
        add("f_cdf", d1, d2, x, stats.f.cdf(x, d1, d2))
        add("f_sf", d1, d2, x, stats.f.sf(x, d1, d2))
    for p in [0.025, 0.5, 0.975]:
        rows.append(f"f_ppf,{d1!r},{d2!r},{p!r},{float(stats.f.ppf(p, d1, d2))!r}")

print(f"# scipy {scipy.__version__} numpy {np.__version__}")
print("function,param1,param2,argument,value")
print("\n".join(rows))
