#!/usr/bin/env node
// The package's bin. votestream runs its TypeScript sources through tsx's loader
// so there is no build step whose output could drift from the code.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
