// Every README Usage block and TSDoc @example of @lab/fed-graph runs as a test.
import { initBackend } from '@lab/core';
import { runDocSnippets } from '@lab/test-utils';
import { fileURLToPath } from 'node:url';

runDocSnippets(fileURLToPath(new URL('..', import.meta.url)), { setup: () => initBackend() });
