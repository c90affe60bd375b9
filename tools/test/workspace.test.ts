import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../server-process';

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const WORKSPACE_PACKAGES = ['packages/domain', 'packages/adapters', 'packages/runtime', 'apps/api', 'apps/cli', 'tools'];

function manifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Manifest;
}

/** The workspace packages each one depends on, test dependencies included. */
function graph(): Map<string, string[]> {
  const manifests = WORKSPACE_PACKAGES.map(manifest);
  const names = new Set(manifests.map(({ name }) => name));
  return new Map(
    manifests.map(({ name, dependencies, devDependencies }) => [
      name,
      Object.keys({ ...dependencies, ...devDependencies }).filter((dependency) => names.has(dependency)),
    ]),
  );
}

function findCycle(edges: Map<string, string[]>): string[] | undefined {
  const visiting: string[] = [];
  const done = new Set<string>();
  const visit = (name: string): string[] | undefined => {
    if (visiting.includes(name)) return [...visiting.slice(visiting.indexOf(name)), name];
    if (done.has(name)) return undefined;
    visiting.push(name);
    for (const next of edges.get(name) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    visiting.pop();
    done.add(name);
    return undefined;
  };
  for (const name of edges.keys()) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('the workspace', () => {
  it('has no cyclic dependency between its packages, and pnpm refuses one', () => {
    expect(findCycle(graph())).toBeUndefined();
    expect(readFileSync(join(ROOT, 'pnpm-workspace.yaml'), 'utf8')).toMatch(/^disallowWorkspaceCycles: true$/m);
  });

  it("turns pnpm's update notifier off, so no install prints an update banner", () => {
    expect(readFileSync(join(ROOT, 'pnpm-workspace.yaml'), 'utf8')).toMatch(/^updateNotifier: false$/m);
  });
});
