// Browser writes with the session cookie must carry the CSRF token (read from
// <meta name="csrf-token">); Flask-WTF accepts it in the X-CSRFToken header.

export function csrfHeaders(token, extra = {}) {
  return { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token, ...extra };
}

export function readCsrfToken(doc = globalThis.document) {
  return doc?.querySelector('meta[name="csrf-token"]')?.getAttribute("content") || "";
}

/** POST JSON with the CSRF header; resolves to the parsed JSON body or throws with the status. */
export async function postJson(url, body, { fetchImpl = globalThis.fetch, token = readCsrfToken() } = {}) {
  const response = await fetchImpl(url, {
    method: "POST", credentials: "same-origin", headers: csrfHeaders(token), body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}
