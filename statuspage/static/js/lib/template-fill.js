// The create-incident template picker: what a chosen template puts in the form.
// Text the operator already typed stays; the template fills the rest.

/**
 * ``template``: {title, body, severity, tags, components:[{id, status}]}.
 * ``current``: {title, summary, severity, tags, impacts:{id: status}}.
 * Returns the new values of the same shape.
 */
export function fillFromTemplate(template, current) {
  if (!template) return { ...current };
  const impacts = { ...current.impacts };
  for (const c of template.components || []) {
    if (!impacts[c.id]) impacts[c.id] = c.status;
  }
  return {
    title: current.title?.trim() ? current.title : template.title || "",
    summary: current.summary?.trim() ? current.summary : template.body || "",
    severity: current.severity || template.severity || "",
    tags: current.tags?.trim() ? current.tags : (template.tags || []).join(", "),
    impacts,
  };
}

export function findTemplate(templates, id) {
  return templates.find((t) => String(t.id) === String(id)) || null;
}
