// Building the page from data: every string becomes a text node, never markup, so a poll
// titled "<img src=x onerror=…>" shows as those characters.

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** An element with properties and children (strings become text nodes, never markup). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'dataset') Object.assign(node.dataset, value);
    else node[key] = value;
  }
  node.append(...children.filter((c) => c !== undefined && c !== null));
  return node;
}
