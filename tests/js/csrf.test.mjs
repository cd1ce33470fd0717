import assert from "node:assert/strict";
import { test } from "node:test";
import { csrfHeaders, postJson, readCsrfToken } from "../../statuspage/static/js/lib/csrf.js";

test("headers carry the token as X-CSRFToken", () => {
  assert.deepEqual(csrfHeaders("tok"), { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": "tok" });
});

test("the token is read from the meta tag", () => {
  const doc = { querySelector: (sel) => (sel === 'meta[name="csrf-token"]' ? { getAttribute: () => "abc" } : null) };
  assert.equal(readCsrfToken(doc), "abc");
  assert.equal(readCsrfToken({ querySelector: () => null }), "");
});

test("postJson sends the token and the body, and throws on an error status", async () => {
  const seen = [];
  const fetchImpl = async (url, init) => { seen.push([url, init]); return { ok: true, json: async () => ({ html: "<p>x</p>" }) }; };
  assert.deepEqual(await postJson("/admin/preview", { text: "x" }, { fetchImpl, token: "t" }), { html: "<p>x</p>" });
  assert.equal(seen[0][1].headers["X-CSRFToken"], "t");
  assert.equal(seen[0][1].body, '{"text":"x"}');
  assert.equal(seen[0][1].credentials, "same-origin");
  const failing = async () => ({ ok: false, status: 400 });
  await assert.rejects(postJson("/x", {}, { fetchImpl: failing, token: "t" }), /HTTP 400/);
});
