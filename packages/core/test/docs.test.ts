// Every README Usage block and TSDoc @example of @lab/core runs as a test (issue #12).
import { runDocSnippets } from '@lab/test-utils';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../src/index.js';

runDocSnippets(fileURLToPath(new URL('..', import.meta.url)), { setup: () => initBackend() });
