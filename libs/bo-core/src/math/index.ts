export { dLogH, dLogNormalCdf, eiH, log1mexp, logH, logNormalCdf, logNormalPdf, normalCdf, normalPdf, phiOverH } from './normal.js';
