import { MaternKernel, ProductKernel, RBFKernel, ScaleKernel, SumKernel } from '../../src/kernels/index.js';
import { kernelContract } from './kernel-contract.js';

const ls3 = [0.3, 0.7, 1.2];

kernelContract('RBF ARD', () => new RBFKernel(3, { lengthscale: ls3 }));
kernelContract('RBF isotropic', () => new RBFKernel(3, { ard: false, lengthscale: 0.6 }));
kernelContract('RBF d=1', () => new RBFKernel(1, { lengthscale: 0.4 }));
kernelContract('Matern 1/2 ARD', () => new MaternKernel(3, { nu: 0.5, lengthscale: ls3 }), { kinkAtZero: true });
kernelContract('Matern 3/2 ARD', () => new MaternKernel(3, { nu: 1.5, lengthscale: ls3 }));
kernelContract('Matern 5/2 ARD', () => new MaternKernel(3, { nu: 2.5, lengthscale: ls3 }));
kernelContract('Matern 5/2 isotropic', () => new MaternKernel(4, { ard: false, lengthscale: 0.8 }));
kernelContract('Scale(Matern 5/2)', () => new ScaleKernel(new MaternKernel(3, { lengthscale: ls3 }), { outputscale: 1.7 }));
kernelContract('Sum(RBF, Matern 3/2)', () => new SumKernel(new RBFKernel(3, { lengthscale: ls3 }), new MaternKernel(3, { nu: 1.5, lengthscale: 0.5 })));
kernelContract(
  'Product(Scale(RBF), Matern 5/2)',
  () => new ProductKernel(new ScaleKernel(new RBFKernel(3, { lengthscale: ls3 }), { outputscale: 2.3 }), new MaternKernel(3, { lengthscale: [0.9, 0.4, 0.6] })),
);
kernelContract(
  'Scale(Sum(RBF isotropic, Matern 1/2))',
  () => new ScaleKernel(new SumKernel(new RBFKernel(3, { ard: false, lengthscale: 0.5 }), new MaternKernel(3, { nu: 0.5, lengthscale: ls3 })), { outputscale: 0.6 }),
  { kinkAtZero: true },
);
kernelContract(
  'Product of three (RBF, Matern 3/2, Scale(Matern 5/2))',
  () =>
    new ProductKernel(
      new RBFKernel(2, { lengthscale: [0.5, 1.5] }),
      new MaternKernel(2, { nu: 1.5, lengthscale: 0.8 }),
      new ScaleKernel(new MaternKernel(2, { ard: false, lengthscale: 0.7 }), { outputscale: 1.3 }),
    ),
);
