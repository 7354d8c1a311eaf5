/**
 * The old name of unit-of-work.ts, kept only so that branches written before the rename
 * still compile once merged; import from './unit-of-work.js'. Delete when nothing imports it.
 */
export { inUnitOfWork, transactionOn } from './unit-of-work.js';
