// A Schulze count: the ranking, the pairwise matrix and the strongest paths.
import { el } from './dom.js';

/** Schulze: the final order, then who beats whom head to head and by the strongest paths. */
export function schulzeView(result, name, pathsOpen) {
  const order = result.ranking;
  return [
    el('h4', {}, 'Ranking'),
    el(
      'ol',
      { className: 'ranking' },
      ...order.map((option) =>
        el(
          'li',
          { dataset: { option } },
          name(option),
          result.winners.includes(option) ? el('span', { className: 'win' }, ' ✓ winner') : '',
        ),
      ),
    ),
    matrix(
      result.pairwise,
      order,
      name,
      "Pairwise: ballots ranking the row's option above the column's; ▲ the row beats the column",
    ),
    el(
      'details',
      { open: pathsOpen },
      el('summary', {}, 'Strongest paths'),
      matrix(
        result.strongestPaths,
        order,
        name,
        'Strongest paths (by margin); ▲ the row is stronger than the column',
      ),
    ),
  ];
}

/** A square table in ranking order; a cell that beats its mirror says so with ▲. */
function matrix(cells, order, name, caption) {
  const head = el('tr', {}, el('td'), ...order.map((o) => el('th', { scope: 'col' }, name(o))));
  const rows = order.map((row) =>
    el(
      'tr',
      {},
      el('th', { scope: 'row' }, name(row)),
      ...order.map((col) => {
        if (row === col) return el('td', { className: 'diagonal' }, '–');
        const value = cells[row]?.[col] ?? '0';
        const wins = Number(value) > Number(cells[col]?.[row] ?? '0');
        return el(
          'td',
          { className: wins ? 'beats' : '' },
          value,
          wins ? el('span', { className: 'win' }, ' ▲') : '',
        );
      }),
    ),
  );
  return el(
    'div',
    { className: 'scroll-x' },
    el(
      'table',
      { className: 'matrix' },
      el('caption', {}, caption),
      el('thead', {}, head),
      el('tbody', {}, ...rows),
    ),
  );
}
