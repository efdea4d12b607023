// The panels below the chart: watch topics, spike alerts, places, and the comment list.
// Each render function builds DOM nodes from API data; document text goes in as text only.
import { el, externalLink, highlighted } from "./dom.js";
import {
  KIND_LABELS,
  SENTIMENT_LABELS,
  bucketLabel,
  formatCount,
  formatInstant,
  formatNumber,
  formatShare,
} from "./format.js";

export const EMPTY = "Không có dữ liệu trong khoảng thời gian này";

// ---- watch topics: a sortable table ----

const TOPIC_COLUMNS = [
  { key: "label", title: "Chủ đề", numeric: false },
  { key: "count", title: "Số tài liệu", numeric: true },
  { key: "negative_share", title: "Tỷ lệ tiêu cực", numeric: true },
  { key: "week_count", title: "7 ngày qua", numeric: true },
  { key: "week_change", title: "So với 7 ngày trước", numeric: true },
];

// One row per topic: the chosen range's figures and the last week's against the week before.
export function topicRows(range, week) {
  const weekly = new Map(week.topics.map((t) => [t.key, t]));
  return range.topics.map((t) => {
    const w = weekly.get(t.key);
    return {
      key: t.key, label: t.label, count: t.count, negative_share: t.negative_share,
      week_count: w ? w.count : 0, week_change: w ? w.change : 0,
      week_ratio: w ? w.change_ratio : null, week_previous: w ? w.previous_count : 0,
    };
  }).filter((row) => row.count > 0 || row.week_count > 0 || row.week_previous > 0);
}

function compareRows(sort) {
  return (a, b) => {
    const left = a[sort.key];
    const right = b[sort.key];
    let order;
    if (typeof left === "string") order = left.localeCompare(right, "vi");
    else order = (left ?? -Infinity) - (right ?? -Infinity);
    return (sort.descending ? -order : order) || b.count - a.count || a.label.localeCompare(b.label, "vi");
  };
}

function changeCell(row) {
  const sign = row.week_change > 0 ? "+" : "";
  let ratio = "";
  if (row.week_ratio !== null && row.week_ratio !== undefined) {
    ratio = ` (${row.week_ratio > 0 ? "+" : ""}${formatNumber(row.week_ratio * 100)}%)`;
  } else if (row.week_count > 0) {
    ratio = " (mới)";
  }
  const direction = row.week_change > 0 ? "up" : row.week_change < 0 ? "down" : "flat";
  const arrow = { up: "▲ ", down: "▼ ", flat: "" }[direction];
  return el("td", { className: `num change ${direction}` }, `${arrow}${sign}${formatCount(row.week_change)}${ratio}`);
}

export function renderTopicTable(rows, sort, selected, { onSort, onPick }) {
  const head = el("tr", null, ...TOPIC_COLUMNS.map((column) => {
    const active = sort.key === column.key;
    return el("th", {
      scope: "col", className: column.numeric ? "num" : null,
      "aria-sort": active ? (sort.descending ? "descending" : "ascending") : "none",
    }, el("button", { type: "button", className: "sort", dataset: { key: column.key },
      onclick: () => onSort(column.key) }, column.title, active ? (sort.descending ? " ↓" : " ↑") : ""));
  }));
  const body = [...rows].sort(compareRows(sort)).map((row) => el("tr", {
    className: row.key === selected ? "selected" : null, dataset: { topic: row.key },
  },
  el("th", { scope: "row" }, el("button", {
    type: "button", className: "pick", "aria-pressed": row.key === selected ? "true" : "false",
    title: row.key === selected ? "Bỏ lọc chủ đề này" : "Lọc theo chủ đề này",
    onclick: () => onPick(row.key),
  }, row.label)),
  el("td", { className: "num" }, formatCount(row.count)),
  el("td", { className: "num" }, formatShare(row.negative_share)),
  el("td", { className: "num" }, formatCount(row.week_count)),
  changeCell(row)));
  return el("table", { className: "data topics" }, el("thead", null, head), el("tbody", null, ...body));
}

// ---- spikes ----

const SPIKE_KIND = { volume: "tăng đột biến về số lượng", negative: "tăng đột biến ý kiến tiêu cực" };

export function sentimentBadge(label) {
  const name = label && SENTIMENT_LABELS[label] ? label : "untagged";
  return el("span", { className: `badge ${name}` }, SENTIMENT_LABELS[name]);
}

// The badge of labels an analyst corrected: the label in effect, marked as corrected.
export function correctedBadge(label) {
  const badge = sentimentBadge(label);
  badge.title = "Nhãn đã được cán bộ hiệu chỉnh";
  badge.classList.add("corrected");
  badge.dataset.corrected = "true";
  return badge;
}

export function renderSpike(spike, { onPick }) {
  const where = spike.dimension === "topic" ? "Chủ đề" : "Địa bàn";
  const counted = spike.kind === "negative" ? "tài liệu tiêu cực" : "tài liệu";
  const documents = spike.documents.map((doc) => el("li", null,
    sentimentBadge(doc.sentiment), " ",
    el("span", { className: "kind" }, KIND_LABELS[doc.kind] || doc.kind), " · ",
    externalLink(doc.url, doc.title || doc.snippet || doc.url),
    doc.title && doc.snippet ? el("span", { className: "snippet" }, doc.snippet) : null));
  return el("li", { className: `spike ${spike.kind}`, dataset: { key: spike.key } },
    el("p", { className: "spike-head" },
      el("button", { type: "button", className: "pick",
        title: `Lọc theo ${where.toLowerCase()} này`,
        onclick: () => onPick(spike.dimension, spike.value) }, spike.label),
      ` — ${where.toLowerCase()} ${SPIKE_KIND[spike.kind]}`),
    el("p", { className: "spike-figures" },
      `${bucketLabel(spike.bucket_start, spike.interval)}: ${formatCount(spike.count)} ${counted}, ` +
      `thường khoảng ${formatNumber(spike.baseline_median)} (điểm z ${formatNumber(spike.z)})`),
    documents.length ? el("ul", { className: "spike-docs" }, ...documents) : null);
}

// ---- places ----

export function renderPlace(place, selected, { onPick }) {
  const share = place.negative_share;
  const bar = el("span", { className: "bar-fill" });
  bar.style.width = `${Math.round((share || 0) * 100)}%`; // CSSOM, allowed by the CSP
  return el("li", { className: place.name === selected ? "selected" : null, dataset: { province: place.name } },
    el("button", { type: "button", className: "pick", "aria-pressed": place.name === selected ? "true" : "false",
      title: place.name === selected ? "Bỏ lọc địa bàn này" : "Lọc theo địa bàn này",
      onclick: () => onPick(place.name) }, place.name),
    el("span", { className: "place-count" }, `${formatCount(place.count)} tài liệu`),
    el("span", { className: "bar", role: "img", "aria-label": `Tỷ lệ tiêu cực ${formatShare(share)}` }, bar),
    el("span", { className: "place-share" }, `tiêu cực ${formatShare(share)}`));
}

// ---- the comment list ----

function hitText(hit) {
  const pieces = hit.highlight && (hit.highlight.text || hit.highlight.lead);
  if (pieces && pieces.length) {
    const box = el("p", { className: "text" });
    pieces.forEach((piece, index) => {
      if (index) box.append(" … ");
      box.append(highlighted(piece));
    });
    return box;
  }
  return el("p", { className: "text" }, hit.snippet);
}

// `onCorrect`, given only to analysts and admins, adds the "Hiệu chỉnh nhãn" control.
export function renderHit(hit, topicLabels, { onCorrect } = {}) {
  const title = hit.highlight && hit.highlight.title && hit.highlight.title.length
    ? el("h3", { className: "hit-title" }, highlighted(hit.highlight.title[0]))
    : hit.title ? el("h3", { className: "hit-title" }, hit.title) : null;
  // A corrected hit shows the labels in effect (the analyst's); the model's stay in the API.
  const corrected = Boolean(hit.correction && hit.effective);
  const labels = corrected ? hit.effective : hit;
  const badge = corrected ? correctedBadge(labels.sentiment) : sentimentBadge(labels.sentiment);
  const topics = (labels.watch_topics || []).map((key) => el("span", { className: "tag" }, topicLabels.get(key) || key));
  const correct = onCorrect
    ? el("button", { type: "button", className: "link correct-open", onclick: (event) => onCorrect(event.currentTarget.closest("li.hit"), hit) },
      "Hiệu chỉnh nhãn")
    : null;
  return el("li", { className: "hit", dataset: { id: hit.id } },
    el("p", { className: "meta" },
      badge, " ",
      el("span", { className: "source" }, hit.source_name || hit.source), " · ",
      el("time", { datetime: hit.published_at || "" }, hit.published_at ? formatInstant(hit.published_at) : "không rõ thời gian"),
      hit.likes ? ` · ${formatCount(hit.likes)} lượt thích` : "",
      hit.province ? ` · ${hit.province}` : ""),
    title,
    hitText(hit),
    el("p", { className: "links" }, ...topics,
      externalLink(hit.url, hit.kind === "comment" ? "Xem bài gốc ↗" : "Đọc bài ↗"), correct));
}
