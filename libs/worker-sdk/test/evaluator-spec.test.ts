import { describe, expect, it } from 'vitest';
import { EvaluatorSpecError, parseEvaluatorSpec, parseNamedEvaluatorSpec, parseNamedEvaluatorSpecs } from '@apiary/worker-sdk';

describe('parseEvaluatorSpec', () => {
  it('classifies modules, URLs and commands', () => {
    expect(parseEvaluatorSpec('./branin.mjs')).toEqual({ kind: 'module', path: './branin.mjs' });
    expect(parseEvaluatorSpec('lib/f.cjs')).toEqual({ kind: 'module', path: 'lib/f.cjs' });
    expect(parseEvaluatorSpec('/abs/f.js')).toEqual({ kind: 'module', path: '/abs/f.js' });
    expect(parseEvaluatorSpec('https://eval.example/run')).toEqual({ kind: 'http', url: 'https://eval.example/run' });
    expect(parseEvaluatorSpec('python3 train.py --fast')).toEqual({ kind: 'command', command: 'python3 train.py --fast' });
    expect(parseEvaluatorSpec('cmd:node run.js')).toEqual({ kind: 'command', command: 'node run.js' });
  });

  it('rejects empty specs', () => {
    expect(() => parseEvaluatorSpec('  ')).toThrow(EvaluatorSpecError);
    expect(() => parseEvaluatorSpec('cmd:')).toThrow(/nothing after "cmd:"/);
  });
});

describe('parseNamedEvaluatorSpec', () => {
  it('splits at the first =', () => {
    expect(parseNamedEvaluatorSpec('train=FOO=1 python3 t.py')).toEqual({ name: 'train', spec: { kind: 'command', command: 'FOO=1 python3 t.py' } });
  });

  it('explains what is wrong', () => {
    expect(() => parseNamedEvaluatorSpec('./f.mjs')).toThrow(/expected <name>=<spec>/);
    expect(() => parseNamedEvaluatorSpec('Bad Name=./f.mjs')).toThrow(/the name "Bad Name" must be lowercase/);
    expect(() => parseNamedEvaluatorSpec('ok=')).toThrow(/evaluator "ok": evaluator spec is empty/);
    expect(() => parseNamedEvaluatorSpecs(['a=./x.mjs', 'a=./y.mjs'])).toThrow(/"a" is given more than once/);
  });
});
