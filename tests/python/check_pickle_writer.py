#!/usr/bin/env python3
"""Loads every pickle the C++ pickle_writer made (printed by pickle_dump) with
CPython's own pickle module, and checks it is the Python value of the same
name in pickle_values.py, type for type.

Usage: check_pickle_writer.py <path to pickle_dump>
"""
import os
import pickle
import io
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pickle_values import VALUES, canon  # noqa: E402


class Unpickler(pickle.Unpickler):
    """CPython's unpickler; only RebuildProxy is replaced, so that loading a
    proxy does not connect to a manager (there is none here)."""

    def find_class(self, module, name):
        if (module, name) == ('multiprocessing.managers', 'RebuildProxy'):
            return lambda cls, token, serializer, kwds: cls(
                token, serializer, authkey=b'k', incref=False, **kwds)
        return super().find_class(module, name)


def main():
    out = subprocess.run([sys.argv[1]], check=True, capture_output=True, text=True).stdout
    seen, failures = set(), []
    for line in out.splitlines():
        name, hexed = line.split(' ')
        seen.add(name)
        try:
            value = Unpickler(io.BytesIO(bytes.fromhex(hexed))).load()
        except Exception as e:  # report every value, not only the first
            failures.append(f'{name}: CPython could not load it: {e!r}')
            continue
        if name not in VALUES:
            failures.append(f'{name}: no Python twin')
        elif canon(value) != canon(VALUES[name]):
            failures.append(f'{name}: loaded {value!r}, expected {VALUES[name]!r}')
    for name in VALUES.keys() - seen:
        failures.append(f'{name}: not written by pickle_dump')
    for f in failures:
        print(f)
    print(f'{len(seen)} pickles loaded by CPython {sys.version.split()[0]}, '
          f'{len(failures)} failures')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
