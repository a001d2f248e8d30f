import { RawMetadata } from '../api/metadata';

/** Small metadata fixtures in fabric-contract-api's format (as GetMetadata returns it). */
export const claimsMetadata: RawMetadata = {
  info: { title: 'claims', version: '1.0.0' },
  contracts: {
    ClaimContract: {
      name: 'ClaimContract',
      contractInstance: { name: 'ClaimContract', default: true },
      transactions: [
        {
          name: 'FileClaim',
          tag: ['SUBMIT', 'submitTx'],
          parameters: [
            { name: 'claimId', schema: { type: 'string', minLength: 1 } },
            { name: 'vin', schema: { type: 'string', pattern: '^[A-HJ-NPR-Z0-9]{17}$' } },
            { name: 'amount', schema: { type: 'integer', minimum: 1 } },
          ],
          returns: { $ref: '#/components/schemas/Claim' },
        },
        { name: 'ApproveClaim', tag: ['SUBMIT', 'submitTx'], parameters: [{ name: 'claimId', schema: { type: 'string' } }, { name: 'note', schema: { type: 'string' } }] },
        { name: 'GetClaim', tag: ['EVALUATE'], parameters: [{ name: 'claimId', schema: { type: 'string' } }], returns: { $ref: '#/components/schemas/Claim' } },
        {
          name: 'ListClaimsByStatus',
          tag: ['EVALUATE'],
          parameters: [
            { name: 'status', schema: { type: 'string', enum: ['FILED', 'APPROVED'] } },
            { name: 'pageSize', schema: { type: 'integer', minimum: 1, maximum: 100 } },
          ],
        },
        { name: 'AttachEvidence', tag: ['SUBMIT'], parameters: [{ name: 'evidence', schema: { $ref: '#/components/schemas/Evidence' } }] },
      ],
    },
    'org.hyperledger.fabric': { name: 'org.hyperledger.fabric', transactions: [{ name: 'GetMetadata', tag: ['EVALUATE'] }] },
  },
  components: {
    schemas: {
      Claim: { $id: 'Claim', type: 'object', properties: { claimId: { type: 'string' }, status: { type: 'string' }, amount: { type: 'integer' } }, required: ['claimId'] },
      Evidence: { $id: 'Evidence', type: 'object', properties: { claimId: { type: 'string' }, sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' } }, required: ['claimId', 'sha256'], additionalProperties: false },
    },
  },
};

export const medicalMetadata: RawMetadata = {
  contracts: {
    MeasurementContract: {
      name: 'MeasurementContract',
      contractInstance: { name: 'MeasurementContract', default: true },
      transactions: [
        {
          name: 'RecordMeasurement',
          tag: ['SUBMIT'],
          parameters: [{ name: 'patientId', schema: { type: 'string' } }],
          endorsers: ['CityMSP', 'HospitalMSP'],
          transient: {
            type: 'object',
            properties: { measurement: { type: 'object', properties: { weightGrams: { type: 'integer' }, bodyFatPermille: { type: 'integer' } }, required: ['weightGrams'] } },
            required: ['measurement'],
            additionalProperties: false,
          },
        },
        {
          name: 'ListMyMeasurements',
          tag: ['EVALUATE'],
          parameters: [{ name: 'pageSize', schema: { type: 'integer', minimum: 1, maximum: 200 } }],
          returns: { type: 'object', properties: { items: { type: 'array', items: { type: 'object' } } } },
          endorsers: ['CityMSP', 'HospitalMSP'],
          sealed: true,
        },
      ],
    },
    // A second, non-default contract exercises prefixing.
    AccessContract: {
      name: 'AccessContract',
      transactions: [{ name: 'GrantAccess', tags: ['SUBMIT'], parameters: [{ name: 'doctorId', schema: { type: 'string' } }] }],
    },
  },
};

/** A topology shaped like network/topology.yaml (only what the gateway reads). */
export const topologyFixture = {
  stateDir: '.cityledger-test',
  orgs: [
    { name: 'city', mspId: 'CityMSP', host: '127.0.0.1', ca: { port: 7054 }, peers: [{ name: 'peer0', port: 7051 }], roles: ['admin', 'resident', 'vehicle', 'police'] },
    { name: 'insurer', mspId: 'InsurerMSP', host: '127.0.0.1', ca: { port: 9054 }, peers: [{ name: 'peer0', port: 9051 }, { name: 'peer1', port: 9061 }], roles: ['admin', 'insurer', 'adjuster'] },
    { name: 'port', mspId: 'PortMSP', host: '127.0.0.1', ca: { port: 10054 }, peers: [{ name: 'peer0', port: 10051 }], roles: ['admin', 'agent'] },
  ],
  channels: [
    { name: 'city', orgs: ['city', 'insurer', 'port'] },
    { name: 'health', orgs: ['city', 'insurer'] },
  ],
  chaincodes: [
    { name: 'claims', channel: 'city' },
    { name: 'medical', channel: 'health' },
  ],
  gateway: { host: '127.0.0.1', port: 8080 },
};
