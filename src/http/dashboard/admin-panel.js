// The Admin section: once an admin token is typed, create a poll and close the chosen one.
import { api } from './api.js';
import { $ } from './dom.js';
import { state } from './state.js';
import { refreshPolls, selectPoll } from './tally-view.js';

/** Kept in memory only: a reload asks for it again. */
let token = '';

/** The token as typed: the panel shows once there is one. */
export function setToken(event) {
  token = event.currentTarget.value.trim();
  $('admin-panel').hidden = !token;
}

function adminHeaders(json) {
  const auth = { authorization: `Bearer ${token}` };
  // Declaring a JSON body without sending one is a 400: only say so when there is one.
  return json ? { ...auth, 'content-type': 'application/json' } : auth;
}

/** "id" or "id: label" per line (or comma-separated). */
function parseOptions(text) {
  return text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const at = line.indexOf(':');
      if (at < 0) return line;
      return { id: line.slice(0, at).trim(), label: line.slice(at + 1).trim() };
    });
}

/** Creates a poll from the form (POST /polls) and chooses it. */
export async function createPoll(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const data = new FormData(form);
  const body = {
    title: String(data.get('title')),
    options: parseOptions(String(data.get('options'))),
    revote: String(data.get('revote')),
    results: String(data.get('results')),
  };
  const id = String(data.get('id') ?? '').trim();
  if (id) body.id = id;
  const closesIn = Number(data.get('closesIn'));
  if (closesIn > 0) body.closesAt = new Date(Date.now() + closesIn * 60_000).toISOString();
  const message = $('admin-message');
  try {
    const { poll } = await api('/polls', {
      method: 'POST',
      headers: adminHeaders(true),
      body: JSON.stringify(body),
    });
    message.textContent = `created poll ${poll.id}`;
    form.reset();
    await refreshPolls();
    selectPoll(poll.id);
  } catch (error) {
    message.textContent = error.message;
  }
}

/** Closes the chosen poll (POST /polls/:pollId/close). */
export async function closeSelected() {
  const pollId = state.selected;
  if (!pollId) return;
  const message = $('admin-message');
  try {
    const { alreadyClosed } = await api(`/polls/${encodeURIComponent(pollId)}/close`, {
      method: 'POST',
      headers: adminHeaders(false),
    });
    message.textContent = alreadyClosed ? `${pollId} was already closed` : `closed ${pollId}`;
    await refreshPolls();
  } catch (error) {
    message.textContent = error.message;
  }
}
