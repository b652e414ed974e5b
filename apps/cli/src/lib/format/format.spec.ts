import { Device, Revision } from '@voltha/proto';

import { messageJson, renderList, renderOne } from './output';
import type { View } from './output';
import { renderTable } from './table';
import { toYaml, yamlString } from './yaml';

describe('renderTable', () => {
  it('left-aligns columns with a gap of four, no trailing spaces', () => {
    expect(
      renderTable(
        ['A', 'LONGER'],
        [
          ['xyz', ''],
          ['1', '2']
        ]
      )
    ).toBe('A      LONGER\nxyz\n1      2\n');
  });

  it('prints the header alone for no rows and flattens newlines in cells', () => {
    expect(renderTable(['ID', 'X'], [])).toBe('ID    X\n');
    expect(renderTable(['A'], [['a\nb\tc']])).toBe('A\na b c\n');
  });
});

describe('toYaml', () => {
  it('writes mappings, sequences and nested blocks', () => {
    expect(toYaml({ a: 1, b: [1, { c: 'x', d: [] }], e: { f: {} }, g: [[1, 2]] })).toBe(
      ['a: 1', 'b:', '- 1', '- c: x', '  d: []', 'e:', '  f: {}', 'g:', '- - 1', '  - 2', ''].join('\n')
    );
    expect(toYaml([])).toBe('[]\n');
    expect(toYaml(null)).toBe('null\n');
  });

  it('quotes strings that YAML would read as something else', () => {
    for (const s of [
      '',
      'true',
      'No',
      'on',
      '~',
      'null',
      '123',
      '1.5',
      '0x10',
      '18446744073709551615',
      '12:30',
      '-x',
      'a: b',
      'a #b',
      '#x',
      '@x',
      ' x',
      'x ',
      'a\nb',
      '"q"',
      "'s'",
      '[x]',
      '{x}',
      '*a',
      '&a',
      '!t',
      '%p',
      'x:'
    ]) {
      expect(yamlString(s)).toBe(JSON.stringify(s));
    }
    for (const s of [
      'simulated_olt',
      '/devices/d1',
      'type.googleapis.com/voltha.Device',
      'VOLTHA Project',
      'host:50060',
      'OFPXMT_OFB_IN_PORT'
    ]) {
      expect(yamlString(s)).toBe(s);
    }
    expect(toYaml({ '@type': 'x', 'a b': 'c' })).toBe('"@type": x\na b: c\n');
  });
});

describe('renderList and renderOne', () => {
  const view: View<Device> = { columns: [{ header: 'ID', value: (d) => d.id }], id: (d) => d.id };
  const devices = [Device.fromPartial({ id: 'd1', adminState: 3 }), Device.fromPartial({ id: 'd2' })];

  it('renders tables, ids, JSON arrays and YAML sequences', () => {
    expect(renderList(devices, view, 'table')).toBe('ID\nd1\nd2\n');
    expect(renderList(devices, view, 'json', true)).toBe('d1\nd2\n');
    const json = JSON.parse(renderList(devices, view, 'json'));
    expect(json[0]).toMatchObject({ id: 'd1', admin_state: 'ENABLED', parent_id: '' });
    expect(renderList(devices, view, 'yaml').startsWith('- id: d1\n  type: ""\n  root: false\n')).toBe(true);
  });

  it('renders one message as a one-row table or a document', () => {
    expect(renderOne(devices[0], view, 'table')).toBe('ID\nd1\n');
    expect(JSON.parse(renderOne(devices[0], view, 'json')).id).toBe('d1');
    expect(renderOne(Revision.fromPartial({ hash: 'abc' }), { columns: [], id: () => '' }, 'yaml')).toBe(
      'hash: abc\n'
    );
  });

  it('messageJson keeps 64-bit values as strings', () => {
    expect(messageJson(Device.fromPartial({ id: 'x' }))).toMatchObject({ id: 'x', vlan: 0 });
  });
});
