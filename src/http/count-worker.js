// The count worker's entry. A worker thread does not inherit the loader that runs the node's
// TypeScript (bin/votestream.js registers tsx; tests use --import tsx), so it registers its own.
import { register } from 'tsx/esm/api';

register();
await import('./count-worker.ts');
