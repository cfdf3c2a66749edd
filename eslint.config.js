// Lint and format, after the Effect-TS/effect v3 repository's own eslint.config.mjs:
// eslint's and typescript-eslint's recommended rules (without type information, so it stays fast)
// and dprint, through @effect/eslint-plugin, as the formatter. `npm run lint -- --fix` fixes what it can.
import * as effectEslint from "@effect/eslint-plugin"
import js from "@eslint/js"
import { defineConfig } from "eslint/config"
import tseslint from "typescript-eslint"

export default defineConfig(
  {
    ignores: [
      "**/node_modules/**",
      "**/dist/**",
      "**/build/**",
      "**/coverage/**",
      "**/.data/**",
      "**/logs/**",
      "**/bench-results/**",
      "**/*.d.ts"
    ]
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  effectEslint.configs.dprint,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module"
    },
    linterOptions: {
      reportUnusedDisableDirectives: "error"
    },
    rules: {
      // from the Effect repository's config
      "object-shorthand": "error",
      "no-restricted-syntax": [
        "error",
        {
          selector: "CallExpression[callee.property.name='push'] > SpreadElement.arguments",
          message: "Do not use spread arguments in Array.push"
        }
      ],
      // an Effect.gen(function*() { ... }) body need not yield
      "require-yield": "off",
      "@typescript-eslint/array-type": ["error", { default: "generic", readonly: "generic" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // `import type { A }` when every name is a type, `import { type A, b }` when some are
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-import-type-side-effects": "error",

      "@effect/dprint": [
        "error",
        {
          config: {
            indentWidth: 2,
            lineWidth: 120,
            semiColons: "asi",
            quoteStyle: "alwaysDouble",
            trailingCommas: "never",
            operatorPosition: "maintain",
            "arrowFunction.useParentheses": "force",
            // keeps `.annotate(...) {}` closing a multi-line `extends` on its line
            "classDeclaration.bracePosition": "sameLine"
          }
        }
      ]
    }
  },
  {
    // plain JavaScript (this file, scripts) runs on Node: its globals are the ones this Node has
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    languageOptions: {
      globals: Object.fromEntries(Object.getOwnPropertyNames(globalThis).map((name) => [name, "readonly"]))
    }
  }
)
