#!/usr/bin/env python3
"""DiDKit against its peers on the same synthetic registers, in one run.

    python3 Benchmarks/Compare/compare.py [--sizes 15000,150000,1500000] [--repeats 3]
                                          [--end-to-end 6000000]

What it does (all from the repository root):
1. builds `didkit` in release mode and generates the registers with the demo's
   own generator (`didkit generate`), one file per size (persons x 9 years)
   plus the 2010 cross-section used for the propensity model;
2. creates a virtual environment (Benchmarks/Compare/.venv) with statsmodels,
   scikit-learn and pandas; when Rscript is installed with data.table and
   MatchIt (Debian: r-base-core r-cran-data.table r-cran-matchit), R's glm,
   data.table's fread and MatchIt run too (peers.R);
3. for each task runs DiDKit and the peers on the same file, A/B interleaved,
   `--repeats` times, each run in its own process (peak RSS from wait4);
   prints medians, ratios against DiDKit and peak RSS, and checks that every
   peer's coefficients agree with DiDKit's (max |difference| printed);
4. measures the machine's read bandwidth and prints each DiDKit IRLS
   iteration against the one-read-of-the-design bound;
5. with `--staggered N,...`, runs staggered_peers.py: `didkit attgt` (DR with
   covariates) against Python moderndid, csdid and differences, and `didkit etwfe`
   (logit) against pyfixest's feglm, printing fit times, ratios and agreement; with
   `--country N`, DiDKit alone at whole-country size (attgt with a 999-draw
   bootstrap, etwfe), wall time and peak RSS;
6. with `--end-to-end N`, times the whole study (`didkit run` on the
   reference study file pointed at the N-person register: CSV in, propensity
   model, matching, panel, two DiD logits, report out) with its peak RSS. No
   peer runs this pipeline in one program, so this row has no ratio; the
   whole-country target is N = 6,000,000 in under 20 s and 6 GB (issue #20). Beside
   each run it times polars' `read_csv` of the same file (the read alone) in the same
   rounds, alternating, and prints DiDKit's study time over polars' read time per
   round (issue #20: at most 0.6 at 1.5M persons) and whether polars read every row.

Timings are of the estimation step only (data already in memory, design
built), except the CSV task, which times reading, and the match task, which
times the score model, the matching (and, for DiDKit, the balance table).
DiDKit reports its phases with `--timing`. A peer that fails (out of memory,
say) is reported as failed; the run goes on.
"""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, time

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


MATCH_CALIPER = 0.01  # score units, as in the reference study


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)


def measured(cmd, env=None):
    """Runs cmd in its own process: (stdout, stderr, wall seconds, peak RSS MB from wait4).
    Raises RuntimeError (with the last line of stderr, or the signal) if it fails."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0); err.seek(0)
        o, e = out.read(), err.read()
    if status != 0:
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
        last = e.strip().splitlines()[-1][:300] if e.strip() else ""
        raise RuntimeError(f"killed by signal {sig} (out of memory?)" if sig else f"{os.path.basename(cmd[0])}: {last}")
    return o, e, wall, usage.ru_maxrss / 1024.0


def setup_venv():
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([py, "-m", "pip", "install", "-q", "statsmodels", "scikit-learn", "pandas", "numpy", "polars",
                        "pyfixest", "csdid", "differences", "moderndid"], check=True)
    return py


PEER = r'''
import json, sys, time
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
print(json.dumps({"seconds": fit, "iterations": int(it), "names": names, "coef": [float(c) for c in coef]}))
'''


def didkit_ps(path):
    cmd = [DIDKIT, "logit", "--data", path, "--outcome", "participant", "--covariates", ",".join(PS_NUMERIC + PS_FACTORS),
           "--factors", ",".join(PS_FACTORS), "--format", "json", "--timing"]
    return cmd


def didkit_did(path):
    return [DIDKIT, "did", "--data", path, "--id", "pnr", "--time", "year", "--outcome", "leisure_job", "--treatment", "participant",
            "--start", "start_year", "--pseudo-start", "2014", "--window=-3:1", "--reference=-1", "--vce", "oim",
            "--controls", ",".join(DID_CONTROLS), "--factors", ",".join(DID_FACTORS), "--format", "json", "--timing"]


def didkit_match(path, pairs_out):
    return [DIDKIT, "match", "--data", path, "--id", "pnr", "--treatment", "participant",
            "--covariates", ",".join(PS_NUMERIC + PS_FACTORS), "--factors", ",".join(PS_FACTORS), "--preset", "matchit",
            "--caliper", str(MATCH_CALIPER), "--caliper-scale", "score", "--format", "json", "--timing",
            "--pairs-out", pairs_out]


def didkit_command(task, path, pairs_out):
    """DiDKit's command for a task; `read` parses every column, as pandas and fread do."""
    if task == "ps":
        return didkit_ps(path)
    if task == "did":
        return didkit_did(path)
    if task == "match":
        return didkit_match(path, pairs_out)
    return [DIDKIT, "read", "--data", path, "--timing"]  # csv, csv10


def r_peers():
    """The R peers installed: {"rglm", "fread", "matchit"} or fewer."""
    if not shutil.which("Rscript"):
        return set()
    have = {"rglm"}
    for pkg, tool in [("data.table", "fread"), ("MatchIt", "matchit")]:
        ok = subprocess.run(["Rscript", "-e", f"library({pkg})"], capture_output=True).returncode == 0
        if ok:
            have.add(tool)
    return have if "fread" in have else set()  # peers.R reads every file with fread


def mem_available_gb():
    for line in open("/proc/meminfo"):
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024 ** 2
    return float("inf")


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


def peer_command(tool, task, path, spec, py, pairs_out):
    """The command and environment of one peer run."""
    if tool in ("statsmodels", "sklearn", "pandas"):
        return [py, "-c", PEER, task, tool, path, json.dumps(spec)], None
    # R (glm / fread / MatchIt) via peers.R, the spec in a file.
    spec_path = os.path.join(DATA, f"spec-{task}.json")
    json.dump(spec, open(spec_path, "w"))
    cmd = ["Rscript", os.path.join(HERE, "peers.R"), task, path, spec_path] + ([pairs_out] if task == "match" else [])
    # R's glm.fit with OpenBLAS threads ran 4.8x slower (150k ps: 3.99 s vs
    # 0.83 s, threads spinning in the kernel), so R gets its fastest setting.
    return cmd, dict(os.environ, OPENBLAS_NUM_THREADS="1")


def read_pairs(path):
    if path.endswith(".csv"):
        rows = open(path).read().splitlines()[1:]
        return {f"{r.split(',')[0]}>{r.split(',')[1]}" for r in rows if r}
    return set(open(path).read().split())


def ensure_decimal_file(py):
    """The issue's CSV shape: 1M rows x 10 decimal columns (about 95 MB), numpy seed 1,
    values N(0, 100^2) written with 5 decimals. Not a register: it measures the reader
    on decimal fields, where the registers are mostly small integers."""
    path = os.path.join(DATA, "decimals-1000000x10.csv")
    if not os.path.exists(path):
        code = ("import numpy as np,sys\nX=np.random.default_rng(1).normal(size=(1_000_000,10))*100\n"
                "np.savetxt(sys.argv[1],X,fmt='%.5f',delimiter=',',header=','.join(f'x{i}' for i in range(10)),comments='')")
        sh([py, "-c", code, path])
    return path


STAGGERED_COVARIATES = ["male", "nonwestern", "couple", "children", "father_employed", "mother_employed"]
# Issue #17's "three baseline covariates fully interacted" whole-country run.
ETWFE_COVARIATES = ["male", "nonwestern", "couple"]


def staggered_runs(args, rows):
    """`--staggered` (DiDKit and the peers, staggered_peers.py's table per size) and `--country` (DiDKit alone)."""
    import staggered_peers as sp
    for n in [int(v) for v in args.staggered.split(",") if v]:
        reg = ensure_register(n, baseline=False)
        print(f"staggered adoption, {n} persons:", flush=True)
        sp.print_table(sp.run(reg, STAGGERED_COVARIATES, args.staggered_tools.split(","), 3600, DIDKIT))
    for n in [int(v) for v in args.country.split(",") if v]:
        reg = ensure_register(n, baseline=False)
        jobs = [("attgt", sp.didkit_attgt_command(DIDKIT, reg, STAGGERED_COVARIATES) + ["--bootstrap", "999"],
                 "DR, 6 covariates, 999-draw multiplier bootstrap"),
                ("etwfe", sp.didkit_etwfe_command(DIDKIT, reg), "logit, no covariates, clustered SEs"),
                ("etwfe", sp.didkit_etwfe_command(DIDKIT, reg) + ["--covariates", ",".join(ETWFE_COVARIATES)],
                 "logit, 3 covariates fully interacted, clustered SEs")]
        for task, cmd, what in jobs:
            _, err, wall, peak = measured(cmd)
            phases = " ".join(f"{k}={float(v):.1f}" for k, v in parse_timing(err).items() if k in ("read", "panel", "estimate", "fit", "effects", "tables"))
            rows.append((n, task, "didkit", wall, 1.0, peak, "", f"{what}; {phases}"))


POLARS_READ = r'''
import json, sys, time
import polars as pl
t0 = time.perf_counter()
df = pl.read_csv(sys.argv[1], null_values=["NA", "."], infer_schema_length=10000)
print(json.dumps({"seconds": time.perf_counter() - t0, "rows": df.height}))
'''


def data_lines(path):
    """The number of data rows of a CSV written by `didkit generate` (lines after the header)."""
    count = 0
    with open(path, "rb") as f:
        while block := f.read(1 << 24):
            count += block.count(b"\n")
    return count - 1


def end_to_end_rows(n, reg, cmd, py, args):
    """The whole study (`cmd`) against polars' read of the same CSV, alternating in the same rounds.

    Issue #20's yardstick: the study end to end in at most 0.6 x the time polars takes only to read
    the file (its `read_csv` call, timed inside the script: no interpreter start or import). Each
    round runs polars, then DiDKit, each after `--pause` seconds: on a VM whose freed memory goes
    back to the host (free page reporting), a run started right after another reuses the memory the
    first freed and reads up to a third faster (Docs/Benchmarks.md, session 15). The ratio is taken
    within each round and its median printed. polars is skipped when the machine has less free
    memory than 3.5 x the file (its peak on the 1.5M register was 3.3 x), and reported as such."""
    size = os.path.getsize(reg)
    available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    use_polars = args.polars_read and 3.5 * size < available
    walls, peaks, reads, read_peaks, ratios, polars_rows = [], [], [], [], [], set()
    for _ in range(args.repeats):
        if use_polars:
            time.sleep(args.pause)
            try:
                out, _, _, peak = measured([py, "-c", POLARS_READ, reg])
                doc = json.loads(out)
                reads.append(doc["seconds"]); read_peaks.append(peak); polars_rows.add(doc["rows"])
            except RuntimeError as e:
                use_polars = False
                print(f"  polars read failed: {e}", flush=True)
        time.sleep(args.pause)
        _, _, wall, peak = measured(cmd)
        walls.append(wall); peaks.append(peak)
        if use_polars:
            ratios.append(wall / reads[-1])
    rows = [(n, "study", "didkit", statistics.median(walls), 1.0, max(peaks), "",
             f"end to end, {size / 1e9:.2f} GB CSV; runs {', '.join(f'{w:.1f}' for w in walls)} s")]
    if use_polars and reads:
        expected = data_lines(reg)
        agree = "rows agree" if polars_rows == {expected} else f"ROWS DIFFER: polars {sorted(polars_rows)}, file {expected}"
        rows.append((n, "read", "polars", statistics.median(reads), statistics.median(reads) / statistics.median(walls),
                     max(read_peaks), "", f"read_csv only; runs {', '.join(f'{r:.1f}' for r in reads)} s; didkit study / "
                     f"polars read in each round {', '.join(f'{r:.2f}' for r in ratios)} (median {statistics.median(ratios):.2f}, "
                     f"target <= 0.6); {agree}"))
    elif args.polars_read:
        rows.append((n, "read", "polars", float("nan"), float("nan"), float("nan"), "",
                     f"skipped: {size / 1e9:.1f} GB file, {available / 1e9:.1f} GB free (polars needs about 3.5 x the file)"))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="15000,150000,1500000")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--tasks", default="ps,did,csv,match,csv10",
                    help="csv10: the 1M x 10 decimal file of the issue's CSV row, once (not per size)")
    ap.add_argument("--end-to-end", default="", help="sizes for the whole-study run, e.g. 6000000")
    ap.add_argument("--no-polars-read", dest="polars_read", action="store_false",
                    help="do not time polars' read of the same CSV beside each whole-study run")
    ap.add_argument("--pause", type=float, default=5.0,
                    help="seconds of rest before each whole-study and polars run (freed memory settles)")
    ap.add_argument("--staggered", default="",
                    help="sizes (persons) for `didkit attgt` (DR, covariates) against moderndid, csdid and differences and "
                         "`didkit etwfe` (logit) against pyfixest's feglm, e.g. 150000,1500000 (staggered_peers.py)")
    ap.add_argument("--staggered-tools", default="moderndid,csdid,differences,pyfixest")
    ap.add_argument("--country", default="",
                    help="sizes for DiDKit alone: attgt DR with covariates and a 999-draw bootstrap, etwfe logit "
                         "without covariates and with three; wall time and peak RSS, e.g. 6000000")
    ap.add_argument("--matchit-max", type=int, default=150000,
                    help="largest register (persons) on which MatchIt runs; its correct path holds a treated x control "
                         "distance matrix (150k: 2,897 x 146,694, 21 GB peak, 2-3 minutes)")
    ap.add_argument("--rglm-did-max", type=int, default=150000,
                    help="largest register on which R glm fits the DiD model (its model matrix and QR copies; "
                         "the issue measured glm out of memory at 10.5M person-years)")
    args = ap.parse_args()
    tasks = args.tasks.split(",")
    os.makedirs(DATA, exist_ok=True)
    print("building didkit (release)...", flush=True)
    subprocess.run(["swift", "build", "-c", "release", "--product", "didkit"], cwd=ROOT, check=True, capture_output=True)
    py = setup_venv()
    r_tools = r_peers()
    bw = bandwidth_gbs(py)
    print(f"machine: {os.cpu_count()} cores; single-process read bandwidth {bw:.1f} GB/s (numpy sum); "
          f"R peers: {', '.join(sorted(r_tools)) or 'none (Rscript with data.table and MatchIt not found)'}", flush=True)
    rows = []
    staggered_runs(args, rows)
    for n in [int(s) for s in args.end_to_end.split(",") if s]:
        reg = ensure_register(n, baseline=False)
        study = json.load(open(os.path.join(ROOT, "Docs", "examples", "reference-study.json")))
        study["data"] = reg
        study_path = os.path.join(DATA, f"study-{n}.json")
        json.dump(study, open(study_path, "w"), indent=1)
        cmd = [DIDKIT, "run", study_path, "--out", os.path.join(DATA, f"report-{n}"), "--format", "json"]
        rows += end_to_end_rows(n, reg, cmd, py, args)
    runs = [(int(s), [t for t in tasks if t != "csv10"]) for s in args.sizes.split(",") if s]
    if "csv10" in tasks:
        runs.append((1_000_000, ["csv10"]))
    for n, size_tasks in runs:
        if size_tasks == ["csv10"]:
            reg = ensure_decimal_file(py)
        else:
            reg = ensure_register(n, baseline=True)
        base = os.path.join(DATA, f"baseline-{n}.csv")
        size_mb = os.path.getsize(reg) / 1e6
        for task in size_tasks:
            path = base if task in ("ps", "match") else reg
            ps_like = task in ("ps", "match")
            spec = {"numeric": PS_NUMERIC if ps_like else DID_CONTROLS, "factors": PS_FACTORS if ps_like else DID_FACTORS,
                    "caliper": MATCH_CALIPER}
            skipped = {}
            if task in ("ps", "did"):
                tools = ["didkit", "statsmodels", "sklearn"] + (["rglm"] if "rglm" in r_tools else [])
                if task == "did" and "rglm" in tools and n > args.rglm_did_max:
                    tools.remove("rglm"); skipped["rglm"] = f"skipped above --rglm-did-max {args.rglm_did_max}"
            elif task in ("csv", "csv10"):
                tools = ["didkit", "pandas"] + (["fread"] if "fread" in r_tools else [])
            else:
                tools = ["didkit"]
                if "matchit" in r_tools:
                    treated = sum(1 for line in open(base) if line.split(",")[2] == "1")
                    need_gb = 6.2 * treated * n * 8 / 1e9  # the distance matrix and MatchIt's copies (150k: 21.5 GB measured)
                    if n > args.matchit_max:
                        skipped["matchit"] = f"skipped above --matchit-max {args.matchit_max}"
                    elif need_gb > mem_available_gb():
                        skipped["matchit"] = f"skipped: needs about {need_gb:.0f} GB, {mem_available_gb():.0f} GB available"
                    else:
                        tools.append("matchit")
            times = {t: [] for t in tools}
            coefs, iters, rss, extra, pairs, failed = {}, {}, {}, {}, {}, {}
            for rep in range(args.repeats):
                for tool in (tools if rep % 2 == 0 else list(reversed(tools))):
                    if tool in failed:
                        continue
                    pairs_out = os.path.join(DATA, f"pairs-{n}-{tool}-MICRODATA" + (".csv" if tool == "didkit" else ".txt"))
                    if tool == "didkit":
                        out, err, _, peak = measured(didkit_command(task, path, pairs_out))
                        rss[tool] = max(rss.get(tool, 0), peak)
                        tm = parse_timing(err)
                        times[tool].append(float(tm["read" if task in ("csv", "csv10") else "match" if task == "match" else "fit"]))
                        if task in ("ps", "did"):
                            doc = json.loads(out)
                            coefs[tool] = {t["name"]: t["coefficient"] for t in doc["terms"]}
                            iters[tool] = doc["iterations"]
                            extra = tm
                        if task == "match":
                            pairs[tool] = read_pairs(pairs_out)
                    else:
                        peer_task = "csv" if tool in ("pandas", "fread") else task
                        try:
                            out, _, _, peak = measured(*peer_command(tool, peer_task, path, spec, py, pairs_out))
                        except RuntimeError as e:
                            failed[tool] = str(e)
                            continue
                        r = json.loads(out.strip().splitlines()[-1])
                        rss[tool] = max(rss.get(tool, 0), peak)
                        times[tool].append(r["seconds"])
                        if task in ("ps", "did"):
                            coefs[tool] = dict(zip(r["names"], r["coef"]))
                            iters[tool] = r["iterations"]
                        if task == "match":
                            pairs[tool] = read_pairs(pairs_out)
            med = {t: statistics.median(v) for t, v in times.items() if v}
            for t in tools:
                if t not in med:
                    rows.append((n, task, t, float("nan"), float("nan"), float("nan"), "", f"failed: {failed.get(t, '?')}"))
                    continue
                diff = ""
                if task in ("ps", "did") and t != "didkit":
                    common = set(coefs[t]) & set(coefs["didkit"])
                    diff = f"{max(abs(coefs[t][k] - coefs['didkit'][k]) for k in common):.1e} on {len(common)} coefs"
                if task == "match":
                    same = len(pairs[t] & pairs["didkit"])
                    diff = f"{len(pairs[t])} pairs" + ("" if t == "didkit" else f", {same} identical to DiDKit's")
                rate = f" ({size_mb / med[t]:.0f} MB/s)" if task in ("csv", "csv10") else ""
                rows.append((n, task, t, med[t], med[t] / med["didkit"], rss.get(t, float("nan")), iters.get(t, ""), diff + rate))
            for t, why in skipped.items():
                rows.append((n, task, t, float("nan"), float("nan"), float("nan"), "", why))
            if task in ("ps", "did") and extra:
                r_, c_ = int(extra["rows"].split("=")[-1]) if "rows" in extra else 0, int(extra.get("columns", "0"))
                # DiDKit's passes over the design: the survey and every IRLS pass (`passes=` in its timing line).
                passes = int(extra["passes"])
                bound = r_ * c_ * 8 / (bw * 1e9)
                per_it = med["didkit"] / passes
                rows.append((n, task, "bound", bound, per_it / bound if bound else float("nan"), float("nan"), "",
                             f"{r_} x {c_} design: one read {bound * 1000:.1f} ms; DiDKit per pass {per_it * 1000:.1f} ms"))
            print(f"  done: {n} {task}", flush=True)
    print()
    print(f"{'persons':>9} {'task':>5} {'tool':>12} {'median s':>9} {'vs didkit':>9} {'peak MB':>8} {'iter':>5}  agreement / notes")
    for n, task, t, m, ratio, r, it, note in rows:
        print(f"{n:>9} {task:>5} {t:>12} {m:>9.3f} {ratio:>9.2f} {r:>8.0f} {str(it):>5}  {note}")


if __name__ == "__main__":
    main()
