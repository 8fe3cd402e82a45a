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
  {
    files: ['src/**/*.ts', 'reference-service/src/**/*.ts'],
    ignores: ['src/cli/**', '**/*-main.ts', 'reference-service/src/main.ts'],
    rules: processRestriction,
  },
);
