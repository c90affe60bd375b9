/**
 * Loaded into a server started with `--expose-gc --import <this file>`: on SIGUSR2 it runs
 * a full garbage collection and writes `heap-used <bytes> data <bytes>` to stderr, so a
 * test can read what the process keeps alive rather than what it has yet to collect.
 * `data` leaves out the code space, where V8 keeps the machine code it compiles while a
 * process warms up: that is not kept for any request.
 */
import { getHeapSpaceStatistics } from 'node:v8';

const collect = globalThis.gc;
if (!collect) throw new Error('heap-probe needs node --expose-gc');

process.on('SIGUSR2', () => {
  collect();
  collect();
  const data = getHeapSpaceStatistics()
    .filter((space) => space.space_name !== 'code_space' && space.space_name !== 'code_large_object_space')
    .reduce((sum, space) => sum + space.space_used_size, 0);
  process.stderr.write(`heap-used ${process.memoryUsage().heapUsed} data ${data}\n`);
});
