"""Exposition sample lines written directly, the same bytes prometheus_client writes.

Each entity's labels are rendered once into ``{k="v",...} `` (sorted by name, values
escaped) and shared by every family of the entity, so a sample costs its value's text and one
concatenation. The lines of a family are the same in text 0.0.4 and OpenMetrics (every name in
the catalogue is a legacy Prometheus name); only the HELP and TYPE lines differ, and those are
written by prometheus_client (:func:`exporter.metrics.render.header`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from operator import add, itemgetter

from exporter.metrics.catalogue import BY_NAME


def escape(value: str) -> str:
    """A label value as prometheus_client escapes it in both formats."""
    return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")


def _form(keys: tuple[str, ...]) -> tuple[str, Callable[[tuple[str, ...]], object]]:
    """A ``%`` template of the labels ``keys`` sorted by name, and what picks its values."""
    order = sorted(range(len(keys)), key=keys.__getitem__)
    inner = ",".join(f'{keys[i]}="%s"' for i in order)
    return f"{{{inner}}} ", itemgetter(*order)


_FORMS: dict[tuple[str, ...], tuple[str, Callable[[tuple[str, ...]], object]]] = {}


def label_text(keys: tuple[str, ...], values: tuple[str, ...]) -> str:
    """``{k="v",...} `` sorted by label name, or a lone space without labels."""
    if not keys:
        return " "
    form = _FORMS.get(keys)
    if form is None:
        form = _FORMS[keys] = _form(keys)
    joined = "".join(values)
    if "\\" in joined or "\n" in joined or '"' in joined:
        values = tuple(map(escape, values))
    template, pick = form
    return template % pick(values)


BLOCK = 4096
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


class Lines:
    """One family's samples as label texts and values; duplicates left out and counted."""

    __slots__ = ("_buckets", "_series", "_values", "duplicates", "name", "prefix")

    def __init__(self, name: str) -> None:
        self.name = name
        histogram = BY_NAME[name].type == "gaugehistogram"
        self.prefix = f"{name}_bucket" if histogram else name
        self._values: dict[str, float | bool] = {}
        self._series: set[str] = set()
        self._buckets: list[tuple[str, float]] = []
        self.duplicates = 0

    def add(self, labels: str, value: float | bool | None) -> None:
        if value is None:
            return
        if labels in self._values:
            self.duplicates += 1
        else:
            self._values[labels] = value

    def add_buckets(self, labels: str, buckets: Iterable[tuple[str, float]]) -> None:
        if labels in self._series:
            self.duplicates += 1
        else:
            self._series.add(labels)
            self._buckets.extend(buckets)

    def samples(self) -> Iterator[bytes]:
        """The family's sample lines, UTF-8, in blocks of up to ``BLOCK`` lines; then empty."""
        labels = [*self._values, *(b for b, _ in self._buckets)]
        values = [*self._values.values(), *(v for _, v in self._buckets)]
        self._values, self._buckets = {}, []
        prefix = self.prefix
        separator = f"\n{prefix}"
        for start in range(0, len(labels), BLOCK):
            reprs = map(repr, map(float, values[start : start + BLOCK]))
            texts = [t if 0 < t.find(".") <= 6 else go_text(t) for t in reprs]
            lines = map(add, labels[start : start + BLOCK], texts)
            yield (prefix + separator.join(lines) + "\n").encode()


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
