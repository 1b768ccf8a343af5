"""Run every benchmark in bench/ and pass through its `name: value` lines.

The demo-data benchmark runs first (the issue asks for it as the first entry);
a benchmark that fails prints `<name>_failed: 1` and the run goes on.
"""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main():
    benches = sorted((ROOT / 'bench').glob('bench_*.py'),
        key=lambda p: (p.name != 'bench_demo_data.py', p.name))
    failed = 0
    for bench in benches:
        print(f'# {bench.name}', flush=True)
        result = subprocess.run([sys.executable, str(bench)], cwd=ROOT)
        if result.returncode:
            failed += 1
            print(f'{bench.stem}_failed: 1', flush=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
