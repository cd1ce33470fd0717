// Copy the pinned front-end packages from node_modules into statuspage/static/vendor/.
// Run after `npm ci` when a version changes; the copies are committed so the app
// serves them without node at run time.
import { copyFileSync, readFileSync } from "node:fs";

const files = [
  ["@alpinejs/csp", "dist/module.esm.min.js", "alpinejs-csp"],
  ["@alpinejs/focus", "dist/module.esm.min.js", "alpinejs-focus"],
];
for (const [pkg, file, name] of files) {
  const { version } = JSON.parse(readFileSync(`node_modules/${pkg}/package.json`, "utf8"));
  const target = `statuspage/static/vendor/${name}-${version}.esm.min.js`;
  copyFileSync(`node_modules/${pkg}/${file}`, target);
  console.log(`${pkg}@${version} -> ${target}`);
}
