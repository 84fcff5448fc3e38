import { sobolQmcNormalSamples, plainMcNormalSamples, SobolEngine } from '../../src/sampling/index.js';
const dim = 12, n = 4096;
for (const [name, z] of [['qmc', sobolQmcNormalSamples(n, dim, 2024)], ['mc', plainMcNormalSamples(n, dim, 2024)]] as const) {
  let wm = 0, wv = 0;
  for (let j = 0; j < dim; j++) {
    let s = 0, ss = 0;
    for (let i = 0; i < n; i++) { s += z[i*dim+j]!; }
    const m = s / n;
    for (let i = 0; i < n; i++) ss += (z[i*dim+j]! - m) ** 2;
    wm = Math.max(wm, Math.abs(m)); wv = Math.max(wv, Math.abs(ss/n - 1));
  }
  console.log(name, 'max|mean|', wm.toExponential(2), 'max|var-1|', wv.toExponential(2));
}
// timing
let t = performance.now(); new SobolEngine(1111).draw(4096); console.log('1111x4096 scrambled ms', (performance.now()-t).toFixed(1));
t = performance.now(); sobolQmcNormalSamples(1024, 64, 1); console.log('qmc 1024x64 ms', (performance.now()-t).toFixed(1));
