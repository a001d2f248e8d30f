/**
 * A chaincode's contract metadata as the running chaincode reports it (`org.hyperledger.fabric:GetMetadata`,
 * extended by chaincode-common with JSON Schemas, `transient` and `endorsers`), and its transactions.
 */
import { JsonSchema } from './schema-sample';
import { contractAs, TestUser } from './live';

export interface TransactionMetadata {
  /** `<contract>:<Transaction>` as clients call it. */
  id: string;
  contract: string;
  name: string;
  tags: string[];
  parameters: { name: string; schema: JsonSchema }[];
  /** Schema of the transient map: one property per transient key. */
  transient?: JsonSchema;
  /** Orgs whose peers must endorse (key-level or collection policies). */
  endorsers?: string[];
}

interface RawMetadata {
  contracts: Record<
    string,
    {
      transactions: {
        name: string;
        tag?: string[];
        parameters?: { name: string; schema: JsonSchema }[];
        transient?: JsonSchema;
        endorsers?: string[];
      }[];
    }
  >;
}

/** Every transaction of `chaincode`'s live metadata, read as `user`. */
export async function liveTransactions(user: TestUser, chaincode: string): Promise<TransactionMetadata[]> {
  const bytes = await contractAs(user, chaincode).evaluateTransaction('org.hyperledger.fabric:GetMetadata');
  const raw = JSON.parse(Buffer.from(bytes).toString('utf8')) as RawMetadata;
  return Object.entries(raw.contracts)
    .filter(([contract]) => contract !== 'org.hyperledger.fabric')
    .flatMap(([contract, c]) =>
      c.transactions.map((t) => ({
        id: `${contract}:${t.name}`,
        contract,
        name: t.name,
        tags: t.tag ?? [],
        parameters: t.parameters ?? [],
        ...(t.transient ? { transient: t.transient } : {}),
        ...(t.endorsers ? { endorsers: t.endorsers } : {}),
      })),
    );
}

/** The state-changing transactions (tag SUBMIT). */
export const submitTransactions = (all: TransactionMetadata[]): TransactionMetadata[] =>
  all.filter((t) => t.tags.includes('SUBMIT'));
