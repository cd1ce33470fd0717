// Incidents list (filters submit on change) and the create-incident dialog / page.
import { fillFromTemplate, findTemplate } from "../lib/template-fill.js";
import { dialog } from "./dialog.js";

function templates() {
  const el = document.getElementById("incident-template-data");
  try { return el ? JSON.parse(el.textContent) : []; } catch { return []; }
}

function readForm(form) {
  const impacts = {};
  for (const select of form.querySelectorAll("select[data-component]")) {
    if (select.value) impacts[select.dataset.component] = select.value;
  }
  return {
    title: form.elements.title.value, summary: form.elements.summary.value,
    severity: form.elements.severity.value, tags: form.elements.tags.value, impacts,
  };
}

function writeForm(form, values) {
  form.elements.title.value = values.title;
  form.elements.summary.value = values.summary;
  form.elements.severity.value = values.severity;
  form.elements.tags.value = values.tags;
  for (const select of form.querySelectorAll("select[data-component]")) {
    select.value = values.impacts[select.dataset.component] || "";
  }
}

export function registerIncidents(Alpine) {
  Alpine.data("filters", () => ({
    submit(event) {
      // Every filter applies as soon as it changes (a text box when it is left or on Enter).
      if (event?.target?.form === this.$el) this.$el.requestSubmit();
    },
  }));

  Alpine.data("createIncident", dialog(() => Alpine.store("console"), {
    applyTemplate(event) {
      const form = event.target.form;
      const template = findTemplate(templates(), event.target.value);
      if (form && template) writeForm(form, fillFromTemplate(template, readForm(form)));
    },
  }));
}
