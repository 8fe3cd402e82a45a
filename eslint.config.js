import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Only src/cli/ and the entry files of child processes touch the process: argv, env, exit,
 * signals and the console. Everything else takes what it needs as arguments (STYLE.md 5).
 */
const processRestriction = {
  'no-restricted-globals': [
    'error',
    {
      name: 'process',
      message:
        'Only src/cli/ and process entry files (*-main.ts) may touch the process; pass what you need in.',
    },
  ],
  'no-console': 'error',
};

/**
 * A module is entered through its index.ts: `../lab/run-lab.js` from another module is refused,
 * `../lab/index.js` is the way in (DESIGN.md's folders; a test also fails on a cycle between
 * modules). The reference service shares only the protocol module with the harness.
 */
const moduleBoundaries = {
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          regex: '^(\\.\\./)+(?!protocol/)[a-z0-9-]+/(?!index\\.js$).+',
          message: "Enter another module through its index.ts ('../<module>/index.js'), not its files.",
        },
        {
          regex: '^(\\.\\./)+protocol/(?!index\\.js$).+',
          message: "Enter the protocol module through 'protocol/index.js'.",
        },
      ],
    },
  ],
};

const referenceServiceBoundary = {
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          regex: '^(\\.\\./)+src/',
          message:
            'The reference service shares only the protocol module with the harness (protocol/index.js); it imports nothing from src/.',
        },
        {
          regex: '^(\\.\\./)+protocol/(?!index\\.js$).+',
          message: "Enter the protocol module through 'protocol/index.js'.",
        },
      ],
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'reports/', 'coverage/', 'bench/out/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  { files: ['src/**/*.ts', 'protocol/**/*.ts'], rules: moduleBoundaries },
  { files: ['reference-service/src/**/*.ts'], rules: referenceServiceBoundary },
  {
    files: ['src/**/*.ts', 'reference-service/src/**/*.ts', 'protocol/**/*.ts'],
    ignores: ['src/cli/**', '**/*-main.ts', 'reference-service/src/main.ts'],
    rules: processRestriction,
  },
);
