// "Tình trạng nguồn tin": each source's health as the monitor published it (GET sources,
// field `health`), worst first. Reloads every minute and on "Làm mới"; a failed request
// shows the banner and the panel's error, never a blank page. Text only (textContent).
import { ApiError, apiGet } from "./api.js";
import { clear, el } from "./dom.js";
import { formatCount, formatInstant, formatNumber, formatShare, relativeTime } from "./format.js";

const REFRESH_MS = 60 * 1000;
const $ = (id) => document.getElementById(id);

export const STATUS_LABELS = {
  ok: "Bình thường",
  degraded: "Suy giảm",
  broken: "Hỏng",
  unknown: "Chưa chạy",
};
const STATUS_ORDER = { broken: 0, degraded: 1, unknown: 2, ok: 3 };

export const ERROR_KIND_LABELS = {
  blocked: "Bị chặn",
  http: "Lỗi HTTP",
  parse: "Không đọc được trang",
  network: "Lỗi mạng",
  zero_yield: "Không còn bài",
  crash: "Tiến trình thu thập bị hỏng",
};

// A source the monitor does not know (health null) has not been run by it either.
function statusOf(source) {
  return source.health ? source.health.status : "unknown";
}

function setPanel(stateName, message = "") {
  const panel = $("health-panel");
  panel.dataset.state = stateName;
  panel.setAttribute("aria-busy", stateName === "loading" ? "true" : "false");
  const status = panel.querySelector("[data-role=status]");
  status.textContent = message;
  status.hidden = !message;
  status.className = `status ${stateName}`;
}

function showError(error) {
  const known = error instanceof ApiError;
  if (!known) console.error(error);
  const banner = $("error-banner");
  banner.dataset.status = known ? String(error.status) : "script";
  const detail = known && error.detail ? ` (Chi tiết: ${error.detail})` : "";
  $("error-message").textContent = known
    ? `${error.message}${detail}`
    : "Đã xảy ra lỗi không mong muốn khi hiển thị số liệu.";
  banner.hidden = false;
  setPanel("error", known ? error.message : "Không hiển thị được phần này.");
}

function when(instant) {
  if (!instant) return el("span", { className: "muted" }, "–");
  return el("time", { datetime: instant, title: formatInstant(instant) }, relativeTime(instant));
}

function badge(status, known) {
  const title = known ? null : "Bộ theo dõi chưa thu thập nguồn này";
  return el("span", { className: `badge health ${status}`, dataset: { status }, title }, STATUS_LABELS[status]);
}

function lastError(health) {
  if (!health || !health.last_error) return "–";
  const kind = ERROR_KIND_LABELS[health.last_error_kind];
  return el(
    "div",
    { className: "last-error" },
    kind ? el("strong", null, `${kind}: `) : null,
    el("span", { className: "error-text" }, health.last_error),
    health.last_error_at ? el("span", { className: "muted" }, " · ", when(health.last_error_at)) : null,
  );
}

function row(source) {
  const health = source.health;
  const status = statusOf(source);
  return el(
    "tr",
    { className: `health-row ${status}`, dataset: { source: source.source, status } },
    el(
      "th",
      { scope: "row" },
      el("span", { className: "source-name" }, source.source_name || source.source),
      el("span", { className: "domain" }, source.source),
    ),
    el("td", null, badge(status, Boolean(health))),
    el("td", { className: "last-success" }, when(health && health.last_success_at)),
    el(
      "td",
      { className: "num per-cycle" },
      health ? formatNumber(health.documents_per_cycle) : "–",
      health ? el("span", { className: "muted" }, ` (gần nhất: ${formatCount(health.documents_last_cycle)})`) : null,
    ),
    el("td", { className: "num error-rate" }, health ? formatShare(health.error_rate) : "–"),
    el("td", { className: "error" }, lastError(health)),
    el("td", { className: "reason" }, (health && health.reason) || "–"),
  );
}

function table(sources) {
  const head = ["Nguồn", "Trạng thái", "Thành công gần nhất", "Tài liệu mỗi chu kỳ", "Tỷ lệ lỗi",
    "Lỗi gần nhất", "Lý do"];
  return el(
    "table",
    { className: "data health" },
    el("caption", { className: "hint" }, "Tình trạng từng nguồn, nguồn có sự cố trước"),
    el("thead", null, el("tr", null, head.map((label) => el("th", { scope: "col" }, label)))),
    el("tbody", null, sources.map(row)),
  );
}

function summary(sources) {
  const counts = {};
  for (const source of sources) counts[statusOf(source)] = (counts[statusOf(source)] || 0) + 1;
  const parts = Object.keys(STATUS_ORDER)
    .filter((status) => counts[status])
    .map((status) => `${counts[status]} ${STATUS_LABELS[status].toLowerCase()}`);
  return `${sources.length} nguồn: ${parts.join(", ")}`;
}

function ordered(sources) {
  return [...sources].sort(
    (a, b) => STATUS_ORDER[statusOf(a)] - STATUS_ORDER[statusOf(b)] ||
      String(a.source_name || a.source).localeCompare(String(b.source_name || b.source), "vi"),
  );
}

async function load() {
  setPanel("loading", "Đang tải…");
  $("error-banner").hidden = true;
  try {
    const body = await apiGet("sources");
    const sources = ordered(body.sources);
    clear($("health-table"));
    if (!sources.length) {
      $("health-summary").textContent = "";
      setPanel("empty", "Chưa có nguồn nào: bộ theo dõi chưa chạy và chưa có tài liệu.");
      return;
    }
    $("health-summary").textContent = summary(sources);
    $("health-table").append(table(sources));
    const monitored = sources.some((source) => source.health);
    setPanel("ready", monitored ? "" : "Bộ theo dõi (vnopinion monitor) chưa công bố tình trạng nguồn nào.");
  } catch (error) {
    showError(error);
  }
}

$("health-refresh").addEventListener("click", load);
$("error-retry").addEventListener("click", load);
setInterval(load, REFRESH_MS);
load();
