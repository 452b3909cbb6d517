"""Stage 2: rows of cells to typed, validated records (writers: :mod:`selfeval.output`)."""
