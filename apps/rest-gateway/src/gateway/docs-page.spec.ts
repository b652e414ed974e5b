import { registry } from '@voltha/proto';

import { DOCS_PAGE_HTML } from './docs-page';
import { buildOpenApi } from './openapi';
import { buildRouteTable } from './route-table';

/** Just enough of the DOM for the page script: elements, text nodes, attributes, events, queries. */
class FakeNode {
  public children: FakeNode[] = [];
  public parentNode: FakeNode | undefined;
  public attrs: Record<string, string> = {};
  public textContent = '';
  public className = '';
  public value = '';
  public dataset: Record<string, string> = {};
  public style: Record<string, string> = {};
  public listeners: Record<string, Array<(e: unknown) => void>> = {};
  public onclick: (() => void) | undefined;

  public constructor(public readonly tag: string) {}

  public appendChild(child: FakeNode): FakeNode {
    child.parentNode = this;
    this.children.push(child);
    return child;
  }

  public insertBefore(child: FakeNode, ref: FakeNode): FakeNode {
    child.parentNode = this;
    this.children.splice(this.children.indexOf(ref), 0, child);
    return child;
  }

  public remove(): void {
    if (this.parentNode) this.parentNode.children = this.parentNode.children.filter((c) => c !== this);
  }

  public setAttribute(k: string, v: string): void {
    this.attrs[k] = v;
  }

  public addEventListener(type: string, f: (e: unknown) => void): void {
    (this.listeners[type] ??= []).push(f);
  }

  public all(): FakeNode[] {
    return this.children.flatMap((c) => [c, ...c.all()]);
  }

  public querySelectorAll(selector: string): FakeNode[] {
    const [tag, cls] = selector.split('.');
    return this.all().filter((n) => n.tag === tag && (!cls || n.className.split(' ').includes(cls)));
  }
}

describe('docs page', () => {
  const table = buildRouteTable(registry, ['voltha.VolthaService']);
  const doc = buildOpenApi(table.routes, { title: 'VOLTHA REST API', version: '0.1.0' });

  async function load(): Promise<{ root: FakeNode; fetch: jest.Mock; ids: Record<string, FakeNode> }> {
    const root = new FakeNode('body');
    const ids: Record<string, FakeNode> = {};
    for (const id of ['title', 'version', 'description', 'ops', 'filter', 'spec-link']) {
      ids[id] = root.appendChild(new FakeNode(id === 'filter' ? 'input' : 'div'));
    }
    const document = {
      getElementById: (id: string) => ids[id],
      createElement: (tag: string) => new FakeNode(tag),
      createTextNode: (text: string) => Object.assign(new FakeNode('#text'), { textContent: text }),
      querySelectorAll: (s: string) => root.querySelectorAll(s)
    };
    const fetch = jest.fn(async (url: string) =>
      url.endsWith('/openapi.json')
        ? { ok: true, status: 200, json: async () => JSON.parse(JSON.stringify(doc)) }
        : { ok: true, status: 200, statusText: 'OK', text: async () => '{"id":"d1"}' }
    );
    const script = /<script>([\s\S]*)<\/script>/.exec(DOCS_PAGE_HTML)![1];
    new Function('document', 'location', 'fetch', 'performance', 'EventSource', script)(
      document,
      { pathname: '/api/v1/docs' },
      fetch,
      { now: () => 0 },
      class {}
    );
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    return { root, fetch, ids };
  }

  function operation(root: FakeNode, method: string, path: string): FakeNode {
    const op = root
      .querySelectorAll('details.op')
      .find((d) => d.dataset.search.startsWith(`${method.toLowerCase()} ${path} `));
    if (!op) throw new Error(`no ${method} ${path}`);
    return op;
  }

  it('should be self-contained', () => {
    expect(DOCS_PAGE_HTML).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?(https?:)?\/\//i);
    expect(DOCS_PAGE_HTML).not.toContain('innerHTML');
  });

  it('should render one entry per operation of openapi.json, grouped by resource', async () => {
    const { root, fetch, ids } = await load();
    expect(fetch).toHaveBeenCalledWith('/api/v1/openapi.json');
    expect(ids.title.textContent).toBe('VOLTHA REST API');
    expect(ids['spec-link'].attrs.href).toBe('/api/v1/openapi.json');
    expect(root.querySelectorAll('details.op')).toHaveLength(table.routes.length);
    const groups = ids.ops.children.map((s) => s.children[0].textContent);
    expect(groups).toEqual(expect.arrayContaining(['devices', 'logical_devices', 'events', 'VolthaService']));
  });

  it('should send a request built from the parameter fields', async () => {
    const { root, fetch } = await load();
    const op = operation(root, 'GET', '/api/v1/devices/{id}');
    const inputs = op.querySelectorAll('input');
    expect(inputs).toHaveLength(3); // id, depth, get-depth
    inputs[0].value = 'd 1';
    inputs[1].value = '2';
    inputs[2].value = '-1';
    op.querySelectorAll('button')[0].onclick!();
    expect(fetch).toHaveBeenLastCalledWith('/api/v1/devices/d%201?depth=2', {
      method: 'GET',
      headers: { 'get-depth': '-1' }
    });
  });

  it('should prefill the body of POST requests with a skeleton of the message', async () => {
    const { root, fetch } = await load();
    const op = operation(root, 'POST', '/api/v1/devices');
    const body = op.querySelectorAll('textarea')[0];
    const skeleton = JSON.parse(body.value) as Record<string, unknown>;
    expect(skeleton).toMatchObject({ id: '', type: '', admin_state: 'UNKNOWN', ports: [expect.any(Object)] });
    op.querySelectorAll('button')[0].onclick!();
    expect(fetch).toHaveBeenLastCalledWith('/api/v1/devices', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body.value
    });
  });
});
