"""Timing of `didkit effects` at register scale (issue #18's speed targets), callable from compare.py.

    from effects_bench import run
    rows = run("/path/to/didkit", "/path/to/data", repeats=3)

Two tasks:
- `aipw`: `didkit effects --method aipw` (logit treatment model, linear outcome models, ATE) on a synthetic
  cross-section of ROWS x 20 covariates written once with numpy (seed 20260418): x ~ N(0, 1), treatment
  t ~ Bernoulli(logistic(-1 + 0.3 x1 - 0.2 x2 + 0.1 x3)), y = 1 + x.b + 0.5 t + N(0, 1). Target: 6M rows
  under 10 s.
- `psmatch`: `didkit effects --method psmatch` (Abadie-Imbens SEs adjusted for the estimated score) on the
  baseline cross-section `didkit generate --persons PERSONS --year 2010 --out F` writes (one row per person;
  treatment `participant`, outcome `leisure_job`). Target: 1.5M persons under 10 s. The score covariates are
  PSMATCH_COVARIATES, not the reference study's full score model: on the whole 2010 register that model
  (age, parents' education...) separates participants from most adults, and psmatch stops with Stata's overlap
  error (15,000 persons: 94 scores below 1e-5). Ties (tie groups of thousands with 0/1 covariates) are handled
  per score group, so they do not change the complexity (Docs/TreatmentEffects.md, Complexity).

Each row: (size, task, seconds, peak RSS MB, note); seconds is the fastest of `repeats` runs (each in its own
process, peak RSS from wait4). With `reference=True` each task also gets a `didkit read` row (the same file read
completely, nothing estimated): the part of the end-to-end time that is file parsing, not the estimator.
The full sizes take minutes to generate and several GB of disk (6M rows x 22 columns: 1.2 GB of CSV).

From the command line (prints the table):

    python3 effects_bench.py                                  # small: 60,000 rows, 15,000 persons
    python3 effects_bench.py --rows 6000000 --persons 1500000 --repeats 3 --reference   # issue #18's sizes
    python3 effects_bench.py --didkit PATH --data-dir DIR --tasks aipw
"""
import os
import subprocess
import tempfile
import time

import numpy as np

SEED = 20260418
COVARIATES = [f"x{k}" for k in range(1, 21)]
# The reference study's score covariates (as compare.py's PS_NUMERIC + PS_FACTORS).
PS_NUMERIC = ["age", "male", "nonwestern", "mother_young", "father_young", "mother_24_30", "couple", "no_father", "children",
              "father_employed", "mother_employed", "father_benefit_weeks", "mother_benefit_weeks", "income", "gp", "specialist",
              "physio"]
PS_FACTORS = ["father_edu", "mother_edu"]
# psmatch's score covariates on the whole 2010 register (overlap holds; see the module docstring).
PSMATCH_COVARIATES = ["male", "nonwestern", "couple", "children", "gp", "specialist", "father_employed", "mother_employed", "income"]


def _measured(cmd):
    """(stdout, wall seconds, peak RSS MB) of cmd in its own process; RuntimeError with stderr's last line on failure."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0); err.seek(0)
        o, e = out.read(), err.read()
    if status != 0:
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
        last = e.strip().splitlines()[-1][:300] if e.strip() else ""
        raise RuntimeError(f"killed by signal {sig} (out of memory?)" if sig else f"{os.path.basename(cmd[0])}: {last}")
    return o, wall, usage.ru_maxrss / 1024.0


def write_cross_section(path, rows, chunk=500_000):
    """The synthetic `rows` x 20 covariate cross-section (columns t, y, x1..x20), written in chunks (bounded memory)."""
    rng = np.random.default_rng(SEED)
    beta = rng.normal(0, 0.5, size=len(COVARIATES))
    tmp = path + ".part"
    with open(tmp, "w") as f:
        f.write(",".join(["t", "y"] + COVARIATES) + "\n")
        done = 0
        while done < rows:
            m = min(chunk, rows - done)
            x = rng.normal(size=(m, len(COVARIATES)))
            p = 1 / (1 + np.exp(-(-1 + 0.3 * x[:, 0] - 0.2 * x[:, 1] + 0.1 * x[:, 2])))
            t = (rng.random(m) < p).astype(np.int8)
            y = 1 + x @ beta + 0.5 * t + rng.normal(size=m)
            block = np.column_stack([t, y, x])
            np.savetxt(f, block, delimiter=",", fmt=["%d", "%.6f"] + ["%.6f"] * len(COVARIATES))
            done += m
    os.replace(tmp, path)


def ensure_cross_section(data_dir, rows):
    path = os.path.join(data_dir, f"effects-{rows}.csv")
    if not os.path.exists(path):
        write_cross_section(path, rows)
    return path


def ensure_baseline(didkit, data_dir, persons):
    path = os.path.join(data_dir, f"baseline-{persons}.csv")
    if not os.path.exists(path):
        subprocess.run([didkit, "generate", "--persons", str(persons), "--year", "2010", "--out", path],
                       check=True, capture_output=True, text=True)
    return path


def aipw_command(didkit, path):
    cov = ",".join(COVARIATES)
    return [didkit, "effects", "--data", path, "--outcome", "y", "--treatment", "t", "--method", "aipw",
            "--outcome-covariates", cov, "--treatment-covariates", cov, "--treatment-model", "logit", "--format", "json"]


def psmatch_command(didkit, path):
    return [didkit, "effects", "--data", path, "--outcome", "leisure_job", "--treatment", "participant", "--method", "psmatch",
            "--treatment-covariates", ",".join(PSMATCH_COVARIATES), "--format", "json"]


def _best(cmd, repeats):
    best = None
    for _ in range(max(1, repeats)):
        _, wall, rss = _measured(cmd)
        if best is None or wall < best[0]:
            best = (wall, rss)
    return best


def read_command(didkit, path):
    return [didkit, "read", "--data", path]


def run(didkit, data_dir, repeats, rows=6_000_000, persons=1_500_000, tasks=("aipw", "psmatch"), reference=False):
    """Times the tasks; returns [(size, task, seconds, peak RSS MB, note)]. A failed run is a row with
    seconds and RSS None and the error as its note, so one failure does not hide the other task.
    `reference`: also time `didkit read` on each task's file (parsing alone)."""
    os.makedirs(data_dir, exist_ok=True)
    out = []
    plan = [
        ("aipw", rows, "effects aipw (logit, linear, 20 covariates)", lambda: ensure_cross_section(data_dir, rows), aipw_command,
         "target 6M rows < 10 s"),
        ("psmatch", persons, "effects psmatch (AI SEs, baseline)", lambda: ensure_baseline(didkit, data_dir, persons), psmatch_command,
         "target 1.5M persons < 10 s"),
    ]
    for key, size, task, make, command, target in plan:
        if key not in tasks:
            continue
        try:
            path = make()
        except (RuntimeError, subprocess.CalledProcessError, OSError) as e:
            out.append((size, task, None, None, f"failed: {e}"))
            continue
        runs = [(task, command(didkit, path), target)]
        if reference:
            runs.append((f"read {os.path.basename(path)} (parse only)", read_command(didkit, path), f"reference for {key}"))
        for name, cmd, note in runs:
            try:
                seconds, rss = _best(cmd, repeats)
                out.append((size, name, round(seconds, 3), round(rss, 1), note))
            except (RuntimeError, subprocess.CalledProcessError, OSError) as e:
                out.append((size, name, None, None, f"failed: {e}"))
    return out


def print_table(rows):
    """The rows as an aligned text table: size, task, seconds, peak RSS MB, note."""
    header = ("size", "task", "seconds", "peak RSS MB", "note")
    cells = [header] + [tuple("" if v is None else (f"{v:,}" if isinstance(v, int) else str(v)) for v in r) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    for k, c in enumerate(cells):
        print("  ".join(v.rjust(w) if i in (0, 2, 3) else v.ljust(w) for i, (v, w) in enumerate(zip(c, widths))).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths))


if __name__ == "__main__":
    import argparse
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Time `didkit effects` (aipw, psmatch) at register scale (issue #18).")
    ap.add_argument("--didkit", default=os.path.join(here, "..", "..", ".build", "release", "didkit"), help="release didkit binary")
    ap.add_argument("--data-dir", default=os.path.join(here, "data"), help="where the generated files are kept (reused)")
    ap.add_argument("--rows", type=int, default=60_000, help="aipw cross-section rows (issue #18: 6,000,000)")
    ap.add_argument("--persons", type=int, default=15_000, help="psmatch baseline persons (issue #18: 1,500,000)")
    ap.add_argument("--repeats", type=int, default=1, help="runs per task; the fastest is reported")
    ap.add_argument("--tasks", default="aipw,psmatch", help="comma-separated: aipw, psmatch")
    ap.add_argument("--reference", action="store_true", help="also time `didkit read` on each file (parsing alone)")
    a = ap.parse_args()
    print_table(run(a.didkit, a.data_dir, a.repeats, rows=a.rows, persons=a.persons, tasks=a.tasks.split(","),
                    reference=a.reference))
