import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';

import type { RootPointer, TreeStoreBatch } from '@voltha/config-tree';
import { decodeRootPointer, encodeRootPointer } from '@voltha/config-tree';

/** One acknowledged batch in the journal, with the digest of the root pointer it was built on. */
export interface JournalRecord {
  /** Digest of the encoded root pointer this batch follows ('' when the store was empty). */
  base: string;
  batch: TreeStoreBatch;
}

/** Digest that identifies a root pointer (for chaining journal records to the store's root). */
export function pointerDigest(pointer: RootPointer | undefined): string {
  if (!pointer) return '';
  return createHash('sha256').update(encodeRootPointer(pointer)).digest('hex').slice(0, 32);
}

const FRAME = 8; // u32 payload length + u32 crc32 of the payload

function encodeRecord(record: JournalRecord): Buffer {
  const values: Buffer[] = [];
  const puts: Array<[string, number]> = [];
  for (const [key, value] of record.batch.puts) {
    puts.push([key, value.byteLength]);
    values.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  const header = Buffer.from(
    JSON.stringify({
      base: record.base,
      root: JSON.parse(Buffer.from(encodeRootPointer(record.batch.root)).toString('utf8')),
      deletes: record.batch.deletes,
      puts
    })
  );
  const headerLen = Buffer.alloc(4);
  headerLen.writeUInt32BE(header.length);
  const payload = Buffer.concat([headerLen, header, ...values]);
  const frame = Buffer.alloc(FRAME);
  frame.writeUInt32BE(payload.length, 0);
  frame.writeUInt32BE(crc32(payload), 4);
  return Buffer.concat([frame, payload]);
}

function decodePayload(payload: Buffer): JournalRecord {
  const headerLen = payload.readUInt32BE(0);
  const header = JSON.parse(payload.subarray(4, 4 + headerLen).toString('utf8')) as {
    base: string;
    root: unknown;
    deletes: string[];
    puts: Array<[string, number]>;
  };
  const puts = new Map<string, Uint8Array>();
  let offset = 4 + headerLen;
  for (const [key, len] of header.puts) {
    puts.set(key, new Uint8Array(payload.subarray(offset, offset + len)));
    offset += len;
  }
  const root = decodeRootPointer(Buffer.from(JSON.stringify(header.root)));
  return { base: header.base, batch: { puts, deletes: header.deletes, root } };
}

/**
 * An append-only local file of acknowledged batches (journal mode): a batch is acknowledged once its
 * record is written and fdatasync-ed; the KV store is brought up to date in the background; once every
 * record is in the KV store the file is truncated. Records are framed with their length and a CRC32,
 * so a record torn by a crash is detected and cut off at open (it was never acknowledged).
 */
export class Journal {
  private appended = 0;
  private flushed = 0;
  private size = 0;
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: FileHandle,
    public readonly path: string
  ) {}

  /** Opens (or creates) the journal and returns the intact records it holds, oldest first. */
  public static async open(path: string): Promise<{ journal: Journal; records: JournalRecord[] }> {
    await mkdir(dirname(path), { recursive: true });
    const file = await open(path, 'a+');
    const data = await file.readFile();
    const records: JournalRecord[] = [];
    let offset = 0;
    while (offset + FRAME <= data.length) {
      const len = data.readUInt32BE(offset);
      const crc = data.readUInt32BE(offset + 4);
      if (offset + FRAME + len > data.length) break;
      const payload = data.subarray(offset + FRAME, offset + FRAME + len);
      if (crc32(payload) !== crc) break;
      records.push(decodePayload(payload));
      offset += FRAME + len;
    }
    if (offset < data.length) {
      await file.truncate(offset);
      await file.datasync();
    }
    const journal = new Journal(file, path);
    journal.size = offset;
    journal.appended = records.length;
    return { journal, records };
  }

  /** Number of records appended and not yet marked flushed. */
  public get unflushed(): number {
    return this.appended - this.flushed;
  }

  public get bytes(): number {
    return this.size;
  }

  /** Appends records and makes them durable (one write and one fdatasync for all of them). */
  public append(records: readonly JournalRecord[]): Promise<void> {
    const buf = Buffer.concat(records.map(encodeRecord));
    return this.serial(async () => {
      await this.file.appendFile(buf);
      await this.file.datasync();
      this.size += buf.length;
      this.appended += records.length;
    });
  }

  /** Marks the oldest `count` records as written to the KV store; truncates when all are. */
  public markFlushed(count: number): Promise<void> {
    return this.serial(async () => {
      this.flushed += count;
      if (this.flushed >= this.appended && this.size > 0) {
        await this.file.truncate(0);
        await this.file.datasync();
        this.size = 0;
        this.appended = 0;
        this.flushed = 0;
      }
    });
  }

  public async close(): Promise<void> {
    await this.serial(() => this.file.close());
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
