"""Exposition sample lines written directly, the same bytes prometheus_client writes.

Each entity's labels are rendered once into ``{k="v",...} `` (sorted by name, values
escaped) and shared by every family of the entity, so a sample costs its value's text and one
concatenation. The lines of a family are the same in text 0.0.4 and OpenMetrics (every name in
the catalogue is a legacy Prometheus name); only the HELP and TYPE lines differ, and those are
written by prometheus_client (:func:`exporter.metrics.render.header`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from itertools import compress, repeat
from math import copysign
from operator import add, is_not, itemgetter
from typing import cast

from exporter.metrics.catalogue import BY_NAME


def escape(value: str) -> str:
    """A label value as prometheus_client escapes it in both formats."""
    return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")


_Form = tuple[str, Callable[[tuple[str, ...]], tuple[str, ...]] | None]


def _form(keys: tuple[str, ...]) -> _Form:
    """A ``%`` template of the labels ``keys`` sorted by name, and what puts values in its
    order (None when ``keys`` are sorted already)."""
    order = sorted(range(len(keys)), key=keys.__getitem__)
    inner = ",".join(f'{keys[i]}="%s"' for i in order)
    pick = None if order == list(range(len(keys))) else itemgetter(*order)
    return f"{{{inner}}} ", pick


_FORMS: dict[tuple[str, ...], _Form] = {}


def _plain(text: str) -> bool:
    """True when ``text`` has nothing to escape."""
    return not ("\\" in text or "\n" in text or '"' in text)


def label_text(keys: tuple[str, ...], values: tuple[str, ...]) -> str:
    """``{k="v",...} `` sorted by label name, or a lone space without labels."""
    if not keys:
        return " "
    form = _FORMS.get(keys)
    if form is None:
        form = _FORMS[keys] = _form(keys)
    if not _plain("".join(values)):
        values = tuple(map(escape, values))
    template, pick = form
    return template % (values if pick is None else pick(values))


def label_texts(keys: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> list[str]:
    """``label_text(keys, row)`` of each row; in C loops when no value needs escaping.

    Each text has exactly two quotes per label and no backslash or newline of its own, so one
    count over all of them tells whether any value needed escaping.
    """
    rows = list(rows)
    if not keys:
        return [" "] * len(rows)
    template, pick = _FORMS.get(keys) or _FORMS.setdefault(keys, _form(keys))
    texts = list(map(template.__mod__, rows if pick is None else map(pick, rows)))
    joined = "".join(texts)
    if joined.count('"') != 2 * len(keys) * len(texts) or "\\" in joined or "\n" in joined:
        return [label_text(keys, row) for row in rows]
    return texts


BLOCK = 4096
_NOT_NONE = partial(is_not, None)
_SPECIAL = {"inf": "+Inf", "-inf": "-Inf", "nan": "NaN"}
_EXPONENTS = tuple(f"e+{n:02d}" for n in range(24))  # repr is fixed-point below 1e16


def go_text(text: str) -> str:
    """A float's ``repr`` as ``floatToGoString`` writes it: Go's exponent form from 1e6 up.

    Written out here: a third of the samples (byte counters, timestamps) need it, and calling
    prometheus_client's function for each costs three times as much. tests/metrics/test_lines.py
    holds it to prometheus_client's for any float.
    """
    dot = text.find(".")
    if 0 < dot <= 6:
        return text
    if dot > 6 and text[0] != "-":
        return (text[0] + "." + text[1:].replace(".", "", 1)).rstrip("0.") + _EXPONENTS[dot - 1]
    return _SPECIAL.get(text, text)


def value_text(value: float | bool) -> str:
    """``floatToGoString(value)``."""
    return go_text(repr(float(value)))


_FEW = 16  # a block of at most this many distinct values makes each one's text once
_GO_FROM = 1e6


def value_texts(values: Sequence[float | bool]) -> Sequence[str] | Iterator[str]:
    """``value_text`` of each value, each distinct one's text made once when there are few
    (up, info, state and the like), else in C loops but for what Go writes otherwise.

    The table is keyed by value, which takes ``0.0`` for ``-0.0``, so a block with any
    negative sign in it and a zero goes the other way.
    """
    distinct = set(values[: 4 * _FEW])
    if len(distinct) <= _FEW:
        distinct = set(values)
    if len(distinct) <= _FEW and (0 not in distinct or min(map(copysign, repeat(1.0), values)) > 0):
        return map({v: value_text(v) for v in distinct}.__getitem__, values)
    floats = list(map(float, values))
    texts = list(map(repr, floats))
    if "n" in "".join(texts) or max(floats, default=0.0) >= _GO_FROM:  # inf, nan; 1e6 up
        return [t if 0 < t.find(".") <= 6 else go_text(t) for t in texts]
    return texts


class LabelColumn(list[str]):
    """Label texts of many entities, and whether any repeats (once, for all its families)."""

    __slots__ = ("unique",)

    def __init__(self, texts: Iterable[str]) -> None:
        super().__init__(texts)
        self.unique = len(set(self)) == len(self)


class Lines:
    """One family's samples as label texts and values; duplicates left out and counted.

    Filled by one column of distinct labels, it keeps the column and its values as they are;
    otherwise sample by sample, each label once.
    """

    __slots__ = ("_buckets", "_column", "_series", "_values", "duplicates", "name", "prefix")

    def __init__(self, name: str) -> None:
        self.name = name
        histogram = BY_NAME[name].type == "gaugehistogram"
        self.prefix = f"{name}_bucket" if histogram else name
        self._column: tuple[Sequence[str], list[float | bool | None]] | None = None
        self._values: dict[str, float | bool] = {}
        self._series: set[str] = set()
        self._buckets: list[tuple[str, float]] = []
        self.duplicates = 0

    def add(self, labels: str, value: float | bool | None) -> None:
        if self._column is not None:
            self._add_each(*self._column)
        if value is None:
            return
        if labels in self._values:
            self.duplicates += 1
        else:
            self._values[labels] = value

    def add_column(self, labels: Sequence[str], values: Iterable[float | bool | None]) -> None:
        values = list(values)
        if len(values) != len(labels):
            raise ValueError(f"{len(labels)} labels, {len(values)} values")
        unique = (
            labels.unique if isinstance(labels, LabelColumn) else len(set(labels)) == len(labels)
        )
        if unique and self._column is None and not self._values:
            self._column = (labels, values)
            return
        if self._column is not None:  # the first column's samples go first, one by one
            self._add_each(*self._column)
        self._add_each(labels, values)

    def _add_each(self, labels: Sequence[str], values: list[float | bool | None]) -> None:
        self._column = None
        for one, value in zip(labels, values, strict=True):
            self.add(one, value)

    def add_buckets(self, labels: str, buckets: Iterable[tuple[str, float]]) -> None:
        if labels in self._series:
            self.duplicates += 1
        else:
            self._series.add(labels)
            self._buckets.extend(buckets)

    def _taken(self) -> tuple[Sequence[str], Sequence[float | bool | None]]:
        """Every label and its value (None: not reported), in order; the family is left
        empty."""
        column, self._column = self._column, None
        if column is not None:
            return column
        labels = [*self._values, *(b for b, _ in self._buckets)]
        reported = [*self._values.values(), *(v for _, v in self._buckets)]
        self._values, self._buckets = {}, []
        return labels, reported

    def samples(self) -> Iterator[bytes]:
        """The family's sample lines, UTF-8, in blocks of up to ``BLOCK`` lines; then empty."""
        labels, values = self._taken()
        prefix = self.prefix
        separator = f"\n{prefix}"
        for start in range(0, len(labels), BLOCK):
            block, reported = labels[start : start + BLOCK], values[start : start + BLOCK]
            if None in reported:  # here rather than over the whole column: fewer cache misses
                keep = list(map(_NOT_NONE, reported))
                block, reported = list(compress(block, keep)), list(compress(reported, keep))
                if not block:
                    continue
            texts = value_texts(cast("list[float | bool]", reported))
            yield f"{prefix}{separator.join(map(add, block, texts))}\n".encode()


class LineBuilder:
    """A :class:`~exporter.metrics.series.Builder` of :class:`Lines`."""

    def __init__(self) -> None:
        self.families: list[Lines] = []

    def family(self, name: str) -> Lines:
        family = Lines(name)
        self.families.append(family)
        return family

    def labels(self, keys: tuple[str, ...], values: tuple[str, ...]) -> str:
        return label_text(keys, values)

    def label_column(self, keys: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> LabelColumn:
        return LabelColumn(label_texts(keys, rows))
