// Shared Jest settings: SWC transforms TypeScript (with decorator metadata for NestJS),
// tests run in UTC, and each project's jest.config.ts only names itself.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const swcrc = JSON.parse(readFileSync(join(__dirname, '.swcrc'), 'utf8'));
delete swcrc.$schema;

process.env.TZ = 'UTC';

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  moduleNameMapper: {
    '^@voltha/proto/services$': '<rootDir>/../../libs/proto/src/services.ts',
    '^@voltha/(.*)$': '<rootDir>/../../libs/$1/src/index.ts'
  },
  testTimeout: 30000
};
