// The login page: exchange an API key for a session cookie (POST auth/login), then go back
// to the page that sent us here. A key in the fragment (#key=..., as `vnopinion demo` prints
// it) logs in at once; the fragment never reaches the server and is wiped from the address bar.

import { apiLogin } from "./api.js";

const form = document.getElementById("login-form");
const input = document.getElementById("login-key");
const errorBox = document.getElementById("login-error");

// Only a path on this site: never an open redirect to another origin.
function nextPage() {
  const next = new URLSearchParams(window.location.search).get("next") || "";
  return next.startsWith("/") && !next.startsWith("//") ? next : new URL(".", document.baseURI).pathname;
}

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = false;
}

async function login(key) {
  errorBox.hidden = true;
  let response;
  try {
    response = await apiLogin(key);
  } catch (error) {
    showError(error.message);
    return;
  }
  if (response.ok) {
    window.location.replace(nextPage());
  } else if (response.status === 401 || response.status === 422) {
    showError("Khóa API không đúng hoặc đã bị thu hồi. Hãy kiểm tra lại hoặc xin khóa mới.");
  } else if (response.status === 429) {
    const wait = response.headers.get("Retry-After") || "60";
    showError(`Thử quá nhiều lần. Vui lòng đợi ${wait} giây rồi thử lại.`);
  } else {
    showError(`Máy chủ API trả lời lỗi ${response.status}. Vui lòng thử lại sau.`);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const key = input.value.trim();
  if (key) login(key);
});

const fragment = new URLSearchParams(window.location.hash.slice(1));
if (fragment.get("key")) {
  const key = fragment.get("key");
  history.replaceState(null, "", window.location.pathname + window.location.search);
  login(key);
}
