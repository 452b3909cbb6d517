"""One validated settings object for a run; every tunable lives here."""

from __future__ import annotations

from dataclasses import dataclass, fields

DEFAULT_MAX_FILE_BYTES = 200 * 1024 * 1024  # a larger input is reported, not read
DEFAULT_MAX_LINE_CHARS = 100_000  # a longer line is cut, reported, and kept in the finding
DEFAULT_MAX_PAGES = 2_000  # PDF pages read per file
DEFAULT_FILE_TIME_BUDGET_S = 600.0  # per-file wall time before limit_exceeded
DEFAULT_OCR_CONFIDENCE_THRESHOLD = 0.90  # below this an OCR value gets a low_confidence finding
DEFAULT_LABEL_MATCH_CUTOFF = 70.0  # rapidfuzz ratio (0..100) a label needs to be repaired to
DEFAULT_RATE_TOLERANCE_POINTS = 0.5  # 执行率 vs executed/budget, in percentage points
DEFAULT_SCORE_TOLERANCE = 0.05  # score arithmetic (funding score, totals)
DEFAULT_AMOUNT_TOLERANCE = 0.005  # funding sums, in the form's amount unit
DEFAULT_MAX_HTML_SPAN = 1_000  # a web page table's rowspan/colspan above this is cut to it and reported
DEFAULT_OFFICE_TIMEOUT_S = 120.0  # one LibreOffice conversion (.doc/.wps/.et/.dps) before it is stopped


@dataclass(frozen=True)
class Settings:
    template: str | None = None  # force a template by name instead of choosing by year
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_line_chars: int = DEFAULT_MAX_LINE_CHARS
    max_pages: int = DEFAULT_MAX_PAGES
    file_time_budget_s: float = DEFAULT_FILE_TIME_BUDGET_S
    ocr_confidence_threshold: float = DEFAULT_OCR_CONFIDENCE_THRESHOLD
    label_match_cutoff: float = DEFAULT_LABEL_MATCH_CUTOFF
    rate_tolerance_points: float = DEFAULT_RATE_TOLERANCE_POINTS
    score_tolerance: float = DEFAULT_SCORE_TOLERANCE
    amount_tolerance: float = DEFAULT_AMOUNT_TOLERANCE
    max_html_span: int = DEFAULT_MAX_HTML_SPAN
    office_timeout_s: float = DEFAULT_OFFICE_TIMEOUT_S

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
                raise ValueError(f"setting {f.name} must not be negative (got {value})")
        if not 0.0 <= self.ocr_confidence_threshold <= 1.0:
            raise ValueError("ocr_confidence_threshold must be between 0 and 1")
        if not 0.0 < self.label_match_cutoff <= 100.0:
            raise ValueError("label_match_cutoff must be in (0, 100]")
