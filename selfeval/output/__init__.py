"""Records → the contract's tables, and the writers that put them on disk."""
