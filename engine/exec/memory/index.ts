/** Query memory: the limit, the per-query accountant, spill files and where they go (docs/memory.md). */
export { MemoryAccountant, memoryLimitError, formatBytes } from './accountant.js';
export { parseMemoryLimit, checkMemoryLimit, memoryLimitOf, threadShare, MIN_MEMORY_LIMIT } from './limit.js';
export { SpillWriter, readSpill } from './spill-file.js';
export { SpillSpace, removeSpillFile, cleanStaleSpill, SPILL_DIR } from './spill-space.js';
export { batchMemory } from './sizes.js';
