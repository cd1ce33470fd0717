import assert from "node:assert/strict";
import { test } from "node:test";
import { isTyping, shortcutFor } from "../../statuspage/static/js/lib/shortcuts.js";

const key = (k, extra = {}) => ({ key: k, target: { tagName: "BODY" }, ...extra });

test("c, / and ? map to create, search and help", () => {
  assert.equal(shortcutFor(key("c")), "create");
  assert.equal(shortcutFor(key("/")), "search");
  assert.equal(shortcutFor(key("?", { shiftKey: true })), "help");
  assert.equal(shortcutFor(key("x")), null);
});

test("no shortcut while typing, with modifiers, on repeat or with a dialog open", () => {
  for (const tagName of ["INPUT", "TEXTAREA", "SELECT"]) {
    assert.equal(shortcutFor(key("c", { target: { tagName } })), null);
  }
  assert.equal(shortcutFor(key("c", { target: { tagName: "DIV", isContentEditable: true } })), null);
  assert.equal(shortcutFor(key("c", { ctrlKey: true })), null);
  assert.equal(shortcutFor(key("c", { metaKey: true })), null);
  assert.equal(shortcutFor(key("c", { altKey: true })), null);
  assert.equal(shortcutFor(key("c", { repeat: true })), null);
  assert.equal(shortcutFor(key("c", { defaultPrevented: true })), null);
  assert.equal(shortcutFor(key("c"), { dialogOpen: true }), null);
});

test("isTyping", () => {
  assert.equal(isTyping(null), false);
  assert.equal(isTyping({ tagName: "A" }), false);
  assert.equal(isTyping({ tagName: "INPUT" }), true);
});
