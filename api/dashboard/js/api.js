// Every request the dashboard makes goes through apiGet: the one place where errors get their
// Vietnamese words, and where a 401 (no session, or it expired) sends the user to the login
// page, which brings them back here. The session is an HttpOnly cookie: no script sees it.

export class ApiError extends Error {
  constructor(status, message, detail) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.detail = detail || "";
  }
}

// The API's paths are relative to the page, so a deployment under a path prefix still works.
export function apiUrl(path, params = {}) {
  const url = new URL(path, document.baseURI);
  for (const [name, value] of Object.entries(params)) {
    const values = Array.isArray(value) ? value : [value];
    for (const one of values) {
      if (one !== undefined && one !== null && one !== "") url.searchParams.append(name, one);
    }
  }
  return url;
}

export async function apiGet(path, params = {}, { signal } = {}) {
  let response;
  try {
    response = await fetch(apiUrl(path, params), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal,
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "Không kết nối được tới máy chủ API. Kiểm tra mạng rồi thử lại.");
  }
  if (response.status === 401) showLogin();
  if (!response.ok) throw await toApiError(response);
  return response.json();
}

// POST a JSON body (an analyst's correction). The same errors as apiGet, except that a 422
// is about the values sent, not the filters.
export async function apiPost(path, body) {
  let response;
  try {
    response = await fetch(apiUrl(path), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "Không kết nối được tới máy chủ API. Kiểm tra mạng rồi thử lại.");
  }
  if (response.status === 401) showLogin();
  if (!response.ok) {
    const error = await toApiError(response);
    if (error.status === 422) error.message = "Giá trị hiệu chỉnh không hợp lệ.";
    if (error.status === 403) error.message = "Chỉ cán bộ phân tích (analyst) trở lên được hiệu chỉnh nhãn.";
    if (error.status === 404) error.message = "Không còn tài liệu này trong kho dữ liệu.";
    throw error;
  }
  return response.json();
}

// POST auth/login: the key for a session cookie. Resolves to the Response (the login page
// words its own messages); rejects with an ApiError(0) when the server cannot be reached.
export async function apiLogin(key) {
  try {
    return await fetch(apiUrl("auth/login"), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({ key }),
    });
  } catch {
    throw new ApiError(0, "Không kết nối được tới máy chủ API. Kiểm tra mạng rồi thử lại.");
  }
}

export function showLogin() {
  const here = window.location.pathname + window.location.search;
  const login = new URL("login", document.baseURI);
  login.searchParams.set("next", here);
  window.location.assign(login);
}

async function toApiError(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const status = response.status;
  if (status === 503) {
    return new ApiError(
      status,
      "Kho dữ liệu (Elasticsearch) đang không sẵn sàng nên chưa hiển thị được số liệu. " +
        "Vui lòng thử lại sau ít phút hoặc báo cho người quản trị hệ thống.",
      body && typeof body.reason === "string" ? body.reason : "",
    );
  }
  if (status === 422) {
    const detail = Array.isArray(body && body.detail)
      ? body.detail.map((item) => String(item && item.msg)).join("; ")
      : "";
    return new ApiError(
      status,
      "Bộ lọc không hợp lệ, hãy kiểm tra lại khoảng thời gian và các lựa chọn.",
      detail,
    );
  }
  if (status === 401 || status === 403) {
    return new ApiError(status, "Bạn chưa đăng nhập hoặc không có quyền xem số liệu này.");
  }
  if (status === 429) {
    const wait = response.headers.get("Retry-After") || "60";
    return new ApiError(status, `Quá nhiều yêu cầu. Vui lòng đợi ${wait} giây rồi thử lại.`);
  }
  return new ApiError(status, `Máy chủ API trả lời lỗi ${status}. Vui lòng thử lại sau.`);
}
