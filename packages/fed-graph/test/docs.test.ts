import { runDocSnippets } from '@lab/test-utils';
import { fileURLToPath } from 'node:url';
import { initBackend } from '@lab/core';

runDocSnippets(fileURLToPath(new URL('..', import.meta.url)), { setup: () => initBackend() });
