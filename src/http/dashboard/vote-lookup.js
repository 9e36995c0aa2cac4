// The Vote lookup section: a voteId's receipt and status (GET /votes/:voteId).
import { api } from './api.js';
import { $, el } from './dom.js';

/** Looks up the typed voteId and shows its receipt and status, or the error. */
export async function lookUp(event) {
  event.preventDefault();
  const voteId = $('lookup-id').value.trim();
  const out = $('lookup-result');
  if (!voteId) return;
  out.replaceChildren(el('dt', {}, 'looking up'), el('dd', {}, voteId));
  try {
    const { receipt, status, folded } = await api(`/votes/${encodeURIComponent(voteId)}`);
    const rows = [
      ['status', status],
      ['folded here', folded ? 'yes' : 'not yet'],
      ['voteId', receipt.voteId],
      ['pollId', receipt.pollId],
      ['shard', receipt.shard],
      ['seq', receipt.seq],
      ['entryId', receipt.entryId],
      ['hash', receipt.hash],
    ];
    out.replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, String(v))]));
    out.dataset.status = status;
  } catch (error) {
    out.replaceChildren(el('dt', {}, 'error'), el('dd', {}, error.message));
    out.dataset.status = 'error';
  }
}
