import { URL, fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Lives in test/ because the project's top level is fixed; basePath points patterns at the project root.
const projectRoot = fileURLToPath(new URL('..', import.meta.url));

export default tseslint.config(
  { basePath: projectRoot },
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/', 'dashboard/vendor/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['dashboard/**/*.js'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', fetch: 'readonly', EventSource: 'readonly', Chart: 'readonly', navigator: 'readonly', localStorage: 'readonly', URLSearchParams: 'readonly', console: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setTimeout: 'readonly', URL: 'readonly', Blob: 'readonly', AbortController: 'readonly', FormData: 'readonly' } },
  },
);
