import { helpText, parseArgv, synopsis } from './args';
import type { CommandSpec, FlagSpec } from './args';
import { UsageError } from './errors';
import { parseInt32 } from './validate';

const globals: FlagSpec[] = [
  { name: 'server', short: 's', valueName: 'HOST:PORT', description: 'address' },
  { name: 'help', short: 'h', description: 'help' }
];

const root: CommandSpec<string> = {
  name: 'voltha',
  summary: 'root',
  subcommands: [
    {
      name: 'device',
      aliases: ['dev'],
      summary: 'devices',
      subcommands: [
        {
          name: 'list',
          summary: 'list',
          flags: [
            {
              name: 'output',
              short: 'o',
              valueName: 'FORMAT',
              description: 'format',
              choices: ['table', 'json']
            },
            { name: 'quiet', short: 'q', description: 'ids' }
          ],
          handler: 'list'
        },
        {
          name: 'create',
          summary: 'create',
          flags: [
            { name: 'type', short: 't', valueName: 'TYPE', description: 'type', required: true },
            { name: 'depth', valueName: 'N', description: 'depth', parse: parseInt32 }
          ],
          handler: 'create'
        },
        {
          name: 'enable',
          summary: 'enable',
          args: [{ name: 'ID', description: 'ids', variadic: true }],
          handler: 'enable'
        }
      ]
    },
    {
      name: 'diff',
      summary: 'diff',
      args: [
        { name: 'FROM', description: 'from' },
        { name: 'TO', description: 'to', optional: true }
      ],
      handler: 'diff'
    }
  ]
};

const parse = (...argv: string[]) => parseArgv(argv, root, globals);

function usageError(argv: string[]): UsageError {
  try {
    parse(...argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error('no UsageError');
}

describe('parseArgv', () => {
  it('resolves command words, aliases and flags in any position', () => {
    const r = parse('-s', 'h:1', 'dev', 'list', '-o', 'json', '-q');
    expect(r).toMatchObject({ kind: 'run', args: [], flags: { server: 'h:1', output: 'json', quiet: true } });
    expect(r.kind === 'run' && r.command.handler).toBe('list');
  });

  it('accepts --flag=value, -fvalue and -f=value', () => {
    expect(parse('device', 'list', '--output=json')).toMatchObject({ flags: { output: 'json' } });
    expect(parse('device', 'list', '-ojson')).toMatchObject({ flags: { output: 'json' } });
    expect(parse('device', 'list', '-o=json')).toMatchObject({ flags: { output: 'json' } });
  });

  it('takes a value that starts with a dash, and parses it', () => {
    expect(parse('device', 'create', '-t', 'x', '--depth', '-1')).toMatchObject({
      flags: { type: 'x', depth: -1 }
    });
  });

  it('collects variadic and optional arguments; -- ends flags', () => {
    expect(parse('device', 'enable', 'a', 'b')).toMatchObject({ args: ['a', 'b'] });
    expect(parse('device', 'enable', '--', '-weird')).toMatchObject({ args: ['-weird'] });
    expect(parse('diff', 'x')).toMatchObject({ args: ['x'] });
    expect(parse('diff', 'x', 'y')).toMatchObject({ args: ['x', 'y'] });
  });

  it('returns help for --help anywhere, and for the bare root', () => {
    expect(parse('device', 'list', '--help')).toMatchObject({ kind: 'help' });
    expect(parse('-h', 'device').kind).toBe('help');
    expect(parse()).toMatchObject({ kind: 'help', path: [root] });
  });

  it('reports every kind of bad command line with the synopsis', () => {
    expect(usageError(['nope']).message).toBe("unknown command 'nope'");
    expect(usageError(['device', 'nope']).message).toBe("unknown command 'nope' for 'voltha device'");
    const flag = usageError(['device', 'list', '--nope']);
    expect(flag.message).toBe("unknown flag '--nope' for 'voltha device list'");
    expect(flag.synopsis).toBe('voltha device list [-o FORMAT] [-q]');
    expect(usageError(['device', 'list', '-o']).message).toBe('flag --output needs a value (FORMAT)');
    expect(usageError(['device', 'list', '-o', 'xml']).message).toBe(
      "bad value 'xml' for --output (one of table, json)"
    );
    expect(usageError(['device', 'list', '--quiet=yes']).message).toBe('flag --quiet takes no value');
    expect(usageError(['device', 'create']).message).toBe('missing required flag --type');
    expect(usageError(['device', 'create', '-t', 'x', '--depth', 'deep']).message).toBe(
      "bad value for --depth: 'deep' is not an integer"
    );
    expect(usageError(['device', 'enable']).message).toBe('missing argument ID');
    expect(usageError(['diff', 'a', 'b', 'c']).message).toBe("unexpected argument 'c'");
    expect(usageError(['device']).message).toBe(
      "missing command for 'voltha device' (one of list, create, enable)"
    );
    expect(usageError(['-q', 'device', 'list']).message).toBe("unknown flag '-q'");
  });
});

describe('synopsis and help', () => {
  it('builds synopses from the specs', () => {
    const device = root.subcommands![0];
    expect(synopsis([root])).toBe('voltha COMMAND [flags]');
    expect(synopsis([root, device])).toBe('voltha device <list|create|enable> [flags]');
    expect(synopsis([root, device, device.subcommands![1]])).toBe('voltha device create -t TYPE [--depth N]');
    expect(synopsis([root, root.subcommands![1]])).toBe('voltha diff FROM [TO]');
  });

  it('renders help with commands, arguments and flags', () => {
    const device = root.subcommands![0];
    expect(helpText([root, device], globals)).toContain(
      'Commands:\n  list     list\n  create   create\n  enable   enable\n'
    );
    const text = helpText([root, device, device.subcommands![0]], globals);
    expect(text).toContain(
      'Flags:\n  -o, --output FORMAT   format (table, json)\n  -q, --quiet           ids\n'
    );
    expect(text).toContain(
      'Global flags:\n  -s, --server HOST:PORT   address\n  -h, --help               help\n'
    );
  });
});
