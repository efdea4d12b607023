// Vietnamese formats and calendar days in Vietnam time (UTC+7 all year), whatever the
// browser's own time zone. A "day" is a "YYYY-MM-DD" string, as the API takes it.

const VN_OFFSET_MS = 7 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;
const integer = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 1 });

export const SENTIMENT_LABELS = {
  negative: "Tiêu cực",
  neutral: "Trung lập",
  positive: "Tích cực",
  untagged: "Chưa gán cảm xúc",
};

export const KIND_LABELS = { article: "Bài báo", comment: "Bình luận" };

export function formatCount(value) {
  return integer.format(value || 0);
}

export function formatShare(share) {
  return share === null || share === undefined ? "–" : `${decimal.format(share * 100)}%`;
}

export function formatNumber(value) {
  return decimal.format(value);
}

function pad(value) {
  return String(value).padStart(2, "0");
}

export function isDay(text) {
  return typeof text === "string" && /^\d{4}-\d{2}-\d{2}$/.test(text) &&
    !Number.isNaN(Date.parse(`${text}T00:00:00Z`));
}

function dayToUtc(day) {
  const [year, month, date] = day.split("-").map(Number);
  return Date.UTC(year, month - 1, date);
}

function utcToDay(ms) {
  const moment = new Date(ms);
  return `${moment.getUTCFullYear()}-${pad(moment.getUTCMonth() + 1)}-${pad(moment.getUTCDate())}`;
}

export function addDays(day, count) {
  return utcToDay(dayToUtc(day) + count * DAY_MS);
}

// Days from `since` to `until`, both included.
export function spanDays(since, until) {
  return Math.round((dayToUtc(until) - dayToUtc(since)) / DAY_MS) + 1;
}

// Today in Vietnam.
export function vietnamToday() {
  return utcToDay(Date.now() + VN_OFFSET_MS);
}

// The Vietnam day of an ISO 8601 instant ("2026-11-25T01:00:00Z" -> "2026-11-25").
export function vietnamDay(instant) {
  const ms = Date.parse(instant);
  return Number.isNaN(ms) ? null : utcToDay(ms + VN_OFFSET_MS);
}

// "2026-11-25" -> "25/11/2026"; short: "25/11".
export function formatDay(day, { short = false } = {}) {
  const [year, month, date] = day.split("-");
  return short ? `${date}/${month}` : `${date}/${month}/${year}`;
}

// An ISO 8601 instant in Vietnam time: "14:05 25/11/2026".
export function formatInstant(instant) {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) return "";
  const local = new Date(ms + VN_OFFSET_MS);
  const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}`;
  return `${time} ${formatDay(utcToDay(ms + VN_OFFSET_MS))}`;
}

// A bucket start from /trends ("2026-11-25T00:00:00+07:00") is already Vietnam time.
export function bucketDay(start) {
  return start.slice(0, 10);
}

export function bucketLabel(start, interval, { short = false } = {}) {
  const day = bucketDay(start);
  if (interval === "week") return `${short ? "" : "Tuần từ "}${formatDay(day, { short })}`;
  if (interval === "month") return `Tháng ${day.slice(5, 7)}/${day.slice(0, 4)}`;
  return formatDay(day, { short });
}

// How long ago an ISO 8601 instant was, in Vietnamese: "vừa xong", "5 phút trước",
// "3 giờ trước", "2 ngày trước"; a future instant reads "sau 10 phút". Past a month: the date.
export function relativeTime(instant, now = Date.now()) {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) return "";
  const seconds = Math.round((now - ms) / 1000);
  const span = Math.abs(seconds);
  if (span < 45) return "vừa xong";
  let amount;
  if (span < 3600) amount = `${Math.max(1, Math.floor(span / 60))} phút`;
  else if (span < 24 * 3600) amount = `${Math.floor(span / 3600)} giờ`;
  else if (span < 30 * 24 * 3600) amount = `${Math.floor(span / 86400)} ngày`;
  else return formatInstant(instant);
  return seconds >= 0 ? `${amount} trước` : `sau ${amount}`;
}
