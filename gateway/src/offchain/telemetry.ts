import { badRequest, forbidden, notFound, Problem } from '../problem';
import { Store } from '../store/store';
import { Principal } from '../auth/service';
import { canonicalJson, leafHash, MERKLE_SCHEME, merkleProof, merkleRoot } from './merkle';

/**
 * Vehicles' raw telemetry, kept off-chain: each reading is stored with its leaf hash; a vehicle seals
 * its open readings into a window whose Merkle root it anchors on chain with the mobility chaincode;
 * anyone allowed to see a reading gets it with its proof to that root.
 */
export class TelemetryService {
  constructor(
    private readonly store: Store,
    private readonly maxWindow: number,
  ) {}

  private vehicleOf(p: Principal): string {
    const vehicleId = p.attrs.vehicleId;
    if (p.role !== 'vehicle' || !vehicleId) throw forbidden('only vehicle identities (role=vehicle with a vehicleId) record telemetry');
    return vehicleId;
  }

  async record(p: Principal, body: unknown): Promise<{ id: number; leaf: string }> {
    const vehicleId = this.vehicleOf(p);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('a reading is a JSON object', [{ field: 'body', message: 'must be object' }]);
    const b = body as Record<string, unknown>;
    if (!(typeof b.timestamp === 'string' || Number.isInteger(b.timestamp))) throw badRequest('invalid reading', [{ field: 'timestamp', message: 'is required (ISO string or integer)' }]);
    if ('vehicleId' in b) throw badRequest('invalid reading', [{ field: 'vehicleId', message: 'comes from your certificate, not the body' }]);
    const reading = { ...b, vehicleId };
    const leaf = leafHash(reading);
    const id = await this.store.insertReading(vehicleId, canonicalJson(reading), leaf);
    return { id, leaf };
  }

  async seal(p: Principal): Promise<{ windowId: string; vehicleId: string; root: string; size: number; firstReadingId: number; lastReadingId: number }> {
    const vehicleId = this.vehicleOf(p);
    const open = await this.store.openReadings(vehicleId, this.maxWindow);
    if (open.length === 0) throw new Problem(422, 'NOTHING_TO_SEAL', 'no open readings');
    const root = merkleRoot(open.map((r) => r.leaf));
    const windowId = `${vehicleId}-${open[0].id}-${open[open.length - 1].id}`;
    await this.store.insertWindow(
      { id: windowId, vehicle_id: vehicleId, root, size: open.length, first_reading: open[0].id, last_reading: open[open.length - 1].id },
      open.map((r) => r.id),
    );
    return { windowId, vehicleId, root, size: open.length, firstReadingId: open[0].id, lastReadingId: open[open.length - 1].id };
  }

  /** A reading with its proof. Visible to its vehicle and to other orgs' users (insurers, repair shops, police). */
  async proof(p: Principal, id: number): Promise<{ reading: unknown; leaf: string; windowId: string; index: number; treeSize: number; root: string; path: string[]; scheme: string }> {
    const r = await this.store.getReading(id);
    if (!r) throw notFound(`no reading ${id}`);
    if (p.role === 'vehicle' && p.attrs.vehicleId !== r.vehicle_id) throw notFound(`no reading ${id}`);
    if (!r.window_id || r.idx === null) throw new Problem(422, 'NOT_SEALED', 'the reading is not in a sealed window yet');
    const w = (await this.store.getWindow(r.window_id))!;
    const leaves = (await this.store.windowReadings(r.window_id)).map((x) => x.leaf);
    return {
      reading: JSON.parse(r.reading),
      leaf: r.leaf,
      windowId: w.id,
      index: Number(r.idx),
      treeSize: leaves.length,
      root: w.root,
      path: merkleProof(leaves, Number(r.idx)),
      scheme: MERKLE_SCHEME,
    };
  }
}
