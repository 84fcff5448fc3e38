export { startRedis, uniqueQueuePrefix as uniquePrefix, waitFor, type TestRedis } from '@apiary/test-support';
