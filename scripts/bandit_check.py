#!/usr/bin/env python3
"""Static security check: bandit over the application code (`make check`).

Runs bandit with the [tool.bandit] settings of pyproject.toml, writes its JSON
report to build/reliability/bandit.json (with a short summary added under
"summary", for scripts/reliability_report.py), prints the counts by severity,
the files and lines scanned and every medium- and high-severity finding, and
exits 1 when there is a high-severity finding or bandit could not scan a file.

Medium findings must be fixed or, where they are false positives, marked in the
code with `# nosec BXXX  # reason`; they are listed here but do not fail the check.

Usage: .venv/bin/python scripts/bandit_check.py [--output PATH]
"""

from __future__ import annotations

import argparse
import json
import subprocess  # nosec B404  # runs bandit itself, with a fixed argument list
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ("app", "governance", "marketplace", "config.py", "wsgi.py")
DEFAULT_OUTPUT = ROOT / "build" / "reliability" / "bandit.json"
SEVERITIES = ("HIGH", "MEDIUM", "LOW", "UNDEFINED")


def run_bandit(output: Path) -> dict:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "bandit",
        "-c",
        str(ROOT / "pyproject.toml"),
        "-r",
        *TARGETS,
        "-f",
        "json",
        "-o",
        str(output),
        "-q",
    ]
    # bandit exits 1 whenever it reports anything (even low severity): the report decides, not its code.
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # nosec B603
    if not output.exists():
        sys.stderr.write(completed.stderr or completed.stdout or "bandit wrote no report\n")
        raise SystemExit(f"bandit did not run (exit {completed.returncode}); is it installed in this Python?")
    return json.loads(output.read_text(encoding="utf-8"))


def summarise(report: dict) -> dict:
    results = report.get("results", [])
    totals = report.get("metrics", {}).get("_totals", {})
    files = [name for name in report.get("metrics", {}) if name != "_totals"]
    by_severity = Counter(r["issue_severity"] for r in results)
    return {
        "by_severity": {s.lower(): by_severity.get(s, 0) for s in SEVERITIES},
        "by_confidence": dict(Counter(r["issue_confidence"].lower() for r in results)),
        "files_scanned": len(files),
        "lines_of_code": totals.get("loc", 0),
        "lines_skipped_nosec": totals.get("nosec", 0),
        "findings_skipped_nosec": totals.get("skipped_tests", 0),
        "scan_errors": [f"{e.get('filename')}: {e.get('reason')}" for e in report.get("errors", [])],
        "targets": list(TARGETS),
    }


def _line(result: dict) -> str:
    location = f"{result['filename'].removeprefix('./')}:{result['line_number']}"
    return (
        f"  {result['issue_severity']:<6} {result['test_id']} {location}  {result['issue_text']} "
        f"(confidence {result['issue_confidence'].lower()})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write bandit's JSON report")
    args = parser.parse_args(argv)
    report = run_bandit(args.output)
    summary = summarise(report)
    report["summary"] = summary
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    counts = summary["by_severity"]
    print(
        f"bandit: {summary['files_scanned']} files, {summary['lines_of_code']} lines of code scanned "
        f"({', '.join(TARGETS)})"
    )
    print(
        f"  findings by severity: high {counts['high']}, medium {counts['medium']}, low {counts['low']}"
        + (f", undefined {counts['undefined']}" if counts["undefined"] else "")
    )
    print(
        f"  suppressed by # nosec: {summary['findings_skipped_nosec']} findings (by test id), "
        f"{summary['lines_skipped_nosec']} lines (blanket)"
    )
    serious = [r for r in report.get("results", []) if r["issue_severity"] in ("HIGH", "MEDIUM")]
    for result in sorted(
        serious, key=lambda r: (SEVERITIES.index(r["issue_severity"]), r["filename"], r["line_number"])
    ):
        print(_line(result))
    for error in summary["scan_errors"]:
        print(f"  could not scan {error}")
    print(f"  report: {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")
    if counts["high"] or summary["scan_errors"]:
        print("bandit: FAILED (high-severity findings or files that could not be scanned)")
        return 1
    print("bandit: ok (no high-severity findings)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
