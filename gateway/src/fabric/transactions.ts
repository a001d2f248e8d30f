import type { Logger } from 'pino';
import { Problem } from '../problem';
import { realSleep } from '../sleep';
import { Store, TxRow } from '../store/store';
import { Commits, CommitWaiter } from './commits';
import { DEFAULT_IDEMPOTENCY_LEASE_MS, IdempotencyLease, leaseEnd } from './idempotency-lease';
import { isPeersApart, peerDetails, ReadConflict, toProblem, TxInvalid } from './errors';
import { EndorsedTx, FabricPort, MVCC_READ_CONFLICT, PHANTOM_READ_CONFLICT, ProposalSpec, SigningIdentity } from './port';
import { sealedCall, wantsResultKey } from './sealed-result';
import { Stage, StageTimes } from './stage-times';

export interface WriteRequest {
  userId: string;
  identity: SigningIdentity;
  spec: ProposalSpec;
  wait: 'commit' | 'none';
  idempotency?: { key: string; requestHash: string };
  /** Filled with this request's time per stage (the Server-Timing header). */
  times?: StageTimes;
}

export interface Outcome {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface TxObserver {
  stage(stage: Stage, seconds: number): void;
  retry(): void;
}

const noObserver: TxObserver = { stage: () => undefined, retry: () => undefined };
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

/** Chaincode results are canonical JSON; anything else is returned as text. */
export function decodeResult(bytes: Uint8Array | string | null | undefined): unknown {
  const text = typeof bytes === 'string' ? Buffer.from(bytes, 'base64').toString('utf8') : bytes ? Buffer.from(bytes).toString('utf8') : '';
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const inProgress = () =>
  new Problem(409, 'IDEMPOTENCY_IN_PROGRESS', 'a request with this Idempotency-Key is in progress; retry later');

/** The first wait before endorsing again after endorsers disagreed; ×4 each time (50, 200, 800 ms). */
const PEERS_APART_RETRY_MS = 50;

/** Deterministic refusals worth remembering for an idempotency key; anything else may be retried. */
const FINAL_STATUSES = new Set([400, 403, 404, 409, 422]);

/**
 * Writes: endorse → persist the signed transaction → submit → (wait for) commit, with whole-flow retries
 * on read conflicts. An Idempotency-Key maps to at most one live transaction at a time: its signed bytes
 * are stored before submission, so a retried request (even after a restart) resumes that transaction
 * (resubmitting the same bytes never commits twice) instead of creating another.
 */
export class TransactionService {
  private readonly tracking = new Set<string>();

  constructor(
    private readonly port: FabricPort,
    private readonly store: Store,
    private readonly opts: { conflictRetries: number; bootId: string; publicUrl: string; idempotencyLeaseMs?: number },
    private readonly log: Logger,
    private readonly observer: TxObserver = noObserver,
    private readonly identityOf: (userId: string) => Promise<SigningIdentity> = () => Promise.reject(new Error('no identities')),
    /**
     * Learns commits from a block stream (CommitTracker), and holds a call until its org's peer has the
     * blocks callers were answered from; without it every commit is asked with CommitStatus.
     */
    private readonly commits?: Commits,
  ) {}

  async evaluate(identity: SigningIdentity, spec: ProposalSpec, times = new StageTimes()): Promise<unknown> {
    const t0 = process.hrtime.bigint();
    try {
      await this.commits?.caughtUp(identity.org, spec.channel);
      const result = await this.evaluateOnce(identity, spec).catch((err: unknown) => {
        if (spec.sealed || !wantsResultKey(err)) throw err;
        return this.evaluateOnce(identity, { ...spec, sealed: true });
      });
      // A member of the channel: its later calls may wait for its peer to catch up. Not followed before
      // a call succeeds, so an org outside the channel never gets a stream that fails for ever.
      this.commits?.follow(identity.org, spec.channel);
      return result;
    } catch (err) {
      throw toProblem(err);
    } finally {
      this.timed(times, 'evaluate', t0);
    }
  }

  private async evaluateOnce(identity: SigningIdentity, spec: ProposalSpec): Promise<unknown> {
    const sealed = spec.sealed ? sealedCall(spec) : undefined;
    const answer = await this.port.evaluate(identity, sealed?.spec ?? spec);
    return decodeResult(sealed ? sealed.open(answer) : answer);
  }

  async write(req: WriteRequest): Promise<Outcome> {
    const idem = req.idempotency;
    const times = req.times ?? new StageTimes();
    if (!idem) return this.run(req, times).catch((err) => Promise.reject(toProblem(err)));

    const { userId } = req;
    const { bootId } = this.opts;
    const leaseMs = this.leaseMs;
    let resumeTx: TxRow | undefined;
    if (!(await this.store.claimIdempotency(userId, idem.key, idem.requestHash, bootId, leaseEnd(leaseMs)))) {
      const row = (await this.store.getIdempotency(userId, idem.key))!;
      if (row.request_hash !== idem.requestHash)
        throw new Problem(422, 'IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request');
      if (row.response !== null) {
        const stored = JSON.parse(row.response) as Outcome;
        return { ...stored, headers: { ...(stored.headers ?? {}), 'idempotent-replayed': 'true' } };
      }
      // Owned by a live request of this process, or of another process whose lease still runs (it may be
      // endorsing or sending right now): only a lapsed lease (its owner crashed) lets this retry take over.
      const at = new Date().toISOString();
      if (row.owner === bootId || !(await this.store.takeOverIdempotency(userId, idem.key, row.owner, bootId, leaseEnd(leaseMs), at)))
        throw inProgress();
      // Read again: the previous owner may have bound its transaction between the read above and the
      // takeover (it can no longer do so now), and that one must be resumed, not a second one endorsed.
      const mine = await this.store.getIdempotency(userId, idem.key);
      resumeTx = mine?.tx_id ? await this.store.getTx(mine.tx_id) : undefined;
    }

    const lease = new IdempotencyLease(this.store, userId, idem.key, bootId, leaseMs, this.log);
    lease.keepAlive();
    try {
      const outcome = await this.run(req, times, resumeTx);
      await this.store.completeIdempotency(userId, idem.key, bootId, outcome.status, JSON.stringify(outcome));
      return outcome;
    } catch (err) {
      const problem = toProblem(err);
      const row = await this.store.getIdempotency(userId, idem.key);
      const tx = row?.tx_id ? await this.store.getTx(row.tx_id) : undefined;
      if (FINAL_STATUSES.has(problem.status) && problem.code !== 'READ_CONFLICT') {
        await this.store.completeIdempotency(userId, idem.key, bootId, problem.status, JSON.stringify({ status: problem.status, body: problem.toBody() }));
      } else if (!tx || tx.state === 'invalid' || tx.state === 'failed') {
        // Nothing live was sent: the key is free for a fresh attempt.
        await this.store.releaseIdempotency(userId, idem.key, bootId);
      } else {
        // A transaction may be in flight: leave it for the next retry (of any process) to resume at once.
        await this.store.abandonIdempotency(userId, idem.key, bootId);
      }
      throw problem;
    } finally {
      lease.stop();
    }
  }

  private get leaseMs(): number {
    return this.opts.idempotencyLeaseMs ?? DEFAULT_IDEMPOTENCY_LEASE_MS;
  }

  /** Status of a transaction this gateway submitted, for the 202 status URL. */
  async status(txId: string): Promise<TxRow | undefined> {
    return this.store.getTx(txId);
  }

  /**
   * After a restart: follow what reached the orderer but is not known to be committed (202 answers,
   * commit timeouts). Endorsed-only transactions are left to an idempotent retry, never sent unasked.
   */
  async recoverPending(): Promise<void> {
    for (const tx of await this.store.pendingTxs()) {
      this.track(tx.tx_id);
    }
  }

  private async run(req: WriteRequest, times: StageTimes, resume?: TxRow): Promise<Outcome> {
    if (resume && (resume.state === 'endorsed' || resume.state === 'submitted' || resume.state === 'committed')) {
      const done = await this.finish(req.identity, resume, req.wait, times);
      if (done) return done;
    }
    for (let attempt = 0; ; attempt++) {
      const t0 = process.hrtime.bigint();
      let endorsed;
      try {
        await this.commits?.caughtUp(req.identity.org, req.spec.channel);
        endorsed = await this.port.endorse(req.identity, req.spec);
      } catch (err) {
        // Nothing was sent: endorsers that disagree (peers a block apart: different results, or one
        // refusing on the state before a block the other has) are retried from a new proposal, like a
        // read conflict, once the late peer had a moment to catch up.
        if (!isPeersApart(err, req.spec.endorsingOrgs) || attempt >= this.opts.conflictRetries) throw err;
        this.observer.retry();
        this.log.info({ attempt, err: (err as Error).message, peers: peerDetails(err) }, 'endorsers disagreed: retrying from a new proposal');
        await realSleep(PEERS_APART_RETRY_MS * 4 ** attempt);
        continue;
      } finally {
        this.timed(times, 'endorse', t0);
      }
      const endorsedTx = {
        tx_id: endorsed.txId,
        user_id: req.userId,
        org: req.identity.org,
        channel: req.spec.channel,
        chaincode: req.spec.chaincode,
        transaction_name: req.spec.transaction,
        result: b64(endorsed.result),
      };
      let outcome;
      if (req.idempotency) {
        // Journalled before it is sent, signed bytes included, so a retry (even after a restart) resumes it.
        const row = await this.store.insertTx({ ...endorsedTx, tx_bytes: b64(await endorsed.signedBytes()) });
        if (!(await this.store.setIdempotencyTx(req.userId, req.idempotency.key, this.opts.bootId, endorsed.txId))) {
          // This request stalled past its lease and another process took the key over (and endorses or
          // resumes its own transaction): sending this one too could commit the request twice.
          await this.store.updateTx(endorsed.txId, { state: 'failed', error: JSON.stringify(inProgress().toBody()) });
          throw inProgress();
        }
        outcome = await this.finish(req.identity, row, req.wait, times);
      } else {
        // Without a key nobody can resume it: it is sent now or never, and journalled once, when its
        // fate is known (refused, committed, invalid) or someone may ask for it (a 202, a timeout).
        const row: TxRow = { ...endorsedTx, tx_bytes: null, state: 'endorsed', commit_bytes: null, block_number: null, validation_code: null, error: null, created_at: '', updated_at: '' };
        outcome = await this.finish(req.identity, row, req.wait, times, endorsed);
      }
      if (outcome) return outcome;
      if (attempt >= this.opts.conflictRetries) {
        const last = (await this.store.getTx(endorsed.txId))!;
        throw new ReadConflict(endorsed.txId, last.validation_code ?? 'MVCC_READ_CONFLICT');
      }
      this.observer.retry();
      this.log.info({ txId: endorsed.txId, attempt }, 'read conflict: retrying from a new proposal');
    }
  }

  /**
   * Drives a transaction to an outcome; undefined means "read conflict: start over". Without `endorsed`
   * its row is in the store already (a resumable transaction, one being followed); with it, nobody can
   * resume it: it is sent as endorsed (its row has no bytes) and its row is written once.
   */
  private async finish(
    identity: SigningIdentity,
    tx: TxRow,
    wait: 'commit' | 'none',
    times: StageTimes,
    endorsed?: EndorsedTx,
  ): Promise<Outcome | undefined> {
    const journalled = !endorsed;
    if (tx.state === 'committed') return this.committed(tx);
    let commitBytes = tx.commit_bytes;
    let waiter: CommitWaiter | undefined;
    if (tx.state === 'endorsed' || !commitBytes) {
      // Expected before it is sent, so its block cannot pass the stream unseen.
      if (wait === 'commit') waiter = this.commits?.expect(identity.org, tx.channel, tx.tx_id);
      const t0 = process.hrtime.bigint();
      try {
        const submitted = endorsed ? await endorsed.send() : await this.port.submit(identity, tx.channel, unb64(tx.tx_bytes!));
        commitBytes = b64(submitted.commitBytes);
      } catch (err) {
        waiter?.cancel();
        // Without an Idempotency-Key nobody will resume this transaction: the caller was told it
        // failed, so it must never be sent later. A timeout may have reached the orderer: it stays
        // 'endorsed' (its status URL says so) but is not resubmitted either.
        const timedOut = (err as { code?: number }).code === 4;
        if (!journalled) {
          const failed = timedOut ? {} : { state: 'failed' as const, error: JSON.stringify(toProblem(err, tx.tx_id).toBody()) };
          await this.store.insertTx({ ...tx, ...failed });
        }
        throw err;
      } finally {
        this.timed(times, 'submit', t0);
      }
      if (journalled) await this.store.updateTx(tx.tx_id, { state: 'submitted', commit_bytes: commitBytes });
      else tx = { ...tx, state: 'submitted', commit_bytes: commitBytes };
    }
    if (wait === 'none') {
      // Its status URL must answer at once; a transaction awaited here is journalled with its outcome.
      if (!journalled) await this.store.insertTx(tx);
      this.track(tx.tx_id);
      const statusUrl = `${this.opts.publicUrl}/api/v1/transactions/${tx.tx_id}`;
      return { status: 202, body: { txId: tx.tx_id, status: 'submitted', statusUrl }, headers: { location: statusUrl } };
    }
    const t0 = process.hrtime.bigint();
    let status;
    try {
      status = (await waiter?.outcome) ?? (await this.port.commitStatus(identity, tx.channel, unb64(commitBytes)));
    } catch (err) {
      // The caller is told to poll its status URL (it may still commit): follow it, or that URL would
      // say 'submitted' until a restart. (Already followed when this is the tracking itself.)
      if (!journalled) await this.store.insertTx(tx);
      this.track(tx.tx_id);
      throw toProblem(err, tx.tx_id);
    } finally {
      this.timed(times, 'commit', t0);
    }
    const blockNumber = status.blockNumber.toString();
    const final = { state: status.successful ? ('committed' as const) : ('invalid' as const), block_number: blockNumber, validation_code: status.codeName };
    if (journalled) await this.store.updateTx(tx.tx_id, final);
    else await this.store.insertTx({ ...tx, ...final, commit_bytes: null });
    if (status.successful) {
      this.commits?.answered(tx.channel, status.blockNumber);
      return this.committed({ ...tx, block_number: blockNumber });
    }
    if (status.code === MVCC_READ_CONFLICT || status.code === PHANTOM_READ_CONFLICT) return undefined;
    throw new TxInvalid(tx.tx_id, status.codeName, status.blockNumber);
  }

  private committed(tx: TxRow): Outcome {
    return { status: 200, body: { txId: tx.tx_id, blockNumber: tx.block_number, result: decodeResult(tx.result) } };
  }

  /** Follows a submitted transaction in the background until it is committed or invalid (202 mode, restarts). */
  private track(txId: string): void {
    if (this.tracking.has(txId)) return;
    this.tracking.add(txId);
    void (async () => {
      try {
        const tx = await this.store.getTx(txId);
        if (!tx) return;
        const identity = await this.identityOf(tx.user_id);
        await this.finish(identity, tx, 'commit', new StageTimes());
      } catch (err) {
        const problem = toProblem(err, txId);
        this.log.warn({ txId, code: problem.code }, 'tracking a transaction failed');
        if (!(err instanceof TxInvalid) && problem.status !== 504 && problem.status !== 503) {
          // Nobody awaits this work: a store that fails here must be logged, not left as an unhandled
          // rejection (which ends the process). The row stays pending, so a restart follows it again.
          await this.store
            .updateTx(txId, { state: 'failed', error: JSON.stringify(problem.toBody()) })
            .catch((storeErr: unknown) => this.log.error({ txId, err: storeErr }, 'could not record a tracked transaction as failed'));
        }
      } finally {
        this.tracking.delete(txId);
      }
    })();
  }

  private timed(times: StageTimes, stage: Stage, t0: bigint): void {
    const s = seconds(t0);
    this.observer.stage(stage, s);
    times.add(stage, s);
  }

  /** Waits until no background tracking is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.tracking.size > 0) await new Promise((r) => setImmediate(r));
  }
}

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}
