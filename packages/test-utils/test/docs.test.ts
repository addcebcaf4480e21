// The TSDoc @examples of @lab/test-utils run as tests, like every package's (issue #12).
import { fileURLToPath } from 'node:url';
import { runDocSnippets } from '../src/runDocSnippets.js';

runDocSnippets(fileURLToPath(new URL('..', import.meta.url)));
