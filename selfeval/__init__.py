"""selfeval: Chinese performance self-evaluation forms (绩效自评表) to analysis tables."""

__version__ = "0.1.0"
