import 'reflect-metadata';
import { Kind, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import type { Context } from 'fabric-contract-api';
import { canonicalJson } from './canonical';
import { RESULT_KEY, resultKeyOf, sealResult } from './sealed-result';
import { checkOf, checkSize, parseJson, validate } from './validation';

/**
 * How a transaction looks from outside. Parameters are named and ordered (object key order);
 * each is a TypeBox schema. String parameters travel as raw text, every other type as JSON text.
 */
export interface TxSpec {
  description?: string;
  params?: Record<string, TSchema>;
  returns?: TSchema;
  /**
   * Private inputs: an object schema whose properties are transient-map keys; each key's value is
   * the UTF-8 JSON of that property. Recorded as `transient` in the metadata; read with readTransient.
   */
  transient?: TObject;
  /**
   * Orgs whose peers must endorse (key-level policies the transaction will meet, e.g. a birth
   * certificate needs CityMSP and HospitalMSP). Recorded as `endorsers`; clients pass them as
   * fabric-gateway's endorsingOrganizations.
   */
  endorsers?: string[];
  /**
   * Evaluates only: the result leaves AES-GCM-sealed under the key the caller sends in transient
   * `resultKey` (sealed-result.ts), so that a client submitting it puts no readable result in a block.
   * Recorded as `sealed: true`; `returns` stays the opened result's schema.
   */
  sealed?: boolean;
}

/** Metadata of one transaction, as fabric-contract-api stores and GetMetadata returns it (plus our extras). */
export interface TxMetadata {
  name: string;
  tag: string[];
  description?: string;
  parameters: { name: string; description: string; schema: TSchema }[];
  returns?: TSchema;
  transient?: TObject;
  endorsers?: string[];
  sealed?: true;
}

const TRANSACTIONS_KEY = 'fabric:transactions';

/** For error details: which parameter a schema object (cloned per parameter) belongs to. */
const parameterNames = new WeakMap<object, string>();

/** A transaction that writes: endorsed, ordered and committed (tag SUBMIT). */
export function Submit(spec: TxSpec = {}): MethodDecorator {
  return transaction(true, spec);
}

/** A read-only query, evaluated on one peer and never ordered (tag EVALUATE). */
export function Evaluate(spec: TxSpec = {}): MethodDecorator {
  return transaction(false, spec);
}

function transaction(submit: boolean, spec: TxSpec): MethodDecorator {
  return (target, propertyKey, descriptor) => {
    const name = String(propertyKey);
    const params = Object.entries(spec.params ?? {});
    const fn = descriptor.value as unknown;
    if (typeof fn !== 'function')
      throw new Error(`@${submit ? 'Submit' : 'Evaluate'} on ${name}: not a method`);
    // ctx + one argument per declared parameter: a mismatch is a bug in the contract, caught at load.
    if (fn.length !== params.length + 1) {
      throw new Error(`${name} declares ${params.length} parameters but takes ${fn.length - 1} after ctx`);
    }
    const parameters = params.map(([paramName, schema]) => {
      assertTypeBox(schema, `${name}(${paramName})`);
      if (typeof schema.type !== 'string') {
        // fabric-contract-api refuses parameters whose schema has neither type nor $ref.
        throw new Error(`${name}(${paramName}): top-level parameter schemas need a type`);
      }
      const copy = { ...schema } as TSchema; // spread keeps TypeBox's symbol keys
      parameterNames.set(copy, paramName);
      checkOf(copy); // compiled at load: a schema TypeBox cannot compile fails the contract's tests, not a call
      return {
        name: paramName,
        description: typeof schema.description === 'string' ? schema.description : '',
        schema: copy,
      };
    });
    if (spec.sealed) {
      if (submit) throw new Error(`@Submit on ${name}: only an evaluate's result is sealed`);
      descriptor.value = sealing(
        fn as (ctx: Context, ...args: unknown[]) => unknown,
      ) as typeof descriptor.value;
    }
    if (spec.returns) assertTypeBox(spec.returns, `${name} returns`);
    if (spec.transient) {
      assertTypeBox(spec.transient, `${name} transient`);
      checkOf(spec.transient);
    }

    const metadata: TxMetadata = {
      name,
      tag: submit ? ['SUBMIT', 'submitTx'] : ['EVALUATE'],
      parameters,
      ...(spec.description ? { description: spec.description } : {}),
      ...(spec.returns ? { returns: spec.returns } : {}),
      ...(spec.transient ? { transient: spec.transient } : {}),
      ...(spec.endorsers ? { endorsers: [...spec.endorsers].sort() } : {}),
      ...(spec.sealed ? { sealed: true as const } : {}),
    };
    const list: TxMetadata[] = Reflect.getOwnMetadata(TRANSACTIONS_KEY, target) ?? [];
    Reflect.defineMetadata(TRANSACTIONS_KEY, [...list.filter((t) => t.name !== name), metadata], target);
  };
}

/** The method, answering its result sealed; without a result key it refuses before reading anything. */
function sealing(method: (ctx: Context, ...args: unknown[]) => unknown) {
  return async function (this: unknown, ctx: Context, ...args: unknown[]) {
    const key = resultKeyOf(ctx);
    const result = await method.call(this, ctx, ...args);
    return sealResult(key, ctx.stub.getTxID(), Buffer.from(canonicalJson(result ?? null), 'utf8'));
  };
}

function assertTypeBox(schema: TSchema, where: string): void {
  if (!schema || !(Kind in schema)) throw new Error(`${where}: schema must be built with TypeBox`);
}

/** The declared transactions of a contract class (for tests and tooling). */
export function transactionsOf(contractClass: { prototype: object }): readonly TxMetadata[] {
  return Reflect.getOwnMetadata(TRANSACTIONS_KEY, contractClass.prototype) ?? [];
}

/**
 * The transaction serializer every CityLedger chaincode registers (export `serializers` from the
 * chaincode's index). It validates each argument against its TypeBox schema before the transaction
 * runs, refusing with a coded INVALID_ARGUMENT (fabric-contract-api's own checks give prose only),
 * and returns every result as canonical JSON.
 */
export class CanonicalSerializer {
  toBuffer(result: unknown): Buffer | undefined {
    if (result === undefined || result === null) return undefined;
    return Buffer.from(canonicalJson(result), 'utf8');
  }

  fromBuffer(
    data: Uint8Array,
    fullSchema: { properties: { prop: TSchema } },
  ): { value: unknown; jsonForValidation: unknown } {
    const schema = fullSchema.properties.prop;
    const what = parameterNames.get(schema) ?? 'argument';
    checkSize(data, what);
    const text = Buffer.from(data).toString('utf8');
    const raw = schema.type === 'string' ? text : parseJson(text, what);
    const value = validate(schema, raw, what);
    return { value, jsonForValidation: value };
  }
}

export const serializers = {
  transaction: 'canonical',
  serializers: { canonical: CanonicalSerializer },
};

/** Reads and validates the transaction's transient inputs against the schema declared in its TxSpec. */
export function readTransient<S extends TObject>(ctx: Context, schema: S): Static<S> {
  const out: Record<string, unknown> = {};
  for (const [key, bytes] of ctx.stub.getTransient()) {
    if (key === RESULT_KEY) continue; // a sealed answer's key (raw bytes), not an input
    const what = `transient ${key}`;
    checkSize(bytes, what);
    out[key] = parseJson(Buffer.from(bytes).toString('utf8'), what);
  }
  return validate(schema, out, 'transient');
}
