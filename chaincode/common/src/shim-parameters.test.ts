import { createRequire } from 'node:module';
import { Type } from '@sinclair/typebox';
import type { Context } from 'fabric-contract-api';
import {
  CanonicalSerializer,
  CityContract,
  ContractHarness,
  Evaluate,
  Id,
  identity,
  readArgumentsWithSerializerOnly,
  shimDataMarshallClass,
} from './index';

// The ajv that fabric-shim's DataMarshall compiles its validators with.
const Ajv = createRequire(require.resolve('fabric-shim/package.json'))('ajv') as {
  prototype: { compile(schema: object): unknown };
};

class EchoContract extends CityContract {
  constructor() {
    super('echo');
  }
  @Evaluate({ params: { id: Id(), count: Type.Integer({ minimum: 1 }) } })
  async Echo(_ctx: Context, id: string, count: number): Promise<{ id: string; count: number }> {
    return { id, count };
  }
}

describe('readArgumentsWithSerializerOnly', () => {
  const alice = identity('CityMSP', 'alice');
  let h: ContractHarness;
  let compile: jest.SpyInstance;

  beforeEach(() => {
    h = new ContractHarness([EchoContract]);
    compile = jest.spyOn(Ajv.prototype, 'compile');
  });
  afterEach(() => compile.mockRestore());

  it('reads canonical arguments with the serializer alone: validated by TypeBox, never by ajv again', async () => {
    readArgumentsWithSerializerOnly(); // idempotent: the library already did this when loaded
    const ok = await h.evaluate(alice, 'echo:Echo', ['r-1', 3]);
    expect(ok.value).toEqual({ id: 'r-1', count: 3 });
    const refused = await h.evaluate(alice, 'echo:Echo', ['r-1', 0]);
    expect(refused.error?.code).toBe('INVALID_ARGUMENT');
    expect(refused.error?.details).toMatchObject({ input: 'count' });
    expect(compile).not.toHaveBeenCalled();
  });

  it("leaves a wrong argument count to the shim's own check", async () => {
    const arity = await h.evaluate(alice, 'echo:Echo', ['r-1']);
    expect(arity.error).toBeUndefined();
    expect(arity.message).toMatch(/Expected 2 parameters, but 1 have been supplied/);
  });

  it("gives any other serializer the shim's path, ajv validation included", () => {
    const DataMarshall = shimDataMarshallClass() as unknown as new (
      name: string,
      serializers: Record<string, unknown>,
      components: object,
    ) => {
      handleParameters(fn: object, args: Buffer[], prefix: string): unknown[];
    };
    class PlainJson {
      fromBuffer(data: Buffer) {
        return { value: JSON.parse(data.toString('utf8')) as unknown };
      }
    }
    const marshall = new DataMarshall('plain', { plain: PlainJson }, {});
    const fn = { parameters: [{ name: 'count', schema: { type: 'integer', minimum: 1 } }] };
    expect(marshall.handleParameters(fn, [Buffer.from('2')], '')).toEqual([2]);
    expect(() => marshall.handleParameters(fn, [Buffer.from('0')], '')).toThrow(
      /Unable to validate parameter/,
    );
    expect(compile).toHaveBeenCalled();
  });

  it("takes the shim's path, debug lines included, while debug logging is on", () => {
    let debug = true;
    const shimPath = jest.fn(() => ['from the shim']);
    class FakeMarshall {
      serializer = new CanonicalSerializer();
      fromWireBuffer(data: Buffer) {
        return { value: `read ${data.toString('utf8')}` };
      }
    }
    Object.assign(FakeMarshall.prototype, { handleParameters: shimPath });
    readArgumentsWithSerializerOnly(
      FakeMarshall as unknown as Parameters<typeof readArgumentsWithSerializerOnly>[0],
      () => debug,
    );
    const marshall = new FakeMarshall() as unknown as {
      handleParameters(fn: object, args: Buffer[], prefix: string): unknown[];
    };
    const fn = { parameters: [{ name: 'id', schema: { type: 'string' } }] };
    expect(marshall.handleParameters(fn, [Buffer.from('x')], '')).toEqual(['from the shim']);
    debug = false;
    expect(marshall.handleParameters(fn, [Buffer.from('x')], '')).toEqual(['read x']);
    expect(shimPath).toHaveBeenCalledTimes(1);
  });
});
