// Every README Usage block and TSDoc @example of @lab/sparse-quant runs as a test (issue #12).
import { fileURLToPath } from 'node:url';
import { initBackend } from '@lab/core';
import { runDocSnippets } from '@lab/test-utils';

runDocSnippets(fileURLToPath(new URL('..', import.meta.url)), { setup: () => initBackend() });
