"""Generators of structured fixtures (PDF, .xlsx, .xls, .docx) from the seed forms.

The seed (``fixtures/forms/seed-2020-rongchang-27-forms.txt``) is pasted text:
each form's rows are tab-split cells, a merged cell's text in its first
position and blanks below and beside it.  :mod:`.seed` reads those rows back
and works out which label cells the printed form merges; the writers render
the same rows with real merged cells, so every reader must give back exactly
the seed's rows.
"""

from fixturegen.seed import Form, Merge, load_seed, seed_text, select

__all__ = ["Form", "Merge", "load_seed", "seed_text", "select"]
