// Components screen: drag a row within its list to reorder; the ↑ ↓ buttons do the same without a pointer.
import { csrfHeaders, readCsrfToken } from "../lib/csrf.js";
import { dropOrder } from "../lib/order.js";

const ORDER_URL = "/api/components/order";

export function registerComponents(Alpine) {
  Alpine.data("componentOrder", () => ({
    // Ids, not elements: a live refresh may replace the rows while a drag is under way.
    draggedId: null,
    draggedList: null,
    rows() { return [...this.$el.querySelectorAll("[data-component-id]")]; },
    rowOf(event) { return event.target.closest?.("[data-component-id]") ?? null; },
    listOf(row) { return row.closest("[data-list]")?.dataset.list ?? null; },
    start(event) {
      const row = this.rowOf(event);
      if (!row) return;
      this.draggedId = Number(row.dataset.componentId);
      this.draggedList = this.listOf(row);
      this.$el.setAttribute("data-busy", "");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.dataset.componentId);
    },
    over(event) {
      const row = this.rowOf(event);
      // Only within the same list: a drop never moves a component to another group.
      if (this.draggedId !== null && row && this.listOf(row) === this.draggedList) event.preventDefault();
    },
    end() { this.$el.removeAttribute("data-busy"); },
    async drop(event) {
      const target = this.rowOf(event);
      const movedId = this.draggedId;
      this.draggedId = null;
      if (movedId === null || !target || this.listOf(target) !== this.draggedList) return;
      event.preventDefault();
      const order = dropOrder(this.rows().map((row) => Number(row.dataset.componentId)), movedId,
                              Number(target.dataset.componentId));
      const list = target.parentElement;
      const byId = new Map(this.rows().map((row) => [Number(row.dataset.componentId), row]));
      for (const id of order) if (byId.get(id)?.parentElement === list) list.appendChild(byId.get(id));
      const response = await fetch(ORDER_URL, {
        method: "PUT", credentials: "same-origin", headers: csrfHeaders(readCsrfToken()), body: JSON.stringify({ ids: order }),
      });
      if (!response.ok) window.location.reload();  // the server's order wins
    },
  }));
}
