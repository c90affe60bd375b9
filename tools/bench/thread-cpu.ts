import { readFileSync } from 'node:fs';

/**
 * CPU time, in microseconds, that the main thread of a process (the event loop of a Node
 * server) has used so far: the first field of its schedstat (nanoseconds), else utime +
 * stime of its stat (clock ticks of 10 ms). Undefined where /proc does not say (not Linux).
 */
export function mainThreadCpuMicros(pid: number): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
  } catch {
    try {
      // The command name may hold spaces; the fields after its closing parenthesis do not.
      const fields = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10_000;
    } catch {
      return undefined;
    }
  }
}
