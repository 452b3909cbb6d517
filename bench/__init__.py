"""Benchmarks for selfeval, run by ``make bench`` (``python -m bench``).

Not part of CI and not timed unit tests: figures depend on the machine.
Each ``bench_*.py`` module exposes ``main()``; ``python -m bench`` runs every
module present and prints one summary table.  A module's ``main()`` may
return summary rows (dicts, or tuples of cells) for that table.
Results taken so far are recorded in ``bench/RESULTS.md``.
"""
