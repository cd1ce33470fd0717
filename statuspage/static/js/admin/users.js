// Users & tokens: copy a new token's secret (shown once) to the clipboard.
import { say } from "../lib/words.js";

export function registerUsers(Alpine) {
  Alpine.data("copyToken", () => ({
    copied: false,
    get text() { return say(this.copied ? "copied" : "copy"); },
    async copy() {
      this.$refs.value.select();
      try { await navigator.clipboard.writeText(this.$refs.value.value); this.copied = true; } catch (e) {
        this.copied = false; // clipboard blocked: the text stays selected for Ctrl+C
      }
    },
  }));
}
