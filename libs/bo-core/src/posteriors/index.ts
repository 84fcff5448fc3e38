export { qBatch, type Posterior, type QBatch } from './posterior.js';
export { GaussianPosterior } from './gaussian-posterior.js';
