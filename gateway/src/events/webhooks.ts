import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { mayUseOrgFeeds } from '../auth/roles';
import { Sealer } from '../auth/secrets';
import { badRequest, notFound } from '../problem';
import { Store, WebhookRow } from '../store/store';
import { EventHub, eventJson } from './hub';
import { isInternalHost } from './internal-host';
import { realSleep, Sleep } from '../sleep';

// Where webhook URLs are judged; exported here too, where callers have always found it.
export { isInternalHost } from './internal-host';

export interface WebhookOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
  allowInsecure: boolean;
}

export type Deliver = (url: string, body: string, headers: Record<string, string>, timeoutMs: number) => Promise<number>;

export const httpDeliver: Deliver = async (url, body, headers, timeoutMs) => {
  const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
  await res.arrayBuffer().catch(() => undefined);
  return res.status;
};

/**
 * Signature a receiver checks: `x-cityledger-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * Receivers should reject stale timestamps and dedupe by `x-cityledger-event-id`.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Webhook delivery: per webhook, events in sequence order, one at a time; the cursor (last_seq) moves
 * only after a 2xx, so delivery is at-least-once and in order across restarts. Failures back off
 * exponentially (capped); after maxAttempts consecutive failures the webhook is disabled.
 */
export class WebhookDispatcher {
  private readonly workers = new Map<string, { owner: string; wake: () => void; stop: () => void }>();
  private unsubscribe?: () => void;

  constructor(
    private readonly store: Store,
    private readonly hub: EventHub,
    private readonly sealer: Sealer,
    private readonly opts: WebhookOptions,
    private readonly channelsOfOrg: (org: string) => string[],
    private readonly log: Logger,
    private readonly deliver: Deliver = httpDeliver,
    private readonly sleep: Sleep = realSleep,
    private readonly clock: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  /** Starts a worker per active webhook; may be called again after it failed (once subscribed, once). */
  async start(): Promise<void> {
    this.unsubscribe ??= this.hub.subscribe(() => {
      for (const w of this.workers.values()) w.wake();
    });
    for (const w of await this.store.activeWebhooks()) this.spawn(w.id, w.user_id);
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const w of this.workers.values()) w.stop();
    this.workers.clear();
  }

  async create(owner: { userId: string; org: string }, input: Record<string, unknown>): Promise<{ id: string; secret: string; row: WebhookRow }> {
    const problems: Array<{ field: string; message: string }> = [];
    const url = typeof input.url === 'string' ? input.url : '';
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      problems.push({ field: 'url', message: 'must be an absolute URL' });
    }
    if (parsed && parsed.protocol !== 'https:' && !(this.opts.allowInsecure && parsed.protocol === 'http:'))
      problems.push({ field: 'url', message: this.opts.allowInsecure ? 'must be http(s)' : 'must be https' });
    // Not a way into the gateway's own network (literal loopback/private addresses), unless allowed for local development.
    if (parsed && !this.opts.allowInsecure && isInternalHost(parsed.hostname))
      problems.push({ field: 'url', message: 'must not point at a loopback, link-local or private address' });
    for (const f of ['channel', 'chaincode', 'event'])
      if (input[f] !== undefined && typeof input[f] !== 'string') problems.push({ field: f, message: 'must be a string' });
    if (input.fromId !== undefined && !(Number.isInteger(input.fromId) && (input.fromId as number) >= 0))
      problems.push({ field: 'fromId', message: 'must be a non-negative integer' });
    for (const k of Object.keys(input)) if (!['url', 'channel', 'chaincode', 'event', 'fromId'].includes(k)) problems.push({ field: k, message: 'is not allowed' });
    if (typeof input.channel === 'string' && !this.channelsOfOrg(owner.org).includes(input.channel))
      problems.push({ field: 'channel', message: `your org is not a member of channel ${input.channel}` });
    if (problems.length > 0) throw badRequest('invalid webhook', problems);

    // By default only events from now on; fromId replays from a known point (0 = everything).
    const latest = await this.store.latestEventSeq();
    const id = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    const row = {
      id,
      user_id: owner.userId,
      org: owner.org,
      url,
      secret_enc: this.sealer.seal(secret, `webhook:${id}`),
      channel: (input.channel as string) ?? null,
      chaincode: (input.chaincode as string) ?? null,
      event_name: (input.event as string) ?? null,
      last_seq: typeof input.fromId === 'number' ? input.fromId : latest,
    };
    await this.store.insertWebhook(row);
    this.spawn(id, owner.userId);
    return { id, secret, row: (await this.store.getWebhook(id))! };
  }

  async remove(owner: { userId: string; org: string; isAdmin: boolean }, id: string): Promise<void> {
    const w = await this.store.getWebhook(id);
    if (!w || w.disabled_at || w.org !== owner.org || (w.user_id !== owner.userId && !owner.isAdmin)) throw notFound(`no webhook ${id}`);
    await this.store.disableWebhook(id);
    this.workers.get(id)?.stop();
    this.workers.delete(id);
  }

  /** Stops this process's workers of a user's webhooks (the user was disabled: its webhooks are too). */
  forgetOwner(userId: string): void {
    for (const [id, w] of this.workers)
      if (w.owner === userId) {
        w.stop();
        this.workers.delete(id);
      }
  }

  private spawn(id: string, owner: string): void {
    if (this.workers.has(id)) return;
    let stopped = false;
    let wake: (() => void) | undefined;
    let pending = false;
    this.workers.set(id, {
      owner,
      wake: () => {
        pending = true;
        wake?.();
      },
      stop: () => {
        stopped = true;
        wake?.();
      },
    });
    void (async () => {
      while (!stopped) {
        pending = false;
        const progressed = await this.drain(id, () => stopped).catch((err: Error) => {
          this.log.error({ webhook: id, err: err.message }, 'webhook worker failed');
          return false;
        });
        if (stopped || progressed === 'disabled') break;
        if (!pending) await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    })();
  }

  /** Delivers everything pending for one webhook; returns 'disabled' when it gave up. */
  async drain(id: string, isStopped: () => boolean = () => false): Promise<boolean | 'disabled'> {
    const w = await this.store.getWebhook(id);
    if (!w || w.disabled_at) return 'disabled';
    // Its owner may no longer read the org's events: disabled (through another process, or by a gateway
    // version that left a disabled user's webhooks enabled), or a subject role kept from the org-wide feeds.
    const owner = await this.store.getUser(w.user_id);
    if (!owner || owner.disabled_at || !mayUseOrgFeeds({ role: owner.role, isAdmin: owner.is_admin === 1 })) {
      await this.store.disableWebhook(id);
      this.log.warn({ webhook: id, userId: w.user_id }, 'webhook disabled: its owner may no longer receive the org events');
      return 'disabled';
    }
    const secret = this.sealer.open(w.secret_enc, `webhook:${id}`);
    const filter = { channels: this.channelsOfOrg(w.org), channel: w.channel ?? undefined, chaincode: w.chaincode ?? undefined, eventName: w.event_name ?? undefined };
    let last = w.last_seq;
    let delivered = false;
    for (let page = 0; ; page++) {
      // Disabled meanwhile (its user disabled, or removed through another process): stop between pages.
      if (page > 0 && (await this.store.getWebhook(id))?.disabled_at) return 'disabled';
      const rows = await this.store.eventsAfter(last, 100, filter);
      if (rows.length === 0) return delivered;
      for (const row of rows) {
        const body = JSON.stringify(eventJson(row));
        for (let attempt = 1; ; attempt++) {
          if (isStopped()) return delivered;
          const ts = this.clock();
          const headers = {
            'content-type': 'application/json',
            'user-agent': 'cityledger-gateway',
            'x-cityledger-event-id': String(row.seq),
            'x-cityledger-webhook-id': id,
            'x-cityledger-signature': signWebhook(secret, ts, body),
          };
          let status = 0;
          try {
            status = await this.deliver(w.url, body, headers, this.opts.timeoutMs);
          } catch (err) {
            this.log.warn({ webhook: id, seq: row.seq, err: (err as Error).message }, 'webhook delivery failed');
          }
          if (status >= 200 && status < 300) {
            await this.store.webhookDelivered(id, row.seq);
            last = row.seq;
            delivered = true;
            break;
          }
          await this.store.webhookFailed(id);
          if (attempt >= this.opts.maxAttempts) {
            await this.store.disableWebhook(id);
            this.log.error({ webhook: id, seq: row.seq, attempts: attempt }, 'webhook disabled after repeated failures');
            return 'disabled';
          }
          const delay = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** (attempt - 1));
          await this.sleep(delay / 2 + Math.random() * (delay / 2));
        }
      }
    }
  }
}
