import bcrypt from 'bcrypt';

/**
 * Raw bcrypt.compare throughput: `concurrency` compares kept in flight for a fixed time,
 * in a Node process of the same kind as the server (tsx, bcrypt on libuv's pool).
 * Prints {"perSecond": …, "cpuMicrosPerCompare": …} (the whole process's CPU: bcrypt runs on libuv's threads). Usage: bcrypt-baseline.ts <rounds> <concurrency> <seconds>
 */
async function main(): Promise<void> {
  const [rounds, concurrency, seconds] = process.argv.slice(2).map(Number);
  const hash = await bcrypt.hash('bench-password', rounds!);
  await bcrypt.compare('bench-password', hash);
  const end = performance.now() + seconds! * 1000;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let done = 0;
  const lane = async () => {
    while (performance.now() < end) {
      await bcrypt.compare('bench-password', hash);
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency! }, lane));
  const cpu = process.cpuUsage(cpuBefore);
  console.log(JSON.stringify({ perSecond: done / ((performance.now() - started) / 1000), cpuMicrosPerCompare: (cpu.user + cpu.system) / done }));
}

void main();
