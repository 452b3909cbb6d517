"""Stage 2: rows of cells to typed, validated records, and the writers."""
