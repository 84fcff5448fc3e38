/**
 * An HTTP evaluator: POST {"parameters": {...}, "trialId", "experimentId"} → {"objective": value}.
 * Serves Branin. Workers use it with `--evaluator branin=http://HOST:PORT/evaluate`.
 *
 *   PORT=7000 node examples/http-evaluator/server.mjs
 */
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 7000);

function branin(x1, x2) {
  const t = x2 - (5.1 / (4 * Math.PI ** 2)) * x1 ** 2 + (5 / Math.PI) * x1 - 6;
  return t ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
}

createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') return void res.end('ok');
  if (req.method !== 'POST' || req.url !== '/evaluate') {
    res.statusCode = 404;
    return void res.end('POST /evaluate');
  }
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    try {
      const { parameters } = JSON.parse(body);
      const value = branin(Number(parameters.x1), Number(parameters.x2));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ objective: value }));
    } catch (e) {
      res.statusCode = 400;
      res.end(JSON.stringify({ error: String(e) }));
    }
  });
}).listen(port, () => console.log(JSON.stringify({ msg: 'http evaluator listening', port })));
