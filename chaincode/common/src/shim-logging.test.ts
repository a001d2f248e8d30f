import { createRequire } from 'node:module';
import Transport from 'winston-transport';
import winston from 'winston';
import { dropDisabledShimLogsEarly } from './shim-logging';

// fabric-shim's own logger module (untyped): the loggers the shim and contract API log through.
const { getLogger, setLevel } = createRequire(require.resolve('fabric-shim/package.json'))(
  './lib/logger',
) as {
  getLogger(name: string): winston.Logger;
  setLevel(level: string): void;
};

/** Keeps what reaches it, formatted. */
class Capture extends Transport {
  readonly lines: string[] = [];
  override log(info: Record<symbol, string>, next: () => void): void {
    this.lines.push(info[Symbol.for('message')]);
    next();
  }
}

describe('dropDisabledShimLogsEarly', () => {
  afterEach(() => setLevel('INFO'));

  it('drops a message below its logger level before any format runs, and keeps the others as they were', () => {
    dropDisabledShimLogsEarly();
    dropDisabledShimLogsEarly(); // idempotent
    let formatted = 0;
    const capture = new Capture();
    const counting = winston.format((info) => {
      formatted++;
      return info;
    });
    const logger = winston.createLogger({
      level: 'info',
      format: winston.format.combine(counting(), winston.format.simple()),
      transports: [capture],
    });
    logger.debug('hidden %s', 'detail');
    logger.debug({ message: 'hidden too' });
    expect(formatted).toBe(0);
    logger.info('shown %s', 'detail');
    logger.warn('warned');
    expect(formatted).toBe(2);
    expect(capture.lines).toEqual(['info: shown %s', 'warn: warned']);
    logger.level = 'debug';
    logger.debug('now shown');
    expect(capture.lines).toHaveLength(3);
  });

  it("follows the shim's own level switch (CORE_CHAINCODE_LOGGING_LEVEL, setLevel)", () => {
    dropDisabledShimLogsEarly();
    const shimLogger = getLogger('shim-logging.test');
    expect(shimLogger.isLevelEnabled('debug')).toBe(false);
    const capture = new Capture();
    const consoleTransport = shimLogger.transports[0];
    consoleTransport.silent = true; // the shim's shared Console transport: kept out of the test output
    shimLogger.add(capture);
    try {
      shimLogger.debug('quiet');
      shimLogger.info('told');
      setLevel('DEBUG');
      shimLogger.debug('loud');
    } finally {
      shimLogger.remove(capture);
      consoleTransport.silent = false;
    }
    expect(capture.lines.map((l) => /(quiet|told|loud)/.exec(l)?.[1])).toEqual(['told', 'loud']);
  });
});
