import { MemoryStore } from '../src/index.js';
import { describeStoreContract } from './support/store-contract.js';

describeStoreContract('MemoryStore', async () => new MemoryStore());
