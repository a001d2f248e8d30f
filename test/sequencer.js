// Live suites share one network: the ones that stop and kill nodes run last, so a slow recovery can
// never bleed into the functional suites, and the network's own checks run first.
const Sequencer = require('@jest/test-sequencer').default;

const rank = (file) => (/\/network\//.test(file) ? 0 : /\/reliability\//.test(file) ? 2 : 1);

class LiveSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
  }
}

module.exports = LiveSequencer;
