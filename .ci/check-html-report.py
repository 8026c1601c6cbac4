#!/usr/bin/env python3
"""Headless-Chromium check of the report page (index.html), run by .ci/run.

Generates a demo report (3,000 persons), renders DIR/index.html in headless Chromium
(--dump-dom and --screenshot) and checks that
  * every <table> and every inline <svg> of the page is in the rendered DOM (same count,
    and every table caption's text is rendered),
  * no <img> is broken: there is none, or each has a data: URI,
  * the event-study odds ratios of every model (read from the report's results.json,
    formatted as the tables print them: 3 decimals) appear in the rendered text,
  * the screenshot is a non-empty PNG.
Exits non-zero with one clear message per failure. Standard library only.

Usage: .ci/check-html-report.py [--didkit PATH] [--chromium PATH] [--keep DIR] [--update-screenshot]
Without --didkit: `swift build` (debug; quick after `swift test`) and .build/debug/didkit.
--update-screenshot copies the screenshot to Docs/report-screenshot.png.
"""
import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fail(msg):
    print(f"check-html-report: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def run(cmd, timeout):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        fail(f"cannot run {cmd[0]}: not installed (Debian package 'chromium' for the browser)")
    except subprocess.TimeoutExpired:
        fail(f"{' '.join(cmd[:2])} took longer than {timeout}s")


def captions(doc):
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<caption>(.*?)</caption>", doc, re.S)]


def visible_text(dom):
    dom = re.sub(r"<style.*?</style>", " ", dom, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", dom))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--didkit")
    ap.add_argument("--chromium", default=os.environ.get("CHROMIUM", "chromium"))
    ap.add_argument("--keep", help="write the report here and keep it")
    ap.add_argument("--update-screenshot", action="store_true")
    args = ap.parse_args()

    didkit = args.didkit
    if not didkit:
        b = run(["swift", "build", "--package-path", ROOT, "--product", "didkit"], 1200)
        if b.returncode != 0:
            fail("swift build failed:\n" + b.stderr[-2000:])
        didkit = os.path.join(ROOT, ".build", "debug", "didkit")
    work = tempfile.mkdtemp(prefix="didkit-html-")
    try:
        out = args.keep or os.path.join(work, "report")
        d = run([didkit, "demo", "--persons", "3000", "--out", out], 300)
        if d.returncode != 0:
            fail(f"didkit demo failed (exit {d.returncode}): {d.stderr.strip()[-500:]}")
        page_path = os.path.join(out, "index.html")
        with open(page_path, encoding="utf-8") as f:
            source = f.read()
        with open(os.path.join(out, "results.json"), encoding="utf-8") as f:
            results = json.load(f)

        url = "file://" + os.path.abspath(page_path)
        common = [args.chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
        r = run(common + ["--dump-dom", url], 120)
        dom = r.stdout
        if r.returncode != 0 or "<body" not in dom:
            fail(f"chromium --dump-dom did not render {page_path} (exit {r.returncode}): {r.stderr.strip()[-500:]}")

        problems = []
        for tag in ["table", "svg"]:
            n_src = len(re.findall(rf"<{tag}[\s>]", source))
            n_dom = len(re.findall(rf"<{tag}[\s>]", dom))
            if n_src == 0:
                problems.append(f"the page source has no <{tag}>: the report lost its {tag}s")
            if n_dom != n_src:
                problems.append(f"the page source has {n_src} <{tag}> elements but the rendered DOM has {n_dom}")
        text = visible_text(dom)
        norm = lambda s: " ".join(s.split())
        flat = norm(text)
        for c in captions(source):
            if norm(c) not in flat:
                problems.append(f"the table captioned '{c[:80]}' is not in the rendered text")
        for m in re.finditer(r"<img\b[^>]*>", dom):
            src = re.search(r'src="([^"]*)"', m.group(0))
            if not src or not src.group(1).startswith("data:"):
                problems.append(f"an <img> that is not a data: URI (would be broken offline): {m.group(0)[:120]}")

        checked = 0
        for name, model in sorted(results.get("models", {}).items()):
            for p in model.get("eventStudy", []):
                if p.get("reference") or p.get("estimate") is None:
                    continue
                want = f"{p['estimate']:.3f}"
                checked += 1
                if want not in text:
                    problems.append(f"model '{name}': the event-time {p['eventTime']} odds ratio {want} (results.json) is not in the rendered page")
        if checked == 0:
            problems.append("results.json holds no event-study odds ratio to check")

        shot = os.path.join(work, "report.png")
        s = run(common + ["--window-size=1280,1800", f"--screenshot={shot}", url], 120)
        if s.returncode != 0 or not os.path.exists(shot):
            problems.append(f"chromium --screenshot failed (exit {s.returncode}): {s.stderr.strip()[-300:]}")
        else:
            with open(shot, "rb") as f:
                head = f.read(8)
            if head != b"\x89PNG\r\n\x1a\n" or os.path.getsize(shot) < 10_000:
                problems.append(f"the screenshot {shot} is not a PNG of a rendered page ({os.path.getsize(shot)} bytes)")
            elif args.update_screenshot:
                shutil.copyfile(shot, os.path.join(ROOT, "Docs", "report-screenshot.png"))

        if problems:
            fail("index.html in headless Chromium:\n  - " + "\n  - ".join(problems))
        n_tables = len(re.findall(r"<table[\s>]", dom))
        n_svg = len(re.findall(r"<svg[\s>]", dom))
        print(f"check-html-report: ok: {n_tables} tables, {n_svg} inline SVG plots, no external images, "
              f"{checked} event-study odds ratios found in the rendered page")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
