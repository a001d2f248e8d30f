import { randomBytes } from 'node:crypto';
import type { ChaincodeResponse } from 'fabric-shim-api';
import { canonicalJson } from '../canonical';
import { ChaincodeError } from '../errors';
import type { EventEnvelope } from '../events';
import { serializers as canonicalSerializers } from '../metadata';
import { openSealedResult, RESULT_KEY, type SealedResult } from '../sealed-result';
import { enrolmentCertificate, type CertificateSpec } from './cert';
import { MemoryLedger, MemoryStub, type InvokeHandler } from './stub';

// fabric-shim's own dispatcher: the same routing, metadata and argument handling as on a peer.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ChaincodeFromContract = require('fabric-shim/lib/contract-spi/chaincodefromcontract') as new (
  contracts: unknown[],
  serializers: unknown,
  metadata: object,
  title: string,
  version: string,
) => Dispatcher;

// The dispatcher logs every refused transaction at error level; tests assert on results instead.
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require('fabric-shim/lib/logger') as { setLevel(level: string): void }).setLevel(
  process.env.CITYLEDGER_SHIM_LOG_LEVEL ?? 'CRITICAL',
);

interface Dispatcher {
  invokeFunctionality(stub: unknown): Promise<ChaincodeResponse>;
  metadata: ChaincodeMetadata;
}

export interface ChaincodeMetadata {
  info: { title: string; version: string };
  contracts: Record<
    string,
    { name: string; transactions: Record<string, unknown>[] } & Record<string, unknown>
  >;
  components: { schemas: Record<string, unknown> };
  [key: string]: unknown;
}

/** A test identity: its certificate is a real X.509 enrolment certificate with Fabric CA attributes. */
export class TestIdentity {
  readonly idBytes: Uint8Array;
  constructor(readonly spec: CertificateSpec) {
    this.idBytes = Buffer.from(enrolmentCertificate(spec), 'utf8');
  }
  get mspId(): string {
    return this.spec.mspId;
  }
  /** Caller.key of this identity: `<mspId>/<enrollmentId>`. */
  get key(): string {
    return `${this.spec.mspId}/${this.spec.enrollmentId}`;
  }
}

/** Shorthand: an identity of `mspId` with enrolment id `enrollmentId` and certificate attributes. */
export function identity(
  mspId: string,
  enrollmentId: string,
  attrs: Record<string, string> = {},
): TestIdentity {
  return new TestIdentity({ mspId, enrollmentId, attrs });
}

export interface InvokeOptions {
  /** Transient map entries; each value is sent as its canonical JSON (strings as JSON strings). */
  transient?: Record<string, unknown>;
  /** Orgs whose peers endorse; default: every org in the harness. */
  endorsers?: string[];
  /** Transaction time (epoch ms or ISO); default: the harness clock. */
  at?: number | string;
  /** Org of the peer that runs the chaincode; default: the creator's. */
  peerMspId?: string;
  txId?: string;
  /**
   * A sealed transaction's result key. Default: a fresh one, and `value` is the opened result (as the
   * REST gateway does); null sends none.
   */
  resultKey?: Uint8Array | null;
}

export interface TxResult<T = unknown> {
  /** The chaincode answered with status 200. */
  ok: boolean;
  status: number;
  /** The parsed JSON result (undefined when the transaction returned nothing); a sealed one opened. */
  value: T;
  /** A sealed transaction's answer as it left the chaincode. */
  sealed?: SealedResult;
  /** The coded error, when the chaincode refused. */
  error?: ChaincodeError;
  /** The raw error message (also for errors fabric-shim raises before our code runs). */
  message: string;
  /** Submits only: whether the writes reached the ledger (endorsement policies satisfied). */
  committed: boolean;
  /** Why a submit that the chaincode accepted was invalidated at commit. */
  validationCode?: 'ENDORSEMENT_POLICY_FAILURE';
  event?: { name: string; envelope: EventEnvelope };
  stub: MemoryStub;
}

export interface HarnessOptions {
  channel?: string;
  /** Every org of the channel, the default endorsers. */
  orgs?: string[];
  /** The chaincode-level endorsement policy; default: at least two distinct orgs endorse. */
  chaincodePolicy?: (endorsers: string[]) => boolean;
  title?: string;
  version?: string;
  /** Initial clock (epoch ms or ISO). */
  now?: number | string;
}

type ContractClass = new () => object;

const DEFAULT_ORGS = ['CityMSP', 'HospitalMSP', 'InsurerMSP', 'PortMSP'];

/**
 * Runs contracts the way a peer does: fabric-shim's ChaincodeFromContract dispatches each
 * invocation (function routing, metadata, our serializer's validation, before/after hooks) against
 * a MemoryStub, and submits commit to a MemoryLedger only if the endorsement policies are met.
 */
export class ContractHarness {
  readonly ledger = new MemoryLedger();
  readonly dispatcher: Dispatcher;
  readonly routes = new Map<string, InvokeHandler>();
  readonly channel: string;
  readonly orgs: string[];
  private clock: number;
  private readonly chaincodePolicy: (endorsers: string[]) => boolean;

  constructor(contracts: ContractClass[], options: HarnessOptions = {}) {
    this.dispatcher = new ChaincodeFromContract(
      [...contracts],
      canonicalSerializers,
      {},
      options.title ?? 'test',
      options.version ?? '0.0.0',
    );
    this.channel = options.channel ?? 'city';
    this.orgs = options.orgs ?? DEFAULT_ORGS;
    this.clock = toMs(options.now ?? '2026-01-01T00:00:00.000Z');
    this.chaincodePolicy = options.chaincodePolicy ?? ((e) => new Set(e).size >= 2);
  }

  get now(): number {
    return this.clock;
  }

  /** Moves the harness clock (transaction timestamps) forward. */
  advance(ms: number): void {
    this.clock += ms;
  }

  setTime(at: number | string): void {
    this.clock = toMs(at);
  }

  /** Endorses and, if every policy is met, commits. */
  submit<T = unknown>(
    who: TestIdentity,
    fn: string,
    args: unknown[] = [],
    options: InvokeOptions = {},
  ): Promise<TxResult<T>> {
    return this.run<T>(who, fn, args, options, true);
  }

  /** Runs a query: nothing is committed. */
  evaluate<T = unknown>(
    who: TestIdentity,
    fn: string,
    args: unknown[] = [],
    options: InvokeOptions = {},
  ): Promise<TxResult<T>> {
    return this.run<T>(who, fn, args, options, false);
  }

  /** The metadata a client gets from org.hyperledger.fabric:GetMetadata. */
  async metadata(who: TestIdentity): Promise<ChaincodeMetadata> {
    const result = await this.evaluate<ChaincodeMetadata>(who, 'org.hyperledger.fabric:GetMetadata');
    if (!result.ok) throw new Error(`GetMetadata failed: ${result.message}`);
    return result.value;
  }

  /**
   * Lets this harness's chaincode call `chaincode` on `channel` through invokeChaincode. The target
   * runs read-only against its own ledger with the caller's creator, transaction id and time.
   */
  route(chaincode: string, channel: string, target: ContractHarness | InvokeHandler): void {
    const handler: InvokeHandler =
      typeof target === 'function'
        ? target
        : (args, caller) =>
            target.dispatcher.invokeFunctionality(
              new MemoryStub(target.ledger, {
                args,
                creator: caller.getCreator(),
                txId: caller.getTxID(),
                channel,
                timestamp: caller.getDateTimestamp().getTime(),
                peerMspId: caller.getMspID(),
              }),
            );
    this.routes.set(`${chaincode}/${channel}`, handler);
  }

  /** Whether `fn` (contract:Transaction) is declared sealed. */
  private isSealed(fn: string): boolean {
    const [contract, name] = fn.split(':');
    const tx = this.dispatcher.metadata.contracts[contract]?.transactions.find((t) => t.name === name);
    return tx?.sealed === true;
  }

  private async run<T>(
    who: TestIdentity,
    fn: string,
    args: unknown[],
    options: InvokeOptions,
    submit: boolean,
  ): Promise<TxResult<T>> {
    const transient = new Map<string, Uint8Array>();
    for (const [k, v] of Object.entries(options.transient ?? {}))
      transient.set(k, Buffer.from(canonicalJson(v), 'utf8'));
    const resultKey =
      this.isSealed(fn) && options.resultKey !== null ? (options.resultKey ?? randomBytes(32)) : undefined;
    if (resultKey) transient.set(RESULT_KEY, resultKey);
    const stub = new MemoryStub(this.ledger, {
      args: [fn, ...args.map((a) => (typeof a === 'string' ? a : canonicalJson(a)))],
      creator: { mspid: who.mspId, idBytes: who.idBytes },
      txId: options.txId,
      channel: this.channel,
      timestamp: options.at === undefined ? this.clock : toMs(options.at),
      transient,
      peerMspId: options.peerMspId,
      routes: this.routes,
    });
    const response = await this.dispatcher.invokeFunctionality(stub);
    const ok = response.status === 200;
    const message = response.message ?? '';
    const text =
      response.payload && response.payload.length > 0 ? Buffer.from(response.payload).toString('utf8') : '';
    const result: TxResult<T> = {
      ok,
      status: response.status,
      value: (ok && text !== '' ? JSON.parse(text) : undefined) as T,
      error: ok ? undefined : ChaincodeError.parse(message),
      message,
      committed: false,
      stub,
    };
    if (ok && resultKey) {
      result.sealed = result.value as SealedResult;
      result.value = JSON.parse(openSealedResult(resultKey, result.sealed).toString('utf8')) as T;
    }
    if (stub.event)
      result.event = {
        name: stub.event.name,
        envelope: JSON.parse(Buffer.from(stub.event.payload).toString('utf8')),
      };
    if (!ok || !submit) return result;

    const endorsers = options.endorsers ?? this.orgs;
    const keyPolicyMet = stub
      .requiredEndorsers()
      .every(({ orgs }) => orgs.every((o) => endorsers.includes(o)));
    if (!this.chaincodePolicy(endorsers) || !keyPolicyMet) {
      result.validationCode = 'ENDORSEMENT_POLICY_FAILURE';
      return result;
    }
    stub.commit();
    result.committed = true;
    return result;
  }
}

function toMs(at: number | string): number {
  return typeof at === 'number' ? at : Date.parse(at);
}
