/**
 * Contract metadata as produced by fabric-contract-api (`org.hyperledger.fabric:GetMetadata`, or
 * `fabric-chaincode-node metadata generate`), normalised into what the route table needs.
 */
export type JsonSchema = Record<string, unknown>;

export interface RawMetadata {
  contracts: Record<
    string,
    {
      name: string;
      contractInstance?: { name?: string; default?: boolean };
      transactions?: Array<{
        name: string;
        description?: string;
        tag?: string[];
        tags?: string[];
        parameters?: Array<{ name: string; description?: string; schema?: JsonSchema }>;
        returns?: JsonSchema | { schema?: JsonSchema };
        /** CityLedger extension: private inputs, sent in the transient map (see chaincode/common README). */
        transient?: JsonSchema;
        /** CityLedger extension: MSP ids that must endorse (key-level policies), sent as endorsingOrganizations. */
        endorsers?: string[];
        /** CityLedger extension: the result is answered sealed under a transient key (an evaluate's values). */
        sealed?: boolean;
      }>;
    }
  >;
  components?: { schemas?: Record<string, JsonSchema> };
  info?: { title?: string; version?: string };
}

export interface TxParam {
  name: string;
  description?: string;
  schema: JsonSchema;
}

export interface TxMeta {
  name: string;
  description?: string;
  submit: boolean;
  parameters: TxParam[];
  returns?: JsonSchema;
  /** Object schema of private inputs; each top-level property becomes one transient map entry. */
  transient?: JsonSchema;
  /** Orgs (MSP ids) whose peers must endorse; passed to Fabric as endorsingOrganizations. */
  endorsers?: string[];
  /** The chaincode answers sealed: the gateway sends a fresh result key and opens the answer. */
  sealed?: boolean;
}

export interface ContractMeta {
  name: string;
  isDefault: boolean;
  transactions: TxMeta[];
}

export interface ChaincodeMeta {
  chaincode: string;
  channel: string;
  version?: string;
  contracts: ContractMeta[];
  schemas: Record<string, JsonSchema>;
}

const SYSTEM_CONTRACT = 'org.hyperledger.fabric';

export function normaliseMetadata(
  chaincode: string,
  channel: string,
  raw: RawMetadata,
  transientOverrides: Record<string, JsonSchema> = {},
): ChaincodeMeta {
  if (!raw || typeof raw !== 'object' || typeof raw.contracts !== 'object')
    throw new Error(`metadata of ${chaincode} has no contracts`);
  const contracts: ContractMeta[] = Object.values(raw.contracts)
    .filter((c) => c.name !== SYSTEM_CONTRACT)
    .map((c) => ({
      name: c.name,
      isDefault: Boolean(c.contractInstance?.default),
      transactions: (c.transactions ?? []).map((t) => {
        const tags = [...(t.tag ?? []), ...(t.tags ?? [])].map((x) => x.toUpperCase());
        // fabric-contract-api tags SUBMIT/submitTx or EVALUATE; untagged functions are submitted.
        const submit = tags.includes('EVALUATE') ? false : true;
        const returns = t.returns && 'schema' in t.returns ? (t.returns.schema as JsonSchema) : (t.returns as JsonSchema | undefined);
        const transient = t.transient ?? transientOverrides[`${chaincode}:${c.name}:${t.name}`];
        return {
          name: t.name,
          ...(typeof t.description === 'string' && t.description ? { description: t.description } : {}),
          submit,
          parameters: (t.parameters ?? []).map((p) => ({ name: p.name, description: p.description, schema: p.schema ?? {} })),
          ...(returns && Object.keys(returns).length > 0 ? { returns } : {}),
          ...(transient ? { transient } : {}),
          ...(Array.isArray(t.endorsers) && t.endorsers.length > 0 ? { endorsers: [...t.endorsers] } : {}),
          ...(t.sealed === true ? { sealed: true } : {}),
        };
      }),
    }));
  return { chaincode, channel, version: raw.info?.version, contracts, schemas: raw.components?.schemas ?? {} };
}
