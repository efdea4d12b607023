// "Hiệu chỉnh nhãn": an analyst corrects a document's sentiment and watch topics. The box
// opens under a comment in the list, reads the document (GET documents/{id}: the model's
// labels, the latest correction), and posts the correction (POST documents/{id}/corrections).
// The page shows the stored correction at once by reading the document back. Only analysts
// and admins get the control (app.js asks auth/me); the API refuses anyone else anyway.
import { ApiError, apiGet, apiPost } from "./api.js";
import { el } from "./dom.js";
import { SENTIMENT_LABELS, formatInstant } from "./format.js";
import { correctedBadge } from "./panels.js";

const SENTIMENTS = ["negative", "neutral", "positive"];

function documentPath(id) {
  return `documents/${encodeURIComponent(id)}`;
}

function topicNames(keys, topicLabels) {
  return keys.length ? keys.map((key) => topicLabels.get(key) || key).join(", ") : "không thuộc chủ đề nào";
}

// What the document says now: the latest correction (who, when, values), or none.
function currentBox(found, topicLabels) {
  const model = found.document.sentiment ? SENTIMENT_LABELS[found.document.sentiment.label] : "chưa gán";
  const lines = [el("p", { className: "correction-model" },
    `Mô hình gán: ${model}; chủ đề: ${topicNames(found.document.watch_topics || [], topicLabels)}.`)];
  const c = found.correction;
  if (!c) {
    lines.push(el("p", { className: "correction-current" }, "Chưa có hiệu chỉnh nào."));
    return el("div", { className: "correction-state" }, ...lines);
  }
  const parts = [];
  if (c.sentiment) parts.push(`cảm xúc ${SENTIMENT_LABELS[c.sentiment] || c.sentiment}`);
  if (c.watch_topics) parts.push(`chủ đề: ${topicNames(c.watch_topics, topicLabels)}`);
  lines.push(el("p", { className: "correction-current", dataset: { sentiment: c.sentiment || "", by: c.by.key_name } },
    el("strong", null, "Đã hiệu chỉnh: "), parts.join("; "),
    ` — ${c.by.key_name} (${c.by.role}), ${formatInstant(c.created_at)}`));
  if (c.note) lines.push(el("p", { className: "correction-note" }, `Ghi chú: ${c.note}`));
  return el("div", { className: "correction-state" }, ...lines);
}

// The badge in the comment's own line follows the labels in effect, marked as corrected.
function showEffective(li, found) {
  const meta = li.querySelector(".meta");
  const old = meta && meta.querySelector(".badge");
  if (!old || !found.correction) return;
  old.replaceWith(correctedBadge(found.effective.sentiment));
}

function form(found, topicLabels, onSave) {
  const effective = new Set(found.effective.watch_topics);
  const sentiment = el("select", { name: "sentiment", className: "correction-sentiment", "aria-label": "Cảm xúc đúng" },
    el("option", { value: "" }, "Giữ nguyên cảm xúc"),
    ...SENTIMENTS.map((key) => el("option", { value: key }, SENTIMENT_LABELS[key])));
  const topics = [...topicLabels.entries()].sort((a, b) => a[1].localeCompare(b[1], "vi"));
  const boxes = topics.map(([key, label]) => el("label", { className: "correction-topic" },
    el("input", { type: "checkbox", name: "topic", value: key, checked: effective.has(key) }), ` ${label}`));
  const note = el("textarea", { name: "note", maxlength: "2000", rows: "2", placeholder: "Ghi chú (không bắt buộc)", "aria-label": "Ghi chú" });
  const message = el("p", { className: "correction-message", role: "status", hidden: true });
  const submit = el("button", { type: "submit" }, "Lưu hiệu chỉnh");
  const box = el("form", { className: "correction-form" },
    el("label", null, "Cảm xúc đúng ", sentiment),
    el("fieldset", null, el("legend", null, "Chủ đề theo dõi đúng"), ...boxes),
    note, submit, message);
  box.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {};
    if (sentiment.value) body.sentiment = sentiment.value;
    const checked = boxes.map((b) => b.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
    const changed = checked.length !== effective.size || checked.some((key) => !effective.has(key));
    if (changed) body.watch_topics = checked;
    if (note.value.trim()) body.note = note.value.trim();
    if (!body.sentiment && !body.watch_topics) {
      message.textContent = "Chưa có thay đổi nào: chọn cảm xúc đúng hoặc sửa chủ đề.";
      message.hidden = false;
      return;
    }
    submit.disabled = true;
    message.hidden = true;
    try {
      await onSave(body);
    } catch (error) {
      message.textContent = error instanceof ApiError
        ? `${error.message}${error.detail ? ` (Chi tiết: ${error.detail})` : ""}`
        : "Không lưu được hiệu chỉnh.";
      message.hidden = false;
      if (!(error instanceof ApiError)) console.error(error);
    } finally {
      submit.disabled = false;
    }
  });
  return box;
}

export async function openCorrection(li, hit, topicLabels) {
  const open = li.querySelector("section.correction");
  if (open) {
    open.remove();
    return;
  }
  const status = el("p", { className: "status" }, "Đang tải…");
  const section = el("section", { className: "correction", "aria-label": "Hiệu chỉnh nhãn", dataset: { state: "loading" } }, status);
  li.append(section);
  const show = (found, state) => {
    section.replaceChildren(currentBox(found, topicLabels), form(found, topicLabels, save));
    section.dataset.state = state;
    showEffective(li, found);
  };
  async function save(body) {
    await apiPost(`${documentPath(hit.id)}/corrections`, body);
    show(await apiGet(documentPath(hit.id), { comments_size: 0 }), "saved");
  }
  try {
    show(await apiGet(documentPath(hit.id), { comments_size: 0 }), "ready");
  } catch (error) {
    status.textContent = error instanceof ApiError ? error.message : "Không tải được tài liệu.";
    section.dataset.state = "error";
    if (!(error instanceof ApiError)) console.error(error);
  }
}
