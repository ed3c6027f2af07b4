/** The recommendation contract and its store. */
export * from './types.js';
export * from './store.js';
