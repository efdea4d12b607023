// The dashboard: read the filters from the URL, load every panel from the API, re-render
// when a filter changes. Each panel shows its own loading, empty and error state, and a
// failed request also shows the page's error banner: never a blank page.
import { ApiError, apiGet } from "./api.js";
import { drawTrendChart, describeTrends, trendTable } from "./chart.js";
import { openCorrection } from "./correct.js";
import { clear, el } from "./dom.js";
import { addDays, formatCount, formatDay, formatShare, vietnamDay, vietnamToday } from "./format.js";
import { EMPTY, renderHit, renderPlace, renderSpike, renderTopicTable, topicRows } from "./panels.js";
import { apiFilters, intervalFor, listKind, listSort, readState, resolveWindow, writeState } from "./state.js";

const PAGE_SIZE = 20;
const $ = (id) => document.getElementById(id);

const app = {
  state: readState(window.location.search),
  latestDay: null,
  window: null,
  generation: 0,
  topicLabels: new Map(),
  topicSort: { key: "count", descending: true },
  topicRows: [],
  trends: null,
  cursor: null,
  errors: null,
  canCorrect: false, // analysts and admins (auth/me), or everyone when the API has no auth
};

// ---- panel states and the error banner ----

function setPanel(id, stateName, message = "") {
  const panel = $(id);
  panel.dataset.state = stateName;
  panel.setAttribute("aria-busy", stateName === "loading" ? "true" : "false");
  const status = panel.querySelector("[data-role=status]");
  status.textContent = message;
  status.hidden = !message;
  status.className = `status ${stateName}`;
}

// The banner keeps the first message of a render and every distinct detail after it, so
// panels failing in any order show the same words.
function showError(error) {
  if (error && error.name === "AbortError") return;
  const known = error instanceof ApiError;
  if (!known) console.error(error); // a bug of ours: keep it visible in the console
  const banner = $("error-banner");
  if (banner.hidden) {
    app.errors = { message: known ? error.message : "Đã xảy ra lỗi không mong muốn khi hiển thị số liệu.", details: [] };
    banner.dataset.status = known ? String(error.status) : "script";
  }
  if (known && error.detail && !app.errors.details.includes(error.detail)) app.errors.details.push(error.detail);
  const details = app.errors.details.length ? ` (Chi tiết: ${app.errors.details.join("; ")})` : "";
  $("error-message").textContent = `${app.errors.message}${details}`;
  banner.hidden = false;
}

function panelError(id, error) {
  if (error && error.name === "AbortError") return;
  setPanel(id, "error", error instanceof ApiError ? error.message : "Không hiển thị được phần này.");
  showError(error);
}

// Runs `load` for one panel; a newer render makes an older answer stale (ignored).
async function panel(id, generation, load) {
  setPanel(id, "loading", "Đang tải…");
  try {
    await load(() => generation !== app.generation);
  } catch (error) {
    if (generation === app.generation) panelError(id, error);
  }
}

// ---- the header: options from the API, values from the state ----

function fillSelect(select, options, value) {
  const first = select.options[0];
  select.replaceChildren(first, ...options.map(([key, label]) => el("option", { value: key }, label)));
  if (value && !options.some(([key]) => key === value)) select.append(el("option", { value }, value));
  select.value = value;
}

async function loadOptions() {
  const [health, sources, places, topics, me] = await Promise.all([
    apiGet("health"), apiGet("sources"), apiGet("places"), apiGet("topics"), apiGet("auth/me"),
  ]);
  app.canCorrect = !me.auth || me.role === "analyst" || me.role === "admin";
  document.body.dataset.role = me.auth ? me.role || "" : "open";
  app.latestDay = (health.latest_published_at && vietnamDay(health.latest_published_at)) || vietnamToday();
  for (const topic of topics.topics) app.topicLabels.set(topic.key, topic.label);
  fillSelect($("f-topic"), topics.topics.map((t) => [t.key, t.label])
    .sort((a, b) => a[1].localeCompare(b[1], "vi")), app.state.topic);
  fillSelect($("f-province"), places.provinces.map((p) => [p.name, p.name])
    .sort((a, b) => a[1].localeCompare(b[1], "vi")), app.state.province);
  fillSelect($("f-source"), sources.sources.map((s) => [s.source, s.source_name || s.source]), app.state.source);
}

function showState() {
  const { state } = app;
  $("f-range").value = state.range;
  const custom = state.range === "custom";
  $("custom-range").hidden = !custom;
  $("custom-range-end").hidden = !custom;
  $("f-since").value = app.window.since;
  $("f-until").value = app.window.until;
  for (const name of ["topic", "province", "source", "kind", "q"]) $(`f-${name}`).value = state[name];
  $("c-sort").value = listSort(state);
  $("range-label").textContent = `${formatDay(app.window.since)} – ${formatDay(app.window.until)}`;
}

function update(changes) {
  Object.assign(app.state, changes);
  window.history.pushState(null, "", `${window.location.pathname}${writeState(app.state)}`);
  render();
}

function readForm() {
  const changes = { range: $("f-range").value };
  for (const name of ["topic", "province", "source", "kind"]) changes[name] = $(`f-${name}`).value;
  changes.q = $("f-q").value.trim();
  if (changes.range === "custom") {
    changes.since = $("f-since").value || app.window.since;
    changes.until = $("f-until").value || app.window.until;
  } else {
    changes.since = "";
    changes.until = "";
  }
  return changes;
}

// ---- the panels ----

function loadTrends(generation, filters) {
  return panel("trend-panel", generation, async (stale) => {
    const interval = intervalFor(app.window);
    const trends = await apiGet("trends", { ...filters, interval });
    if (stale()) return;
    app.trends = trends;
    const chart = $("trend-chart");
    const { share } = describeTrends(trends);
    chart.dataset.total = String(trends.total);
    chart.dataset.since = app.window.since;
    chart.dataset.until = app.window.until;
    chart.dataset.interval = interval;
    chart.dataset.query = writeState(app.state);
    $("trend-summary").textContent = `Tổng: ${formatCount(trends.total)} tài liệu · tỷ lệ tiêu cực ${formatShare(share)}`;
    clear($("trend-table"));
    if (!trends.total) {
      clear(chart);
      setPanel("trend-panel", "empty", EMPTY);
      return;
    }
    drawTrendChart(chart, trends);
    $("trend-table").append(trendTable(trends));
    setPanel("trend-panel", "ready");
  });
}

function drawTopics() {
  clear($("topics-table"));
  if (!app.topicRows.length) return;
  $("topics-table").append(renderTopicTable(app.topicRows, app.topicSort, app.state.topic, {
    onSort: (key) => {
      const same = app.topicSort.key === key;
      app.topicSort = { key, descending: same ? !app.topicSort.descending : key !== "label" };
      drawTopics();
    },
    onPick: (key) => update({ topic: app.state.topic === key ? "" : key }),
  }));
}

function loadTopics(generation, filters) {
  return panel("topics-panel", generation, async (stale) => {
    // Every topic stays listed (the chosen one highlighted), so another is one click away.
    const others = { ...filters };
    delete others.topic;
    const weekSince = addDays(app.window.until, -6);
    const [range, week] = await Promise.all([
      apiGet("topics", others),
      apiGet("topics", { ...others, since: weekSince }),
    ]);
    if (stale()) return;
    app.topicRows = topicRows(range, week);
    drawTopics();
    setPanel("topics-panel", app.topicRows.length ? "ready" : "empty", app.topicRows.length ? "" : EMPTY);
  });
}

function pickDimension(dimension, value) {
  update(dimension === "topic" ? { topic: value } : { province: value });
}

function loadSpikes(generation, filters) {
  return panel("spikes-panel", generation, async (stale) => {
    const recent = Math.max(1, Math.min(7, app.window.days));
    const params = { ...filters, interval: "day", recent, documents: 3 };
    delete params.since; // spikes look back from `until` (lookback), never from since
    const found = await apiGet("spikes", params);
    if (stale()) return;
    const list = clear($("spikes-list"));
    for (const spike of found.spikes) list.append(renderSpike(spike, { onPick: pickDimension }));
    const none = "Không có đột biến nào trong 7 ngày cuối của khoảng thời gian này.";
    setPanel("spikes-panel", found.spikes.length ? "ready" : "empty", found.spikes.length ? "" : none);
  });
}

function loadPlaces(generation, filters) {
  return panel("places-panel", generation, async (stale) => {
    const others = { ...filters };
    delete others.province;
    const found = await apiGet("places", others);
    if (stale()) return;
    const list = clear($("places-list"));
    const pick = (name) => update({ province: app.state.province === name ? "" : name });
    for (const place of found.provinces) list.append(renderPlace(place, app.state.province, { onPick: pick }));
    $("places-unplaced").textContent = found.total
      ? `Chưa xác định được địa bàn: ${formatCount(found.unplaced)} / ${formatCount(found.total)} tài liệu.` : "";
    setPanel("places-panel", found.provinces.length ? "ready" : "empty", found.provinces.length ? "" : EMPTY);
  });
}

async function loadHits(generation, filters, more) {
  const kind = listKind(app.state);
  const params = { ...filters, kind, sort: listSort(app.state), size: PAGE_SIZE, cursor: more ? app.cursor : null };
  const found = await apiGet("search", params);
  if (generation !== app.generation) return;
  const list = $("comments-list");
  if (!more) clear(list);
  const onCorrect = app.canCorrect ? (li, hit) => openCorrection(li, hit, app.topicLabels) : null;
  for (const hit of found.hits) list.append(renderHit(hit, app.topicLabels, { onCorrect }));
  app.cursor = found.next_cursor;
  $("comments-more").hidden = !found.next_cursor;
  const noun = kind === "article" ? "bài báo" : "bình luận";
  $("comments-heading").textContent = kind === "article" ? "Bài báo" : "Bình luận của người dân";
  $("comments-summary").textContent = `${formatCount(found.total)} ${noun}` +
    (found.total ? ` · đang hiện ${formatCount(list.children.length)}` : "");
  $("comments-panel").dataset.total = String(found.total);
  $("comments-panel").dataset.query = writeState(app.state);
  setPanel("comments-panel", found.total ? "ready" : "empty", found.total ? "" : EMPTY);
}

function loadComments(generation, filters) {
  return panel("comments-panel", generation, () => loadHits(generation, filters, false));
}

async function loadMore() {
  const button = $("comments-more");
  button.disabled = true;
  button.textContent = "Đang tải…";
  try {
    await loadHits(app.generation, apiFilters(app.state, app.window), true);
  } catch (error) {
    panelError("comments-panel", error);
  } finally {
    button.disabled = false;
    button.textContent = "Tải thêm";
  }
}

function render() {
  app.generation += 1;
  const generation = app.generation;
  $("error-banner").hidden = true;
  app.window = resolveWindow(app.state, app.latestDay);
  showState();
  const filters = apiFilters(app.state, app.window);
  return Promise.all([
    loadTrends(generation, filters),
    loadTopics(generation, filters),
    loadSpikes(generation, filters),
    loadPlaces(generation, filters),
    loadComments(generation, filters),
  ]);
}

// ---- start ----

function wire() {
  $("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    update(readForm());
  });
  for (const name of ["range", "topic", "province", "source", "kind", "since", "until"]) {
    $(`f-${name}`).addEventListener("change", () => {
      if (name === "range" && $("f-range").value === "custom") {
        $("custom-range").hidden = false;
        $("custom-range-end").hidden = false;
        return; // wait for the dates
      }
      update(readForm());
    });
  }
  $("f-reset").addEventListener("click", () => update({
    range: "30", since: "", until: "", topic: "", province: "", source: "", kind: "", q: "", sort: "",
  }));
  $("c-sort").addEventListener("change", () => update({ sort: $("c-sort").value }));
  $("comments-more").addEventListener("click", loadMore);
  $("error-retry").addEventListener("click", () => window.location.reload());
  window.addEventListener("popstate", () => {
    app.state = readState(window.location.search);
    render();
  });
  let resizing = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => {
      if (app.trends && app.trends.total) drawTrendChart($("trend-chart"), app.trends);
    }, 200);
  });
}

async function start() {
  wire();
  try {
    await loadOptions();
  } catch (error) {
    for (const id of ["trend-panel", "topics-panel", "spikes-panel", "places-panel", "comments-panel"]) {
      setPanel(id, "error", "Không tải được dữ liệu.");
    }
    $("range-label").textContent = "chưa có số liệu";
    $("f-range").value = app.state.range; // the header still says which view was asked for
    for (const name of ["kind", "q"]) $(`f-${name}`).value = app.state[name];
    document.body.dataset.state = "error";
    showError(error);
    return;
  }
  await render();
  document.body.dataset.state = "ready";
}

start();
