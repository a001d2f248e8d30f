import { searchSteps, type StepOutcome } from './steps';

/** A network that commits up to `capacity`/s within budget, and `capacity` when offered more. */
function network(capacity: number, kneeAt = capacity) {
  const ran: number[] = [];
  const runStep = async (rate: number): Promise<StepOutcome> => {
    ran.push(rate);
    return { tps: Math.min(rate, capacity), knee: rate >= kneeAt, withinBudget: rate <= capacity };
  };
  return { ran, runStep };
}

const FULL = { refine: true, stopAtKnee: false };
const RATES = [100, 125, 150, 200];

describe('searchSteps', () => {
  it('steps up while the budget holds, then halves the gap twice', async () => {
    const net = network(140);
    await searchSteps(RATES, net.runStep, FULL);
    expect(net.ran).toEqual([100, 125, 150, 140, 145]);
  });

  it('runs every rate when none breaks the budget', async () => {
    const net = network(1000);
    await searchSteps(RATES, net.runStep, FULL);
    expect(net.ran).toEqual(RATES);
  });

  it('steps down to 95 % of what the first step committed, then halves the gap', async () => {
    const net = network(69);
    await searchSteps(RATES, net.runStep, FULL);
    // 100/s commits 69/s: down to 65 (within budget), then between 65 and 100: 85 (over), 75 (over).
    expect(net.ran).toEqual([100, 65, 85, 75]);
  });

  it('steps down twice at most', async () => {
    const net = network(20);
    const overloaded = async (rate: number) => ({
      ...(await net.runStep(rate)),
      tps: 0.8 * rate,
      withinBudget: false,
    });
    await searchSteps([100], overloaded, FULL);
    expect(net.ran).toEqual([100, 75, 55]);
  });

  it('without refining, stops at the first step over budget', async () => {
    const net = network(69);
    await searchSteps(RATES, net.runStep, { refine: false, stopAtKnee: false });
    expect(net.ran).toEqual([100]);
  });

  it('stops at the knee when asked, even within budget', async () => {
    const net = network(1000, 125);
    await searchSteps(RATES, net.runStep, { refine: true, stopAtKnee: true });
    expect(net.ran).toEqual([100, 125]);
  });
});
