// Root flat ESLint config. Every project runs `eslint .` from its own folder and inherits this file.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const layering = [
  // Pure domain libraries: no NestJS, no apps; they may use other domain, proto and util libs.
  {
    sourceTag: 'type:domain',
    onlyDependOnLibsWithTags: ['type:domain', 'type:proto', 'type:util', 'type:testing'],
    bannedExternalImports: ['@nestjs/*', 'kafkajs', '@grpc/*', 'rxjs']
  },
  { sourceTag: 'type:proto', onlyDependOnLibsWithTags: ['type:proto'], bannedExternalImports: ['@nestjs/*'] },
  {
    sourceTag: 'type:util',
    onlyDependOnLibsWithTags: ['type:util', 'type:proto', 'type:testing'],
    bannedExternalImports: ['@nestjs/*']
  },
  {
    sourceTag: 'type:testing',
    onlyDependOnLibsWithTags: ['type:domain', 'type:proto', 'type:util', 'type:testing']
  },
  {
    sourceTag: 'type:nest',
    onlyDependOnLibsWithTags: ['type:nest', 'type:domain', 'type:proto', 'type:util', 'type:testing']
  },
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: ['type:nest', 'type:domain', 'type:proto', 'type:util', 'type:testing']
  }
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/generated/**',
      '**/tmp/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: [], depConstraints: layering }
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error'
    }
  },
  {
    // Production code never pulls in test doubles; only specs, e2e specs and benches may.
    files: ['**/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'libs/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@voltha/testing', message: 'test doubles are for specs only' }] }
      ]
    }
  },
  {
    files: ['**/bench/**/*.ts', '**/tools/**/*.ts'],
    rules: { 'no-console': 'off' }
  },
  prettier
);
