"""The data contracts are one place that imports nothing else of ours: the screenplay and phase answers, render
requests and records, sound, film results and edits load without any machinery of the library."""

import subprocess
import sys


def test_the_contracts_import_nothing_else_of_ours():
    code = ("import sys, dreamfactory.contracts; "
            "print(sorted(m for m in sys.modules if m == 'dreamfactory' or m.startswith('dreamfactory.')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == str(["dreamfactory", "dreamfactory.contracts", "dreamfactory.contracts.screenplay"])
