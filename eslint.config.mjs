import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.cache/', 'test-artifacts/', 'examples/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly' },
      parserOptions: {
        // The nearest tsconfig.json covers src only (it builds dist), so the project service would
        // not find the tests; these two cover every linted TypeScript file, the editor scripts in
        // the second with its DOM and jQuery types.
        project: ['./tsconfig.test.json', './tsconfig.editor.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Node-RED constructors receive the node as `this`; naming it `node` is the convention.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['node'] }],
      // An async function that does not await still turns a synchronous throw into a rejection
      // (codecs, kafkajs handlers, fakes of promise-returning interfaces); that is why they are async.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // The editor scripts run in the browser, beside the Node-RED editor's globals.
    files: ['src/editor/**/*.ts'],
    languageOptions: { globals: { RED: 'readonly', $: 'readonly' } },
  },
  {
    // Plain JavaScript (the build script, this file) is in no TypeScript project.
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
