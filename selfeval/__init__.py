"""selfeval: Chinese performance self-evaluation forms (绩效自评表) to analysis tables."""

__version__ = "0.1.0"

__all__ = ["__version__", "csv_types", "read_tables"]


def __getattr__(name: str):
    # the loaders import pandas: only when asked for, so the command line starts fast
    if name in ("read_tables", "csv_types"):
        from selfeval.output import load

        return getattr(load, name)
    raise AttributeError(f"module 'selfeval' has no attribute {name!r}")
