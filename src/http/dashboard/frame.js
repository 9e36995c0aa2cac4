// Rendering, coalesced per animation frame: data handlers store the latest value and mark a
// part of the page dirty, so a flood of updates costs one render per frame at most.

/** Part name → the function that draws it; filled once by the entry module. */
const RENDER = {};
const dirty = new Set();
let frame = 0;

/** Names the function that draws each part (`invalidate`'s argument). */
export function renderParts(parts) {
  Object.assign(RENDER, parts);
}

/** Marks a part dirty: it is drawn at the next animation frame, once however often asked. */
export function invalidate(part) {
  dirty.add(part);
  if (!frame) frame = requestAnimationFrame(renderDirty);
}

function renderDirty() {
  frame = 0;
  const parts = [...dirty];
  dirty.clear();
  for (const part of parts) RENDER[part]();
}
