"""Writes the register-file fixtures of Tests/RegisterFilesTests: one small register
table as CSV and as every file format DiDKit reads through ReadStat.

Run from this folder with a Python that has pandas, pyreadstat and statsmodels, and with the Debian
`readstat` tool on the PATH (apt-get install readstat), e.g.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install pandas pyreadstat statsmodels
    /tmp/venv/bin/python make_fixtures.py

The table (300 rows, seeded): pnr (10-digit numeric id, above Int32's range), year
(2010-2019), died (0/1), edu (labelled factor 1 basic / 2 upper secondary / 3 tertiary,
some missing), income (decimals with missing codes: Stata .a/.b, SPSS -9/-8, system
missing), bmi (decimals), city (text, some empty).

register.csv is what Stata's `export delimited` writes: labels instead of codes for
edu, missing values empty. Every other file must read into the same columns (the SAS
files, which keep no value labels, hold edu's codes; register_codes.csv has them).

Files (pandas 3.1.1, pyreadstat 1.3.7, statsmodels 0.15.0, readstat 1.1.8 made the committed ones):
  register_v8.dta ... register_v15.dta   pyreadstat write_dta version 8 (format 113),
                                         10 (114), 12 (115), 13 (117), 14 (118), 15 (119),
                                         with .a/.b and value labels
  register_pandas114.dta, _pandas118.dta, _pandas119.dta
                                         pandas to_stata (no extended missing: NaN)
  register.sav, register.zsav            pyreadstat write_sav (-9/-8 user-missing)
  register_v5.xpt, register_v8.xpt       pyreadstat write_xport (codes, NaN missing)
  register.sas7bdat                      readstat -f register_v14.dta register.sas7bdat
  logit_statsmodels.json                 statsmodels logit on register.csv (the estimate tests' reference)
  demo_panel.dta                         didkit generate --persons 500 --seed 5, as Stata 118 (CLI tests)
"""
import json
import os
import subprocess

import numpy as np
import pandas as pd
import pyreadstat
import statsmodels
import statsmodels.formula.api as smf

N = 300
rng = np.random.default_rng(20240519)
EDU_LABELS = {1: "basic", 2: "upper secondary", 3: "tertiary"}

pnr = 3_000_000_000 + np.arange(N, dtype=np.int64) * 7919
year = rng.integers(2010, 2020, N).astype(np.int16)
edu = rng.integers(1, 4, N).astype(float)
edu[rng.random(N) < 0.05] = np.nan
income = np.round(rng.lognormal(5.5, 0.6, N), 2)
bmi = np.round(rng.normal(26.0, 4.0, N), 1)
logit = -1.0 + 0.004 * (income - 250) + 0.08 * (bmi - 26) + 0.3 * (np.nan_to_num(edu, nan=2) - 2)
died = (rng.random(N) < 1 / (1 + np.exp(-logit))).astype(np.int8)
city = rng.choice(["Aarhus", "Odense", "Aalborg", "Esbjerg"], N).astype(object)
city[rng.random(N) < 0.05] = ""
# Missing codes for income: which rows are system missing, Stata .a and .b.
u = rng.random(N)
code = np.where(u < 0.03, "sys", np.where(u < 0.06, "a", np.where(u < 0.09, "b", "")))
income_missing = code != ""

base = pd.DataFrame({"pnr": pnr, "year": year, "died": died, "edu": edu,
                     "income": np.where(income_missing, np.nan, income), "bmi": bmi, "city": city})

# CSV as Stata's export delimited writes it: value labels, empty missing.
csv = base.copy()
csv["edu"] = csv["edu"].map(EDU_LABELS)
csv.to_csv("register.csv", index=False)
codes = base.copy()
codes["edu"] = codes["edu"].astype("Int8")
codes.to_csv("register_codes.csv", index=False)

# Stata through pyreadstat: .a/.b in income (the column holds the letters), value labels on edu.
stata = base.copy()
stata["pnr"] = stata["pnr"].astype(float)
stata["income"] = pd.Series(np.where(code == "a", "a", np.where(code == "b", "b", None)), dtype=object)
stata.loc[~income_missing, "income"] = income[~income_missing]
stata.loc[code == "sys", "income"] = np.nan
for version in (8, 10, 12, 13, 14, 15):
    pyreadstat.write_dta(stata, f"register_v{version}.dta", version=version,
                         variable_value_labels={"edu": EDU_LABELS}, missing_user_values={"income": ["a", "b"]})

# Stata through pandas: edu as a categorical (codes 0-2 with the labels), NaN missing.
pdta = base.copy()
pdta["pnr"] = pdta["pnr"].astype(float)
pdta["edu"] = pd.Categorical(pdta["edu"].map(EDU_LABELS), categories=list(EDU_LABELS.values()))
for version in (114, 118, 119):
    pdta.to_stata(f"register_pandas{version}.dta", write_index=False, version=version)

# SPSS: -9 and -8 in income declared user-missing.
spss = base.copy()
spss["income"] = np.where(code == "a", -9.0, np.where(code == "b", -8.0, spss["income"]))
spss_args = dict(variable_value_labels={"edu": EDU_LABELS}, missing_ranges={"income": [-9.0, -8.0]})
pyreadstat.write_sav(spss, "register.sav", **spss_args)
pyreadstat.write_sav(spss, "register.zsav", compress=True, **spss_args)

# SAS transport: no value labels (edu's codes), NaN missing.
for version in (5, 8):
    pyreadstat.write_xport(base, f"register_v{version}.xpt", file_format_version=version, table_name="REGISTER")

# SAS data set: the Debian readstat tool converts the Stata 14 file (.a/.b become SAS .A/.B).
subprocess.run(["readstat", "-f", "register_v14.dta", "register.sas7bdat"], check=True)

# The independent reference for RegisterFileEstimateTests: statsmodels' logit on register.csv
# (rows with a missing value dropped, as DiDKit and Stata drop them; edu's base level "basic").
fit = smf.logit("died ~ year + income + bmi + C(edu)", data=pd.read_csv("register.csv")).fit(disp=0, tol=1e-12, maxiter=100)
names = {"Intercept": "_cons", "C(edu)[T.tertiary]": "edu=tertiary", "C(edu)[T.upper secondary]": "edu=upper secondary"}
with open("logit_statsmodels.json", "w") as f:
    json.dump({"source": "statsmodels %s: smf.logit('died ~ year + income + bmi + C(edu)', register.csv)" % statsmodels.__version__,
               "names": [names.get(k, k) for k in fit.params.index], "coefficients": list(map(float, fit.params.values)),
               "nobs": int(fit.nobs), "llf": float(fit.llf)}, f, indent=1)

# A person-year panel for the CLI tests (Tests/DiDKitTests/RegisterFileCommandTests.swift): the demo
# register of `didkit generate --persons 500 --seed 5` (DemoRegister(persons: 500, seed: 5)) as a
# Stata 118 file. Needs the didkit binary: DIDKIT=path/to/didkit (default: the debug build).
didkit = os.environ.get("DIDKIT", "../../../.build/debug/didkit")
if os.path.exists(didkit):
    subprocess.run([didkit, "generate", "--persons", "500", "--seed", "5", "--out", "/tmp/didkit-demo-panel.csv"], check=True)
    panel = pd.read_csv("/tmp/didkit-demo-panel.csv")
    for column in panel.columns[panel.dtypes == "int64"]:  # byte/int/long as Stata's compress would store them
        panel[column] = pd.to_numeric(panel[column], downcast="integer")
    panel.to_stata("demo_panel.dta", write_index=False, version=118)
else:
    print(f"{didkit} not found: demo_panel.dta not rewritten")
