import assert from "node:assert/strict";
import { test } from "node:test";

import { dropOrder } from "../../statuspage/static/js/lib/order.js";

test("a row dragged up lands before its target", () => {
  assert.deepEqual(dropOrder([1, 2, 3, 4], 4, 2), [1, 4, 2, 3]);
});

test("a row dragged down lands after its target", () => {
  assert.deepEqual(dropOrder([1, 2, 3, 4], 1, 3), [2, 3, 1, 4]);
});

test("dropping on itself or an unknown row changes nothing", () => {
  assert.deepEqual(dropOrder([1, 2, 3], 2, 2), [1, 2, 3]);
  assert.deepEqual(dropOrder([1, 2, 3], 9, 2), [1, 2, 3]);
});
