"""Run unittest names and write the counts as JSON.

Why: `make test` must end with one `N passed, N failed` line summing suites that
run in separate processes (one per backend), so each process reports its counts
to a file instead of us parsing unittest's free-form output.
"""
import json
import os
import sys
import time
import unittest


# the slowest tests of a suite reported to tools/run_tests.py
TESTS_KEPT = 20


class TimedResult(unittest.TextTestResult):
    """Seconds spent per test class, class set-up and tear-down included:
    each test is charged the time since the previous one ended; and per
    test, its own run only (the candidates for a smaller version)"""

    def startTestRun(self):
        super().startTestRun()
        self.class_seconds = {}
        self.test_seconds = {}
        self._last = time.monotonic()

    def startTest(self, test):
        super().startTest(test)
        self._started = time.monotonic()

    def stopTest(self, test):
        super().stopTest(test)
        now = time.monotonic()
        self.test_seconds[test.id()] = now - self._started
        name = f'{type(test).__module__}.{type(test).__qualname__}'
        if name.startswith('doctest'):  # scenarios: one "class" per file
            name = test.id()
        self.class_seconds[name] = (
            self.class_seconds.get(name, 0) + now - self._last)
        self._last = now


def main(argv):
    out, names = argv[0], argv[1:]
    if os.environ.get('DB_CACHE'):
        import core_speedups  # beside this file
        import db_cache
        core_speedups.install()
        db_cache.install()
    loader = unittest.TestLoader()
    if names and names[0] == '--discover':
        suite = loader.discover(names[1], top_level_dir=names[2])
    else:
        suite = loader.loadTestsFromNames(names)
    result = unittest.TextTestRunner(resultclass=TimedResult, verbosity=int(
                os.environ.get('TEST_VERBOSITY', '1'))).run(suite)
    counts = {
        'run': result.testsRun,
        'failed': len(result.failures) + len(result.errors)
        + len(result.unexpectedSuccesses),
        'skipped': len(result.skipped),
        'classes': getattr(result, 'class_seconds', {}),
        'tests': dict(sorted(getattr(result, 'test_seconds', {}).items(),
                key=lambda i: -i[1])[:TESTS_KEPT]),
        }
    if os.environ.get('DB_CACHE'):
        db_cache.finish()
    with open(out, 'w') as fh:
        json.dump(counts, fh)
    return 0 if result.wasSuccessful() else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
