import type { Static } from '@sinclair/typebox';
import type { Context } from 'fabric-contract-api';
import {
  Bookmark, CityContract, Evaluate, PageSize, Submit, addAmounts, caller, conflict, emit, failedPrecondition, forbidden, invalidArgument, requireOrgRole, txTime,
} from '@cityledger/chaincode-common';
import { requireAccountViewer, requireUtility } from './access';
import { loadAccount, recordEntry, saveAccount } from './ledger';
import { AccountRef, AccountSchema, BurnInput, EntrySchema, MarketOperator, MintInput, Page, SupplySchema, Utility, type Account, type Entry } from './model';
import { accounts, buildings, entries, supply } from './store';

/** The counter-account of mints and burns in statements: money from/to outside the ledger. */
const OFF_LEDGER = 'off-ledger';

/**
 * Money enters only by a mint the utility confirms (a top-up it received off-ledger) and leaves only
 * by a burn (a withdrawal paid out off-ledger). Each is a unique record, so the money supply is a
 * sum over records rather than a counter every top-up would rewrite.
 */
export class FundsContract extends CityContract {
  constructor() {
    super('funds');
  }

  @Submit({ description: 'Utility: credits an account with a top-up it received (mintId = its payment reference, unique).', params: { mint: MintInput }, returns: AccountSchema })
  async Mint(ctx: Context, input: Static<typeof MintInput>): Promise<Account> {
    const who = requireUtility(ctx);
    if (input.account === 'fees') throw invalidArgument('the fees account is credited only by settlement', { input: 'mint', account: 'fees' });
    await requireAccountExists(ctx, input.account);
    if (await supply.exists(ctx, 'MINT', input.mintId)) throw conflict(`mint ${input.mintId} already recorded`, { objectType: 'mint', id: input.mintId });
    const acc = await loadAccount(ctx, input.account);
    const after = await saveAccount(ctx, input.account, { available: addAmounts(acc.available, input.amountKrw), escrowed: acc.escrowed });
    await supply.put(ctx, { kind: 'MINT', id: input.mintId, account: input.account, amountKrw: input.amountKrw, at: txTime(ctx).iso, by: who.key });
    await recordEntry(ctx, { account: input.account, kind: 'MINT', amountKrw: input.amountKrw, counterparty: OFF_LEDGER, ref: input.mintId }, 0);
    emit(ctx, 'FundsMinted', { mintId: input.mintId, account: input.account, amountKrw: input.amountKrw });
    return after;
  }

  @Submit({
    description: "Withdraws available funds (burnId unique): a building from its own account, the utility from 'utility', the market operator from 'fees'.",
    params: { burn: BurnInput },
    returns: AccountSchema,
  })
  async Burn(ctx: Context, input: Static<typeof BurnInput>): Promise<Account> {
    const who = requireOwner(ctx, input.account);
    if (await supply.exists(ctx, 'BURN', input.burnId)) throw conflict(`burn ${input.burnId} already recorded`, { objectType: 'burn', id: input.burnId });
    const acc = await loadAccount(ctx, input.account);
    if (acc.available < input.amountKrw) {
      throw failedPrecondition(`insufficient funds: ${acc.available} KRW available`, { reason: 'INSUFFICIENT_FUNDS', available: acc.available, required: input.amountKrw });
    }
    const after = await saveAccount(ctx, input.account, { available: acc.available - input.amountKrw, escrowed: acc.escrowed });
    await supply.put(ctx, { kind: 'BURN', id: input.burnId, account: input.account, amountKrw: input.amountKrw, at: txTime(ctx).iso, by: who.key });
    await recordEntry(ctx, { account: input.account, kind: 'BURN', amountKrw: -input.amountKrw, counterparty: OFF_LEDGER, ref: input.burnId }, 0);
    emit(ctx, 'FundsBurned', { burnId: input.burnId, account: input.account, amountKrw: input.amountKrw });
    return after;
  }

  @Evaluate({ description: 'Balance of an account: available and escrowed KRW (the building itself, the operator, the utility).', params: { account: AccountRef() }, returns: AccountSchema })
  async GetBalance(ctx: Context, account: string): Promise<Account> {
    await requireAccountViewer(ctx, account);
    return loadAccount(ctx, account);
  }

  @Evaluate({ description: "An account's statement, oldest first, paginated.", params: { account: AccountRef(), pageSize: PageSize, bookmark: Bookmark }, returns: Page(EntrySchema) })
  async ListEntries(ctx: Context, account: string, pageSize: number, bookmark: string): Promise<{ items: Entry[]; bookmark: string }> {
    await requireAccountViewer(ctx, account);
    return entries.page(ctx, [account], pageSize, bookmark);
  }

  @Evaluate({ description: 'Operator or utility: money minted, burned and held across all accounts; balanced when minted - burned = held.', returns: SupplySchema })
  async GetSupply(ctx: Context): Promise<Static<typeof SupplySchema>> {
    requireOrgRole(ctx, MarketOperator, Utility);
    // Page by page: a mint or burn record per top-up and withdrawal soon outgrows one query's limit.
    let mintedKrw = 0;
    let burnedKrw = 0;
    for await (const r of supply.scan(ctx)) {
      if (r.kind === 'MINT') mintedKrw = addAmounts(mintedKrw, r.amountKrw);
      else burnedKrw = addAmounts(burnedKrw, r.amountKrw);
    }
    let heldKrw = 0;
    for await (const a of accounts.scan(ctx)) heldKrw = addAmounts(heldKrw, a.available, a.escrowed);
    return { mintedKrw, burnedKrw, heldKrw, balanced: mintedKrw - burnedKrw === heldKrw };
  }
}

async function requireAccountExists(ctx: Context, account: string): Promise<void> {
  if (!account.startsWith('building:')) return;
  const buildingId = account.slice('building:'.length);
  if (!(await buildings.exists(ctx, buildingId))) {
    throw failedPrecondition(`building ${buildingId} is not registered`, { reason: 'BUILDING_NOT_REGISTERED', buildingId });
  }
}

/** Who may spend an account's funds off the ledger. */
function requireOwner(ctx: Context, account: string) {
  if (account === 'utility') return requireUtility(ctx);
  if (account === 'fees') return requireOrgRole(ctx, MarketOperator);
  const who = requireOrgRole(ctx, { mspId: MarketOperator.mspId, role: 'building' });
  if (`building:${who.buildingId}` !== account) throw forbidden('a building withdraws only from its own account', { account, buildingId: caller(ctx).buildingId ?? null });
  return who;
}
