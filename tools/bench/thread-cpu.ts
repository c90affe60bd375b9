import { readFileSync, readdirSync } from 'node:fs';

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

/** The main threads' CPU µs of several processes (a cluster's primary and workers), summed. */
export function mainThreadsCpuMicros(pids: readonly number[]): number | undefined {
  let sum = 0;
  for (const pid of pids) {
    const micros = mainThreadCpuMicros(pid);
    if (micros === undefined) return undefined;
    sum += micros;
  }
  return sum;
}

/** The process and its descendants (a cluster's workers), from /proc; [pid] where /proc does not say. */
export function processTree(pid: number): number[] {
  const parents = new Map<number, number[]>();
  try {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const ppid = Number(readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
        parents.set(ppid, [...(parents.get(ppid) ?? []), Number(name)]);
      } catch {
        // The process ended while being read.
      }
    }
  } catch {
    return [pid];
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(parents.get(tree[i]!) ?? []));
  return tree;
}
