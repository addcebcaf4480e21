// Every README Usage block and TSDoc @example of @lab/graph-defense runs as a test (issue #12).
import { fileURLToPath } from 'node:url';
import { initBackend } from '@lab/core';
import { runDocSnippets } from '@lab/test-utils';

// The README's Usage trains Cora GCNs (about 30 s on 2 idle cores): a wide per-snippet bound so a
// loaded machine does not fail it (a bound on hangs, not a speed target).
runDocSnippets(fileURLToPath(new URL('..', import.meta.url)), {
  setup: () => initBackend(),
  timeout: 300_000,
});
