import { Type } from '@sinclair/typebox';
import type { Context } from 'fabric-contract-api';
import { requireRole } from './caller';
import { CityContract } from './contract';
import { emit } from './events';
import { Evaluate, Submit } from './metadata';
import { Repository } from './repository';
import { Id } from './validation';

const ProbeValue = Type.Object(
  { key: Id(), value: Type.String({ maxLength: 1024 }) },
  { additionalProperties: false },
);
type ProbeValue = { key: string; value: string };

const probes = new Repository<ProbeValue>('probe', (p) => [p.key]);

/**
 * An operational probe that every chaincode carries, apart from its domain state: the benchmark's
 * no-op and single-key workloads (the network's floor) and the writes that reliability drills count.
 * Only org admins may write, so it is no back door into a domain.
 */
export class ProbeContract extends CityContract {
  constructor() {
    super('probe');
  }

  @Submit({ description: 'Does nothing: endorse, order, validate and commit an empty transaction.' })
  async Noop(ctx: Context): Promise<void> {
    requireRole(ctx, 'admin');
  }

  @Submit({ description: 'Writes one probe key.', params: { probe: ProbeValue } })
  async Put(ctx: Context, probe: ProbeValue): Promise<void> {
    requireRole(ctx, 'admin');
    await probes.put(ctx, probe);
    // One event per committed write lets drills count writes per key: a duplicate shows as two.
    emit(ctx, 'ProbeWritten', { key: probe.key });
  }

  @Evaluate({ description: 'Reads one probe key.', params: { key: Id() }, returns: ProbeValue })
  async Get(ctx: Context, key: string): Promise<ProbeValue> {
    return probes.require(ctx, key);
  }
}
