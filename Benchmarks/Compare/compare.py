#!/usr/bin/env python3
"""DiDKit against its peers on the same synthetic registers, in one run.

    python3 Benchmarks/Compare/compare.py [--sizes 15000,150000,1500000] [--repeats 3]
                                          [--end-to-end 6000000]

What it does (all from the repository root):
1. builds `didkit` in release mode and generates the registers with the demo's
   own generator (`didkit generate`), one file per size (persons x 9 years)
   plus the 2010 cross-section used for the propensity model;
2. creates a virtual environment (Benchmarks/Compare/.venv) with statsmodels,
   scikit-learn and pandas; R's glm is used when Rscript is installed;
3. for each task runs DiDKit and the peers on the same file, A/B interleaved,
   `--repeats` times, each run in its own process (peak RSS from wait4);
   prints medians, ratios against DiDKit and peak RSS, and checks that every
   peer's coefficients agree with DiDKit's (max |difference| printed);
4. measures the machine's read bandwidth and prints each DiDKit IRLS
   iteration against the one-read-of-the-design bound;
5. with `--end-to-end N`, times the whole study (`didkit run` on the
   reference study file pointed at the N-person register: CSV in, propensity
   model, matching, panel, two DiD logits, report out) with its peak RSS. No
   peer runs this pipeline in one program, so this row has no ratio; the
   whole-country target is N = 6,000,000 in under 60 s and 12 GB.

Timings are of the estimation step only (data already in memory, design
built), except the CSV task, which times reading. DiDKit reports its phases
with `--timing`.
"""
import argparse, json, os, shutil, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(ROOT, "Benchmarks", "Compare")
DATA = os.path.join(HERE, "data")
VENV = os.path.join(HERE, ".venv")
DIDKIT = os.path.join(ROOT, ".build", "release", "didkit")

PS_NUMERIC = ["age", "male", "nonwestern", "mother_young", "father_young", "mother_24_30", "couple", "no_father", "children",
              "father_employed", "mother_employed", "father_benefit_weeks", "mother_benefit_weeks", "income", "gp",
              "specialist", "physio"]
PS_FACTORS = ["father_edu", "mother_edu"]
DID_CONTROLS = ["male", "age", "age2", "nonwestern", "couple", "no_father", "children", "father_vocational", "mother_vocational",
                "income", "gp", "specialist", "physio", "psychologist", "mother_young", "father_young", "mother_24_30",
                "father_employed", "mother_employed", "father_benefit_weeks", "mother_benefit_weeks"]
DID_FACTORS = ["municipality"]
 # father_edu would duplicate father_vocational (collinear)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)


def timed(cmd, env=None):
    """Runs cmd; returns (stdout, stderr, wall seconds)."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    out, err = p.communicate()
    wall = time.perf_counter() - start
    if p.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {err.strip()[:500]}")
    return out, err, wall


def rss_of(cmd):
    """Peak RSS (MB) of a command, via /usr/bin/time-like wait4."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(p.pid, 0)
    return usage.ru_maxrss / 1024.0


def setup_venv():
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([py, "-m", "pip", "install", "-q", "statsmodels", "scikit-learn", "pandas", "numpy"], check=True)
    return py


PEER = r'''
import json, sys, time, resource
import numpy as np, pandas as pd
task, tool, path = sys.argv[1], sys.argv[2], sys.argv[3]
spec = json.loads(sys.argv[4])
t0 = time.perf_counter()
df = pd.read_csv(path, na_values=["NA", "."])
t_read = time.perf_counter() - t0
if task == "csv":
    print(json.dumps({"seconds": t_read, "rows": len(df)})); sys.exit()
if task == "ps":
    df = df.dropna(subset=spec["numeric"] + spec["factors"] + ["participant"])
    X = df[spec["numeric"]].astype(float)
    for f in spec["factors"]:
        d = pd.get_dummies(df[f].astype(int), prefix=f, prefix_sep="=", dtype=float)
        X = pd.concat([X, d.iloc[:, 1:]], axis=1)
    y = df["participant"].to_numpy(float)
else:  # did
    start = df["start_year"].fillna(2014)
    e = df["year"] - start
    keep = (e >= -3) & (e <= 1)
    df, e = df[keep], e[keep]
    df = df.dropna(subset=spec["numeric"] + spec["factors"] + ["leisure_job"])
    e = e.loc[df.index]
    tr = df["participant"].to_numpy(float)
    cols = {"treated": tr}
    for ev in [-3, -2, 0, 1]:
        cols[f"event={ev}"] = (e.to_numpy() == ev).astype(float)
    for ev in [-3, -2, 0, 1]:
        cols[f"treated:event={ev}"] = tr * (e.to_numpy() == ev)
    X = pd.DataFrame(cols, index=df.index)
    X = pd.concat([X, df[spec["numeric"]].astype(float)], axis=1)
    for f in spec["factors"]:
        d = pd.get_dummies(df[f].astype(int), prefix=f, prefix_sep="=", dtype=float)
        X = pd.concat([X, d.iloc[:, 1:]], axis=1)
    y = df["leisure_job"].to_numpy(float)
names = list(X.columns) + ["_cons"]
Xn = np.column_stack([X.to_numpy(float), np.ones(len(X))])
t0 = time.perf_counter()
if tool == "statsmodels":
    import statsmodels.api as sm
    r = sm.Logit(y, Xn).fit(method="newton", disp=0, tol=1e-8, maxiter=100)
    coef, it = r.params, r.mle_retvals["iterations"]
elif tool == "sklearn":
    from sklearn.linear_model import LogisticRegression
    m = LogisticRegression(solver="newton-cholesky", penalty=None, fit_intercept=False, max_iter=100, tol=1e-8).fit(Xn, y)
    coef, it = m.coef_[0], int(m.n_iter_[0])
fit = time.perf_counter() - t0
print(json.dumps({"seconds": fit, "iterations": int(it), "names": names, "coef": [float(c) for c in coef],
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
'''


def didkit_ps(path):
    cmd = [DIDKIT, "logit", "--data", path, "--outcome", "participant", "--covariates", ",".join(PS_NUMERIC + PS_FACTORS),
           "--factors", ",".join(PS_FACTORS), "--format", "json", "--timing"]
    return cmd


def didkit_did(path):
    return [DIDKIT, "did", "--data", path, "--id", "pnr", "--time", "year", "--outcome", "leisure_job", "--treatment", "participant",
            "--start", "start_year", "--pseudo-start", "2014", "--window=-3:1", "--reference=-1", "--vce", "oim",
            "--controls", ",".join(DID_CONTROLS), "--factors", ",".join(DID_FACTORS), "--format", "json", "--timing"]


def parse_timing(err):
    line = [l for l in err.splitlines() if l.startswith("didkit-timing")][-1]
    return dict(kv.split("=") for kv in line.split()[1:])


def bandwidth_gbs(py):
    code = "import numpy as np,time\na=np.ones(400_000_000//8)\nts=[]\nfor _ in range(7):\n t=time.perf_counter(); a.sum(); ts.append(time.perf_counter()-t)\nprint(a.nbytes/min(ts)/1e9)"
    return float(sh([py, "-c", code]).stdout)


def ensure_register(n, baseline):
    """The n-person register (and its 2010 cross-section), generated once."""
    reg = os.path.join(DATA, f"register-{n}.csv")
    base = os.path.join(DATA, f"baseline-{n}.csv")
    if not os.path.exists(reg):
        sh([DIDKIT, "generate", "--persons", str(n), "--out", reg])
    if baseline and not os.path.exists(base):
        sh([DIDKIT, "generate", "--persons", str(n), "--year", "2010", "--out", base])
    return reg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="15000,150000,1500000")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--end-to-end", default="", help="sizes for the whole-study run, e.g. 6000000")
    args = ap.parse_args()
    os.makedirs(DATA, exist_ok=True)
    print("building didkit (release)...", flush=True)
    subprocess.run(["swift", "build", "-c", "release", "--product", "didkit"], cwd=ROOT, check=True, capture_output=True)
    py = setup_venv()
    bw = bandwidth_gbs(py)
    print(f"machine: {os.cpu_count()} cores; single-process read bandwidth {bw:.1f} GB/s (numpy sum)")
    rows = []
    for n in [int(s) for s in args.end_to_end.split(",") if s]:
        reg = ensure_register(n, baseline=False)
        study = json.load(open(os.path.join(ROOT, "Docs", "examples", "reference-study.json")))
        study["data"] = reg
        study_path = os.path.join(DATA, f"study-{n}.json")
        json.dump(study, open(study_path, "w"), indent=1)
        cmd = [DIDKIT, "run", study_path, "--out", os.path.join(DATA, f"report-{n}"), "--format", "json"]
        walls, peaks = [], []
        for _ in range(args.repeats):
            start = time.perf_counter()
            p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(p.pid, 0)
            walls.append(time.perf_counter() - start)
            peaks.append(usage.ru_maxrss / 1024)
            if status != 0:
                raise RuntimeError(f"didkit run failed on {study_path}")
        rows.append((n, "study", "didkit", statistics.median(walls), 1.0, max(peaks), "",
                     f"end to end, {os.path.getsize(reg) / 1e9:.2f} GB CSV; runs {', '.join(f'{w:.1f}' for w in walls)} s"))
    for n in [int(s) for s in args.sizes.split(",") if s]:
        reg = ensure_register(n, baseline=True)
        base = os.path.join(DATA, f"baseline-{n}.csv")
        size_mb = os.path.getsize(reg) / 1e6
        for task, path, dk in [("ps", base, didkit_ps(base)), ("did", reg, didkit_did(reg)), ("csv", reg, None)]:
            spec = {"numeric": PS_NUMERIC if task == "ps" else DID_CONTROLS, "factors": PS_FACTORS if task == "ps" else DID_FACTORS}
            tools = ["didkit", "statsmodels", "sklearn"] if task != "csv" else ["didkit", "pandas"]
            times = {t: [] for t in tools}
            coefs, iters, rss, extra = {}, {}, {}, {}
            for rep in range(args.repeats):
                for tool in (tools if rep % 2 == 0 else list(reversed(tools))):
                    if tool == "didkit":
                        # CSV task: `didkit read` parses every column, as pandas does.
                        cmd = dk if dk else [DIDKIT, "read", "--data", path, "--timing"]
                        out, err, _ = timed(cmd)
                        tm = parse_timing(err)
                        times[tool].append(float(tm["read"]) if task == "csv" else float(tm["fit"]))
                        if task != "csv":
                            doc = json.loads(out)
                            coefs[tool] = {t["name"]: t["coefficient"] for t in doc["terms"]}
                            iters[tool] = doc["iterations"]
                            extra = tm
                        if rep == 0:
                            rss[tool] = rss_of(cmd)
                    else:
                        peer_task = "csv" if tool == "pandas" else task
                        out, _, _ = timed([py, "-c", PEER, peer_task, tool, path, json.dumps(spec)])
                        r = json.loads(out)
                        times[tool].append(r["seconds"])
                        if task != "csv":
                            coefs[tool] = dict(zip(r["names"], r["coef"]))
                            iters[tool] = r["iterations"]
                        if rep == 0:
                            rss[tool] = rss_of([py, "-c", PEER, peer_task, tool, path, json.dumps(spec)])
            med = {t: statistics.median(v) for t, v in times.items()}
            for t in tools:
                diff = ""
                if task != "csv" and t != "didkit":
                    common = set(coefs[t]) & set(coefs["didkit"])
                    diff = f"{max(abs(coefs[t][k] - coefs['didkit'][k]) for k in common):.1e} on {len(common)} coefs"
                rate = f" ({size_mb / med[t]:.0f} MB/s)" if task == "csv" else ""
                rows.append((n, task, t, med[t], med[t] / med["didkit"], rss.get(t, float("nan")), iters.get(t, ""), diff + rate))
            if task != "csv" and extra:
                r_, c_ = int(extra["rows"].split("=")[-1]) if "rows" in extra else 0, int(extra.get("columns", "0"))
                it = int(extra.get("iterations", "1"))
                bound = r_ * c_ * 8 / (bw * 1e9)
                per_it = med["didkit"] / (it + 2)
                rows.append((n, task, "bound", bound, per_it / bound if bound else float("nan"), float("nan"), "",
                             f"{r_} x {c_} design: one read {bound * 1000:.1f} ms; DiDKit per pass {per_it * 1000:.1f} ms"))
    print()
    print(f"{'persons':>9} {'task':>5} {'tool':>12} {'median s':>9} {'vs didkit':>9} {'peak MB':>8} {'iter':>5}  agreement / notes")
    for n, task, t, m, ratio, r, it, note in rows:
        print(f"{n:>9} {task:>5} {t:>12} {m:>9.3f} {ratio:>9.2f} {r:>8.0f} {str(it):>5}  {note}")


if __name__ == "__main__":
    main()
