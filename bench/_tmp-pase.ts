import { ready } from '../src/index.js';
import { paseBothBackends } from './pase-bench.js';
await ready();
console.log(await paseBothBackends(3));
