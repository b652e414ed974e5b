/**
 * Prints the flag / environment variable tables of every service, from the services' own option
 * definitions (the only place they read their settings), for docs/operations.md:
 *   node tools/scripts/run-ts.mjs tools/docs/options-doc.ts > /tmp/options.md
 */
import type { OptionSpec } from '@voltha/nest-common';

// eslint-disable-next-line @nx/enforce-module-boundaries -- a documentation tool reads each app's settings definition
import { ADAPTER_AGENT_OPTIONS } from '../../apps/adapter-agent/src/app/adapter-agent.config';
// eslint-disable-next-line @nx/enforce-module-boundaries -- a documentation tool reads each app's settings definition
import { CORE_CONFIG_OPTIONS } from '../../apps/core-config/src/app/core-config.config';
// eslint-disable-next-line @nx/enforce-module-boundaries -- a documentation tool reads each app's settings definition
import { FLOW_DECOMPOSER_OPTIONS } from '../../apps/flow-decomposer/src/app/flow-decomposer.config';
// eslint-disable-next-line @nx/enforce-module-boundaries -- a documentation tool reads each app's settings definition
import { REST_GATEWAY_OPTIONS } from '../../apps/rest-gateway/src/app/rest-gateway.config';

const machineSpecific = new Set(['INSTANCE_ID', 'DATA_DIR']);

function table(name: string, options: Record<string, OptionSpec<unknown>>): string {
  const rows = Object.values(options).map((o) => {
    let def: string;
    if (o.show) def = o.show;
    else if (machineSpecific.has(o.env)) def = o.env === 'DATA_DIR' ? './data' : 'host name';
    else if (Array.isArray(o.default)) def = o.default.length ? o.default.join(',') : '(none)';
    else def = o.default === '' ? '(empty)' : String(o.default);
    return `| \`--${o.flag}\` | \`${o.env}\` | \`${def}\` | ${o.description.replace(/\|/g, '\\|')} |`;
  });
  return `### ${name}\n\n| flag | environment | default | meaning |\n| --- | --- | --- | --- |\n${rows.join('\n')}\n`;
}

process.stdout.write(
  [
    table('core-config', CORE_CONFIG_OPTIONS),
    table('flow-decomposer', FLOW_DECOMPOSER_OPTIONS),
    table('adapter-agent', ADAPTER_AGENT_OPTIONS as Record<string, OptionSpec<unknown>>),
    table('rest-gateway', REST_GATEWAY_OPTIONS as Record<string, OptionSpec<unknown>>)
  ].join('\n')
);
