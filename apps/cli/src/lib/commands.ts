import type { ArgSpec, CommandSpec, FlagSpec } from './args';
import type { Handler } from './context';
import { OUTPUT_FORMATS } from './format/output';
import * as h from './handlers';
import type { ClientInfo } from './handlers';
import {
  DEFAULT_DECOMPOSER_PORT,
  DEFAULT_PORT,
  parseDuration,
  parseHostPort,
  parseInt32,
  parseIpv4,
  parseMac,
  parsePositiveInt,
  parseDecomposer,
  parseServer,
  parseUint64
} from './validate';

/** The command tree of `voltha` (voltctl's command names), with flags, help texts and handlers. */

export const DEFAULT_SERVER = `localhost:${DEFAULT_PORT}`;
export const DEFAULT_DECOMPOSER = `localhost:${DEFAULT_DECOMPOSER_PORT}`;
export const DEFAULT_TIMEOUT_MS = 10_000;

export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  {
    name: 'server',
    short: 's',
    valueName: 'HOST:PORT',
    description: 'core-config gRPC address (env VOLTHA)',
    defaultText: DEFAULT_SERVER,
    parse: parseServer
  },
  {
    name: 'decomposer',
    valueName: 'HOST:PORT',
    description: 'flow-decomposer gRPC address, for the flowdecomposer commands (env VOLTHA_DECOMPOSER)',
    defaultText: DEFAULT_DECOMPOSER,
    parse: parseDecomposer
  },
  {
    name: 'timeout',
    valueName: 'DURATION',
    description: 'deadline of each call, e.g. 500ms, 10s, 1m',
    defaultText: '10s',
    parse: parseDuration
  },
  { name: 'help', short: 'h', description: 'show help' }
];

const output: FlagSpec = {
  name: 'output',
  short: 'o',
  valueName: 'FORMAT',
  description: 'output format',
  choices: OUTPUT_FORMATS,
  defaultText: 'table'
};
const quiet: FlagSpec = { name: 'quiet', short: 'q', description: 'print only the ids' };

const nonEmpty =
  (what: string) =>
  (raw: string): string => {
    if (raw.trim() === '') throw new Error(`empty ${what}`);
    return raw;
  };
const deviceId: ArgSpec = { name: 'ID', description: 'device id', parse: nonEmpty('device id') };
const deviceIds: ArgSpec = { ...deviceId, description: 'device ids (one or more)', variadic: true };
const logicalDeviceId: ArgSpec = {
  name: 'ID',
  description: 'logical device id',
  parse: nonEmpty('logical device id')
};

function configPath(raw: string): string {
  if (!raw.startsWith('/')) throw new Error(`'${raw}' is not a path (expected e.g. /devices/ID)`);
  return raw;
}

function deviceCommand(
  name: 'enable' | 'disable' | 'reboot' | 'delete',
  summary: string
): CommandSpec<Handler> {
  const method = `${name}Device` as const;
  return {
    name,
    summary,
    args: [deviceIds],
    examples: [`voltha device ${name} 0001aabbccddeeff`],
    handler: h.deviceAction(method, name)
  };
}

export function commandTree(client: ClientInfo): CommandSpec<Handler> {
  return {
    name: 'voltha',
    summary:
      'voltha: command-line client of VOLTHA core-config (devices, logical devices, adapters, config, events).',
    details:
      `core-config is reached at --server, else $VOLTHA, else ${DEFAULT_SERVER}. Lists print as tables;\n` +
      '-o json|yaml prints proto3 JSON (proto field names, 64-bit integers as strings) or the same as YAML.',
    subcommands: [
      {
        name: 'device',
        summary: 'list, create and operate devices (OLTs and ONUs)',
        subcommands: [
          {
            name: 'list',
            summary: 'list devices',
            flags: [output, quiet],
            examples: ['voltha device list', 'voltha device list -o json', 'voltha device list -q'],
            handler: h.deviceList
          },
          {
            name: 'create',
            summary: 'create (pre-provision) a device and print its id',
            details:
              'Give at most one address. The device stays PREPROVISIONED until `voltha device enable ID`.',
            usage: '-t TYPE [-m MAC | -i IPV4 | -H HOST:PORT] [--extra-args ARGS] [-o FORMAT]',
            flags: [
              {
                name: 'type',
                short: 't',
                valueName: 'TYPE',
                description: 'device type (adapter), e.g. simulated_olt',
                required: true
              },
              {
                name: 'mac',
                short: 'm',
                valueName: 'MAC',
                description: 'MAC address of the device',
                parse: parseMac
              },
              {
                name: 'ipv4',
                short: 'i',
                valueName: 'IPV4',
                description: 'IPv4 address of the device',
                parse: parseIpv4
              },
              {
                name: 'host-and-port',
                short: 'H',
                valueName: 'HOST:PORT',
                description: 'host:port of the device (e.g. a BBSim OLT agent)',
                parse: parseHostPort
              },
              { name: 'extra-args', valueName: 'ARGS', description: 'free-form arguments for the adapter' },
              output
            ],
            examples: [
              'voltha device create -t simulated_olt -m 00:0c:e2:31:40:00',
              'voltha device create -t openolt -H bbsim:50060',
              'voltha device create -t simulated_olt -i 10.0.0.5 --extra-args "--onus 16"'
            ],
            handler: h.deviceCreate
          },
          deviceCommand('enable', 'enable (activate) devices'),
          deviceCommand('disable', 'disable devices'),
          deviceCommand('reboot', 'reboot devices'),
          deviceCommand('delete', 'delete devices'),
          {
            name: 'ports',
            summary: 'list the ports of a device',
            args: [deviceId],
            flags: [output, quiet],
            examples: ['voltha device ports 0001aabbccddeeff'],
            handler: h.devicePorts
          },
          {
            name: 'flows',
            summary: 'list the flows of a device',
            args: [deviceId],
            flags: [output, quiet],
            examples: [
              'voltha device flows 0001aabbccddeeff',
              'voltha device flows 0001aabbccddeeff -o yaml'
            ],
            handler: h.deviceFlows
          }
        ]
      },
      {
        name: 'logicaldevice',
        aliases: ['ld'],
        summary: 'list logical devices (the OpenFlow switches), their ports and flows',
        subcommands: [
          {
            name: 'list',
            summary: 'list logical devices',
            flags: [output, quiet],
            examples: ['voltha logicaldevice list'],
            handler: h.logicalDeviceList
          },
          {
            name: 'ports',
            summary: 'list the ports of a logical device',
            args: [logicalDeviceId],
            flags: [output, quiet],
            examples: ['voltha logicaldevice ports 0001aabbccddeeff'],
            handler: h.logicalDevicePorts
          },
          {
            name: 'flows',
            summary: 'list the flows of a logical device',
            args: [logicalDeviceId],
            flags: [output, quiet],
            examples: ['voltha logicaldevice flows 0001aabbccddeeff'],
            handler: h.logicalDeviceFlows
          }
        ]
      },
      {
        name: 'adapter',
        summary: 'list the registered adapters',
        subcommands: [
          {
            name: 'list',
            summary: 'list adapters',
            flags: [output, quiet],
            examples: ['voltha adapter list'],
            handler: h.adapterList
          }
        ]
      },
      {
        name: 'config',
        summary: 'read the versioned config tree: nodes, revisions, tags, differences',
        subcommands: [
          {
            name: 'get',
            summary: 'print the node at a path (ConfigService.Get)',
            details:
              'Depth 0 prints the node-local data only, N adds N levels of children, a negative depth everything.\n' +
              'Devices, ports, logical devices, logical ports, adapters and flows print as tables, other types\n' +
              'as YAML; -o json|yaml prints the data of any type.',
            args: [
              { name: 'PATH', description: 'config tree path, e.g. /devices/ID/ports', parse: configPath }
            ],
            flags: [
              {
                name: 'depth',
                valueName: 'N',
                description: 'levels of children to include',
                defaultText: '0',
                parse: parseInt32
              },
              {
                name: 'hash',
                valueName: 'HASH',
                description: 'read this root revision instead of the latest'
              },
              output,
              quiet
            ],
            examples: [
              'voltha config get /devices',
              'voltha config get /devices/0001aabbccddeeff --depth -1 -o yaml',
              'voltha config get / -o json'
            ],
            handler: h.configGet
          },
          {
            name: 'revisions',
            summary: 'list the retained root revisions, oldest first',
            flags: [output, quiet],
            examples: ['voltha config revisions'],
            handler: h.configRevisions
          },
          {
            name: 'tags',
            summary: 'list the tags (named root revisions)',
            flags: [output, quiet],
            examples: ['voltha config tags'],
            handler: h.configTags
          },
          {
            name: 'diff',
            summary: 'show what changed between two revisions (JSON patch of node-local data)',
            details:
              'Each revision is a tag name or a root revision hash (a tag name wins); without the second one\n' +
              'the latest revision is compared.',
            args: [
              { name: 'FROM', description: 'tag or root revision hash' },
              { name: 'TO', description: 'tag or root revision hash (default: latest)', optional: true }
            ],
            flags: [
              {
                name: 'path',
                valueName: 'PATH',
                description: 'node to compare',
                defaultText: '/',
                parse: configPath
              },
              output
            ],
            examples: [
              'voltha config diff before-upgrade',
              'voltha config diff 3f2a9c0d41e5b6a7c8d9e0f1 after --path /devices/ID'
            ],
            handler: h.configDiff
          }
        ]
      },
      {
        name: 'events',
        aliases: ['event'],
        summary: 'follow the change events of the config tree',
        subcommands: [
          {
            name: 'tail',
            summary: 'print one line per change event until Ctrl-C (ConfigService.Watch)',
            flags: [
              {
                name: 'path-prefix',
                valueName: 'PREFIX',
                description: 'only events whose path starts with PREFIX'
              },
              {
                name: 'from-seq',
                valueName: 'SEQ',
                description: 'first replay the retained events after commit SEQ',
                parse: parseUint64
              },
              { name: 'count', valueName: 'N', description: 'stop after N events', parse: parsePositiveInt },
              output
            ],
            examples: [
              'voltha events tail',
              'voltha events tail --path-prefix /devices --from-seq 120',
              'voltha events tail --count 1 -o json'
            ],
            handler: h.eventsTail
          }
        ]
      },
      {
        name: 'flowdecomposer',
        summary: 'statistics and undecomposable flows of flow-decomposer',
        details: `flow-decomposer is reached at --decomposer, else $VOLTHA_DECOMPOSER, else ${DEFAULT_DECOMPOSER}.`,
        subcommands: [
          {
            name: 'stats',
            summary: 'print the counters of flow-decomposer (FlowDecomposerService.GetStats)',
            flags: [output],
            examples: ['voltha flowdecomposer stats', 'voltha flowdecomposer stats -o json'],
            handler: h.decomposerStats
          },
          {
            name: 'failed',
            summary:
              'list the logical flows that cannot be decomposed (FlowDecomposerService.ListFailedFlows)',
            args: [
              {
                name: 'LOGICAL_DEVICE_ID',
                description: 'only the flows of this logical device (default: all)',
                optional: true,
                parse: nonEmpty('logical device id')
              }
            ],
            flags: [output, quiet],
            examples: [
              'voltha flowdecomposer failed',
              'voltha flowdecomposer failed 0001aabbccddeeff -o yaml',
              'voltha flowdecomposer failed -q'
            ],
            handler: h.decomposerFailed
          }
        ]
      },
      {
        name: 'version',
        summary: 'print the client and server versions',
        flags: [{ name: 'client-only', description: 'do not contact the server' }, output],
        examples: ['voltha version', 'voltha version --client-only'],
        handler: h.versionHandler(client)
      },
      {
        name: 'help',
        summary: 'show help for a command',
        args: [
          {
            name: 'COMMAND',
            description: 'command words, e.g. device create',
            optional: true,
            variadic: true
          }
        ],
        examples: ['voltha help', 'voltha help device create'],
        handler: h.help
      }
    ]
  };
}
