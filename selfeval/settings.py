"""One validated settings object for a run; every tunable lives here.

Two kinds of field: those that can change what a file reads as (limits,
tolerances, the template) and the batch's own (how many workers, how much
memory each may use, where the ``--resume`` cache is, whether results are
kept in memory), marked ``batch`` in their metadata.  The ``--resume`` cache
key holds the first kind only (:func:`reading_settings`), so running with
more workers reuses the same cache.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

DEFAULT_MAX_FILE_BYTES = 200 * 1024 * 1024  # a larger input is reported, not read (0: no limit)
DEFAULT_MAX_IMAGE_PIXELS = 100_000_000  # decoded pixels of an image or frame (a 600-dpi A3 page is ~70 Mpx)
DEFAULT_MAX_OCR_PIXELS = 12_000_000  # a page is scaled down to this before OCR (A4 at 300 dpi is 8.7 Mpx)
DEFAULT_MAX_INFLATED_BYTES = 64 * 1024 * 1024  # inflated bytes of all the members of an .xlsx/.docx package
DEFAULT_MAX_SHEET_CELLS = 5_000_000  # a worksheet's extent (rows x columns), and its merged ranges' covered cells
DEFAULT_MAX_TABLE_SPAN = 1_000  # columns (rows) a table cell may span: gridSpan, colspan, rowspan; columns of a row
DEFAULT_MAX_LINE_CHARS = 100_000  # a longer line is cut, reported, and kept in the finding
DEFAULT_MAX_PAGES = 2_000  # PDF pages read per file
DEFAULT_FILE_TIME_BUDGET_S = 600.0  # per-file wall time before limit_exceeded
DEFAULT_OCR_CONFIDENCE_THRESHOLD = 0.90  # below this an OCR value gets a low_confidence finding
DEFAULT_LABEL_MATCH_CUTOFF = 70.0  # rapidfuzz ratio (0..100) a label needs to be repaired to
DEFAULT_RATE_TOLERANCE_POINTS = 0.5  # 执行率 vs executed/budget, in percentage points
DEFAULT_SCORE_TOLERANCE = 0.05  # score arithmetic (funding score, totals)
DEFAULT_AMOUNT_TOLERANCE = 0.005  # funding sums, in the form's amount unit
DEFAULT_OFFICE_TIMEOUT_S = 120.0  # one LibreOffice conversion (.doc/.wps/.et/.dps) before it is stopped
DEFAULT_IN_FLIGHT_PER_WORKER = 4  # files submitted and not yet taken, per worker

BATCH = {"batch": True}  # metadata of the batch's own fields (not in the cache key)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: a cheap memo key
class ScoringWeights:
    """The points of row repair, in one place.

    A row whose cells may sit off their header's columns is read every
    plausible way (which leading cells are level labels, which cell is the
    name, the values at column offsets −2…+2); each reading earns the points
    below and the highest total wins (ties: the reading tried first).  Cells
    earn points for looking like their column (``*_fits``) and lose them for
    not (``*_misfits``); a reading loses points for every cell it cannot
    place and for every column it moves the cells.  The defaults read the
    seed and its variants as the hand reading does
    (``tests/test_golden.py``); change one and the goldens say what moved.
    """

    # indicator rows: level labels and the name (normalize/indicators.py)
    label_exact: float = 2.0  # a leading cell that is a level label as written
    label_variant: float = 1.5  # … after traditional→simplified or a known OCR confusion
    label_fuzzy: float = 1.0  # … by a rapidfuzz match
    name: float = 1.5  # the row has an indicator name
    name_misplaced: float = 0.3  # per column the name sits off its expected column
    nameless: float = 1.0  # a row with values but no name
    second_label_in_place: float = 1.5  # a level-2 label after a level-1 label, in its own column
    name_is_a_label: float = 2.0  # a name that is a level label (质量指标) is a misplaced label
    implied_label: float = 1.0  # a nameless row whose repaired level-2 label the template implies anyway
    # placements (normalize/slots.py)
    lost_cell: float = 5.0  # a non-empty cell no column takes
    lost_placeholder: float = 1.0  # a "—" or "……" no column takes: no data lost, but it anchors columns
    offset: float = 0.6  # per column of offset, for rows whose positions are kept
    loose_offset: float = 0.1  # per column, where the reader could not keep positions
    ruled_offset: float = 3.0  # per column, for cells a page's rulings placed (ruled PDF tables and scans)
    # cells (normalize/scorers.py)
    number_fits: float = 2.0  # weights and scores: a plain number
    number_misfits: float = -3.0
    amount_fits: float = 1.0  # funding amounts: a plain number, never a percentage
    amount_misfits: float = -3.0
    rate_fits: float = 2.0  # execution rates: a percentage
    rate_plain_number: float = 0.0  # … a number without %
    rate_misfits: float = -3.0
    value_fits: float = 1.0  # targets and actuals: a number with comparator or unit
    value_text: float = 0.3  # … a short grade (好, 高)
    note_number: float = -2.0  # deviation notes: a plain number does not belong
    note_value: float = -1.0  # … nor a value
    note_text: float = 0.5
    comparator_fits: float = 1.0  # 指标性质: a comparator alone
    comparator_misfits: float = -2.0
    unit_fits: float = 0.5  # 度量单位: a short unit
    unit_number: float = -2.0  # … a number or anything with a digit
    unit_long: float = -1.0  # … longer than a unit
    kind_fits: float = 1.0  # 指标性质 of a department form: 定量指标 / 定性指标
    kind_misfits: float = -2.0
    flag_fits: float = 1.0  # 是否核心指标: 是 / 否
    flag_misfits: float = -2.0


DEFAULT_WEIGHTS = ScoringWeights()


@dataclass(frozen=True)
class Settings:
    """Every tunable of a run.  The ``max_*`` budgets are checked before the
    work they bound is done; over one, the file (or the cut part) gets a
    ``limit_exceeded`` finding naming what was too big.  ``max_file_bytes``
    and ``file_time_budget_s`` of 0 mean no limit; the README's "Limits"
    table lists them all."""

    template: str | None = None  # force a template by name instead of choosing by year
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_line_chars: int = DEFAULT_MAX_LINE_CHARS
    max_pages: int = DEFAULT_MAX_PAGES
    max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS
    max_ocr_pixels: int = DEFAULT_MAX_OCR_PIXELS
    max_inflated_bytes: int = DEFAULT_MAX_INFLATED_BYTES
    max_sheet_cells: int = DEFAULT_MAX_SHEET_CELLS
    max_table_span: int = DEFAULT_MAX_TABLE_SPAN
    ocr_confidence_threshold: float = DEFAULT_OCR_CONFIDENCE_THRESHOLD
    label_match_cutoff: float = DEFAULT_LABEL_MATCH_CUTOFF
    rate_tolerance_points: float = DEFAULT_RATE_TOLERANCE_POINTS
    score_tolerance: float = DEFAULT_SCORE_TOLERANCE
    amount_tolerance: float = DEFAULT_AMOUNT_TOLERANCE
    weights: ScoringWeights = DEFAULT_WEIGHTS  # the points of row repair (see ScoringWeights)
    office_timeout_s: float = DEFAULT_OFFICE_TIMEOUT_S
    corrections: tuple = ()  # selfeval.corrections.Correction rows of --corrections FILE, applied before validation
    # the batch's own settings: how the files are run, not what they read as
    file_time_budget_s: float = field(default=DEFAULT_FILE_TIME_BUDGET_S, metadata=BATCH)  # 0: no limit
    workers: int = field(default=1, metadata=BATCH)  # processes reading files; 1: in this process
    max_memory_mb: int = field(default=0, metadata=BATCH)  # address space of each worker process; 0: no limit
    cache_dir: Path | None = field(default=None, metadata=BATCH)  # the --resume cache (OUT/.cache)
    keep_results: bool = field(default=False, metadata=BATCH)  # with a sink, keep whole results too (.tables)
    in_flight: int = field(default=0, metadata=BATCH)  # files submitted and not yet taken; 0: 4 per worker

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
                raise ValueError(f"setting {f.name} must not be negative (got {value})")
        if self.workers < 1:
            raise ValueError(f"setting workers must be at least 1 (got {self.workers})")
        if not 0.0 <= self.ocr_confidence_threshold <= 1.0:
            raise ValueError("ocr_confidence_threshold must be between 0 and 1")
        if not 0.0 < self.label_match_cutoff <= 100.0:
            raise ValueError("label_match_cutoff must be in (0, 100]")

    @property
    def isolated(self) -> bool:
        """Files are read in worker processes (``--workers`` over 1, or a memory limit)."""
        return self.workers > 1 or self.max_memory_mb > 0

    @property
    def window(self) -> int:
        return self.in_flight or DEFAULT_IN_FLIGHT_PER_WORKER * self.workers


def reading_settings(settings: Settings) -> tuple[tuple[str, object], ...]:
    """The fields that can change what a file reads as, by name: the cache key's part of the settings."""
    return tuple((f.name, getattr(settings, f.name)) for f in fields(settings) if not f.metadata.get("batch"))
