import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Self time by function and by package of a `--cpu-prof` profile, as shares of the time
 * the thread was not idle: what the bench's
 * figures are spent on. Usage: tsx tools/bench/profile-summary.ts <file.cpuprofile> [top]
 */
function main(): void {
  const [file, top = '25'] = process.argv.slice(2);
  const profile = JSON.parse(readFileSync(file!, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const sampled = [...self.values()].reduce((a, b) => a + b, 0);
  // Shares of the busy time: a server waiting for its next request is idle, which says nothing of its work.
  let idle = 0;
  for (const [id, micros] of self) if (byId.get(id)!.callFrame.functionName === '(idle)') idle += micros;
  const total = sampled - idle;
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, micros] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    const where = url.replace(/^file:\/\//, '').replace(/.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '');
    add(byFunction, `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`, micros);
    add(byPackage, packageOf(url, functionName), micros);
  }
  const print = (title: string, entries: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [name, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
      console.log(`${((100 * micros) / total).toFixed(1).padStart(5)}%  ${name}`);
    }
  };
  console.log(`${file}: ${(sampled / 1e6).toFixed(1)} s sampled, ${(total / 1e6).toFixed(1)} s busy (shares below are of the busy time)`);
  print('self time by package', byPackage);
  print('self time by function', byFunction);
}

function add(map: Map<string, number>, key: string, micros: number): void {
  map.set(key, (map.get(key) ?? 0) + micros);
}

function packageOf(url: string, functionName: string): string {
  const match = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1]!;
  if (url.startsWith('node:')) return 'node core';
  if (url.includes('/packages/') || url.includes('/apps/')) return 'latchkey';
  if (!url) return functionName.startsWith('(') ? functionName : 'native';
  return url;
}

main();
