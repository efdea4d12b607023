"""Building blocks of Kibana 8.x saved objects: the envelope, Lens columns and visualizations.

Every field a column aggregates or a query searches goes through ``Fields``, which checks it
against the index mapping (``indexer.mapping``) while the objects are built: a renamed field,
or a text field in an aggregation, fails here and not in an analyst's browser.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from indexer.mapping import document_mapping

RECORDS = "___records___"  # Lens's pseudo-field for count()

# Migration levels as Kibana 8.x exports write them. Kibana migrates older objects on import
# and refuses newer ones, so these stay at levels that every 8.19 knows.
CORE_MIGRATION_VERSION = "8.8.0"
TYPE_MIGRATION_VERSIONS = {"index-pattern": "8.0.0", "lens": "8.9.0", "dashboard": "8.9.0"}

_NUMERIC = {"byte", "short", "integer", "long", "float", "half_float", "double", "unsigned_long"}
AGGREGATABLE = frozenset({"keyword", "date", "boolean", *_NUMERIC})


def mapped_fields() -> dict[str, str]:
    """``{"sentiment.label": "keyword", "title.raw": "keyword", ...}`` from the index mapping."""

    def walk(properties: Mapping[str, Any], prefix: str) -> dict[str, str]:
        flat: dict[str, str] = {}
        for name, spec in properties.items():
            if "properties" in spec:
                flat |= walk(spec["properties"], f"{prefix}{name}.")
                continue
            flat[prefix + name] = spec["type"]
            for sub, sub_spec in spec.get("fields", {}).items():
                flat[f"{prefix}{name}.{sub}"] = sub_spec["type"]
        return flat

    return walk(document_mapping()["properties"], "")


class Fields:
    """Field look-ups that fail the build on a field the mapping lacks or cannot aggregate."""

    def __init__(self) -> None:
        self._types = mapped_fields()

    def searched(self, name: str) -> str:
        if name not in self._types:
            raise KeyError(f"Kibana objects use {name!r}, which the index mapping lacks")
        return name

    def aggregated(self, name: str) -> str:
        if self._types[self.searched(name)] not in AGGREGATABLE:
            raise ValueError(f"{name!r} is {self._types[name]}: Kibana cannot aggregate it")
        return name

    def data_type(self, name: str) -> str:
        """Lens's data type of a field: string, number, date or boolean."""
        es_type = self._types[self.searched(name)]
        if es_type in _NUMERIC:
            return "number"
        return {"date": "date", "boolean": "boolean"}.get(es_type, "string")


def literal_values(model: type[BaseModel], field: str) -> tuple[str, ...]:
    """The values a ``Literal`` field of the document model may take."""
    return typing.get_args(model.model_fields[field].annotation)


def static_lookup(values: tuple[str, ...], names: Mapping[str, str]) -> dict[str, Any]:
    """A data-view field format showing ``names[value]`` for each stored value."""
    if set(values) != set(names):
        raise ValueError(f"display names {sorted(names)} do not match the values {values}")
    entries = [{"key": value, "value": names[value]} for value in values]
    return {"id": "static_lookup", "params": {"lookupEntries": entries}}


def kql(field: str, *values: str) -> str:
    """``field : "a"`` or ``field : ("a" or "b")``."""
    quoted = " or ".join(json.dumps(value, ensure_ascii=False) for value in values)
    return f"{field} : {quoted}" if len(values) == 1 else f"{field} : ({quoted})"


def dumps(value: Any) -> str:
    """Compact JSON with sorted keys: the same objects always give the same bytes."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def saved_object(
    kind: str, object_id: str, attributes: dict[str, Any], references: list[dict[str, str]]
) -> dict[str, Any]:
    return {
        "attributes": attributes,
        "coreMigrationVersion": CORE_MIGRATION_VERSION,
        "id": object_id,
        "managed": False,
        "references": references,
        "type": kind,
        "typeMigrationVersion": TYPE_MIGRATION_VERSIONS[kind],
    }


# --- Columns of a form-based layer --------------------------------------------------------


def count(label: str, filter_kql: str | None = None) -> dict[str, Any]:
    column: dict[str, Any] = {
        "label": label,
        "customLabel": True,
        "dataType": "number",
        "operationType": "count",
        "isBucketed": False,
        "scale": "ratio",
        "sourceField": RECORDS,
        "params": {"emptyAsNull": True},
    }
    if filter_kql is not None:
        column["filter"] = {"language": "kuery", "query": filter_kql}
    return column


def terms(f: Fields, field: str, label: str, size: int, order_by: str) -> dict[str, Any]:
    """The top ``size`` values of ``field``, ranked by the metric column ``order_by``."""
    return {
        "label": label,
        "customLabel": True,
        "dataType": f.data_type(field),
        "operationType": "terms",
        "isBucketed": True,
        "scale": "ordinal",
        "sourceField": f.aggregated(field),
        "params": {
            "size": size,
            "orderBy": {"type": "column", "columnId": order_by},
            "orderDirection": "desc",
            "otherBucket": False,
            "missingBucket": False,
            "parentFormat": {"id": "terms"},
            "include": [],
            "exclude": [],
            "includeIsRegex": False,
            "excludeIsRegex": False,
        },
    }


def date_histogram(f: Fields, field: str, label: str) -> dict[str, Any]:
    return {
        "label": label,
        "customLabel": True,
        "dataType": "date",
        "operationType": "date_histogram",
        "isBucketed": True,
        "scale": "interval",
        "sourceField": f.aggregated(field),
        "params": {"interval": "auto", "includeEmptyRows": True, "dropPartials": False},
    }


def maximum(f: Fields, field: str, label: str, decimals: int = 2) -> dict[str, Any]:
    return {
        "label": label,
        "customLabel": True,
        "dataType": "number",
        "operationType": "max",
        "isBucketed": False,
        "scale": "ratio",
        "sourceField": f.aggregated(field),
        "params": {
            "emptyAsNull": True,
            "format": {"id": "number", "params": {"decimals": decimals}},
        },
    }


def last_value(f: Fields, field: str, label: str, sort_field: str) -> dict[str, Any]:
    """The field's value in the newest document of the bucket (by ``sort_field``)."""
    data_type = f.data_type(field)
    return {
        "label": label,
        "customLabel": True,
        "dataType": data_type,
        "operationType": "last_value",
        "isBucketed": False,
        "scale": "ordinal" if data_type == "string" else "ratio",
        "sourceField": f.aggregated(field),
        "params": {"sortField": f.aggregated(sort_field), "showArrayValues": False},
    }


def ratio(column_id: str, label: str, numerator_kql: str) -> dict[str, dict[str, Any]]:
    """``count(kql=...) / count()`` as Lens stores a formula: the column and its parts X0-X2."""
    if "'" in numerator_kql:
        raise ValueError("a formula's kql='...' argument cannot hold a single quote")
    formula = f"count(kql='{numerator_kql}') / count()"
    part = f"Part of {label}"
    x0, x1, x2 = (f"{column_id}X{n}" for n in range(3))
    ast = {
        "type": "function",
        "name": "divide",
        "args": [x0, x1],
        "location": {"min": 0, "max": len(formula)},
        "text": formula,
    }
    math = {"label": part, "customLabel": True, "dataType": "number", "operationType": "math",
            "isBucketed": False, "scale": "ratio", "params": {"tinymathAst": ast},
            "references": [x0, x1]}  # fmt: skip
    params = {
        "formula": formula,
        "isFormulaBroken": False,
        "format": {"id": "percent", "params": {"decimals": 1}},
    }
    formula_column = {"label": label, "customLabel": True, "dataType": "number",
                      "operationType": "formula", "isBucketed": False, "scale": "ratio",
                      "params": params, "references": [x2]}  # fmt: skip
    denominator = count(part) | {"params": {"emptyAsNull": False}}
    numerator = count(part, numerator_kql) | {"params": {"emptyAsNull": False}}
    return {x0: numerator, x1: denominator, x2: math, column_id: formula_column}


# --- Visualizations -----------------------------------------------------------------------


def xy(layer_id: str, series: str, x: str, y: str, split: str | None = None) -> dict[str, Any]:
    """An XY chart (``bar_stacked``, ``bar_horizontal_stacked``, ...) with one data layer."""
    layer: dict[str, Any] = {
        "layerId": layer_id,
        "layerType": "data",
        "seriesType": series,
        "xAccessor": x,
        "accessors": [y],
        "position": "top",
        "showGridlines": False,
    }
    if split is not None:
        layer["splitAccessor"] = split
    return {
        "layers": [layer],
        "preferredSeriesType": series,
        "legend": {"isVisible": split is not None, "position": "right", "legendSize": "auto"},
        "valueLabels": "hide",
        "fittingFunction": "None",
        "axisTitlesVisibilitySettings": {"x": False, "yLeft": True, "yRight": True},
        "tickLabelsVisibilitySettings": {"x": True, "yLeft": True, "yRight": True},
        "labelsOrientation": {"x": 0, "yLeft": 0, "yRight": 0},
        "gridlinesVisibilitySettings": {"x": True, "yLeft": True, "yRight": True},
        "yLeftExtent": {"mode": "full"},
        "yRightExtent": {"mode": "full"},
    }


def table(layer_id: str, columns: list[str], sort_by: str, page_size: int = 20) -> dict[str, Any]:
    """A datatable showing ``columns`` in that order, sorted by ``sort_by``, largest first."""
    return {
        "layerId": layer_id,
        "layerType": "data",
        "columns": [{"columnId": column, "isTransposed": False} for column in columns],
        "sorting": {"columnId": sort_by, "direction": "desc"},
        "paging": {"enabled": True, "size": page_size},
        "rowHeight": "single",
        "rowHeightLines": 1,
    }


def lens(
    object_id: str,
    text: tuple[str, str],
    visualization_type: str,
    data_view_id: str,
    layer: tuple[str, dict[str, dict[str, Any]]],
    visualization: dict[str, Any],
    query: str = "",
) -> dict[str, Any]:
    """A Lens saved object (``text`` = title, description) with one form-based layer.

    Bucketed columns come first in ``columnOrder``: Lens nests aggregations in that order.
    """
    layer_id, columns = layer
    order = [c for c in columns if columns[c]["isBucketed"]]
    order += [c for c in columns if not columns[c]["isBucketed"]]
    form_layer = {"columnOrder": order, "columns": columns, "incompleteColumns": {}, "sampling": 1}
    state = {
        "datasourceStates": {
            "formBased": {"layers": {layer_id: form_layer}},
            "textBased": {"layers": {}},
        },
        "visualization": visualization,
        "query": {"language": "kuery", "query": query},
        "filters": [],
        "internalReferences": [],
        "adHocDataViews": {},
    }
    title, description = text
    attributes = {"title": title, "description": description,
                  "visualizationType": visualization_type, "state": state}  # fmt: skip
    references = [
        {"type": "index-pattern", "id": data_view_id,
         "name": "indexpattern-datasource-current-indexpattern"},
        {"type": "index-pattern", "id": data_view_id,
         "name": f"indexpattern-datasource-layer-{layer_id}"},
    ]  # fmt: skip
    return saved_object("lens", object_id, attributes, references)
