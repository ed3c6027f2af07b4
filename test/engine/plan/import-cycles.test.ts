/**
 * The plan and load folders import one way: no module of engine/plan (its
 * rules included) or engine/load imports, directly or through others, a
 * module that imports it.
 * Type-only imports count too: a cycle of types still ties the modules
 * together (a rule importing the driver for a type is how they start).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../../../engine/plan');
const LOAD = path.resolve(__dirname, '../../../engine/load');
const IMPORT = /(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.[^'"]+)['"]/gs;

function sources(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Relative imports of each module that land inside the folder `root`. */
function importGraph(root = ROOT): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const f of sources(root)) {
    const deps: string[] = [];
    for (const m of fs.readFileSync(f, 'utf8').matchAll(IMPORT)) {
      const target = path.resolve(path.dirname(f), m[1]!).replace(/\.js$/, '.ts');
      if (target.startsWith(root + path.sep)) deps.push(target);
    }
    graph.set(f, deps);
  }
  return graph;
}

/** One cycle of the graph as a list of modules (first repeated last), or null. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const trail: string[] = [];
  const visit = (v: string): string[] | null => {
    state.set(v, 'open');
    trail.push(v);
    for (const w of graph.get(v) ?? []) {
      if (state.get(w) === 'open') return [...trail.slice(trail.indexOf(w)), w];
      if (!state.has(w)) {
        const c = visit(w);
        if (c) return c;
      }
    }
    trail.pop();
    state.set(v, 'done');
    return null;
  };
  for (const v of graph.keys()) {
    if (state.has(v)) continue;
    const c = visit(v);
    if (c) return c;
  }
  return null;
}

describe('engine/plan imports', () => {
  it('reads the imports of every module (the graph is not empty)', () => {
    const graph = importGraph();
    expect(graph.get(path.join(ROOT, 'planner.ts'))).toContain(path.join(ROOT, 'rules', 'context.ts'));
  });

  it('have no cycle', () => {
    const cycle = findCycle(importGraph());
    expect(cycle?.map((f) => path.relative(ROOT, f)).join(' -> ') ?? null).toBeNull();
  });

  it('have no cycle in engine/load either', () => {
    const graph = importGraph(LOAD);
    expect(graph.get(path.join(LOAD, 'index.ts'))).toContain(path.join(LOAD, 'delimited.ts'));
    const cycle = findCycle(graph);
    expect(cycle?.map((f) => path.relative(LOAD, f)).join(' -> ') ?? null).toBeNull();
  });

  it('finds a cycle when there is one', () => {
    const a = path.join(ROOT, 'a.ts');
    const b = path.join(ROOT, 'b.ts');
    expect(findCycle(new Map([[a, [b]], [b, [a]]]))).toEqual([a, b, a]);
  });
});
