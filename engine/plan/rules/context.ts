/**
 * What the planner's rules (this folder) share: a planned subtree, and what a
 * rule may ask of the planner driver (planner.ts). Rules import this module,
 * never the driver, so the driver can import every rule without a cycle.
 */
import type { PlanNode } from '../physical.js';

/** A logical node planned for the fields its parent needs. */
export interface Planned {
  node: PlanNode;
  /** pos.get(logical field index) = output column of node. */
  pos: Map<number, number>;
  /** Unfiltered size of the relation's base table(s), for join estimates. */
  base: number;
}
