import { goMaxProcs } from './nodes';
import { loadTopology, orderers, peers } from './topology';

describe('GOMAXPROCS of the peers and orderers', () => {
  const t = loadTopology();
  const nodes = peers(t).length + orderers(t).length;
  const saved = process.env.GOMAXPROCS;
  afterEach(() => {
    if (saved === undefined) delete process.env.GOMAXPROCS;
    else process.env.GOMAXPROCS = saved;
  });

  it('gives each node its share of the cores, at least one', () => {
    delete process.env.GOMAXPROCS;
    expect(goMaxProcs(t, 2)).toBe('1'); // our machines: 2 cores, 7 nodes
    expect(goMaxProcs(t, nodes)).toBe('1');
    expect(goMaxProcs(t, nodes + 1)).toBe('2');
    expect(goMaxProcs(t, nodes * 4)).toBe('4');
  });

  it('leaves a GOMAXPROCS set in the environment as it is', () => {
    process.env.GOMAXPROCS = '4';
    expect(goMaxProcs(t, 2)).toBe('4');
  });
});
