"""Read a CRFsuite model file (``lCRF``/``FOMC``, as underthesea ships ``models.bin``).

The layout follows CRFsuite's ``crf1d_model.c``: a 48-byte header of offsets, a ``FEAT`` chunk
of (type, source, destination, weight) records, and CQDB string databases for the labels and
the attributes, read here through their backward (id -> record) arrays. Only what scoring
needs is kept: per attribute, its weight for each label, and the label transitions.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CrfModel", "UnsupportedModelError", "read_crfsuite"]


class UnsupportedModelError(ValueError):
    """The model file or its feature templates are not what this reader knows."""


@dataclass(frozen=True)
class CrfModel:
    """A 2-label CRFsuite model: attribute -> (weight label 0, weight label 1), transitions."""

    labels: tuple[str, str]
    state: dict[str, tuple[float, float]]
    transitions: tuple[tuple[float, float], tuple[float, float]]  # [from][to]


def _cqdb_strings(data: bytes, start: int) -> list[str]:
    """The strings of a CQDB database by id, read through its backward (id -> record) array."""
    chunk, _size, _flag, _order, count, backward = struct.unpack_from("<4s5I", data, start)
    if chunk != b"CQDB":
        raise UnsupportedModelError(f"no CQDB database at offset {start}")
    strings = []
    for ident, offset in enumerate(struct.unpack_from(f"<{count}I", data, start + backward)):
        record_id, size = struct.unpack_from("<II", data, start + offset)
        if record_id != ident:
            raise UnsupportedModelError(f"CQDB record {record_id} where {ident} was expected")
        key = data[start + offset + 8 : start + offset + 8 + size]
        strings.append(key.rstrip(b"\0").decode("utf-8"))
    return strings


def read_crfsuite(path: Path) -> CrfModel:
    """Read the state and transition weights of a CRFsuite 1st-order model (``lCRF``/``FOMC``)."""
    data = path.read_bytes()
    header = struct.unpack_from("<4sI4s9I", data, 0)
    magic, size, kind, _version, _features, num_labels = header[:6]
    off_features, off_labels, off_attrs = header[7:10]
    if magic != b"lCRF" or kind != b"FOMC" or size != len(data):
        raise UnsupportedModelError(f"{path} is not a CRFsuite first-order model")
    labels = _cqdb_strings(data, off_labels)
    attrs = _cqdb_strings(data, off_attrs)
    if num_labels != 2 or len(labels) != 2:
        raise UnsupportedModelError(f"{path} has {num_labels} labels; this reader scores two")
    chunk, _size, count = struct.unpack_from("<4sII", data, off_features)
    if chunk != b"FEAT":
        raise UnsupportedModelError(f"{path} has no feature chunk")
    state: dict[str, list[float]] = {}
    transitions = [[0.0, 0.0], [0.0, 0.0]]
    for kind_id, src, dst, weight in struct.iter_unpack(
        "<IIId", data[off_features + 12 : off_features + 12 + 20 * count]
    ):
        if kind_id == 0:
            # underthesea_core drops |w| <= 1e-10 when it loads the model; so do we.
            if abs(weight) > 1e-10:
                state.setdefault(attrs[src], [0.0, 0.0])[dst] = weight
        elif kind_id == 1:
            transitions[src][dst] = weight
        else:
            raise UnsupportedModelError(f"{path} has a feature of unknown type {kind_id}")
    return CrfModel(
        labels=(labels[0], labels[1]),
        state={attr: (w[0], w[1]) for attr, w in state.items()},
        transitions=(
            (transitions[0][0], transitions[0][1]),
            (transitions[1][0], transitions[1][1]),
        ),
    )
