/**
 * @apiary/test-support — helpers shared by the test suites (never imported by shipped code).
 */
export { freePort, startRedis, uniqueQueuePrefix, waitFor, type StartRedisOptions, type TestRedis } from './redis-server.js';
