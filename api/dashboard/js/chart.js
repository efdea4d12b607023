// The trend chart: bars stacked by sentiment (counts, left axis) and the negative share as a
// line (right axis, 0-100%), drawn as inline SVG. Colours come from style.css classes.
import { clear, el, svg } from "./dom.js";
import {
  SENTIMENT_LABELS,
  bucketDay,
  bucketLabel,
  formatCount,
  formatDay,
  formatShare,
} from "./format.js";

const STACK = ["negative", "neutral", "positive", "untagged"];
const HEIGHT = 300;
const MARGIN = { top: 16, right: 56, bottom: 44, left: 56 };
const MAX_LABELS = 12;

let chartCount = 0;

// A round step so that about `ticks` steps cover `max`.
function niceStep(max, ticks = 5) {
  const raw = Math.max(max, 1) / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  return Math.max(1, step);
}

function bucketTitle(bucket, interval) {
  const parts = STACK.map((name) => `${SENTIMENT_LABELS[name].toLowerCase()} ${formatCount(bucket[name])}`);
  return `${bucketLabel(bucket.start, interval)}: ${formatCount(bucket.count)} tài liệu ` +
    `(${parts.join(", ")}); tỷ lệ tiêu cực ${formatShare(bucket.negative_share)}`;
}

export function describeTrends(trends) {
  const sums = Object.fromEntries(STACK.map((name) => [name, 0]));
  let busiest = null;
  for (const bucket of trends.buckets) {
    for (const name of STACK) sums[name] += bucket[name];
    if (!busiest || bucket.count > busiest.count) busiest = bucket;
  }
  const tagged = sums.negative + sums.neutral + sums.positive;
  return { sums, tagged, busiest, share: tagged ? sums.negative / tagged : null };
}

function axes(plot, yMax, step, width) {
  const group = svg("g", { className: "axes", "aria-hidden": "true" });
  for (let value = 0; value <= yMax; value += step) {
    const y = plot.y(value);
    group.append(
      svg("line", { className: "grid", x1: MARGIN.left, x2: width - MARGIN.right, y1: y, y2: y }),
      svg("text", { className: "tick", x: MARGIN.left - 8, y: y + 4, "text-anchor": "end" },
        formatCount(value)),
    );
  }
  for (const share of [0, 0.25, 0.5, 0.75, 1]) {
    const y = plot.yShare(share);
    group.append(svg("text", { className: "tick share", x: width - MARGIN.right + 8, y: y + 4 },
      `${share * 100}%`));
  }
  const middle = (MARGIN.top + HEIGHT - MARGIN.bottom) / 2;
  group.append(
    svg("text", { className: "axis-title", transform: `translate(14 ${middle}) rotate(-90)`,
      "text-anchor": "middle" }, "Số tài liệu"),
    svg("text", { className: "axis-title", transform: `translate(${width - 10} ${middle}) rotate(90)`,
      "text-anchor": "middle" }, "Tỷ lệ tiêu cực"),
  );
  return group;
}

function bars(plot, trends) {
  const group = svg("g", { className: "bars" });
  trends.buckets.forEach((bucket, index) => {
    const x = plot.x(index);
    const bar = svg("g", {
      className: "bar",
      dataset: {
        start: bucketDay(bucket.start), count: bucket.count, negative: bucket.negative,
        neutral: bucket.neutral, positive: bucket.positive, untagged: bucket.untagged,
      },
    }, svg("title", null, bucketTitle(bucket, trends.interval)));
    let base = 0;
    for (const name of STACK) {
      if (!bucket[name]) continue;
      const top = base + bucket[name];
      bar.append(svg("rect", {
        className: `segment ${name}`, x, width: plot.barWidth,
        y: plot.y(top), height: Math.max(plot.y(base) - plot.y(top), 0.5),
      }));
      base = top;
    }
    group.append(bar);
  });
  return group;
}

function shareLine(plot, trends) {
  const group = svg("g", { className: "share-line" });
  const points = [];
  trends.buckets.forEach((bucket, index) => {
    if (bucket.negative_share === null || bucket.negative_share === undefined) return;
    const cx = plot.x(index) + plot.barWidth / 2;
    const cy = plot.yShare(bucket.negative_share);
    points.push(`${cx},${cy}`);
    group.append(svg("circle", { className: "share-point", cx, cy, r: 3.5 },
      svg("title", null,
        `${bucketLabel(bucket.start, trends.interval)}: tỷ lệ tiêu cực ${formatShare(bucket.negative_share)}`)));
  });
  if (points.length > 1) group.prepend(svg("polyline", { className: "share", points: points.join(" ") }));
  return group;
}

function xLabels(plot, trends) {
  const group = svg("g", { className: "x-labels", "aria-hidden": "true" });
  const every = Math.ceil(trends.buckets.length / MAX_LABELS);
  trends.buckets.forEach((bucket, index) => {
    if (index % every !== 0) return;
    group.append(svg("text", {
      className: "tick", x: plot.x(index) + plot.barWidth / 2, y: HEIGHT - MARGIN.bottom + 18,
      "text-anchor": "middle",
    }, bucketLabel(bucket.start, trends.interval, { short: true })));
  });
  return group;
}

export function drawTrendChart(container, trends) {
  clear(container);
  const width = Math.max(container.clientWidth || 0, 360);
  const inner = width - MARGIN.left - MARGIN.right;
  const n = Math.max(trends.buckets.length, 1);
  const slot = inner / n;
  const maxCount = Math.max(1, ...trends.buckets.map((b) => b.count));
  const step = niceStep(maxCount);
  const yMax = Math.ceil(maxCount / step) * step;
  const bottom = HEIGHT - MARGIN.bottom;
  const plot = {
    barWidth: Math.max(slot * 0.7, 1),
    x: (index) => MARGIN.left + index * slot + slot * 0.15,
    y: (value) => bottom - (value / yMax) * (bottom - MARGIN.top),
    yShare: (share) => bottom - share * (bottom - MARGIN.top),
  };
  const { sums, busiest, share } = describeTrends(trends);
  chartCount += 1;
  const titleId = `trend-title-${chartCount}`;
  const descId = `trend-desc-${chartCount}`;
  const first = trends.buckets[0];
  const last = trends.buckets[trends.buckets.length - 1];
  const period = first ? `${formatDay(bucketDay(first.start))} – ${formatDay(bucketDay(last.start))}` : "";
  const description = `Tổng ${formatCount(trends.total)} tài liệu: ` +
    STACK.map((name) => `${SENTIMENT_LABELS[name].toLowerCase()} ${formatCount(sums[name])}`).join(", ") +
    `; tỷ lệ tiêu cực ${formatShare(share)}.` +
    (busiest && busiest.count ? ` Nhiều nhất: ${bucketLabel(busiest.start, trends.interval)} ` +
      `(${formatCount(busiest.count)} tài liệu).` : "");
  const chart = svg("svg", {
    className: "trend", viewBox: `0 0 ${width} ${HEIGHT}`, width, height: HEIGHT,
    role: "img", "aria-labelledby": `${titleId} ${descId}`,
    preserveAspectRatio: "xMidYMid meet",
  },
  svg("title", { id: titleId }, `Số tài liệu theo cảm xúc, ${period}`),
  svg("desc", { id: descId }, description),
  axes(plot, yMax, step, width),
  bars(plot, trends),
  shareLine(plot, trends),
  xLabels(plot, trends),
  svg("line", { className: "baseline", x1: MARGIN.left, x2: width - MARGIN.right, y1: bottom, y2: bottom }));
  container.append(chart);
  return description;
}

export function trendTable(trends) {
  const head = el("tr", null, el("th", { scope: "col" }, "Thời gian"),
    el("th", { scope: "col" }, "Tổng"),
    ...STACK.map((name) => el("th", { scope: "col" }, SENTIMENT_LABELS[name])),
    el("th", { scope: "col" }, "Tỷ lệ tiêu cực"));
  const rows = trends.buckets.map((bucket) => el("tr", null,
    el("th", { scope: "row" }, bucketLabel(bucket.start, trends.interval)),
    el("td", null, formatCount(bucket.count)),
    ...STACK.map((name) => el("td", null, formatCount(bucket[name]))),
    el("td", null, formatShare(bucket.negative_share))));
  return el("table", { className: "data" }, el("thead", null, head), el("tbody", null, ...rows));
}
