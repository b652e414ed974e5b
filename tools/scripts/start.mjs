#!/usr/bin/env node
// `npm start`: starts the local stack. The services do not exist yet, so it says so and exits
// non-zero instead of pretending to start anything.
const missing = ['core-config', 'flow-decomposer', 'adapter-agent'];
process.stderr.write(
  'npm start: the VOLTHA services (' +
    missing.join(', ') +
    ') are not built yet, so there is nothing to start.\n' +
    'What exists today: the protos (protos/), the generated code (libs/proto) and the libraries under libs/.\n' +
    'Run `npm test` to exercise them, or `npm run bench:tree` for the config-tree benchmark.\n'
);
process.exit(1);
