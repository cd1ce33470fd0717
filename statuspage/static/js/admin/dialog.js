// A modal dialog component factory: x-trap keeps focus inside while open;
// closing hands focus back to whatever opened it (or the Create button).

export function dialog(store, extra = {}) {
  return () => ({
    open: false,
    opener: null,
    show() {
      this.opener = document.activeElement;
      this.open = true;
      store().dialog = true;
    },
    close() {
      if (!this.open) return;
      this.open = false;
      store().dialog = false;
      const opener = this.opener && this.opener !== document.body ? this.opener
        : document.getElementById("create-incident-button") || document.getElementById("main");
      this.$nextTick(() => opener?.focus());
    },
    ...extra,
  });
}
