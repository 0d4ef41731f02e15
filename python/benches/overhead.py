"""The cost of calling cogov from Python: `cogov.run` (model, tables into DataFrames) against the
`cogov run` binary (model, CSV files, the figure), alternated round by round on the same scenario.

    python python/benches/overhead.py target/release/cogov --rounds 10

Reports the median of each and their ratio; the Python call is timed inside the interpreter (its
start-up and `import pandas` are the notebook's, not the run's), the binary as a whole process.
"""

import argparse
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import cogov

ROOT = pathlib.Path(__file__).resolve().parents[2]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("binary", type=pathlib.Path)
    parser.add_argument("--scenario", type=pathlib.Path, default=ROOT / "scenarios" / "fragmented.toml")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    threads = [] if args.threads is None else ["--threads", str(args.threads)]
    cli, py = [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "run"
        for i in range(args.rounds + 1):
            started = time.perf_counter()
            subprocess.run([str(args.binary), "run", str(args.scenario), "--out", str(out), "--force",
                            "--quiet", *threads], check=True, stdout=subprocess.DEVNULL)
            c = time.perf_counter() - started
            started = time.perf_counter()
            result = cogov.run(args.scenario, threads=args.threads)
            p = time.perf_counter() - started
            if i > 0:  # the first round warms the caches
                cli.append(c)
                py.append(p)
    rows = len(result.timeseries)
    cm, pm = statistics.median(cli), statistics.median(py)
    print(f"scenario {args.scenario.name}: {rows} timeseries rows, {args.rounds} rounds")
    print(f"cogov run (binary, CSV and figure): median {cm:.3f} s  [{min(cli):.3f}, {max(cli):.3f}]")
    print(f"cogov.run (Python, DataFrames):     median {pm:.3f} s  [{min(py):.3f}, {max(py):.3f}]")
    print(f"Python / binary: {pm / cm:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
