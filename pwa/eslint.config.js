// ESLint (flat config) for the PWA: JavaScript and TypeScript recommended rules, Vue 3's recommended rules for
// single-file components; formatting is Prettier's (eslint-config-prettier turns the clashing rules off).
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import { defineConfig } from 'eslint/config'
import vue from 'eslint-plugin-vue'
import tseslint from 'typescript-eslint'

export default defineConfig(
  {
    ignores: ['dist/', 'dev-dist/', 'test-results/', 'playwright-report/', 'src/auto-imports.d.ts', 'src/components.d.ts'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    rules: {
      // TypeScript checks names (and knows the auto-imported Vant helpers); ESLint's own check does not
      'no-undef': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // optional TypeScript props are undefined when not given, which the components expect
      'vue/require-default-prop': 'off',
    },
  },
  prettier,
)
