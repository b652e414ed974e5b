import { anyTypeName, fromAny } from '@voltha/proto';
import type { Any, ConfigEvent, DeepPartial, Device, UnknownMessage } from '@voltha/proto';

import { Code, describeApiError, isApiError } from './api';
import type { VolthaApi } from './api';
import type { CommandContext, Handler } from './context';
import { outputFormat, quiet, stringFlag } from './context';
import { CliError, EXIT_FAILURE, EXIT_OK, UsageError } from './errors';
import { messageJson, renderData, renderList, renderOne } from './format/output';
import { toYaml } from './format/yaml';
import { decomposerStatsView, failedFlowView } from './views/decomposer';
import { flowView } from './views/flows';
import {
  adapterView,
  deviceView,
  eventLine,
  logicalDeviceView,
  logicalPortView,
  patchView,
  portView,
  revisionView,
  tagView,
  viewForType
} from './views/objects';

/** The command handlers. Each one only talks to the VolthaApi and the context: no I/O of its own. */

/** Runs a call about one object; NOT_FOUND becomes "<what> not found". */
async function about<T>(what: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (e) {
    if (isApiError(e, Code.NOT_FOUND)) throw new CliError(`${what} not found`);
    throw e;
  }
}

// ---- device -------------------------------------------------------------------------------------

export const deviceList: Handler = async (ctx) => {
  const devices = await ctx.api().listDevices();
  ctx.out(renderList(devices, deviceView, outputFormat(ctx), quiet(ctx)));
};

const ADDRESS_FLAGS = [
  ['mac', 'macAddress'],
  ['ipv4', 'ipv4Address'],
  ['host-and-port', 'hostAndPort']
] as const;

export const deviceCreate: Handler = async (ctx) => {
  const given = ADDRESS_FLAGS.filter(([flag]) => ctx.flags[flag] !== undefined);
  if (given.length > 1) {
    throw new UsageError(`give only one address (${given.map(([f]) => `--${f}`).join(', ')} given)`);
  }
  const device: DeepPartial<Device> = { type: stringFlag(ctx, 'type') ?? '' };
  for (const [flag, field] of given) device[field] = stringFlag(ctx, flag);
  const extra = stringFlag(ctx, 'extra-args');
  if (extra !== undefined) device.extraArgs = extra;
  const created = await ctx.api().createDevice(device);
  const format = outputFormat(ctx);
  ctx.out(format === 'table' ? `${created.id}\n` : renderOne(created, deviceView, format));
};

type DeviceAction = 'enableDevice' | 'disableDevice' | 'rebootDevice' | 'deleteDevice';

/** enable/disable/reboot/delete of one or more devices: prints each id done, one error line per failure. */
export function deviceAction(method: DeviceAction, verb: string): Handler {
  return async (ctx) => {
    let failed = false;
    for (const id of ctx.args) {
      try {
        await ctx.api()[method](id);
        ctx.out(`${id}\n`);
      } catch (e) {
        if (!isApiError(e) || e.unreachable !== undefined || e.code === Code.DEADLINE_EXCEEDED) throw e;
        failed = true;
        ctx.err(
          e.code === Code.NOT_FOUND
            ? `voltha: device ${id} not found\n`
            : `voltha: cannot ${verb} device ${id}: ${describeApiError(e, ctx.timeoutMs)}\n`
        );
      }
    }
    return failed ? EXIT_FAILURE : EXIT_OK;
  };
}

export const devicePorts: Handler = async (ctx) => {
  const [id] = ctx.args;
  const ports = await about(`device ${id}`, ctx.api().listDevicePorts(id));
  ctx.out(renderList(ports, portView, outputFormat(ctx), quiet(ctx)));
};

export const deviceFlows: Handler = async (ctx) => {
  const [id] = ctx.args;
  const flows = await about(`device ${id}`, ctx.api().listDeviceFlows(id));
  ctx.out(renderList(flows, flowView(flows), outputFormat(ctx), quiet(ctx)));
};

// ---- logicaldevice ------------------------------------------------------------------------------

export const logicalDeviceList: Handler = async (ctx) => {
  const lds = await ctx.api().listLogicalDevices();
  ctx.out(renderList(lds, logicalDeviceView, outputFormat(ctx), quiet(ctx)));
};

export const logicalDevicePorts: Handler = async (ctx) => {
  const [id] = ctx.args;
  const ports = await about(`logical device ${id}`, ctx.api().listLogicalDevicePorts(id));
  ctx.out(renderList(ports, logicalPortView, outputFormat(ctx), quiet(ctx)));
};

export const logicalDeviceFlows: Handler = async (ctx) => {
  const [id] = ctx.args;
  const flows = await about(`logical device ${id}`, ctx.api().listLogicalDeviceFlows(id));
  ctx.out(renderList(flows, flowView(flows), outputFormat(ctx), quiet(ctx)));
};

// ---- adapter ------------------------------------------------------------------------------------

export const adapterList: Handler = async (ctx) => {
  const adapters = await ctx.api().listAdapters();
  ctx.out(renderList(adapters, adapterView, outputFormat(ctx), quiet(ctx)));
};

// ---- config -------------------------------------------------------------------------------------

function decodeAny(any: Any): UnknownMessage {
  try {
    return fromAny(any);
  } catch {
    throw new CliError(`cannot decode ${any.typeUrl || 'an untyped value'}: type unknown to this client`);
  }
}

export const configGet: Handler = async (ctx) => {
  const [path] = ctx.args;
  const depth = (ctx.flags.depth as number | undefined) ?? 0;
  const response = await ctx.api().get({ path, depth, hash: stringFlag(ctx, 'hash') ?? '' });
  const format = outputFormat(ctx);
  if (response.isList) {
    const items = response.items.map(decodeAny);
    const view = response.items.length > 0 ? viewForType(anyTypeName(response.items[0]), items) : undefined;
    if (view !== undefined) ctx.out(renderList(items, view, format, quiet(ctx)));
    else if (quiet(ctx)) throw new UsageError(`-q needs a list of a known type (devices, ports, flows...)`);
    else
      ctx.out(
        format === 'json' ? renderData(items.map(messageJson), 'json') : toYaml(items.map(messageJson))
      );
    return;
  }
  if (quiet(ctx)) throw new UsageError(`-q needs a path that ends at a list`);
  if (response.data === undefined) {
    ctx.out(format === 'json' ? 'null\n' : toYaml(null));
    return;
  }
  const message = decodeAny(response.data);
  const view = viewForType(anyTypeName(response.data), [message]);
  if (format === 'table' && view !== undefined) ctx.out(renderOne(message, view, format));
  else ctx.out(format === 'json' ? renderData(messageJson(message), 'json') : toYaml(messageJson(message)));
};

export const configRevisions: Handler = async (ctx) => {
  const revisions = await ctx.api().listRevisions();
  ctx.out(renderList(revisions, revisionView(revisions), outputFormat(ctx), quiet(ctx)));
};

export const configTags: Handler = async (ctx) => {
  const tags = await ctx.api().listTags();
  ctx.out(renderList(tags, tagView, outputFormat(ctx), quiet(ctx)));
};

/** Which of the DiffRequest fields a revision argument fills: a tag name if one exists, else a hash. */
export function diffRequest(
  first: string,
  second: string | undefined,
  tagNames: ReadonlySet<string>,
  path: string
): { path: string; hash1: string; hash2: string; tag1: string; tag2: string } {
  const request = { path, hash1: '', hash2: '', tag1: '', tag2: '' };
  if (tagNames.has(first)) request.tag1 = first;
  else request.hash1 = first;
  if (second !== undefined) {
    if (tagNames.has(second)) request.tag2 = second;
    else request.hash2 = second;
  }
  return request;
}

export const configDiff: Handler = async (ctx) => {
  const [first, second] = ctx.args;
  const api = ctx.api();
  const tags = new Set((await api.listTags()).map((t) => t.name));
  const operations = await api.diff(diffRequest(first, second, tags, stringFlag(ctx, 'path') ?? ''));
  ctx.out(renderList(operations, patchView, outputFormat(ctx)));
};

// ---- events -------------------------------------------------------------------------------------

export function eventText(event: ConfigEvent, format: 'table' | 'json' | 'yaml'): string {
  if (format === 'table') return `${eventLine(event)}\n`;
  if (format === 'json') return `${JSON.stringify(messageJson(event))}\n`;
  return `---\n${toYaml(messageJson(event))}`;
}

export const eventsTail: Handler = async (ctx) => {
  const format = outputFormat(ctx);
  const count = ctx.flags.count as number | undefined;
  let seen = 0;
  const api: VolthaApi = ctx.api();
  const handle = api.watch(
    { pathPrefix: stringFlag(ctx, 'path-prefix') ?? '', fromSeq: stringFlag(ctx, 'from-seq') ?? '0' },
    (event) => {
      if (count !== undefined && seen >= count) return;
      seen++;
      ctx.out(eventText(event, format));
      if (count !== undefined && seen >= count) handle.cancel();
    }
  );
  void ctx.interrupted.then(() => handle.cancel());
  await handle.done;
};

// ---- flowdecomposer ----------------------------------------------------------------------------

export const decomposerStats: Handler = async (ctx) => {
  const stats = await ctx.decomposerApi().getStats();
  ctx.out(renderOne(stats, decomposerStatsView, outputFormat(ctx)));
};

export const decomposerFailed: Handler = async (ctx) => {
  const [id] = ctx.args;
  const failed = await ctx.decomposerApi().listFailedFlows(id ?? '');
  ctx.out(renderList(failed, failedFlowView, outputFormat(ctx), quiet(ctx)));
};

// ---- version, help ------------------------------------------------------------------------------

export interface ClientInfo {
  version: string;
  node: string;
  os: string;
  arch: string;
}

export function versionHandler(client: ClientInfo): Handler {
  return async (ctx) => {
    const format = outputFormat(ctx);
    const clientJson = { version: client.version, node: client.node, os: client.os, arch: client.arch };
    const clientText =
      'Client:\n' +
      `  Version:    ${client.version}\n` +
      `  Node:       ${client.node}\n` +
      `  OS/Arch:    ${client.os}/${client.arch}\n`;
    if (ctx.flags['client-only'] === true) {
      ctx.out(format === 'table' ? clientText : renderData({ client: clientJson }, format));
      return;
    }
    if (format === 'table') ctx.out(clientText);
    const voltha = await ctx.api().getVoltha();
    const instances = voltha.instances.map((i) => i.instanceId);
    const server = { address: ctx.server, version: voltha.version, instances };
    if (format !== 'table') {
      ctx.out(renderData({ client: clientJson, server }, format));
      return;
    }
    ctx.out(
      'Server:\n' +
        `  Address:    ${ctx.server}\n` +
        `  Version:    ${voltha.version || '-'}\n` +
        `  Instances:  ${instances.join(', ') || '-'}\n`
    );
  };
}

export const help: Handler = async (ctx) => {
  ctx.out(ctx.help(ctx.args));
};

export type { CommandContext };
