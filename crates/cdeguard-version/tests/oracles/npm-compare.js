// Test oracle for cdeguard-version's differential tests: reads tab-separated SemVer
// pairs from stdin and prints, for each, how npm's `semver` package orders them
// (-1, 0 or 1), or `invalid` when `semver.valid` rejects a version.
// Usage: node npm-compare.js <path to node_modules/semver>
const semver = require(process.argv[2]);
const lines = require('fs').readFileSync(0, 'utf8').split('\n').filter((l) => l.length > 0);
const out = lines.map((line) => {
  const [a, b] = line.split('\t');
  if (semver.valid(a) === null || semver.valid(b) === null) return 'invalid';
  return String(semver.compare(a, b));
});
process.stdout.write(out.join('\n') + '\n');
