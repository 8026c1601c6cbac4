#!/usr/bin/env python3
"""Peer comparison for the staggered-adoption estimators (issues #16 and #17).

`didkit attgt` (Callaway & Sant'Anna group-time ATTs) is compared with the
Python ports of R `did` -- moderndid, csdid and differences -- and `didkit etwfe
--family logit` (Wooldridge's extended TWFE logit) with pyfixest's `feglm`.

Every tool runs once, in its own process, on the same register CSV (columns
pnr = text id such as P0000001, year, start_year = first treated year or
empty/NA for never treated, leisure_job = 0/1 outcome, time-invariant
covariates). Each peer prints one JSON line
    {"seconds": fit time, "read_seconds": CSV read + conversion, "cells": [...]}
(or "coef" for pyfixest), and this script reports wall time and peak RSS
(os.wait4), and the largest absolute difference to DiDKit over the common cells.

Conventions used for the comparison (all as R did::att_gt defaults):
  est_method "dr", control group never treated, varying base period, no
  bootstrap (analytic influence-function SEs, clustered by the unit only),
  covariates as xformla = ~ x1 + x2 ... (base-period values; the covariates
  used here are time-invariant, so base-, first-period and any-period values
  coincide).
DiDKit reports a 0/1 outcome in percentage points; the parsers divide by 100.

Usage:
  python staggered_peers.py --data FILE --covariates a,b,c
         [--tools moderndid,csdid,differences,pyfixest] [--timeout 1800]
         [--didkit PATH] [--json OUT]
"""

import argparse
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
VENV_PY = os.path.join(HERE, ".venv", "bin", "python")
DIDKIT = os.path.normpath(os.path.join(HERE, "..", "..", ".build", "release", "didkit"))

ID, TIME, OUTCOME, GROUP = "pnr", "year", "leisure_job", "start_year"
ATTGT_TOOLS = ("moderndid", "csdid", "differences")
ALL_TOOLS = ATTGT_TOOLS + ("pyfixest",)
# DiDKit prints the effects on a 0/1 outcome in percentage points.
PERCENT = 100.0

# ---------------------------------------------------------------------------
# Peer programs (run with the venv python as `python -c CODE tool path covs`).
# ---------------------------------------------------------------------------

_READ = r'''
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np, pandas as pd
tool, path = sys.argv[1], sys.argv[2]
covs = [c for c in sys.argv[3].split(",") if c] if len(sys.argv) > 3 else []
t0 = time.perf_counter()
df = pd.read_csv(path, usecols=["pnr", "year", "start_year", "leisure_job"] + covs,
                 na_values=["NA", "."], keep_default_na=True)
# Integer ids (P0000001 -> 1): every port needs a numeric id.
df["pnr"] = df["pnr"].astype(str).str.lstrip("P").astype(np.int64)
df["year"] = df["year"].astype(np.int64)
df["leisure_job"] = df["leisure_job"].astype(float)
for c in covs:
    df[c] = df[c].astype(float)
'''

ATTGT_CODE = _READ + r'''
if tool in ("moderndid", "csdid"):
    # R did convention: never treated = 0.
    df["start_year"] = df["start_year"].fillna(0).astype(np.int64)
elif tool == "differences":
    # differences refuses 0 and wants NaN for the never treated, data indexed (entity, time).
    df = df.set_index(["pnr", "year"]).sort_index()
t_read = time.perf_counter() - t0
rhs = " + ".join(covs) if covs else "1"
t1 = time.perf_counter()
if tool == "moderndid":
    from moderndid import att_gt
    r = att_gt(data=df, yname="leisure_job", tname="year", idname="pnr", gname="start_year",
               xformla="~ " + rhs, est_method="dr", control_group="nevertreated",
               base_period="varying", boot=False, cband=False)
    cells = [(int(g), int(t), float(a), float(s))
             for g, t, a, s in zip(r.groups, r.times, r.att_gt, r.se_gt)]
elif tool == "csdid":
    from csdid.att_gt import ATTgt
    m = ATTgt(yname="leisure_job", tname="year", idname="pnr", gname="start_year", data=df,
              control_group="nevertreated", xformla="leisure_job ~ " + rhs, cband=False)
    m.fit(est_method="dr", base_period="varying", bstrap=False)
    r = m.results
    cells = [(int(g), int(t), float(a), float(s))
             for g, t, a, s in zip(r["group"], r["year"], r["att"], r["se"])]
elif tool == "differences":
    from differences import ATTgt
    m = ATTgt(data=df, cohort_column="start_year", base_period="varying")
    fml = "leisure_job ~ " + rhs if covs else "leisure_job"
    m.fit(formula=fml, est_method="dr", control_group="never_treated",
          base_delta="base", boot_iterations=0, progress_bar=False)
    res = m.results(to_dataframe=True)
    res.columns = [c[-1] if isinstance(c, tuple) else c for c in res.columns]
    res = res.reset_index()
    gcol = [c for c in res.columns if "cohort" in str(c).lower()][0]
    tcol = [c for c in res.columns if str(c).lower() in ("time", "year")][0]
    cells = [(int(g), int(t), float(a), float(s))
             for g, t, a, s in zip(res[gcol], res[tcol], res["ATT"], res["std_error"])]
else:
    raise SystemExit("unknown tool " + tool)
fit = time.perf_counter() - t1
print(json.dumps({"seconds": fit, "read_seconds": t_read,
                  "cells": [{"group": g, "time": t, "att": a, "se": s} for g, t, a, s in cells]}))
'''

ETWFE_CODE = _READ + r'''
# R etwfe design (not-yet-treated control, the default): one treatment dummy per
# treated cohort g and period t >= g (.Dtreat x cohort x period), cohort and year
# fixed effects, never treated cohort = 0; cluster by the unit.
df["cohort"] = df["start_year"].fillna(0).astype(np.int64)
names = []
for g in sorted(c for c in df["cohort"].unique() if c > 0):
    for t in sorted(y for y in df["year"].unique() if y >= g):
        n = "d_%d_%d" % (g, t)
        df[n] = ((df["cohort"] == g) & (df["year"] == t)).astype(float)
        names.append((n, g, t))
t_read = time.perf_counter() - t0
import pyfixest as pf
t1 = time.perf_counter()
rhs = " + ".join(n for n, _, _ in names)
# Small-sample factor G/(G-1) only, as Stata's `logit, vce(cluster)` and DiDKit
# (pyfixest's default, like R fixest's, also multiplies by (N-1)/(N-K)).
# pyfixest's memory options (no copy of the data frame, no stored data, lean result: the same
# estimates and SEs): with the defaults it ran out of memory at 1.5M persons on a 24 GB machine,
# with these it peaks at 19.4 GB there.
fit = pf.feglm("leisure_job ~ " + rhs + " | cohort + year", data=df, family="logit",
               vcov={"CRV1": "pnr"}, ssc=pf.ssc(k_adj=False, G_adj=True),
               copy_data=False, store_data=False, lean=True)
b, se = fit.coef(), fit.se()
seconds = time.perf_counter() - t1
print(json.dumps({"seconds": seconds, "read_seconds": t_read,
                  "coef": {"g=%d,t=%d" % (g, t): float(b[n]) for n, g, t in names},
                  "se": {"g=%d,t=%d" % (g, t): float(se[n]) for n, g, t in names}}))
'''


def attgt_peer_command(tool, path, covariates):
    """The command that fits ATT(g,t) (DR, never treated, varying base, analytic SEs) with `tool`."""
    if tool not in ATTGT_TOOLS:
        raise ValueError(f"attgt peer must be one of {', '.join(ATTGT_TOOLS)}, not {tool!r}")
    return [VENV_PY, "-c", ATTGT_CODE, tool, path, ",".join(covariates)]


def etwfe_peer_command(path):
    """pyfixest feglm logit on the ETWFE design without covariates (cohort x period
    dummies for t >= g | cohort + year), clustered by pnr with G/(G-1)."""
    return [VENV_PY, "-c", ETWFE_CODE, "pyfixest", path, ""]


def didkit_attgt_command(didkit, path, covariates):
    cmd = [didkit, "attgt", "--data", path, "--id", ID, "--time", TIME, "--outcome", OUTCOME,
           "--group", GROUP]
    if covariates:
        cmd += ["--covariates", ",".join(covariates)]
    return cmd + ["--method", "dr", "--format", "json", "--timing"]


def didkit_etwfe_command(didkit, path):
    return [didkit, "etwfe", "--data", path, "--id", ID, "--time", TIME, "--outcome", OUTCOME,
            "--group", GROUP, "--family", "logit", "--format", "json", "--timing"]


def _number(x):
    return None if x is None else float(x)


def parse_didkit_attgt(stdout, scale=PERCENT):
    """{(g, t): (att, se)} on the probability scale (DiDKit's percentage points / `scale`).
    Suppressed cells (null) are kept as None so that they are counted, not compared."""
    out = {}
    for row in json.loads(stdout)["attgt"]:
        a, s = _number(row.get("att")), _number(row.get("standardError"))
        out[(int(row["group"]), int(row["time"]))] = (
            None if a is None else a / scale, None if s is None else s / scale)
    return out


def parse_didkit_etwfe(stdout, level=0.95):
    """{(g, t): (coefficient, se)} on the log-odds scale: log of the cell's odds ratio
    (exp of its cohort x period coefficient, per the CLI contract); the SE is recovered
    from the odds-ratio interval, (log U - log L) / (2 z), which is exact because the
    interval is exp(b -+ z se)."""
    from statistics import NormalDist
    z = NormalDist().inv_cdf(0.5 + level / 2)
    out = {}
    for row in json.loads(stdout)["attgt"]:
        orr, lo, hi = (_number(row.get(k)) for k in ("oddsRatio", "oddsRatioCILower", "oddsRatioCIUpper"))
        b = math.log(orr) if orr else None
        se = (math.log(hi) - math.log(lo)) / (2 * z) if lo and hi else None
        out[(int(row["group"]), int(row["time"]))] = (b, se)
    return out


def parse_peer(stdout):
    """The peer's JSON line -> (fit seconds, read seconds, {(g, t): (value, se)})."""
    line = [l for l in stdout.strip().splitlines() if l.startswith("{")][-1]
    d = json.loads(line)
    if "cells" in d:
        cells = {(c["group"], c["time"]): (c["att"], c["se"]) for c in d["cells"]}
    else:
        cells = {}
        for k, b in d["coef"].items():
            g, t = (int(p.split("=")[1]) for p in k.split(","))
            cells[(g, t)] = (b, d.get("se", {}).get(k))
    return d["seconds"], d["read_seconds"], cells


def measured(cmd, env=None, timeout=None):
    """Runs cmd in its own process: (stdout, stderr, wall seconds, peak RSS MB from wait4).
    Raises RuntimeError (with the last line of stderr, the signal, or the timeout) if it fails.
    (compare.py's helper, plus a timeout that kills the process group.)"""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env, start_new_session=True)
        timed_out = False
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if timeout is not None and time.perf_counter() - start > timeout:
                timed_out = True
                os.killpg(p.pid, signal.SIGKILL)
                _, status, usage = os.wait4(p.pid, 0)
                break
            time.sleep(0.05)
        p.returncode = status
        wall = time.perf_counter() - start
        out.seek(0); err.seek(0)
        o, e = out.read(), err.read()
    if timed_out:
        raise RuntimeError(f"timed out after {timeout:.0f} s")
    if status != 0:
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
        last = e.strip().splitlines()[-1][:300] if e.strip() else ""
        raise RuntimeError(f"killed by signal {sig} (out of memory?)" if sig else f"{os.path.basename(cmd[0])}: {last}")
    return o, e, wall, usage.ru_maxrss / 1024.0


def didkit_seconds(stderr, phases):
    """Sum of the named phases of DiDKit's `didkit-timing` line (stderr)."""
    for line in stderr.splitlines():
        if line.startswith("didkit-timing"):
            kv = dict(p.split("=", 1) for p in line.split()[1:] if "=" in p)
            return sum(float(kv[k]) for k in phases if k in kv), float(kv.get("read", "nan"))
    return float("nan"), float("nan")


def compare_cells(ref, peer):
    """(max |value diff|, max |se diff|, cells compared, cells only in one side)."""
    common = [k for k in ref if k in peer and ref[k][0] is not None and peer[k][0] is not None
              and math.isfinite(peer[k][0])]
    dv = max((abs(ref[k][0] - peer[k][0]) for k in common), default=float("nan"))
    ds = [abs(ref[k][1] - peer[k][1]) for k in common
          if ref[k][1] is not None and peer[k][1] is not None and math.isfinite(peer[k][1])]
    unmatched = len(set(ref) ^ set(peer))
    return dv, max(ds, default=float("nan")), len(common), unmatched


def run(data, covariates, tools, timeout, didkit):
    rows = []
    jobs = []
    if any(t in ATTGT_TOOLS for t in tools):
        jobs.append(("didkit attgt", didkit_attgt_command(didkit, data, covariates), "attgt"))
        jobs += [(t, attgt_peer_command(t, data, covariates), "attgt") for t in tools if t in ATTGT_TOOLS]
    if "pyfixest" in tools:
        jobs.append(("didkit etwfe", didkit_etwfe_command(didkit, data), "etwfe"))
        jobs.append(("pyfixest", etwfe_peer_command(data), "etwfe"))
    refs = {}
    for name, cmd, kind in jobs:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        row = {"tool": name, "kind": kind, "command": cmd}
        try:
            o, e, wall, rss = measured(cmd, timeout=timeout)
            row.update(wall=wall, rss_mb=rss)
            if name.startswith("didkit"):
                cells = parse_didkit_attgt(o) if kind == "attgt" else parse_didkit_etwfe(o)
                phases = ("panel", "estimate") if kind == "attgt" else ("fit", "effects")
                row["seconds"], row["read_seconds"] = didkit_seconds(e, phases)
                refs[kind] = cells
                row.update(cells=len(cells))
            else:
                row["seconds"], row["read_seconds"], cells = parse_peer(o)
                ref = refs.get(kind)
                if ref is None:
                    row["error"] = "no DiDKit reference to compare with"
                else:
                    dv, ds, n, unmatched = compare_cells(ref, cells)
                    row.update(max_diff=dv, max_se_diff=ds, cells=n, unmatched=unmatched)
                row["peer_cells"] = {f"{g},{t}": v for (g, t), v in cells.items()}
        except Exception as exc:  # a failing peer is reported, not fatal
            row["error"] = str(exc)
        rows.append(row)
    return rows


def print_table(rows):
    head = f"{'tool':<14} {'fit s':>8} {'vs didkit':>9} {'wall s':>8} {'RSS MB':>8} {'max|dATT|':>11} {'max|dSE|':>11} {'cells':>6}"
    print(head)
    print("-" * len(head))
    base = {r["kind"]: r.get("seconds") for r in rows if r["tool"].startswith("didkit") and r.get("seconds")}
    for r in rows:
        if "error" in r and "wall" not in r:
            print(f"{r['tool']:<14} FAILED: {r['error']}")
            continue
        f = lambda k: f"{r[k]:11.2e}" if isinstance(r.get(k), float) and math.isfinite(r[k]) else f"{'-':>11}"
        cells = r.get("cells", "-")
        extra = f"  ({r['unmatched']} cells in one tool only)" if r.get("unmatched") else ""
        extra += f"  {r['error']}" if r.get("error") else ""
        ratio = r.get("seconds", float("nan")) / base[r["kind"]] if base.get(r["kind"]) else float("nan")
        print(f"{r['tool']:<14} {r.get('seconds', float('nan')):8.2f} {ratio:9.1f} {r['wall']:8.2f} {r['rss_mb']:8.0f} "
              f"{f('max_diff')} {f('max_se_diff')} {cells:>6}{extra}")
    print("(attgt rows: ATT and SE differences on the probability scale vs `didkit attgt`; "
          "pyfixest: log-odds coefficients and their SEs vs log(oddsRatio) of `didkit etwfe`)")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--covariates", default="")
    ap.add_argument("--tools", default=",".join(ALL_TOOLS))
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--didkit", default=DIDKIT)
    ap.add_argument("--json", help="also write the rows (with every peer cell) to this file")
    a = ap.parse_args(argv)
    covs = [c for c in a.covariates.split(",") if c]
    tools = [t for t in a.tools.split(",") if t]
    bad = [t for t in tools if t not in ALL_TOOLS]
    if bad:
        ap.error(f"unknown tool(s) {', '.join(bad)}; choose from {', '.join(ALL_TOOLS)}")
    rows = run(os.path.abspath(a.data), covs, tools, a.timeout, a.didkit)
    print_table(rows)
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(rows, fh, indent=1, default=str)


if __name__ == "__main__":
    main()
