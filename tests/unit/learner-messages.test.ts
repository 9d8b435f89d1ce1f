import { describe, expect, it } from 'vitest';
import { learnerMessage } from '@/components/model/ModelGate';
import { classifyModelError } from '@/lib/hooks/useModel';
import { ModelFileError, ModelMissingError, WeightsSizeError } from '@/lib/gpt/model-errors';

describe('messages for learners', () => {
  it('a missing file is "missing", a damaged one "weights", no answer "network"', () => {
    expect(classifyModelError(new ModelMissingError('HTTP 404')).kind).toBe('missing');
    expect(classifyModelError(new WeightsSizeError('weights are 1000 bytes but model.json describes 3697664')).kind).toBe('weights');
    expect(classifyModelError(new ModelFileError('Failed to fetch')).kind).toBe('network');
  });

  it('offers another backend only when the backend failed, and never a training command', () => {
    for (const kind of ['network', 'missing', 'weights', 'backend', 'unknown'] as const) {
      const m = learnerMessage(kind, 'the austen model');
      expect(m.backends, kind).toBe(kind === 'backend' || kind === 'unknown');
      expect(`${m.what} ${m.todo}`, kind).not.toMatch(/npm|train|model\.json|bytes/);
    }
    expect(learnerMessage('network', 'the austen model').retry).toBe(true);
  });
});
