import { createRequire } from 'node:module';
import { CanonicalSerializer } from './metadata';

const LEAN = Symbol.for('cityledger.lean-parameter-handling');

interface ParameterMetadata {
  schema: { type?: unknown; $ref?: unknown };
}

export interface DataMarshallClass {
  prototype: {
    serializer: unknown;
    handleParameters(
      fn: { parameters?: ParameterMetadata[] },
      parameters: Buffer[],
      loggerPrefix: string,
    ): unknown[];
    fromWireBuffer(
      data: Buffer,
      schema: { properties: { prop: unknown } },
      loggerPrefix: string,
    ): { value: unknown };
    [LEAN]?: true;
  };
}

const shimRequire = () => createRequire(require.resolve('fabric-shim/package.json'));

/** fabric-shim's DataMarshall (one per contract: it turns argument bytes into transaction arguments). */
export const shimDataMarshallClass = (): DataMarshallClass =>
  shimRequire()('./lib/contract-spi/datamarshall.js') as DataMarshallClass;

/** Whether the DataMarshall's own logger prints debug lines (CORE_CHAINCODE_LOGGING_LEVEL, setLevel). */
const shimDebugEnabled = (): (() => boolean) => {
  const logger = (
    shimRequire()('./lib/logger.js') as {
      getLogger(name: string): { isLevelEnabled(level: string): boolean };
    }
  ).getLogger('contracts-spi/datamarshall.js');
  return () => logger.isLevelEnabled('debug');
};

/**
 * For each argument of every transaction, fabric-shim's DataMarshall builds four debug lines before
 * its logger can drop them (one an util.inspect of the argument's bytes, one the JSON of its schema),
 * asks ajv for the parameter's validator (ajv finds it by a stable stringify of a schema object made
 * afresh each call), and then validates with ajv the value the serializer returned. The
 * CanonicalSerializer has already validated that value against the same schema with TypeBox, and
 * our schemas declare no defaults for ajv to fill in. Under the benchmark's issuance load this was
 * 7 % of the identity chaincode's CPU, more than twice the cost of reading the arguments themselves.
 *
 * For a contract whose serializer is the CanonicalSerializer, each argument is now read by the
 * serializer alone. Anything else — another serializer, a transaction without parameter metadata, a
 * wrong argument count — takes the shim's own path, with its own errors, and so does every call while
 * debug logging is on, so that its debug lines still appear. Idempotent.
 */
export function readArgumentsWithSerializerOnly(
  DataMarshall: DataMarshallClass = shimDataMarshallClass(),
  debugEnabled: () => boolean = shimDebugEnabled(),
): void {
  const proto = DataMarshall.prototype;
  if (proto[LEAN]) return;
  const shimPath = proto.handleParameters;
  proto.handleParameters = function (fn, parameters, loggerPrefix) {
    const expected = fn.parameters;
    if (
      debugEnabled() ||
      !(this.serializer instanceof CanonicalSerializer) ||
      !expected ||
      expected.length !== parameters.length ||
      expected.some((p) => !p.schema.type && !p.schema.$ref)
    ) {
      return shimPath.call(this, fn, parameters, loggerPrefix);
    }
    return expected.map(
      (p, i) => this.fromWireBuffer(parameters[i], { properties: { prop: p.schema } }, loggerPrefix).value,
    );
  };
  proto[LEAN] = true;
}
