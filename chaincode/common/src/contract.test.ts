import { Kind, Type } from '@sinclair/typebox';
import type { Context } from 'fabric-contract-api';
import {
  CityContract,
  ContractHarness,
  Evaluate,
  Id,
  PageSize,
  Bookmark,
  Repository,
  StateMachine,
  Submit,
  caller,
  emit,
  endorsersRequiredFor,
  identity,
  readTransient,
  requireEndorsementBy,
  requireRole,
  transactionsOf,
  txTime,
  MAX_INPUT_BYTES,
  RESULT_KEY,
  SealedResultSchema,
  openSealedResult,
} from './index';
import { randomBytes } from 'node:crypto';
import { Value } from '@sinclair/typebox/value';

// A small contract that uses every piece of the library the way a real chaincode would.
interface Note {
  id: string;
  owner: string;
  text: string;
  status: 'OPEN' | 'CLOSED';
  createdAt: string;
}
const notes = new Repository<Note>('note', (n) => [n.id]);
const lifecycle = new StateMachine<Note['status']>('note', [
  { from: ['OPEN'], to: 'CLOSED', roles: ['owner', 'police'] },
]);
const NoteInput = Type.Object(
  {
    id: Id(),
    text: Type.String({ minLength: 1, maxLength: 100 }),
    tags: Type.Optional(Type.Array(Type.String(), { maxItems: 3 })),
  },
  { additionalProperties: false },
);
const Secret = Type.Object({ pin: Type.String({ pattern: '^[0-9]{4}$' }) }, { additionalProperties: false });

class NoteContract extends CityContract {
  constructor() {
    super('note');
  }

  @Submit({
    description: 'Create a note',
    params: { input: NoteInput },
    returns: Type.Object({ id: Type.String() }),
  })
  async Create(ctx: Context, input: { id: string; text: string }): Promise<{ id: string }> {
    const who = requireRole(ctx, 'resident', 'police');
    await notes.create(ctx, {
      id: input.id,
      owner: who.key,
      text: input.text,
      status: 'OPEN',
      createdAt: txTime(ctx).iso,
    });
    emit(ctx, 'NoteCreated', { id: input.id });
    emit(ctx, 'NoteCounted', { by: who.key });
    return { id: input.id };
  }

  @Submit({ params: { id: Id() } })
  async Close(ctx: Context, id: string): Promise<void> {
    const who = caller(ctx);
    const note = await notes.require(ctx, id);
    const actor = [...(who.role ? [who.role] : []), ...(note.owner === who.key ? ['owner'] : [])];
    note.status = lifecycle.move(note.status, 'CLOSED', actor);
    await notes.put(ctx, note);
    emit(ctx, 'NoteClosed', { id });
  }

  @Submit({ params: { id: Id(), mspIds: Type.Array(Type.String(), { minItems: 1 }) } })
  async Guard(ctx: Context, id: string, mspIds: string[]): Promise<void> {
    await requireEndorsementBy(ctx, notes.key(ctx, id), mspIds);
  }

  @Submit({ params: { id: Id(), text: Type.String({ maxLength: 100 }) } })
  async Edit(ctx: Context, id: string, text: string): Promise<Note> {
    const note = await notes.require(ctx, id);
    await notes.put(ctx, { ...note, text });
    // Fabric has no read-your-writes: this still sees the committed note.
    return notes.require(ctx, id);
  }

  @Submit({ params: { pinCheck: Type.Boolean() }, transient: Secret })
  async WithSecret(ctx: Context, pinCheck: boolean): Promise<{ pinLength: number; checked: boolean }> {
    const secret = readTransient(ctx, Secret);
    return { pinLength: secret.pin.length, checked: pinCheck };
  }

  @Evaluate({ params: { id: Id() }, returns: Type.Object({}) })
  async Get(ctx: Context, id: string): Promise<Note> {
    return notes.require(ctx, id);
  }

  @Evaluate({ params: { id: Id() }, returns: Type.Object({}), sealed: true })
  async GetSealed(ctx: Context, id: string): Promise<Note> {
    return notes.require(ctx, id);
  }

  @Evaluate({ params: { pageSize: PageSize, bookmark: Bookmark } })
  async List(ctx: Context, pageSize: number, bookmark: string) {
    return notes.page(ctx, [], pageSize, bookmark);
  }

  @Submit({ params: { pageSize: PageSize } })
  async ListThenWrite(ctx: Context, pageSize: number): Promise<void> {
    await notes.page(ctx, [], pageSize);
    await ctx.stub.putState('x', Buffer.from('1'));
  }

  @Evaluate({ params: { id: Id() } })
  async Endorsers(ctx: Context, id: string): Promise<string[]> {
    return endorsersRequiredFor(ctx, notes.key(ctx, id));
  }

  @Evaluate({ params: { n: Type.Integer({ minimum: 0, maximum: 10 }) } })
  async Boom(_ctx: Context, n: number): Promise<number> {
    if (n > 5) throw new Error('plain failure');
    return n * 2;
  }

  @Evaluate()
  async Nothing(_ctx: Context): Promise<void> {}

  /** Not decorated: not callable. */
  async Hidden(_ctx: Context): Promise<string> {
    return 'secret';
  }
}

const alice = identity('CityMSP', 'alice', { role: 'resident', residentId: 'R1' });
const bob = identity('CityMSP', 'bob', { role: 'resident', residentId: 'R2' });
const officer = identity('CityMSP', 'officer', { role: 'police' });
const doctor = identity('HospitalMSP', 'doc', { role: 'doctor' });

let h: ContractHarness;
beforeEach(() => {
  h = new ContractHarness([NoteContract]);
});

describe('transactions through the real fabric-shim dispatcher', () => {
  it('validates, runs, returns canonical JSON and commits', async () => {
    const r = await h.submit(alice, 'note:Create', [{ id: 'n1', text: 'hello' }]);
    expect(r.ok).toBe(true);
    expect(r.committed).toBe(true);
    expect(r.value).toEqual({ id: 'n1' });
    const got = await h.evaluate<Note>(bob, 'note:Get', ['n1']);
    expect(got.value).toEqual({
      id: 'n1',
      owner: 'CityMSP/alice',
      text: 'hello',
      status: 'OPEN',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    expect(h.ledger.text(r.stub.createCompositeKey('note', ['n1']))).toBe(
      '{"createdAt":"2026-01-01T00:00:00.000Z","id":"n1","owner":"CityMSP/alice","status":"OPEN","text":"hello"}',
    );
  });

  it('emits one chaincode event carrying every domain event', async () => {
    h.setTime('2026-03-04T05:06:07.089Z');
    const r = await h.submit(alice, 'note:Create', [{ id: 'n1', text: 'hello' }], { txId: 'tx-e' });
    expect(r.event?.name).toBe('note.Create');
    expect(r.event?.envelope).toEqual({
      txId: 'tx-e',
      contract: 'note',
      transaction: 'Create',
      timestamp: '2026-03-04T05:06:07.089Z',
      events: [
        { type: 'NoteCreated', data: { id: 'n1' } },
        { type: 'NoteCounted', data: { by: 'CityMSP/alice' } },
      ],
    });
    expect(h.ledger.events).toHaveLength(1);
    const quiet = await h.evaluate(alice, 'note:Get', ['n1']);
    expect(quiet.event).toBeUndefined();
  });

  it.each([
    ['a missing field', [{ id: 'n1' }], '/text'],
    ['a wrong type', [{ id: 'n1', text: 5 }], '/text'],
    ['an unknown field', [{ id: 'n1', text: 't', extra: 1 }], '/extra'],
    ['a bad id', [{ id: 'bad id', text: 't' }], '/id'],
    ['a too long field', [{ id: 'n1', text: 'x'.repeat(101) }], '/text'],
    ['too many items', [{ id: 'n1', text: 't', tags: ['a', 'b', 'c', 'd'] }], '/tags'],
  ])('refuses %s with INVALID_ARGUMENT naming the field', async (_what, args, path) => {
    const r = await h.submit(alice, 'note:Create', args);
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe('INVALID_ARGUMENT');
    expect(r.error?.details.input).toBe('input');
    expect((r.error?.details.errors as { path: string }[]).map((e) => e.path)).toContain(path);
    expect(r.committed).toBe(false);
  });

  it('refuses malformed JSON and oversize arguments before parsing', async () => {
    const bad = await h.submit(alice, 'note:Create', ['{not json']);
    expect(bad.error?.code).toBe('INVALID_ARGUMENT');
    expect(bad.error?.reason).toBe('input is not valid JSON');
    const huge = await h.submit(alice, 'note:Create', ['x'.repeat(MAX_INPUT_BYTES + 1)]);
    expect(huge.error?.code).toBe('INVALID_ARGUMENT');
    expect(huge.error?.details).toEqual({
      input: 'input',
      size: MAX_INPUT_BYTES + 1,
      limit: MAX_INPUT_BYTES,
    });
  });

  it('validates string, integer and boolean parameters', async () => {
    expect((await h.evaluate(alice, 'note:Get', [''])).error?.code).toBe('INVALID_ARGUMENT');
    expect((await h.evaluate(alice, 'note:Boom', ['11'])).error?.details.input).toBe('n');
    expect((await h.evaluate(alice, 'note:Boom', ['1.5'])).error?.code).toBe('INVALID_ARGUMENT');
    expect((await h.evaluate(alice, 'note:Boom', ['3'])).value).toBe(6);
    expect(
      (await h.submit(alice, 'note:WithSecret', ['yes'], { transient: { pin: '1234' } })).error?.code,
    ).toBe('INVALID_ARGUMENT');
  });

  it('reads transient inputs validated against the declared schema', async () => {
    const r = await h.submit(alice, 'note:WithSecret', [true], { transient: { pin: '1234' } });
    expect(r.value).toEqual({ pinLength: 4, checked: true });
    const wrong = await h.submit(alice, 'note:WithSecret', [true], { transient: { pin: '12a4' } });
    expect(wrong.error?.code).toBe('INVALID_ARGUMENT');
    expect(wrong.error?.details.input).toBe('transient');
    const missing = await h.submit(alice, 'note:WithSecret', [true]);
    expect(missing.error?.code).toBe('INVALID_ARGUMENT');
    const extra = await h.submit(alice, 'note:WithSecret', [true], { transient: { pin: '1234', other: 1 } });
    expect(extra.error?.code).toBe('INVALID_ARGUMENT');
  });

  it("answers a sealed transaction AES-GCM-sealed under the caller's key, the same bytes on every endorser", async () => {
    await h.submit(alice, 'note:Create', [{ id: 'n1', text: 'a private text' }]);
    const key = randomBytes(32);
    const r = await h.evaluate<Note>(bob, 'note:GetSealed', ['n1'], { resultKey: key, txId: 'tx-s' });
    expect(r.value).toMatchObject({ id: 'n1', text: 'a private text' });
    expect(Value.Check(SealedResultSchema, r.sealed)).toBe(true);
    expect(JSON.stringify(r.sealed)).not.toContain('private');
    expect(JSON.parse(openSealedResult(key, r.sealed!).toString('utf8'))).toEqual(r.value);
    // Another endorser of the same proposal (same txId and key) returns the same bytes.
    const again = await h.evaluate(bob, 'note:GetSealed', ['n1'], {
      resultKey: key,
      txId: 'tx-s',
      peerMspId: 'HospitalMSP',
    });
    expect(again.sealed).toEqual(r.sealed);
    const other = await h.evaluate(bob, 'note:GetSealed', ['n1'], { resultKey: key, txId: 'tx-t' });
    expect(other.sealed?.iv).not.toBe(r.sealed?.iv);
    expect(() => openSealedResult(randomBytes(32), r.sealed!)).toThrow();
  });

  it('refuses a sealed transaction without a 32-byte result key, before it reads anything', async () => {
    await h.submit(alice, 'note:Create', [{ id: 'n1', text: 'hello' }]);
    for (const resultKey of [null, randomBytes(16)]) {
      const r = await h.evaluate(bob, 'note:GetSealed', ['n1'], { resultKey });
      expect(r.error?.code).toBe('INVALID_ARGUMENT');
      expect(r.error?.details).toMatchObject({ reason: 'RESULT_KEY_REQUIRED', field: `/${RESULT_KEY}` });
      expect(r.stub.reads.size).toBe(0);
    }
    // A result key next to transient inputs is not one of them.
    const withKey = await h.submit(alice, 'note:WithSecret', [true], {
      transient: { pin: '1234' },
      resultKey: randomBytes(32),
    });
    expect(withKey.value).toEqual({ pinLength: 4, checked: true });
  });

  it('refuses the wrong role with FORBIDDEN', async () => {
    const r = await h.submit(doctor, 'note:Create', [{ id: 'n1', text: 'x' }]);
    expect(r.error?.code).toBe('FORBIDDEN');
    expect(r.error?.details).toEqual({ required: ['resident', 'police'], role: 'doctor' });
  });

  it('gives CONFLICT for a duplicate and NOT_FOUND for an unknown id', async () => {
    await h.submit(alice, 'note:Create', [{ id: 'n1', text: 'x' }]);
    expect((await h.submit(alice, 'note:Create', [{ id: 'n1', text: 'y' }])).error?.code).toBe('CONFLICT');
    const missing = await h.evaluate(alice, 'note:Get', ['nope']);
    expect(missing.error?.code).toBe('NOT_FOUND');
    expect(missing.error?.details).toEqual({ objectType: 'note', id: 'nope' });
  });

  it('applies state machine rules: relations, roles and final states', async () => {
    await h.submit(alice, 'note:Create', [{ id: 'n1', text: 'x' }]);
    expect((await h.submit(bob, 'note:Close', ['n1'])).error?.code).toBe('FORBIDDEN');
    expect((await h.submit(alice, 'note:Close', ['n1'])).committed).toBe(true);
    const again = await h.submit(officer, 'note:Close', ['n1']);
    expect(again.error?.code).toBe('FAILED_PRECONDITION');
    expect(again.error?.details.state).toBe('CLOSED');
  });

  it('turns unexpected failures into INTERNAL and unknown transactions into NOT_FOUND', async () => {
    const boom = await h.evaluate(alice, 'note:Boom', [6]);
    expect(boom.error?.code).toBe('INTERNAL');
    expect(boom.error?.reason).toBe('plain failure');
    const unknown = await h.evaluate(alice, 'note:Hidden');
    expect(unknown.error?.code).toBe('NOT_FOUND');
    expect(unknown.error?.details).toEqual({ transaction: 'note:Hidden', contract: 'note' });
  });

  it('leaves arity errors and unknown contracts to fabric-shim (uncoded prose)', async () => {
    const arity = await h.evaluate(alice, 'note:Get', []);
    expect(arity.ok).toBe(false);
    expect(arity.error).toBeUndefined();
    expect(arity.message).toMatch(/Expected 1 parameters/);
    expect((await h.evaluate(alice, 'nope:Get', ['x'])).message).toMatch(/Contract name is not known/);
  });

  it('returns nothing for void transactions', async () => {
    const r = await h.evaluate(alice, 'note:Nothing');
    expect(r.ok).toBe(true);
    expect(r.value).toBeUndefined();
  });

  it('has no read-your-writes, as in Fabric', async () => {
    await h.submit(alice, 'note:Create', [{ id: 'n1', text: 'old' }]);
    const r = await h.submit<Note>(alice, 'note:Edit', ['n1', 'new']);
    expect(r.value.text).toBe('old');
    expect((await h.evaluate<Note>(alice, 'note:Get', ['n1'])).value.text).toBe('new');
  });

  it('answers an empty range with an empty page (Fabric sends no pagination metadata then)', async () => {
    const r = await h.evaluate<{ items: Note[]; bookmark: string }>(alice, 'note:List', [10, '']);
    expect(r.error).toBeUndefined();
    expect(r.value).toEqual({ items: [], bookmark: '' });
  });

  it('refuses a bookmark outside the query range (LevelDB panics on a range that ends before it starts)', async () => {
    await h.submit(alice, 'note:Create', [{ id: 'n1', text: 'a' }]);
    const list = (bookmark: string) => h.evaluate(alice, 'note:List', [10, bookmark]);
    for (const bookmark of ['zzz', '\u0000nota\u0000', '\u0000note\u0000\u{10ffff}x']) {
      const r = await list(bookmark);
      expect(r.error?.code).toBe('INVALID_ARGUMENT');
      expect(r.error?.details).toEqual({ objectType: 'note' });
    }
    expect((await list('\u0000note\u0000n1\u0000')).ok).toBe(true);
  });

  it('pages through composite-key ranges with bookmarks', async () => {
    for (const id of ['a', 'b', 'c', 'd', 'e']) await h.submit(alice, 'note:Create', [{ id, text: id }]);
    const p1 = await h.evaluate<{ items: Note[]; bookmark: string }>(alice, 'note:List', [2, '']);
    expect(p1.value.items.map((n) => n.id)).toEqual(['a', 'b']);
    const p2 = await h.evaluate<{ items: Note[]; bookmark: string }>(alice, 'note:List', [
      2,
      p1.value.bookmark,
    ]);
    expect(p2.value.items.map((n) => n.id)).toEqual(['c', 'd']);
    const p3 = await h.evaluate<{ items: Note[]; bookmark: string }>(alice, 'note:List', [
      2,
      p2.value.bookmark,
    ]);
    expect(p3.value).toEqual({ items: [expect.objectContaining({ id: 'e' })], bookmark: '' });
    expect((await h.evaluate(alice, 'note:List', [0, ''])).error?.code).toBe('INVALID_ARGUMENT');
  });

  it('refuses writes after a paginated query, as Fabric does', async () => {
    const r = await h.submit(alice, 'note:ListThenWrite', [5]);
    expect(r.error?.code).toBe('INTERNAL');
    expect(r.error?.reason).toMatch(/paginated/);
  });

  it('enforces key-level endorsement at commit', async () => {
    await h.submit(alice, 'note:Create', [{ id: 'n1', text: 'x' }]);
    await h.submit(alice, 'note:Guard', ['n1', ['HospitalMSP', 'CityMSP']]);
    expect((await h.evaluate(alice, 'note:Endorsers', ['n1'])).value).toEqual(['CityMSP', 'HospitalMSP']);
    const onlyOne = await h.submit(alice, 'note:Close', ['n1'], { endorsers: ['CityMSP', 'InsurerMSP'] });
    expect(onlyOne.ok).toBe(true);
    expect(onlyOne.committed).toBe(false);
    expect(onlyOne.validationCode).toBe('ENDORSEMENT_POLICY_FAILURE');
    expect((await h.evaluate<Note>(alice, 'note:Get', ['n1'])).value.status).toBe('OPEN');
    const both = await h.submit(alice, 'note:Close', ['n1'], { endorsers: ['CityMSP', 'HospitalMSP'] });
    expect(both.committed).toBe(true);
  });

  it('applies the chaincode-level policy (two orgs by default)', async () => {
    const r = await h.submit(alice, 'note:Create', [{ id: 'n1', text: 'x' }], { endorsers: ['CityMSP'] });
    expect(r.validationCode).toBe('ENDORSEMENT_POLICY_FAILURE');
  });
});

describe('metadata', () => {
  it('describes every decorated transaction precisely', async () => {
    const md = await h.metadata(alice);
    const contract = md.contracts.note;
    const byName = Object.fromEntries(contract.transactions.map((t) => [t.name, t]));
    expect(Object.keys(byName).sort()).toEqual(
      [
        'Boom',
        'Close',
        'Create',
        'Edit',
        'Endorsers',
        'Get',
        'GetSealed',
        'Guard',
        'List',
        'ListThenWrite',
        'Nothing',
        'WithSecret',
      ].sort(),
    );
    expect(byName.Create).toEqual({
      name: 'Create',
      tag: ['SUBMIT', 'submitTx'],
      description: 'Create a note',
      parameters: [{ name: 'input', description: '', schema: JSON.parse(JSON.stringify(NoteInput)) }],
      returns: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
    });
    expect(byName.Get.tag).toEqual(['EVALUATE']);
    expect(byName.Get.sealed).toBeUndefined();
    expect(byName.GetSealed).toMatchObject({ sealed: true, returns: { type: 'object' } });
    expect(byName.List.parameters).toEqual([
      {
        name: 'pageSize',
        description: 'items per page (1..200)',
        schema: expect.objectContaining({ type: 'integer' }),
      },
      {
        name: 'bookmark',
        description: expect.any(String),
        schema: expect.objectContaining({ type: 'string' }),
      },
    ]);
    expect(byName.WithSecret.transient).toEqual(JSON.parse(JSON.stringify(Secret)));
    expect(md.contracts['org.hyperledger.fabric']).toBeDefined();
    expect(transactionsOf(NoteContract)).toHaveLength(12);
  });

  it('catches contract mistakes when the class loads', () => {
    expect(() => {
      class Bad extends CityContract {
        @Submit({ params: { a: Type.String() } })
        async Two(_ctx: Context, _a: string, _b: string): Promise<void> {}
      }
      return Bad;
    }).toThrow('declares 1 parameters but takes 2');
    expect(() => {
      class Bad extends CityContract {
        @Submit({ params: { a: Type.Union([Type.String(), Type.Number()]) } })
        async One(_ctx: Context, _a: string): Promise<void> {}
      }
      return Bad;
    }).toThrow('need a type');
    expect(() => {
      class Bad extends CityContract {
        @Submit({ params: { a: { type: 'string' } as never } })
        async One(_ctx: Context, _a: string): Promise<void> {}
      }
      return Bad;
    }).toThrow('TypeBox');
    expect(() => {
      // A kind TypeBox has no check for: its compile fails here, not on the first call.
      class Bad extends CityContract {
        @Submit({ params: { a: { [Kind]: 'NoSuchKind', type: 'string' } as never } })
        async One(_ctx: Context, _a: string): Promise<void> {}
      }
      return Bad;
    }).toThrow(/Unknown type/);
    expect(() => {
      // A submitted result is in the block whatever its encryption: sealing is for evaluates.
      class Bad extends CityContract {
        @Submit({ sealed: true })
        async One(_ctx: Context): Promise<void> {}
      }
      return Bad;
    }).toThrow("only an evaluate's result is sealed");
  });
});
