/**
 * The API docs page served at GET /api/v1/docs: one self-contained HTML file (no CDN, no external
 * script) that loads ./openapi.json and renders every operation grouped by resource, with its
 * parameters, body and response skeletons, and a form to try it (fetch, or EventSource for event
 * streams). All document text goes through textContent, never innerHTML.
 */
export const DOCS_PAGE_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>VOLTHA REST API</title>
<style>
  body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
  header { background: #1d2330; color: #fff; padding: 14px 24px; display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; }
  header h1 { font-size: 18px; margin: 0; }
  header a { color: #9cc3ff; }
  main { max-width: 1100px; margin: 0 auto; padding: 16px 24px 48px; }
  #filter { width: 100%; box-sizing: border-box; padding: 8px 10px; font-size: 14px; margin-bottom: 12px; }
  h2 { font-size: 15px; margin: 22px 0 8px; text-transform: uppercase; letter-spacing: .04em; color: #4a5366; }
  details.op { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; margin: 6px 0; }
  details.op > summary { cursor: pointer; padding: 8px 10px; display: flex; gap: 10px; align-items: center; list-style: none; }
  details.op > summary::-webkit-details-marker { display: none; }
  .verb { font: bold 12px monospace; color: #fff; border-radius: 4px; padding: 3px 0; width: 62px; text-align: center; flex: none; }
  .GET { background: #2f7ed8; } .POST { background: #3a9d5d; } .PUT { background: #c98a1b; }
  .DELETE { background: #c0392b; } .PATCH { background: #8e44ad; }
  .path { font-family: monospace; font-size: 14px; }
  .summary { color: #5b6477; margin-left: auto; }
  .body { padding: 4px 14px 14px; border-top: 1px solid #eef0f3; }
  table { border-collapse: collapse; width: 100%; margin: 6px 0; }
  th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #eef0f3; vertical-align: top; }
  th { font-weight: 600; color: #4a5366; }
  td input { width: 100%; box-sizing: border-box; font-family: monospace; }
  pre, textarea { font: 12px/1.4 monospace; background: #f3f4f7; border: 1px solid #e2e5ea; border-radius: 4px; padding: 8px; overflow: auto; max-height: 360px; }
  textarea { width: 100%; box-sizing: border-box; min-height: 140px; }
  button { font-size: 13px; padding: 5px 14px; margin: 6px 6px 0 0; cursor: pointer; }
  .muted { color: #7a8396; }
  .status { font-weight: 600; }
  .ok { color: #2e7d32; } .err { color: #c62828; }
</style>
</head>
<body>
<header><h1 id="title">VOLTHA REST API</h1><span id="version" class="muted"></span>
  <a id="spec-link" href="openapi.json">openapi.json</a>
  <span class="muted">(OpenAPI 3, the successor of the swagger document Chameleon served)</span></header>
<main>
  <p id="description" class="muted">Loading openapi.json&hellip;</p>
  <input id="filter" placeholder="Filter by path, method or RPC name" autocomplete="off">
  <div id="ops"></div>
</main>
<script>
(function () {
  'use strict';
  var spec;
  // Works behind a path prefix and with or without a trailing slash on /api/v1/docs.
  var prefix = location.pathname.replace(/\/api\/v1\/docs\/?$/, '');
  var specUrl = prefix + '/api/v1/openapi.json';
  document.getElementById('spec-link').setAttribute('href', specUrl);

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else if (k === 'class') node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  function resolve(schema) {
    var seen = 0;
    while (schema && schema.$ref && seen++ < 20) {
      schema = spec.components.schemas[schema.$ref.replace('#/components/schemas/', '')];
    }
    if (schema && schema.allOf && schema.allOf.length === 1) return resolve(schema.allOf[0]);
    return schema || {};
  }

  function refName(schema) {
    if (!schema) return '';
    if (schema.$ref) return schema.$ref.replace('#/components/schemas/', '');
    if (schema.allOf && schema.allOf[0] && schema.allOf[0].$ref) return refName(schema.allOf[0]);
    if (schema.type === 'array') return refName(schema.items) + '[]';
    return '';
  }

  function typeText(schema) {
    var name = refName(schema);
    var s = resolve(schema);
    if (s.enum) return (name ? name + ' ' : '') + 'enum: ' + s.enum.join(' | ');
    if (name) return name;
    if (s.type === 'array') return typeText(s.items) + '[]';
    return (s.type || 'any') + (s.format ? ' (' + s.format + ')' : '');
  }

  // A JSON skeleton of a schema, a few levels deep (messages may be recursive).
  function example(schema, depth) {
    var s = resolve(schema);
    if (s.enum) return s.enum[0];
    if (s.type === 'array') return depth > 2 ? [] : [example(s.items, depth + 1)];
    if (s.type === 'object' && s.properties) {
      if (depth > 3) return {};
      var out = {};
      Object.keys(s.properties).forEach(function (k) { out[k] = example(s.properties[k], depth + 1); });
      return out;
    }
    if (s.type === 'object') return {};
    if (s.type === 'string') return s.format === 'int64' || s.format === 'uint64' ? '0' : '';
    if (s.type === 'integer' || s.type === 'number') return 0;
    if (s.type === 'boolean') return false;
    return null;
  }

  function paramTable(op, inputs) {
    if (!op.parameters || !op.parameters.length) return null;
    var rows = op.parameters.map(function (p) {
      var input = el('input', { placeholder: p.required ? 'required' : '' });
      inputs.push({ param: p, input: input });
      return el('tr', {}, [
        el('td', { class: 'path', text: p.name }),
        el('td', { text: p.in }),
        el('td', { text: typeText(p.schema) }),
        el('td', {}, [input])
      ]);
    });
    return el('table', {}, [
      el('tr', {}, ['Parameter', 'In', 'Type', 'Value'].map(function (h) { return el('th', { text: h }); }))
    ].concat(rows));
  }

  function tryIt(path, method, op, inputs, bodyArea, output) {
    var url = prefix + path;
    var query = [];
    var headers = {};
    for (var i = 0; i < inputs.length; i++) {
      var p = inputs[i].param;
      var v = inputs[i].input.value;
      if (v === '') {
        if (p.required) { output.textContent = 'missing ' + p.name; return; }
        continue;
      }
      if (p.in === 'path') url = url.replace('{' + p.name + '}', encodeURIComponent(v));
      else if (p.in === 'query') query.push(encodeURIComponent(p.name) + '=' + encodeURIComponent(v));
      else headers[p.name] = v;
    }
    url = url + (query.length ? '?' + query.join('&') : '');
    var streaming = op.responses && op.responses['200'] && op.responses['200'].content &&
      op.responses['200'].content['text/event-stream'];
    output.textContent = '';
    if (streaming) {
      var source = new EventSource(url);
      var stop = el('button', { text: 'Stop' });
      stop.onclick = function () { source.close(); output.appendChild(document.createTextNode('-- closed\n')); stop.remove(); };
      output.parentNode.insertBefore(stop, output);
      source.onmessage = function (e) { output.appendChild(document.createTextNode(e.data + '\n')); };
      source.addEventListener('error', function (e) {
        output.appendChild(document.createTextNode('-- error ' + (e.data || '(connection)') + '\n'));
      });
      return;
    }
    var init = { method: method, headers: headers };
    if (bodyArea) { init.body = bodyArea.value; headers['content-type'] = 'application/json'; }
    var t0 = performance.now();
    fetch(url, init).then(function (res) {
      return res.text().then(function (text) {
        var pretty = text;
        try { pretty = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON */ }
        var ms = Math.round(performance.now() - t0);
        var head = el('div', { class: 'status ' + (res.ok ? 'ok' : 'err'),
          text: method + ' ' + url + ' -> ' + res.status + ' ' + res.statusText + ' (' + ms + ' ms)' });
        output.textContent = '';
        output.appendChild(head);
        output.appendChild(document.createTextNode(pretty));
      });
    }).catch(function (err) { output.textContent = String(err); });
  }

  function operation(path, method, op) {
    var verb = method.toUpperCase();
    var inputs = [];
    var bodyArea = null;
    var section = el('div', { class: 'body' }, [
      el('p', { text: op.description || '' }),
      paramTable(op, inputs)
    ]);
    if (op.requestBody) {
      var bodySchema = op.requestBody.content['application/json'].schema;
      section.appendChild(el('div', { class: 'muted', text: 'Request body: ' + typeText(bodySchema) }));
      bodyArea = el('textarea', { spellcheck: 'false' });
      bodyArea.value = JSON.stringify(example(bodySchema, 0), null, 2);
      section.appendChild(bodyArea);
    }
    var ok = op.responses['200'] || {};
    var content = ok.content || {};
    var resSchema = content['application/json'] ? content['application/json'].schema : ok['x-event-schema'];
    section.appendChild(el('div', { class: 'muted',
      text: 'Response: ' + (content['text/event-stream'] ? 'event stream of ' : '') + typeText(resSchema) }));
    var skeleton = el('pre', { text: JSON.stringify(example(resSchema, 0), null, 2) });
    section.appendChild(el('details', {}, [el('summary', { text: 'Response skeleton' }), skeleton]));
    var output = el('pre', { text: '' });
    var send = el('button', { text: 'Send' });
    send.onclick = function () { tryIt(path, verb, op, inputs, bodyArea, output); };
    section.appendChild(send);
    section.appendChild(output);
    var details = el('details', { class: 'op' }, [
      el('summary', {}, [
        el('span', { class: 'verb ' + verb, text: verb }),
        el('span', { class: 'path', text: path }),
        el('span', { class: 'summary', text: op.summary || op.operationId })
      ]),
      section
    ]);
    details.dataset.search = (verb + ' ' + path + ' ' + op.operationId + ' ' + (op['x-grpc-method'] || '')).toLowerCase();
    return details;
  }

  function render() {
    document.getElementById('title').textContent = spec.info.title;
    document.getElementById('version').textContent = 'v' + spec.info.version + ' / OpenAPI ' + spec.openapi;
    document.getElementById('description').textContent = spec.info.description || '';
    var groups = {};
    Object.keys(spec.paths).forEach(function (path) {
      Object.keys(spec.paths[path]).forEach(function (method) {
        var op = spec.paths[path][method];
        var tag = (op.tags && op.tags[0]) || 'other';
        (groups[tag] = groups[tag] || []).push(operation(path, method, op));
      });
    });
    var root = document.getElementById('ops');
    Object.keys(groups).sort().forEach(function (tag) {
      root.appendChild(el('section', {}, [el('h2', { text: tag })].concat(groups[tag])));
    });
  }

  document.getElementById('filter').addEventListener('input', function (e) {
    var q = e.target.value.trim().toLowerCase();
    document.querySelectorAll('details.op').forEach(function (d) {
      d.style.display = !q || d.dataset.search.indexOf(q) >= 0 ? '' : 'none';
    });
    document.querySelectorAll('section').forEach(function (s) {
      var any = Array.prototype.some.call(s.querySelectorAll('details.op'), function (d) { return d.style.display !== 'none'; });
      s.style.display = any ? '' : 'none';
    });
  });

  fetch(specUrl).then(function (r) {
    if (!r.ok) throw new Error('openapi.json: HTTP ' + r.status);
    return r.json();
  }).then(function (doc) { spec = doc; render(); }).catch(function (err) {
    document.getElementById('description').textContent = 'Could not load openapi.json: ' + err.message;
  });
})();
</script>
</body>
</html>
`;
