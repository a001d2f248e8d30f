import type { Context } from 'fabric-contract-api';
import type { Iterators } from 'fabric-shim-api';
import { fromBytes, toBytes } from './canonical';
import { conflict, invalidArgument, notFound } from './errors';

export interface Page<T> {
  items: T[];
  /** Pass back to get the next page; '' when there is none. */
  bookmark: string;
}

export interface RepositoryOptions {
  /** Private data collection; omitted for the public world state. */
  collection?: string;
}

/**
 * Typed records under composite keys `objectType + parts` (LevelDB: no rich queries, so every
 * lookup a chaincode needs is a key prefix; add an index repository for other access paths).
 * Values are stored as canonical JSON.
 */
export class Repository<T> {
  constructor(
    readonly objectType: string,
    private readonly keyOf: (value: T) => string[],
    private readonly options: RepositoryOptions = {},
  ) {}

  key(ctx: Context, ...parts: string[]): string {
    if (parts.length === 0) throw invalidArgument(`${this.objectType} key needs at least one part`);
    for (const p of parts) {
      if (typeof p !== 'string' || p.length === 0 || p.includes('\u0000')) {
        throw invalidArgument(`${this.objectType} key part is empty or contains NUL`, {
          objectType: this.objectType,
        });
      }
    }
    return ctx.stub.createCompositeKey(this.objectType, parts);
  }

  keyFor(ctx: Context, value: T): string {
    return this.key(ctx, ...this.keyOf(value));
  }

  async get(ctx: Context, ...parts: string[]): Promise<T | undefined> {
    const bytes = await this.read(ctx, this.key(ctx, ...parts));
    return bytes && bytes.length > 0 ? fromBytes<T>(bytes) : undefined;
  }

  /** Like get, but NOT_FOUND when absent. */
  async require(ctx: Context, ...parts: string[]): Promise<T> {
    const value = await this.get(ctx, ...parts);
    if (value === undefined)
      throw notFound(`${this.objectType} ${parts.join('/')} not found`, {
        objectType: this.objectType,
        id: parts.join('/'),
      });
    return value;
  }

  async exists(ctx: Context, ...parts: string[]): Promise<boolean> {
    const key = this.key(ctx, ...parts);
    if (this.options.collection) {
      const hash = await ctx.stub.getPrivateDataHash(this.options.collection, key);
      return !!hash && hash.length > 0;
    }
    const bytes = await ctx.stub.getState(key);
    return !!bytes && bytes.length > 0;
  }

  async put(ctx: Context, value: T): Promise<string> {
    const key = this.keyFor(ctx, value);
    const bytes = toBytes(value);
    if (this.options.collection) await ctx.stub.putPrivateData(this.options.collection, key, bytes);
    else await ctx.stub.putState(key, bytes);
    return key;
  }

  /** put, but CONFLICT when the key already holds a value. */
  async create(ctx: Context, value: T): Promise<string> {
    const parts = this.keyOf(value);
    if (await this.exists(ctx, ...parts)) {
      throw conflict(`${this.objectType} ${parts.join('/')} already exists`, {
        objectType: this.objectType,
        id: parts.join('/'),
      });
    }
    return this.put(ctx, value);
  }

  async delete(ctx: Context, ...parts: string[]): Promise<void> {
    const key = this.key(ctx, ...parts);
    if (this.options.collection) await ctx.stub.deletePrivateData(this.options.collection, key);
    else await ctx.stub.deleteState(key);
  }

  /** delete, with the key parts taken from a value (or any object holding the fields the key is made of). */
  deleteFor(ctx: Context, value: T): Promise<void> {
    return this.delete(ctx, ...this.keyOf(value));
  }

  /** Private collections only: removes the value and its history from the peers that hold it (the hash stays). */
  async purge(ctx: Context, ...parts: string[]): Promise<void> {
    if (!this.options.collection)
      throw invalidArgument(`${this.objectType} is not private: nothing to purge`);
    await ctx.stub.purgePrivateData(this.options.collection, this.key(ctx, ...parts));
  }

  /** Private collections only: the SHA-256 of the stored value, visible to every channel member. */
  async hash(ctx: Context, ...parts: string[]): Promise<Uint8Array | undefined> {
    if (!this.options.collection) throw invalidArgument(`${this.objectType} is not private: no hash`);
    const hash = await ctx.stub.getPrivateDataHash(this.options.collection, this.key(ctx, ...parts));
    return hash && hash.length > 0 ? hash : undefined;
  }

  /**
   * One page of the records whose key starts with `partial` (possibly empty). Fabric allows paginated
   * queries only in read-only (EVALUATE) transactions: a write after one fails. Use `all` in submits.
   */
  async page(ctx: Context, partial: string[], pageSize: number, bookmark = ''): Promise<Page<T>> {
    if (!Number.isInteger(pageSize) || pageSize < 1)
      throw invalidArgument('pageSize must be a positive integer', { pageSize });
    // The peer starts a page at the bookmark without checking that it lies in the query's range, and
    // LevelDB panics on a range whose start is past its end (goleveldb slices its table list with
    // them): one crafted bookmark would stop the peer. Only a key of this range can be a bookmark.
    const prefix = ctx.stub.createCompositeKey(this.objectType, partial);
    if (bookmark !== '' && !inKeyRange(bookmark, prefix, prefix + MAX_UNICODE_RUNE))
      throw invalidArgument('bookmark is not one this query returned', { objectType: this.objectType });
    if (this.options.collection) return this.privatePage(ctx, partial, pageSize, bookmark);
    const { iterator, metadata } = await ctx.stub.getStateByPartialCompositeKeyWithPagination(
      this.objectType,
      partial,
      pageSize,
      bookmark,
    );
    const items = (await drain(iterator)).map((kv) => fromBytes<T>(kv.value));
    // LevelDB's bookmark is the key after the page, '' after the last one. An empty page comes with no
    // metadata at all (fabric-shim drops the all-default, zero-byte QueryResponseMetadata).
    return { items, bookmark: metadata?.bookmark ?? '' };
  }

  /**
   * Every record whose key starts with `partial`, read page by page (EVALUATE only, as `page`). For
   * audits over a whole object type: `all` would end silently at the peer's totalQueryLimit.
   */
  async *scan(ctx: Context, partial: string[] = [], pageSize = SCAN_PAGE_SIZE): AsyncGenerator<T> {
    let bookmark = '';
    do {
      const page = await this.page(ctx, partial, pageSize, bookmark);
      yield* page.items;
      bookmark = page.bookmark;
    } while (bookmark !== '');
  }

  /** Whether any record's key starts with `partial`, reading at most one. */
  async any(ctx: Context, partial: string[]): Promise<boolean> {
    const iterator = this.options.collection
      ? await ctx.stub.getPrivateDataByPartialCompositeKey(this.options.collection, this.objectType, partial)
      : await ctx.stub.getStateByPartialCompositeKey(this.objectType, partial);
    for await (const _ of results(iterator)) return true;
    return false;
  }

  /**
   * Every record whose key starts with `partial`. Allowed in submits; keep the range small: the peer
   * ends an unpaginated query silently at its totalQueryLimit (100,000 by default).
   */
  async all(ctx: Context, partial: string[] = []): Promise<T[]> {
    const iterator = this.options.collection
      ? await ctx.stub.getPrivateDataByPartialCompositeKey(this.options.collection, this.objectType, partial)
      : await ctx.stub.getStateByPartialCompositeKey(this.objectType, partial);
    return (await drain(iterator)).map((kv) => fromBytes<T>(kv.value));
  }

  private async privatePage(
    ctx: Context,
    partial: string[],
    pageSize: number,
    bookmark: string,
  ): Promise<Page<T>> {
    // No paginated API for private data: walk the range and start after the bookmark (the last key served).
    const iterator = await ctx.stub.getPrivateDataByPartialCompositeKey(
      this.options.collection as string,
      this.objectType,
      partial,
    );
    const kvs = (await drain(iterator)).filter((kv) => bookmark === '' || kv.key > bookmark);
    const pageKvs = kvs.slice(0, pageSize);
    const more = kvs.length > pageSize;
    return {
      items: pageKvs.map((kv) => fromBytes<T>(kv.value)),
      bookmark: more ? pageKvs[pageKvs.length - 1].key : '',
    };
  }

  private read(ctx: Context, key: string): Promise<Uint8Array> {
    return this.options.collection
      ? ctx.stub.getPrivateData(this.options.collection, key)
      : ctx.stub.getState(key);
  }
}

/** Records a `scan` asks the peer for at once. */
const SCAN_PAGE_SIZE = 1000;

/** The end of Fabric's partial-composite-key ranges: keys with a prefix sort below `prefix + MAX_UNICODE_RUNE`. */
export const MAX_UNICODE_RUNE = '\u{10ffff}';

/** LevelDB's key order: UTF-8 bytes (JavaScript's string order differs above U+FFFF). */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Whether `key` lies in [start, end) in LevelDB's order. */
export function inKeyRange(key: string, start: string, end: string): boolean {
  return compareKeys(key, start) >= 0 && compareKeys(key, end) < 0;
}

/**
 * What a query resolves to. fabric-shim 2.5.8's private-data queries (getPrivateDataByRange,
 * getPrivateDataByPartialCompositeKey) resolve to the handler's `{iterator, metadata}`, not the
 * iterator their typings promise; the public-state queries unwrap it.
 */
export type QueryAnswer = Iterators.StateQueryIterator | { iterator: Iterators.StateQueryIterator };

/** A query's results one by one; the iterator is closed at the end or when the reader stops early. */
export async function* results(answer: QueryAnswer): AsyncGenerator<Iterators.KV> {
  const iterator = 'next' in answer ? answer : answer.iterator;
  try {
    let result = await iterator.next();
    // The last result may come with done = true.
    while (!result.done || result.value) {
      if (result.value) yield result.value;
      if (result.done) break;
      result = await iterator.next();
    }
  } finally {
    await iterator.close();
  }
}

/** Reads a query's iterator to the end and closes it. */
export async function drain(answer: QueryAnswer): Promise<Iterators.KV[]> {
  const out: Iterators.KV[] = [];
  for await (const kv of results(answer)) out.push(kv);
  return out;
}
