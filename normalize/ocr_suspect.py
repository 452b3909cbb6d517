"""Numbers a scan may have misread, caught by the form's own arithmetic.

On an OCR'd form, every number read is tried against the checks it takes
part in: 执行率 = 全年执行数 ÷ 全年预算数, 得分 = 执行率 × 分值, the funding
sources add up to 年度资金总额, 总分's score and weight are the sums of the
rows', a score is at most its weight, and an actual is of its target's
magnitude.  When a check fails and one plausible OCR slip in one number
(a dropped or an added decimal point, 1/7, 0/8/6, 5/6, 3/8, a leading 1
lost) would make every check of that number hold, the number is reported as
``ocr_suspect`` with the reading proposed and the check it satisfies.  So is
an indicator's target or actual whose unit differs from the other's only by
a '/' lost or read as l, I or 1 (``元人`` or ``元l人`` beside ``元/人``).  The value is kept
as read: a form's own mistakes look the same, and only a reviewer with the
page can tell.  A text cell with a character that makes no word where a
look-alike of it would is one too (:mod:`selfeval.normalize.ocr_words`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from selfeval.extract.grid import Place, SourceRow
from selfeval.findings import Finding, finding_at
from selfeval.normalize.ocr_check import cell_fields
from selfeval.normalize.ocr_words import word_suspects
from selfeval.normalize.records import FormRecord
from selfeval.normalize.values import base_of, parse_rate, parse_value, to_decimal
from selfeval.settings import Settings

CONFUSABLE = {"1": "7", "7": "1", "0": "86", "8": "063", "6": "085", "5": "6", "3": "8"}
DEFAULT_MAGNITUDE = Decimal(8)  # an actual this many times its target (or 1/this) is out of scale
DEFAULT_NEAR = Decimal(2)  # ... and back within this factor of it once the slip is undone


@dataclass(frozen=True)
class Read:
    """One number as read: where, what it is, its text and value."""

    key: str  # e.g. "f3.executed"
    what: str  # e.g. "年度资金总额 全年执行数"
    place: Place
    raw: str
    kind: str  # amount | rate | actual
    value: Decimal
    table: str = ""  # the record the number became, as findings name it: funding | indicators | forms
    record: str | int | None = None  # its key in that table (source_key, indicator_seq; None for the form)
    column: str | None = None  # its column there


@dataclass(frozen=True)
class Check:
    name: str  # what it says, e.g. "执行率 = 全年执行数 ÷ 全年预算数"
    keys: tuple[str, ...]
    holds: Callable[[dict[str, Decimal]], bool]


def slips(raw: str) -> list[str]:
    """Readings one OCR slip away from ``raw``: a decimal point dropped (put
    back between any two digits) or added (taken out), or one digit confused."""
    body = raw.strip()
    digits = [i for i, ch in enumerate(body) if ch.isdigit()]
    if not digits:
        return []
    out: list[str] = []
    if "." in body:
        out.append(body.replace(".", "", 1))
    else:
        first, last = digits[0], digits[-1]
        out += [body[:i] + "." + body[i:] for i in range(first + 1, last + 1) if body[i - 1].isdigit() and body[i].isdigit()]
    for i in digits:
        out += [body[:i] + alt + body[i + 1:] for alt in CONFUSABLE.get(body[i], "")]
    out.append(body[:digits[0]] + "1" + body[digits[0]:])  # a leading 1, the thinnest digit, lost
    return [s for s in dict.fromkeys(out) if s != body]


def _slip_name(raw: str, alt: str) -> str:
    if len(alt) == len(raw) + 1 and alt.count(".") == raw.count("."):
        return "a leading 1 lost"
    if raw.count(".") > alt.count("."):
        return "an added decimal point"
    if raw.count(".") < alt.count("."):
        return "a dropped decimal point"
    a, b = next((x, y) for x, y in zip(raw, alt, strict=True) if x != y)
    return f"{b} read as {a}"


def _number(kind: str, text: str) -> Decimal | None:
    if kind == "rate":
        return parse_rate(text).value
    if kind == "actual":
        v = parse_value(text)
        return v.value * base_of(v.unit)[1] if v.value is not None and v.status == "numeric" else None
    return to_decimal(text)


def ocr_suspects(form: FormRecord, rows: list[SourceRow], settings: Settings) -> list[Finding]:
    """``ocr_suspect`` findings of an OCR'd form (see the module's docstring)."""
    by_place = {r.place: r for r in rows if r.confidence is not None}
    if not by_place:
        return []
    reads = _reads(form, by_place)
    checks = _checks(form, reads, settings)
    env = {k: r.value for k, r in reads.items()}
    found: list[tuple[Read, list[str], list[Check]]] = []
    for key, read in reads.items():
        mine = [c for c in checks if key in c.keys]
        failing = [c for c in mine if not c.holds(env)]
        if not failing:
            continue
        fixes = []
        for alt in slips(read.raw):
            value = _number(read.kind, alt)
            if value is not None and all(c.holds({**env, key: value}) for c in mine):
                fixes.append(alt)
        if fixes:
            found.append((read, fixes, failing))
    out = _unit_suspects(form, by_place) + word_suspects(form, by_place.values(), settings)
    # where several numbers could each explain a failed check, the one that explains
    # the most failed checks is the likelier slip
    best: dict[str, int] = {}
    for _, _, failing in found:
        for c in failing:
            best[c.name] = max(best.get(c.name, 0), len(failing))
    for read, fixes, failing in found:
        if not any(len(failing) == best[c.name] for c in failing):
            continue
        said = " or ".join(f"{alt!r} ({_slip_name(read.raw, alt)})" for alt in fixes)
        broken = "; ".join(c.name for c in failing)
        out.append(finding_at(
            "ocr_suspect",
            f"{read.what} read as {read.raw!r} contradicts {broken}; read as {said} it would hold. "
            "The value is kept as read: check it against the scan",
            read.place, text=read.raw,
        ).about(read.table, read.record, read.column))
    return out


def _unit_suspects(form: FormRecord, rows: dict[Place, SourceRow]) -> list[Finding]:
    """An indicator read by OCR whose target and actual units differ only by a '/' that
    one of them lost or has as a stroke (1, l, I), or one of which reads as no value
    until a stroke in it is the '/' (元1人): that one is suspect."""
    out = []
    for ind in form.indicators:
        if ind.place not in rows:
            continue
        name = ind.level3 or f"indicator {ind.indicator_seq}"
        pair = (("年度指标值", ind.target, "target_raw", ind.actual), ("实际完成值", ind.actual, "actual_raw", ind.target))
        for title, value, column, other in pair:
            if not other.unit or "/" not in other.unit or (value.unit and "/" in value.unit):
                continue
            if value.unit:
                if other.unit not in _with_slash(value.unit):
                    continue
                alt = value.raw.replace(value.unit, other.unit, 1)
            else:  # the stroke read as a digit left no unit to read: ≥28000元1人 beside 28881元/人
                alt = next((a for a in _slash_for_stroke(value.raw or "") if parse_value(a).unit == other.unit), None)
                if alt is None:
                    continue
            out.append(finding_at(
                "ocr_suspect",
                f"{name} {title} read as {value.raw!r}: "
                + (f"its unit {value.unit!r} is not the other value's {other.unit!r}" if value.unit
                   else f"no value is read from it, the other value's unit is {other.unit!r}")
                + f"; read as {alt!r} ({_slash_slip(value.raw, alt)}) they would agree. "
                "The value is kept as read: check it against the scan",
                ind.place, text=value.raw,
            ).about("indicators", ind.indicator_seq, column))
    return out


def _slash_slip(raw: str, alt: str) -> str:
    """How ``raw`` differs from ``alt``, the same with its '/' back: lost, or read as a stroke."""
    if len(alt) > len(raw):
        return "a '/' lost"
    return next((f"a '/' read as {a!r}" for a, b in zip(raw, alt, strict=True) if a != b), "a '/' lost")


def _slash_for_stroke(raw: str) -> list[str]:
    """``raw`` with a stroke read as 1, l, I or | after a character of a unit (not a
    digit, so not a digit of the number) put back as the '/' it may have been."""
    return [raw[:i] + "/" + raw[i + 1:] for i, ch in enumerate(raw)
            if ch in "1lI|" and 0 < i < len(raw) - 1 and not raw[i - 1].isdigit() and raw[i - 1] not in ".%"]


def _with_slash(unit: str) -> set[str]:
    """``unit`` with a '/' put back: between two of its characters, or for a stroke read as l, I or 1."""
    out = {unit[:i] + "/" + unit[i:] for i in range(1, len(unit))}
    return out | {unit[:i] + "/" + unit[i + 1:] for i, ch in enumerate(unit) if ch in "1lI|"}


def _reads(form: FormRecord, rows: dict[Place, SourceRow]) -> dict[str, Read]:
    reads: dict[str, Read] = {}

    def add(key, what, place, text, kind, about):
        value = _number(kind, text) if text else None
        if value is not None:
            reads[key] = Read(key, what, place, text, kind, value, *about)

    for k, f in enumerate(form.funding):
        row = rows.get(f.place)
        if row is None:
            continue
        texts = cell_fields(form, row)
        for field, title in (("budget_full_year", "全年预算数"), ("executed", "全年执行数"), ("weight", "分值"),
                             ("score", "得分")):
            add(f"f{k}.{field}", f"{f.source_label} {title}", f.place, texts.get(field, ""), "amount",
                ("funding", f.source_key, field))
        add(f"f{k}.execution_rate", f"{f.source_label} 执行率", f.place, texts.get("execution_rate", ""), "rate",
            ("funding", f.source_key, "execution_rate"))
    for k, ind in enumerate(form.indicators):
        row = rows.get(ind.place)
        if row is None:
            continue
        texts = cell_fields(form, row)
        name = ind.level3 or f"indicator {ind.indicator_seq}"
        seq = ind.indicator_seq
        add(f"i{k}.weight", f"{name} 分值", ind.place, texts.get("weight", ""), "amount", ("indicators", seq, "weight"))
        add(f"i{k}.score", f"{name} 得分", ind.place, texts.get("score", ""), "amount", ("indicators", seq, "score"))
        if ind.target.value is not None and ind.target_base is not None:
            add(f"i{k}.actual", f"{name} 实际完成值", ind.place, texts.get("actual", ""), "actual",
                ("indicators", seq, "actual_raw"))
    if form.total_place is not None and form.total_place in rows:
        texts = cell_fields(form, rows[form.total_place])
        add("t.weight", "总分 分值", form.total_place, texts.get("weight", ""), "amount", ("forms", None, "total_weight"))
        add("t.score", "总分 得分", form.total_place, texts.get("score", ""), "amount", ("forms", None, "total_score"))
    return reads


def _checks(form: FormRecord, reads: dict[str, Read], settings: Settings) -> list[Check]:
    points = Decimal(str(settings.rate_tolerance_points)) / 100
    score_tol = Decimal(str(settings.score_tolerance))
    amount_tol = Decimal(str(settings.amount_tolerance))
    have = lambda *keys: all(k in reads for k in keys)  # noqa: E731
    out: list[Check] = []
    for k, f in enumerate(form.funding):
        e, b, r, w, s = (f"f{k}.{x}" for x in ("executed", "budget_full_year", "execution_rate", "weight", "score"))
        if have(e, b, r):
            out.append(Check(f"{f.source_label} 执行率 = 全年执行数 ÷ 全年预算数", (e, b, r),
                             lambda v, e=e, b=b, r=r: bool(v[b]) and abs(v[e] / v[b] - v[r]) <= points))
        if have(r, w, s):
            out.append(Check(f"{f.source_label} 得分 = 执行率 × 分值", (r, w, s),
                             lambda v, r=r, w=w, s=s: abs(v[r] * v[w] - v[s]) <= score_tol))
        if have(w, s):
            out.append(Check(f"{f.source_label} 得分 ≤ 分值", (w, s), lambda v, w=w, s=s: v[s] <= v[w] + score_tol))
    total = next((k for k, f in enumerate(form.funding) if f.source_key == "total"), None)
    parts = [k for k, f in enumerate(form.funding) if f.source_key != "total"]
    if total is not None:
        for field, title in (("budget_full_year", "全年预算数"), ("executed", "全年执行数")):
            keys = tuple(f"f{k}.{field}" for k in parts if f"f{k}.{field}" in reads)
            if keys and have(f"f{total}.{field}"):
                t = f"f{total}.{field}"
                out.append(Check(f"the funding sources' {title} add up to 年度资金总额's", (t, *keys),
                                 lambda v, t=t, keys=keys: abs(sum(v[x] for x in keys) - v[t]) <= amount_tol))
    scores = tuple(k for k in reads if k.startswith("i") and k.endswith(".score"))
    weights = tuple(k for k in reads if k.startswith("i") and k.endswith(".weight"))
    if total is not None:
        scores += tuple(k for k in (f"f{total}.score",) if k in reads)
        weights += tuple(k for k in (f"f{total}.weight",) if k in reads)
    if have("t.score") and scores:
        out.append(Check("总分's 得分 = funding score + indicator scores", ("t.score", *scores),
                         lambda v: abs(sum(v[x] for x in scores) - v["t.score"]) <= score_tol))
    if have("t.weight") and weights:
        out.append(Check("总分's 分值 = funding weight + indicator weights", ("t.weight", *weights),
                         lambda v: abs(sum(v[x] for x in weights) - v["t.weight"]) <= score_tol))
    for k, ind in enumerate(form.indicators):
        w, s, a = f"i{k}.weight", f"i{k}.score", f"i{k}.actual"
        if have(w, s):
            out.append(Check(f"{ind.level3 or 'indicator'} 得分 ≤ 分值", (w, s), lambda v, w=w, s=s: v[s] <= v[w] + score_tol))
        if have(a) and ind.target_base:
            target = abs(ind.target_base)
            out.append(Check(f"{ind.level3 or 'indicator'} 实际完成值 of the magnitude of its target {ind.target.raw}", (a,),
                             lambda v, a=a, target=target, k=k: _in_scale(v[a], target, reads[a].value)))
    return out


def _in_scale(value: Decimal, target: Decimal, as_read: Decimal) -> bool:
    """An actual is in scale when within ``DEFAULT_MAGNITUDE`` of its target; a
    changed reading must come back within ``DEFAULT_NEAR`` of it to count."""
    if not target or not value:
        return True
    ratio = abs(value) / target
    limit = DEFAULT_MAGNITUDE if value == as_read else DEFAULT_NEAR
    return 1 / limit <= ratio <= limit
