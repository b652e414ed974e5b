import { getFreePort } from '@voltha/testing';

import { FakeCore, FakeDecomposer } from './fake-core';
import * as fx from './fixtures';
import { runCli } from './run-cli';
import type { CliRun } from './run-cli';

/**
 * Every command of the CLI, run in-process (main(argv, io)) against a fake core-config over real
 * gRPC: table, JSON and YAML output, ids only, errors and exit codes.
 */

let fake: FakeCore;
let decomposer: FakeDecomposer;
let server: string[];

beforeAll(async () => {
  fake = new FakeCore();
  await fake.start();
  decomposer = new FakeDecomposer();
  await decomposer.start();
  server = ['--server', fake.address, '--decomposer', decomposer.address];
});

afterAll(async () => {
  await fake.stop();
  await decomposer.stop();
});

beforeEach(() => {
  fake.delayMs = 0;
});

const run = (...argv: string[]): Promise<CliRun> => runCli([...argv, ...server]);

/** The run succeeded with nothing on stderr; returns stdout. */
function okOut(r: CliRun): string {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

/** The run failed with exactly one line on stderr and nothing on stdout; returns that line. */
function oneErrorLine(r: CliRun, code = 1): string {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toBe('');
  expect(lines[0]).toMatch(/^voltha: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return lines[0];
}

const table = (...rows: string[]): string => rows.map((r) => `${r}\n`).join('');

describe('device', () => {
  it('list prints a table', async () => {
    expect(okOut(await run('device', 'list'))).toBe(
      table(
        'ID                  TYPE             ROOT     PARENTID            SERIAL          ADDRESS              ADMIN      OPER          CONNECT      REASON',
        'a1b2c3d4e5f60001    simulated_olt    true     0001aabbccddeeff    SIMOLT0001      00:0c:e2:31:40:00    ENABLED    ACTIVE        REACHABLE',
        'a1b2c3d4e5f60002    simulated_onu    false    a1b2c3d4e5f60001    BBSM00000001                         ENABLED    ACTIVATING    REACHABLE    starting-openomci'
      )
    );
  });

  it('list -o json prints proto3 JSON with proto field names and enum names', async () => {
    const json = JSON.parse(okOut(await run('device', 'list', '-o', 'json')));
    expect(json).toHaveLength(2);
    expect(json[0]).toMatchObject({
      id: fx.OLT_ID,
      type: 'simulated_olt',
      root: true,
      parent_id: fx.LD_ID,
      serial_number: 'SIMOLT0001',
      mac_address: '00:0c:e2:31:40:00',
      admin_state: 'ENABLED',
      oper_status: 'ACTIVE',
      connect_status: 'REACHABLE',
      extra_args: '',
      ports: []
    });
    expect(json[1]).toMatchObject({ id: fx.ONU_ID, parent_port_no: 1, oper_status: 'ACTIVATING' });
  });

  it('list -o yaml prints the same data as YAML', async () => {
    const yaml = okOut(await run('device', 'list', '-o', 'yaml'));
    expect(
      yaml.startsWith(`- id: ${fx.OLT_ID}\n  type: simulated_olt\n  root: true\n  parent_id: "${fx.LD_ID}"\n`)
    ).toBe(true);
    expect(yaml).toContain('\n  mac_address: "00:0c:e2:31:40:00"\n  admin_state: ENABLED\n');
    expect(yaml).toContain(`\n- id: ${fx.ONU_ID}\n`);
    expect(yaml).toContain('\n  ports: []\n');
  });

  it('list -q prints the ids only', async () => {
    expect(okOut(await run('device', 'list', '-q'))).toBe(`${fx.OLT_ID}\n${fx.ONU_ID}\n`);
  });

  it('create prints the new id and sends type, address and extra args', async () => {
    expect(
      okOut(
        await run(
          'device',
          'create',
          '-t',
          'simulated_olt',
          '-m',
          '00:0C:E2:31:40:01',
          '--extra-args',
          '--onus 4'
        )
      )
    ).toBe(`${fx.NEW_ID}\n`);
    expect(fake.last('CreateDevice')).toMatchObject({
      type: 'simulated_olt',
      macAddress: '00:0c:e2:31:40:01',
      extraArgs: '--onus 4'
    });
  });

  it('create with -H or -i, and -o json prints the device', async () => {
    const json = JSON.parse(
      okOut(await run('device', 'create', '--type=openolt', '-H', 'bbsim:50060', '-o', 'json'))
    );
    expect(json).toMatchObject({
      id: fx.NEW_ID,
      type: 'openolt',
      host_and_port: 'bbsim:50060',
      admin_state: 'PREPROVISIONED'
    });
    expect(fake.last('CreateDevice')).toMatchObject({ hostAndPort: 'bbsim:50060' });
    okOut(await run('device', 'create', '-t', 'simulated_olt', '-i', '10.0.0.5'));
    expect(fake.last('CreateDevice')).toMatchObject({ ipv4Address: '10.0.0.5' });
  });

  it('create rejects a bad MAC, two addresses and a missing type with a usage line', async () => {
    expect(oneErrorLine(await run('device', 'create', '-t', 'simulated_olt', '-m', '00:11:22'), 2)).toBe(
      "voltha: bad value for --mac: '00:11:22' is not a MAC address (expected six hex octets, e.g. 00:0c:e2:31:40:00); " +
        'usage: voltha device create -t TYPE [-m MAC | -i IPV4 | -H HOST:PORT] [--extra-args ARGS] [-o FORMAT]'
    );
    expect(
      oneErrorLine(await run('device', 'create', '-t', 'x', '-m', '00:11:22:33:44:55', '-i', '10.0.0.1'), 2)
    ).toMatch(/^voltha: give only one address \(--mac, --ipv4 given\); usage: voltha device create /);
    expect(oneErrorLine(await run('device', 'create', '-m', '00:11:22:33:44:55'), 2)).toMatch(
      /^voltha: missing required flag --type; usage: voltha device create/
    );
    expect(oneErrorLine(await run('device', 'create', '-t', 'x', '-H', 'bbsim'), 2)).toMatch(
      /'bbsim' is not host:port/
    );
    expect(oneErrorLine(await run('device', 'create', '-t', 'x', '-i', '10.0.0.256'), 2)).toMatch(
      /is not an IPv4 address/
    );
  });

  it('create reports a rejection by the server', async () => {
    expect(oneErrorLine(await run('device', 'create', '-t', 'unknown_type'))).toBe(
      'voltha: invalid argument: no adapter for device type unknown_type'
    );
  });

  it.each([
    ['enable', 'EnableDevice'],
    ['disable', 'DisableDevice'],
    ['reboot', 'RebootDevice'],
    ['delete', 'DeleteDevice']
  ])('%s prints the id', async (verb, method) => {
    expect(okOut(await run('device', verb, fx.OLT_ID))).toBe(`${fx.OLT_ID}\n`);
    expect(fake.last(method)).toEqual({ id: fx.OLT_ID });
  });

  it.each(['enable', 'disable', 'reboot', 'delete', 'ports', 'flows'])(
    '%s of an unknown device: one line, exit 1',
    async (verb) => {
      expect(oneErrorLine(await run('device', verb, '123'))).toBe('voltha: device 123 not found');
    }
  );

  it('enable of several devices does those it can and reports the others', async () => {
    const r = await run('device', 'enable', fx.OLT_ID, 'nope', fx.ONU_ID);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`${fx.OLT_ID}\n${fx.ONU_ID}\n`);
    expect(r.stderr).toBe('voltha: device nope not found\n');
  });

  it('reboot refused by the server: one line naming the device', async () => {
    expect(oneErrorLine(await run('device', 'reboot', fx.ONU_ID))).toBe(
      `voltha: cannot reboot device ${fx.ONU_ID}: device ${fx.ONU_ID} is ACTIVATING, cannot reboot now`
    );
  });

  it('enable without an id is a usage error', async () => {
    expect(oneErrorLine(await run('device', 'enable'), 2)).toBe(
      'voltha: missing argument ID; usage: voltha device enable ID...'
    );
  });

  it('ports prints a table, json and ids', async () => {
    expect(okOut(await run('device', 'ports', fx.OLT_ID))).toBe(
      table(
        'PORTNO    LABEL    TYPE            ADMIN      OPER      DEVICEID            PEERS',
        '1         pon      PON_OLT         ENABLED    ACTIVE    a1b2c3d4e5f60001    a1b2c3d4e5f60002/1',
        '2         nni      ETHERNET_NNI    ENABLED    ACTIVE    a1b2c3d4e5f60001'
      )
    );
    expect(JSON.parse(okOut(await run('device', 'ports', fx.OLT_ID, '-o', 'json')))).toEqual([
      {
        port_no: 1,
        label: 'pon',
        type: 'PON_OLT',
        admin_state: 'ENABLED',
        oper_status: 'ACTIVE',
        device_id: fx.OLT_ID,
        peers: [{ device_id: fx.ONU_ID, port_no: 1 }]
      },
      {
        port_no: 2,
        label: 'nni',
        type: 'ETHERNET_NNI',
        admin_state: 'ENABLED',
        oper_status: 'ACTIVE',
        device_id: fx.OLT_ID,
        peers: []
      }
    ]);
    expect(okOut(await run('device', 'ports', fx.OLT_ID, '-q'))).toBe('1\n2\n');
  });

  it('flows prints match and action columns, 64-bit values exactly', async () => {
    expect(okOut(await run('device', 'flows', fx.OLT_ID))).toBe(
      table(
        'ID                      TABLE    PRIORITY    COOKIE                  IN_PORT    VLAN        ETH_TYPE    METADATA               PUSH_VLAN    SET_VLAN    POP_VLAN    OUTPUT        GOTO_TABLE    WRITE_METADATA         METER',
        `${fx.trapFlow.id}    0        1000        18446744073709551615    1          4000        0x888e                             0x8100       4091                    CONTROLLER`,
        `${fx.dataFlow.id}    1        500         42                      101        untagged                1152921504606846983                             yes         2             2             1152921504606846983    3`
      )
    );
  });

  it('flows -o json keeps 64-bit values as exact strings', async () => {
    const text = okOut(await run('device', 'flows', fx.OLT_ID, '-o', 'json'));
    const json = JSON.parse(text);
    expect(json.map((f: { id: string }) => f.id)).toEqual([fx.trapFlow.id, fx.dataFlow.id]);
    expect(json[0]).toMatchObject({
      table_id: 0,
      priority: 1000,
      cookie: fx.U64_MAX,
      packet_count: '9007199254740993'
    });
    expect(json[1].match.oxm_fields[2].ofb_field).toEqual({
      type: 'OFPXMT_OFB_METADATA',
      has_mask: false,
      table_metadata: fx.BIG_METADATA
    });
    expect(text).toContain(`"cookie": "${fx.U64_MAX}"`);
  });

  it('flows -o yaml quotes 64-bit strings', async () => {
    const yaml = okOut(await run('device', 'flows', fx.OLT_ID, '-o', 'yaml'));
    expect(yaml).toContain(`  cookie: "${fx.U64_MAX}"\n`);
    expect(yaml).toContain(`        table_metadata: "${fx.BIG_METADATA}"\n`);
    expect(yaml).toContain(`  id: "${fx.trapFlow.id}"\n`);
  });

  it('flows -q prints flow ids; a device without flows prints the header only', async () => {
    expect(okOut(await run('device', 'flows', fx.OLT_ID, '-q'))).toBe(
      `${fx.trapFlow.id}\n${fx.dataFlow.id}\n`
    );
    expect(okOut(await run('device', 'flows', fx.ONU_ID))).toBe('ID    TABLE    PRIORITY    COOKIE\n');
    expect(okOut(await run('device', 'flows', fx.ONU_ID, '-o', 'json'))).toBe('[]\n');
  });
});

describe('logicaldevice', () => {
  it('list prints a table (64-bit datapath id exact), json and ids', async () => {
    expect(okOut(await run('logicaldevice', 'list'))).toBe(
      table(
        'ID                  DATAPATHID              ROOTDEVICEID        SERIAL        MANUFACTURER      HARDWARE         SOFTWARE',
        '0001aabbccddeeff    12345678901234567890    a1b2c3d4e5f60001    SIMOLT0001    VOLTHA Project    simulated_pon    simulated_pon'
      )
    );
    const json = JSON.parse(okOut(await run('logicaldevice', 'list', '-o', 'json')));
    expect(json[0]).toMatchObject({
      id: fx.LD_ID,
      datapath_id: fx.DATAPATH_ID,
      root_device_id: fx.OLT_ID,
      desc: { mfr_desc: 'VOLTHA Project', serial_num: 'SIMOLT0001' }
    });
    expect(okOut(await run('ld', 'list', '-q'))).toBe(`${fx.LD_ID}\n`);
  });

  it('ports prints a table with port flags, and json', async () => {
    expect(okOut(await run('logicaldevice', 'ports', fx.LD_ID))).toBe(
      table(
        'ID         OFPORTNO    NAME       DEVICEID            DEVICEPORTNO    ROOT     HWADDR               CONFIG       STATE',
        'nni        129         nni        a1b2c3d4e5f60001    2               true     00:00:00:00:00:81                 LIVE',
        'uni-101    101         uni-101    a1b2c3d4e5f60002    101             false    00:00:00:00:00:65    PORT_DOWN    LINK_DOWN'
      )
    );
    const json = JSON.parse(okOut(await run('logicaldevice', 'ports', fx.LD_ID, '-o', 'json')));
    expect(json[0]).toMatchObject({
      id: 'nni',
      device_id: fx.OLT_ID,
      device_port_no: 2,
      root_port: true,
      ofp_port: { port_no: 129, name: 'nni', state: 4 }
    });
    expect(okOut(await run('logicaldevice', 'ports', fx.LD_ID, '-q'))).toBe('nni\nuni-101\n');
  });

  it('flows prints the flow table and json', async () => {
    const out = okOut(await run('logicaldevice', 'flows', fx.LD_ID));
    expect(out.split('\n')[0]).toMatch(
      /^ID\s+TABLE\s+PRIORITY\s+COOKIE\s+IN_PORT\s+VLAN\s+ETH_TYPE\s+METADATA\s+PUSH_VLAN/
    );
    expect(out).toContain(`${fx.trapFlow.id}    0        1000        18446744073709551615`);
    const json = JSON.parse(okOut(await run('logicaldevice', 'flows', fx.LD_ID, '-o', 'json')));
    expect(json).toHaveLength(2);
    expect(json[1].instructions[3]).toEqual({
      type: 2,
      write_metadata: { metadata: fx.BIG_METADATA, metadata_mask: fx.U64_MAX }
    });
  });

  it.each(['ports', 'flows'])('%s of an unknown logical device: one line, exit 1', async (verb) => {
    expect(oneErrorLine(await run('logicaldevice', verb, 'ld-x'))).toBe(
      'voltha: logical device ld-x not found'
    );
  });
});

describe('adapter', () => {
  it('list prints a table, json, yaml and ids', async () => {
    expect(okOut(await run('adapter', 'list'))).toBe(
      table(
        'ID               VENDOR            VERSION    LOGLEVEL    LOGICALDEVICES',
        'simulated_olt    Voltha project    0.1        INFO        0001aabbccddeeff',
        'simulated_onu    Voltha project    0.1        DEBUG'
      )
    );
    const json = JSON.parse(okOut(await run('adapter', 'list', '-o', 'json')));
    expect(json[0]).toMatchObject({
      id: 'simulated_olt',
      vendor: 'Voltha project',
      version: '0.1',
      config: { log_level: 'INFO' }
    });
    expect(okOut(await run('adapter', 'list', '-o', 'yaml'))).toContain(
      '- id: simulated_olt\n  vendor: Voltha project\n  version: "0.1"\n'
    );
    expect(okOut(await run('adapter', 'list', '-q'))).toBe('simulated_olt\nsimulated_onu\n');
  });
});

describe('config', () => {
  it('get of a list of a known type prints a table, json, and ids', async () => {
    const out = okOut(await run('config', 'get', '/devices'));
    expect(out.split('\n')[0]).toMatch(/^ID\s+TYPE\s+ROOT\s+PARENTID\s+SERIAL/);
    expect(out).toContain('a1b2c3d4e5f60002    simulated_onu    false');
    expect(fake.last('Get')).toEqual({ path: '/devices', depth: 0, hash: '', txid: '' });
    const json = JSON.parse(okOut(await run('config', 'get', '/devices', '-o', 'json')));
    expect(json.map((d: { id: string }) => d.id)).toEqual([fx.OLT_ID, fx.ONU_ID]);
    expect(okOut(await run('config', 'get', '/devices', '-q'))).toBe(`${fx.OLT_ID}\n${fx.ONU_ID}\n`);
  });

  it('get of one node sends depth and hash, prints a one-row table or json', async () => {
    const out = okOut(
      await run('config', 'get', `/devices/${fx.OLT_ID}`, '--depth', '-1', '--hash', fx.HASH_2)
    );
    expect(out.split('\n')).toHaveLength(3);
    expect(fake.last('Get')).toMatchObject({ path: `/devices/${fx.OLT_ID}`, depth: -1, hash: fx.HASH_2 });
    const json = JSON.parse(okOut(await run('config', 'get', `/devices/${fx.OLT_ID}`, '-o', 'json')));
    expect(json).toMatchObject({ id: fx.OLT_ID, admin_state: 'ENABLED' });
  });

  it('get of a type without a table prints YAML by default, json with -o json', async () => {
    expect(okOut(await run('config', 'get', '/'))).toBe(
      [
        'instance_id: core-config-1',
        'version: "2.0.0-ts"',
        'log_level: DEBUG',
        'adapters: []',
        'logical_devices: []',
        'devices: []',
        'device_types: []',
        'device_groups: []',
        'alarm_filters: []',
        ''
      ].join('\n')
    );
    expect(JSON.parse(okOut(await run('config', 'get', '/', '-o', 'json')))).toMatchObject({
      instance_id: 'core-config-1',
      version: '2.0.0-ts'
    });
  });

  it('get of an empty list prints an empty document', async () => {
    expect(okOut(await run('config', 'get', '/adapters/simulated_olt/logical_device_ids'))).toBe('[]\n');
    expect(
      okOut(await run('config', 'get', '/adapters/simulated_olt/logical_device_ids', '-o', 'json'))
    ).toBe('[]\n');
  });

  it('get errors: unknown path, undecodable type, bad path, bad depth', async () => {
    expect(oneErrorLine(await run('config', 'get', '/nope'))).toBe('voltha: path /nope not found');
    expect(oneErrorLine(await run('config', 'get', '/odd'))).toBe(
      'voltha: cannot decode type.googleapis.com/voltha.NoSuchType: type unknown to this client'
    );
    expect(oneErrorLine(await run('config', 'get', 'devices'), 2)).toMatch(
      /^voltha: bad PATH: 'devices' is not a path \(expected e\.g\. \/devices\/ID\); usage: voltha config get PATH/
    );
    expect(oneErrorLine(await run('config', 'get', '/', '--depth', 'all'), 2)).toMatch(
      /^voltha: bad value for --depth: 'all' is not an integer;/
    );
  });

  it('revisions prints a table, json, yaml and hashes', async () => {
    expect(okOut(await run('config', 'revisions'))).toBe(
      table(
        'INDEX    HASH                        LATEST',
        `0        ${fx.HASH_1}`,
        `1        ${fx.HASH_2}`,
        `2        ${fx.HASH_3}    yes`
      )
    );
    expect(JSON.parse(okOut(await run('config', 'revisions', '-o', 'json')))).toEqual(
      [fx.HASH_1, fx.HASH_2, fx.HASH_3].map((hash) => ({ hash }))
    );
    expect(okOut(await run('config', 'revisions', '-o', 'yaml'))).toBe(
      `- hash: "${fx.HASH_1}"\n- hash: "${fx.HASH_2}"\n- hash: "${fx.HASH_3}"\n`
    );
    expect(okOut(await run('config', 'revisions', '-q'))).toBe(`${fx.HASH_1}\n${fx.HASH_2}\n${fx.HASH_3}\n`);
  });

  it('tags prints a table, json and names', async () => {
    expect(okOut(await run('config', 'tags'))).toBe(
      table('NAME      HASH', `before    ${fx.HASH_1}`, `after     ${fx.HASH_2}`)
    );
    expect(JSON.parse(okOut(await run('config', 'tags', '-o', 'json')))).toEqual([
      { name: 'before', hash: fx.HASH_1 },
      { name: 'after', hash: fx.HASH_2 }
    ]);
    expect(okOut(await run('config', 'tags', '-q'))).toBe('before\nafter\n');
  });

  it('diff of a tag against the latest prints the operations', async () => {
    expect(okOut(await run('config', 'diff', 'before'))).toBe(
      table(
        'OP         PATH              VALUE',
        'replace    /admin_state      "ENABLED"',
        'add        /serial_number    "SIMOLT0001"'
      )
    );
    expect(fake.last('Diff')).toEqual({ path: '', hash1: '', hash2: '', tag1: 'before', tag2: '' });
  });

  it('diff of a hash and a tag under a path, json', async () => {
    const json = JSON.parse(
      okOut(await run('config', 'diff', fx.HASH_1, 'after', '--path', `/devices/${fx.OLT_ID}`, '-o', 'json'))
    );
    expect(json).toEqual([
      { op: 'replace', path: '/admin_state', value: '"ENABLED"' },
      { op: 'add', path: '/serial_number', value: '"SIMOLT0001"' }
    ]);
    expect(fake.last('Diff')).toEqual({
      path: `/devices/${fx.OLT_ID}`,
      hash1: fx.HASH_1,
      hash2: '',
      tag1: '',
      tag2: 'after'
    });
  });

  it('diff of an unknown revision: one line', async () => {
    expect(oneErrorLine(await run('config', 'diff', 'ffffffffffffffffffffffff'))).toBe(
      'voltha: unknown revision ffffffffffffffffffffffff'
    );
    expect(oneErrorLine(await run('config', 'diff'), 2)).toMatch(
      /^voltha: missing argument FROM; usage: voltha config diff FROM \[TO\]/
    );
  });
});

describe('events tail', () => {
  const LINES = [
    '2024-01-02T03:04:05.250Z seq=101 add    /devices/a1b2c3d4e5f60003 key=a1b2c3d4e5f60003 hash=aaaaaaaaaaaaaaaaaaaaaaa1 root=0a1b2c3d4e5f60718293a4b5',
    '2024-01-02T03:04:06.250Z seq=102 update /logical_devices/0001aabbccddeeff key=0001aabbccddeeff hash=aaaaaaaaaaaaaaaaaaaaaaa2 root=1b2c3d4e5f60718293a4b5c6',
    '2024-01-02T03:04:07.250Z seq=18446744073709551615 remove /devices/a1b2c3d4e5f60002 key=a1b2c3d4e5f60002 hash=aaaaaaaaaaaaaaaaaaaaaaa3 root=2c3d4e5f60718293a4b5c6d7'
  ];

  it('--count N prints N lines and stops', async () => {
    expect(okOut(await run('events', 'tail', '--count', '3'))).toBe(table(...LINES));
    expect(okOut(await run('events', 'tail', '--count', '2'))).toBe(table(LINES[0], LINES[1]));
    expect(fake.last('Watch')).toEqual({ pathPrefix: '', fromSeq: '0' });
  });

  it('sends --path-prefix and --from-seq', async () => {
    expect(
      okOut(await run('events', 'tail', '--path-prefix', '/devices', '--from-seq', '100', '--count', '2'))
    ).toBe(table(LINES[0], LINES[2]));
    expect(fake.last('Watch')).toEqual({ pathPrefix: '/devices', fromSeq: '100' });
  });

  it('-o json prints one JSON object per line with the typed message', async () => {
    const lines = okOut(await run('events', 'tail', '--count', '3', '-o', 'json'))
      .trimEnd()
      .split('\n');
    expect(lines).toHaveLength(3);
    const first = JSON.parse(lines[0]);
    expect(first).toMatchObject({
      type: 'add',
      path: `/devices/${fx.NEW_ID}`,
      root_hash: fx.HASH_1,
      seq: '101',
      timestamp: '2024-01-02T03:04:05.250Z',
      key: fx.NEW_ID,
      message: { '@type': 'type.googleapis.com/voltha.Device', id: fx.NEW_ID, type: 'simulated_olt' }
    });
    expect(JSON.parse(lines[1]).message).toMatchObject({ datapath_id: fx.DATAPATH_ID });
    expect(JSON.parse(lines[2])).toMatchObject({ type: 'remove', seq: fx.U64_MAX });
  });

  it('-o yaml prints one document per event', async () => {
    const out = okOut(await run('events', 'tail', '--count', '2', '-o', 'yaml'));
    expect(out.split('---\n')).toHaveLength(3);
    expect(out).toContain('---\ntype: add\nhash: aaaaaaaaaaaaaaaaaaaaaaa1\n');
    expect(out).toContain('\nseq: "102"\n');
  });

  it('runs until interrupted (Ctrl-C), then exits 0 and closes the stream', async () => {
    let interrupt: (() => void) | undefined;
    let stdout = '';
    const done = runCli(['events', 'tail', ...server], {
      stdout: (t) => {
        stdout += t;
        if (stdout.split('\n').length > 3) setTimeout(() => interrupt?.(), 50);
      },
      onInterrupt: (handler) => {
        interrupt = handler;
        return () => (interrupt = undefined);
      }
    });
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(stdout).toBe(table(...LINES));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fake.watchers).toBe(0);
  });

  it('ends when the server ends the stream', async () => {
    expect(okOut(await run('events', 'tail', '--path-prefix', '/end'))).toBe('');
  });

  it('reports events that are no longer retained in one line', async () => {
    expect(oneErrorLine(await run('events', 'tail', '--from-seq', '1'))).toBe(
      'voltha: events after seq 1 are no longer retained (the oldest retained is seq 100)'
    );
  });

  it('rejects bad --count and --from-seq values', async () => {
    expect(oneErrorLine(await run('events', 'tail', '--count', '0'), 2)).toMatch(
      /^voltha: bad value for --count: '0' is not a positive integer; usage: voltha events tail/
    );
    expect(oneErrorLine(await run('events', 'tail', '--from-seq', '18446744073709551616'), 2)).toMatch(
      /is not an unsigned 64-bit integer/
    );
  });
});

describe('flowdecomposer', () => {
  it('stats prints one row, 64-bit counters exactly', async () => {
    expect(okOut(await run('flowdecomposer', 'stats'))).toBe(
      table(
        'LOGICALDEVICES    LOGICALFLOWS    DEVICEFLOWS    FAILEDFLOWS    EVENTS                  BATCHES             RECONCILES    LASTSEQ    SOURCE',
        '1                 12              30             2              18446744073709551615    9007199254740993    3             120        kafka'
      )
    );
    expect(decomposer.calls.at(-1)?.method).toBe('GetStats');
  });

  it('stats -o json prints proto3 JSON with 64-bit integers as strings', async () => {
    expect(JSON.parse(okOut(await run('flowdecomposer', 'stats', '-o', 'json')))).toEqual({
      logical_devices: 1,
      logical_flows: 12,
      device_flows: 30,
      failed_flows: 2,
      events_processed: '18446744073709551615',
      batches_written: '9007199254740993',
      reconciles: '3',
      last_seq: '120',
      event_source: 'kafka'
    });
  });

  it('failed lists the undecomposable flows of all logical devices, or of one', async () => {
    expect(okOut(await run('flowdecomposer', 'failed'))).toBe(
      table(
        'LOGICALDEVICE       FLOWID                  REASON           MESSAGE',
        '0001aabbccddeeff    18446744073709551615    NO_ROUTE         no route from port 1 to port 16',
        'ffff000000000002    42                      MISSING_GROUP    group 7 does not exist'
      )
    );
    expect(decomposer.calls.at(-1)).toEqual({ method: 'ListFailedFlows', request: { id: '' } });
    expect(okOut(await run('flowdecomposer', 'failed', fx.LD_ID, '-q'))).toBe('18446744073709551615\n');
    expect(decomposer.calls.at(-1)).toEqual({ method: 'ListFailedFlows', request: { id: fx.LD_ID } });
    expect(okOut(await run('flowdecomposer', 'failed', '-q'))).toBe('18446744073709551615\n42\n');
  });

  it('failed -o json prints proto3 JSON', async () => {
    expect(JSON.parse(okOut(await run('flowdecomposer', 'failed', '-o', 'json')))).toEqual([
      {
        logical_device_id: fx.LD_ID,
        flow_id: '18446744073709551615',
        reason: 'NO_ROUTE',
        message: 'no route from port 1 to port 16'
      },
      {
        logical_device_id: 'ffff000000000002',
        flow_id: '42',
        reason: 'MISSING_GROUP',
        message: 'group 7 does not exist'
      }
    ]);
  });

  it('takes the address from $VOLTHA_DECOMPOSER; --decomposer wins over it', async () => {
    const env = { VOLTHA_DECOMPOSER: decomposer.address };
    expect(okOut(await runCli(['flowdecomposer', 'failed', '-q'], { env }))).toBe(
      '18446744073709551615\n42\n'
    );
    const port = await getFreePort();
    expect(
      okOut(
        await runCli(['flowdecomposer', 'failed', '-q', '--decomposer', decomposer.address], {
          env: { VOLTHA_DECOMPOSER: `127.0.0.1:${port}` }
        })
      )
    ).toBe('18446744073709551615\n42\n');
    expect(
      oneErrorLine(await runCli(['flowdecomposer', 'stats'], { env: { VOLTHA_DECOMPOSER: 'a b' } }), 2)
    ).toMatch(/^voltha: bad value of \$VOLTHA_DECOMPOSER: /);
  });

  it('an unreachable flow-decomposer gives one line naming it and its address, exit 1', async () => {
    const port = await getFreePort();
    const address = `127.0.0.1:${port}`;
    for (const argv of [
      ['flowdecomposer', 'stats'],
      ['flowdecomposer', 'failed']
    ]) {
      expect(oneErrorLine(await runCli([...argv, '--server', fake.address, '--decomposer', address]))).toBe(
        `voltha: cannot reach flow-decomposer at ${address} (connection refused)`
      );
    }
  });
});

describe('version and help', () => {
  it('version prints client and server', async () => {
    const out = okOut(await run('version'));
    const [head, version, node, osArch] = out.split('\n');
    expect([head, version]).toEqual(['Client:', '  Version:    0.1.0']);
    expect(node).toBe(`  Node:       ${process.version}`);
    expect(osArch).toMatch(/^ {2}OS\/Arch: {4}\w+\/\w+$/);
    expect(out).toContain(
      `Server:\n  Address:    ${fake.address}\n  Version:    2.0.0-ts\n  Instances:  core-config-1\n`
    );
  });

  it('version -o json, and --client-only without a server', async () => {
    const json = JSON.parse(okOut(await run('version', '-o', 'json')));
    expect(json).toEqual({
      client: { version: '0.1.0', node: process.version, os: expect.any(String), arch: expect.any(String) },
      server: { address: fake.address, version: '2.0.0-ts', instances: ['core-config-1'] }
    });
    const port = await getFreePort();
    const r = await runCli(['version', '--client-only', '--server', `127.0.0.1:${port}`]);
    expect(okOut(r).startsWith('Client:\n  Version:    0.1.0\n')).toBe(true);
    expect(r.stdout).not.toContain('Server:');
  });

  it('help, --help and help COMMAND print usage on stdout', async () => {
    const top = okOut(await runCli(['help']));
    expect(top).toMatch(/^Usage: voltha COMMAND \[flags\]\n/);
    for (const c of ['device', 'logicaldevice', 'adapter', 'config', 'events', 'version'])
      expect(top).toContain(`\n  ${c} `);
    expect(okOut(await runCli([]))).toBe(top);
    expect(okOut(await runCli(['--help']))).toBe(top);
    const create = okOut(await runCli(['device', 'create', '--help']));
    expect(create).toMatch(
      /^Usage: voltha device create -t TYPE \[-m MAC \| -i IPV4 \| -H HOST:PORT\] \[--extra-args ARGS\] \[-o FORMAT\]\n/
    );
    expect(create).toContain('  -t, --type TYPE');
    expect(create).toContain('  -s, --server HOST:PORT');
    expect(okOut(await runCli(['help', 'device', 'create']))).toBe(create);
    expect(okOut(await runCli(['device', '-h']))).toMatch(
      /^Usage: voltha device <list\|create\|enable\|disable\|reboot\|delete\|ports\|flows> \[flags\]/
    );
    expect(okOut(await runCli(['events', 'tail', '--help']))).toContain('--path-prefix PREFIX');
    expect(oneErrorLine(await runCli(['help', 'nope']), 2)).toMatch(
      /^voltha: unknown command 'nope'; usage: voltha COMMAND/
    );
  });
});

describe('bad command lines', () => {
  it('unknown command, unknown subcommand, unknown flag, missing value: one usage line, exit 2', async () => {
    expect(oneErrorLine(await runCli(['frobnicate']), 2)).toBe(
      "voltha: unknown command 'frobnicate'; usage: voltha COMMAND [flags]"
    );
    expect(oneErrorLine(await runCli(['device', 'lst']), 2)).toBe(
      "voltha: unknown command 'lst' for 'voltha device'; usage: voltha device <list|create|enable|disable|reboot|delete|ports|flows> [flags]"
    );
    expect(oneErrorLine(await runCli(['device', 'list', '--bogus']), 2)).toBe(
      "voltha: unknown flag '--bogus' for 'voltha device list'; usage: voltha device list [-o FORMAT] [-q]"
    );
    expect(oneErrorLine(await runCli(['device', 'enable', 'x', '-q']), 2)).toMatch(
      /^voltha: unknown flag '-q' for 'voltha device enable'/
    );
    expect(oneErrorLine(await runCli(['device', 'list', '-o']), 2)).toMatch(
      /^voltha: flag --output needs a value \(FORMAT\);/
    );
    expect(oneErrorLine(await runCli(['device', 'list', '-o', 'xml']), 2)).toMatch(
      /^voltha: bad value 'xml' for --output \(one of table, json, yaml\);/
    );
    expect(oneErrorLine(await runCli(['device']), 2)).toMatch(
      /^voltha: missing command for 'voltha device' \(one of list, create,/
    );
    expect(oneErrorLine(await runCli(['device', 'ports', 'a', 'b']), 2)).toMatch(
      /^voltha: unexpected argument 'b';/
    );
    expect(oneErrorLine(await runCli(['device', 'list', '--timeout', 'soon']), 2)).toMatch(
      /^voltha: bad value for --timeout: 'soon' is not a duration/
    );
    expect(oneErrorLine(await runCli(['device', 'list', '--server', 'a b']), 2)).toMatch(
      /^voltha: bad value for --server: 'a b' is not host:port/
    );
    expect(oneErrorLine(await runCli(['device', 'list'], { env: { VOLTHA: 'a b' } }), 2)).toMatch(
      /^voltha: bad value of \$VOLTHA: /
    );
  });
});

describe('server address, deadlines and unreachable servers', () => {
  it('takes the address from $VOLTHA; --server wins over it', async () => {
    expect(okOut(await runCli(['adapter', 'list', '-q'], { env: { VOLTHA: fake.address } }))).toBe(
      'simulated_olt\nsimulated_onu\n'
    );
    const port = await getFreePort();
    expect(
      okOut(
        await runCli(['adapter', 'list', '-q', '-s', fake.address], { env: { VOLTHA: `127.0.0.1:${port}` } })
      )
    ).toBe('simulated_olt\nsimulated_onu\n');
  });

  it('an unreachable server gives one line per command kind, exit 1, fast', async () => {
    const port = await getFreePort();
    const address = `127.0.0.1:${port}`;
    const expected = `voltha: cannot reach core-config at ${address} (connection refused)`;
    const started = Date.now();
    for (const argv of [
      ['device', 'list'],
      ['device', 'enable', fx.OLT_ID],
      ['device', 'create', '-t', 'simulated_olt'],
      ['config', 'get', '/'],
      ['config', 'diff', 'before'],
      ['events', 'tail'],
      ['version']
    ]) {
      const r = await runCli(argv, { env: { VOLTHA: address } });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`${expected}\n`);
    }
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('the default address is localhost:50057', async () => {
    const r = await runCli(['version', '--timeout', '2s']);
    if (r.code === 0) return; // something answers on the default port of this machine
    expect(r.stderr).toMatch(/^voltha: cannot reach core-config at localhost:50057 \(/);
  });

  it('a slow server runs into the --timeout deadline', async () => {
    fake.delayMs = 1000;
    const started = Date.now();
    expect(oneErrorLine(await run('device', 'list', '--timeout', '200ms'))).toBe(
      `voltha: core-config at ${fake.address} did not answer ListDevices within 200ms`
    );
    expect(Date.now() - started).toBeLessThan(900);
  });
});
