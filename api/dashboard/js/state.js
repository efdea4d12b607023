// The dashboard's filters live in the URL's query string, so a view can be shared:
//   ?range=7|30|90                 the last N days up to the newest document (default 30)
//   ?range=custom&since=D&until=D  an explicit range of Vietnam days, both included
//   &topic=&province=&source=&kind=&q=&sort=
import { addDays, isDay, spanDays } from "./format.js";

export const PRESETS = ["7", "30", "90"];
export const DEFAULT_RANGE = "30";
export const SORTS = ["time", "relevance", "engagement"];
const SINGLE = ["topic", "province", "source", "kind", "q"];

export function readState(search) {
  const params = new URLSearchParams(search);
  const state = { range: DEFAULT_RANGE, since: "", until: "", sort: "" };
  for (const name of SINGLE) state[name] = (params.get(name) || "").trim();
  const since = params.get("since") || "";
  const until = params.get("until") || "";
  const range = params.get("range") || "";
  if (range === "custom" || (!range && since && until)) {
    state.range = "custom";
    state.since = isDay(since) ? since : "";
    state.until = isDay(until) ? until : "";
  } else if (PRESETS.includes(range)) {
    state.range = range;
  }
  const sort = params.get("sort") || "";
  state.sort = SORTS.includes(sort) ? sort : "";
  return state;
}

export function writeState(state) {
  const params = new URLSearchParams();
  if (state.range === "custom") {
    params.set("range", "custom");
    if (state.since) params.set("since", state.since);
    if (state.until) params.set("until", state.until);
  } else if (state.range !== DEFAULT_RANGE) {
    params.set("range", state.range);
  }
  for (const name of SINGLE) if (state[name]) params.set(name, state[name]);
  if (state.sort) params.set("sort", state.sort);
  const text = params.toString();
  return text ? `?${text}` : "";
}

// The time window as Vietnam days [since, until], both included. A preset ends at the
// newest document the API knows (`latestDay`), so the sample data of the demo fills it.
export function resolveWindow(state, latestDay) {
  if (state.range === "custom") {
    const until = state.until || latestDay;
    const since = state.since || addDays(until, -(Number(DEFAULT_RANGE) - 1));
    return { since, until, days: spanDays(since, until) };
  }
  const days = Number(state.range);
  return { since: addDays(latestDay, -(days - 1)), until: latestDay, days };
}

// Days up to 3 months read best day by day; beyond, week by week (the API allows 1,000 bars).
export function intervalFor(window) {
  return window.days <= 92 ? "day" : "week";
}

// The shared filters of the API for this state and window (`omit`: names to leave out).
export function apiFilters(state, window, omit = []) {
  const filters = { since: window.since, until: window.until };
  for (const name of SINGLE) if (state[name]) filters[name] = state[name];
  for (const name of omit) delete filters[name];
  return filters;
}

// The list shows comments unless the officer chose articles.
export function listKind(state) {
  return state.kind || "comment";
}

export function listSort(state) {
  return state.sort || (state.q ? "relevance" : "time");
}
