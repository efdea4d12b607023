// DOM building from text nodes, never from an HTML string: a comment that
// contains "<script>" shows those characters and never runs.

const SVG_NS = "http://www.w3.org/2000/svg";

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function setAttributes(node, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "className") node.setAttribute("class", value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on")) {
      // Listeners only: an inline handler attribute is never written (nor allowed by the CSP).
      if (typeof value === "function") node.addEventListener(name.slice(2), value);
    } else node.setAttribute(name, value === true ? "" : String(value));
  }
  return node;
}

export function el(tag, attrs, ...children) {
  return append(setAttributes(document.createElement(tag), attrs), children);
}

export function svg(tag, attrs, ...children) {
  return append(setAttributes(document.createElementNS(SVG_NS, tag), attrs), children);
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

// The entities an HTML encoder writes (Elasticsearch's and Python's html.escape).
const NAMED = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

export function decodeEntities(text) {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X"
        ? parseInt(name.slice(2), 16)
        : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    const known = NAMED[name.toLowerCase()];
    return known === undefined ? whole : known;
  });
}

// An API highlight: HTML-encoded text whose only tags are <mark> and </mark>. We split on
// exactly those tags and decode the rest into text nodes: any other markup, had the API
// ever let one through, would show as characters, never as an element.
export function highlighted(encoded) {
  const fragment = document.createDocumentFragment();
  const parts = String(encoded).split(/(<mark>|<\/mark>)/);
  let marked = false;
  for (const part of parts) {
    if (part === "<mark>") marked = true;
    else if (part === "</mark>") marked = false;
    else if (part) {
      const text = decodeEntities(part);
      fragment.append(marked ? el("mark", null, text) : document.createTextNode(text));
    }
  }
  return fragment;
}

// Only web links leave the page: no javascript:, data: or other schemes from a document.
export function safeHref(url) {
  try {
    const parsed = new URL(url, document.baseURI);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

export function externalLink(url, ...children) {
  const href = safeHref(url);
  if (!href) return el("span", null, ...children);
  return el("a", { href, target: "_blank", rel: "noopener noreferrer" }, ...children);
}
