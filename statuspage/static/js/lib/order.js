// Reordering by drag and drop: where a dropped row lands (pure, unit-tested).

/**
 * The ids after dragging ``movedId`` onto ``targetId``: a row dragged up lands
 * before its target, a row dragged down after it (as the pointer suggests).
 */
export function dropOrder(ids, movedId, targetId) {
  const from = ids.indexOf(movedId);
  const to = ids.indexOf(targetId);
  if (from < 0 || to < 0 || from === to) return [...ids];
  const rest = ids.filter((id) => id !== movedId);
  const at = rest.indexOf(targetId) + (from < to ? 1 : 0);
  return [...rest.slice(0, at), movedId, ...rest.slice(at)];
}
