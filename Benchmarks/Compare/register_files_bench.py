#!/usr/bin/env python3
"""Reading a Stata register: DiDKit (ReadStat) against pandas.read_stata and pyreadstat.read_dta.

    python3 Benchmarks/Compare/register_files_bench.py --python /path/to/venv/bin/python     # ~1 GB .dta
    python3 Benchmarks/Compare/register_files_bench.py --persons 250000 --repeats 3          # ~330 MB

    from register_files_bench import run
    rows = run(didkit=".build/release/didkit", python="Benchmarks/Compare/.venv/bin/python",
               data_dir="Benchmarks/Compare/data", repeats=3)            # ~1 GB .dta

Build didkit with `swift build -c release --product didkit` first (a debug build is several
times slower). `python` must have pandas and pyreadstat. The register is the CSV `didkit generate
--persons N --out F` writes, converted once with pandas to Stata 118 (`to_stata(version=118)`;
pandas stores the integer columns as Stata long, the id as str8, decimals as double): about
1.33 GB per million persons (9 person-years a person, 148 bytes a row, 32 columns). Each tool
reads the whole file in its own process, the tools interleaved `repeats` times; each tool's row
is the median seconds and the largest peak RSS (from wait4).

DiDKit's seconds are its own report (`didkit read --data F.dta --timing` prints
`didkit-timing read=S ...` on stderr: the read alone, without process start-up); the peers'
are timed inside their process around the one call, for the same reason. DiDKit reads a large
.dta in row ranges on every core; the row `didkit (1 core)` is the same binary pinned to one
core with `taskset -c 0` (Linux; left out where taskset is missing), the fair match for the
single-threaded pandas and pyreadstat.

Prints a table: tool, median seconds, peak RSS, the tool's time as a multiple of DiDKit's (above
1: DiDKit is faster). `run` returns rows (task, tool, seconds, peak RSS MB, note).
"""
import argparse, os, shutil, statistics, subprocess, sys, time

# Persons for a ~1 GB file: the demo register is 9 rows per person and 148 bytes per row in Stata 118
# (1,000,000 persons: 1.33 GB; 250,000: 333 MB).
PERSONS_PER_GB = 750_000

PEER = {
    "pandas.read_stata": "import pandas as pd; df = pd.read_stata(PATH)",
    "pyreadstat.read_dta": "import pyreadstat; df, meta = pyreadstat.read_dta(PATH)",
}


def _run_one(cmd):
    """(stdout, stderr, wall seconds, peak RSS MB) of cmd in its own process (the RSS from wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = proc.stdout.read().decode()
    err = proc.stderr.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {err.strip()[-500:]}")
    return out, err, wall, usage.ru_maxrss / 1024


def make_register(didkit, python, data_dir, persons):
    """The .dta register for `persons` (made once and kept in data_dir)."""
    os.makedirs(data_dir, exist_ok=True)
    csv = os.path.join(data_dir, f"register_{persons}.csv")
    dta = os.path.join(data_dir, f"register_{persons}.dta")
    if not os.path.exists(dta):
        if not os.path.exists(csv):
            subprocess.run([didkit, "generate", "--persons", str(persons), "--out", csv], check=True)
        code = f"import pandas as pd; pd.read_csv({csv!r}).to_stata({dta!r}, write_index=False, version=118)"
        subprocess.run([python, "-c", code], check=True)
    return dta


def _peer_seconds(python, tool, path):
    code = (f"import time; PATH = {path!r}; t = time.perf_counter(); {PEER[tool]}; "
            f"print(time.perf_counter() - t, len(df), len(df.columns))")
    out, _, _, rss = _run_one([python, "-c", code])
    seconds, rows, columns = out.split()
    return float(seconds), rss, f"{rows} rows, {columns} columns"


def _didkit_seconds(didkit, path, pin=False):
    cmd = (["taskset", "-c", "0"] if pin else []) + [didkit, "read", "--data", path, "--timing"]
    _, err, _, rss = _run_one(cmd)
    line = next(l for l in err.splitlines() if l.startswith("didkit-timing"))
    fields = dict(f.split("=", 1) for f in line.split()[1:])
    return float(fields["read"]), rss, f"{fields.get('rows')} rows, {fields.get('columns')} columns"


def _seconds(tool, didkit, python, path):
    if tool == "didkit":
        return _didkit_seconds(didkit, path)
    if tool == "didkit (1 core)":
        return _didkit_seconds(didkit, path, pin=True)
    return _peer_seconds(python, tool, path)


def run(didkit, python, data_dir, repeats, persons=PERSONS_PER_GB, tools=None):
    """Times reading the register's .dta with DiDKit, pandas and pyreadstat (see the module's doc).
    Returns rows (task, tool, seconds, peak RSS MB, note); the note of each other row has its time
    as a multiple of DiDKit's."""
    path = make_register(didkit, python, data_dir, persons)
    size_mb = os.path.getsize(path) / 1e6
    task = f"read .dta ({size_mb:.0f} MB, {persons} persons)"
    if tools is None:
        tools = ["didkit"] + (["didkit (1 core)"] if shutil.which("taskset") else []) + list(PEER)
    times = {t: [] for t in tools}
    peaks = {t: 0.0 for t in times}
    notes = {}
    for _ in range(repeats):
        for tool in times:
            seconds, rss, note = _seconds(tool, didkit, python, path)
            times[tool].append(seconds)
            peaks[tool] = max(peaks[tool], rss)
            notes[tool] = note
    base = statistics.median(times["didkit"]) if "didkit" in times else None
    rows = []
    for tool in times:
        median = statistics.median(times[tool])
        ratio = "" if tool == "didkit" or base is None else f"; {median / base:.2f}x DiDKit's time"
        rows.append((task, tool, median, peaks[tool], notes[tool] + ratio))
    return rows


def table(rows, repeats):
    """The rows as a text table: seconds, peak RSS and each tool's time over DiDKit's."""
    base = next((r[2] for r in rows if r[1] == "didkit"), None)
    lines = [rows[0][0] + f", median of {repeats}", ""]
    lines.append(f"{'tool':22s} {'seconds':>9s} {'peak RSS MB':>12s} {'time / didkit':>14s}  rows read")
    for _, tool, seconds, rss, note in rows:
        ratio = f"{seconds / base:.2f}" if base else ""
        lines.append(f"{tool:22s} {seconds:9.3f} {rss:12.0f} {ratio:>14s}  {note.split(';')[0]}")
    return "\n".join(lines)


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--didkit", default=os.path.join(root, ".build", "release", "didkit"))
    p.add_argument("--python", default=sys.executable, help="a Python with pandas and pyreadstat")
    p.add_argument("--data-dir", default=os.path.join(root, "Benchmarks", "Compare", "data"))
    p.add_argument("--persons", type=int, default=PERSONS_PER_GB,
                   help=f"register size (default {PERSONS_PER_GB}: about 1 GB; 250000: about 330 MB)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--tools", default=None,
                   help="comma-separated subset of: didkit, 'didkit (1 core)', " + ", ".join(PEER))
    a = p.parse_args()
    tools = [t.strip() for t in a.tools.split(",")] if a.tools else None
    print(table(run(a.didkit, a.python, a.data_dir, a.repeats, a.persons, tools), a.repeats))


if __name__ == "__main__":
    main()
