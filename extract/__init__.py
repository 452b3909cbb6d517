"""Stage 1: raw documents to rows of cells (see :mod:`selfeval.extract.grid`).

Nothing in this package knows what the cells mean; :mod:`selfeval.normalize`
does.  Each input kind has one reader module; :mod:`.readers` dispatches.
"""
