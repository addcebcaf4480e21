// Every README Usage block and TSDoc @example of @lab/fed-graph runs as a test.
import { fileURLToPath } from 'node:url';
import { initBackend } from '@lab/core';
import { runDocSnippets } from '@lab/test-utils';

// The README's Usage federates Cora for three rounds (a few seconds on 2 idle cores): a wide bound
// on hangs, not a speed target.
runDocSnippets(fileURLToPath(new URL('..', import.meta.url)), { setup: () => initBackend(), timeout: 120_000 });
