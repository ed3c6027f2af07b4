/**
 * The mark of an automatic materialized view: one the advisor created by
 * itself, which it may therefore drop again. The advisor creates the view with
 * CREATE MATERIALIZED VIEW inside a transaction block and marks it in the same
 * block, so a crash leaves either no view or a marked one; a view that is not
 * marked is the user's, whatever its name.
 */
import type { Catalog, MaterializedViewMeta } from './catalog.js';
import { materializedViews } from './catalog.js';

export function isAutomaticView(mv: Pick<MaterializedViewMeta, 'auto'>): boolean {
  return mv.auto === true;
}

/** The catalog with view `name` marked automatic; an Error when there is no such view. */
export function markAutomaticView(catalog: Catalog, name: string): Catalog {
  const all = materializedViews(catalog);
  const mv = all[name];
  if (!mv) throw new Error(`materialized view "${name}" does not exist`);
  return { ...catalog, materializedViews: { ...all, [name]: { ...mv, auto: true } } };
}
