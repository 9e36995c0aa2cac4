// The votestream dashboard's entry: plain ES modules, no framework, no build step. It wires the
// page to its parts — the Cluster (cluster-view.js), the Polls and the chosen poll's live tally
// (tally-view.js), a ranked poll's Count (count-view.js), the Vote lookup and the Admin panel —
// which read the node's own JSON API (GET /cluster every second, GET /polls every two seconds,
// the chosen poll's tally over SSE and, for a ranked poll, its count, fetched again as that
// tally moves) and write the page only inside requestAnimationFrame (frame.js). Everything
// that comes from data is written with textContent / DOM APIs (dom.js), never as markup.
import { closeSelected, createPoll, setToken } from './admin-panel.js';
import { refreshCluster, renderCluster } from './cluster-view.js';
import { renderResults } from './count-view.js';
import { $ } from './dom.js';
import { renderParts } from './frame.js';
import { renderPolls, renderTally, schedulePolls } from './tally-view.js';
import { lookUp } from './vote-lookup.js';

renderParts({
  cluster: renderCluster,
  polls: renderPolls,
  tally: renderTally,
  results: renderResults,
});

$('lookup-form').addEventListener('submit', lookUp);
$('create-form').addEventListener('submit', createPoll);
$('close-poll').addEventListener('click', closeSelected);
$('admin-token').addEventListener('input', setToken);
void refreshCluster();
schedulePolls();
