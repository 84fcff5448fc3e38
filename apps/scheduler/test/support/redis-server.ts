export { startRedis, type TestRedis as RedisServer } from '@apiary/test-support';
