/** Where bull-board is served. */
export const QUEUE_ADMIN_ROUTE = '/admin/queues';
/** bull-board's express adapter (its router serves the UI and its API). */
export const BULL_BOARD_ADAPTER = Symbol('BULL_BOARD_ADAPTER');
/** The board: `addQueue` shows a queue. */
export const BULL_BOARD = Symbol('BULL_BOARD');
