// Components screen: drag a row within its list to reorder; the ↑ ↓ buttons do the same without a pointer.
import { csrfHeaders, readCsrfToken } from "../lib/csrf.js";
import { dropOrder } from "../lib/order.js";

const ORDER_URL = "/api/components/order";

export function registerComponents(Alpine) {
  Alpine.data("componentOrder", () => ({
    dragged: null,
    rows() { return [...this.$el.querySelectorAll("[data-component-id]")]; },
    start(event) {
      const row = event.target.closest?.("[data-component-id]");
      if (!row) return;
      this.dragged = row;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.dataset.componentId);
    },
    over(event) {
      const row = event.target.closest?.("[data-component-id]");
      // Only within the same list: a drop never moves a component to another group.
      if (this.dragged && row && row.parentElement === this.dragged.parentElement) event.preventDefault();
    },
    async drop(event) {
      const target = event.target.closest?.("[data-component-id]");
      const moved = this.dragged;
      this.dragged = null;
      if (!moved || !target || target === moved || target.parentElement !== moved.parentElement) return;
      event.preventDefault();
      const ids = this.rows().map((row) => Number(row.dataset.componentId));
      const order = dropOrder(ids, Number(moved.dataset.componentId), Number(target.dataset.componentId));
      const list = moved.parentElement;
      const byId = new Map(this.rows().map((row) => [Number(row.dataset.componentId), row]));
      for (const id of order) if (byId.get(id).parentElement === list) list.appendChild(byId.get(id));
      const response = await fetch(ORDER_URL, {
        method: "PUT", credentials: "same-origin", headers: csrfHeaders(readCsrfToken()), body: JSON.stringify({ ids: order }),
      });
      if (!response.ok) window.location.reload();  // the server's order wins
    },
  }));
}
