import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../package/child-process.js';
import { markedBlocks } from './readme-blocks.js';

const copied = markedBlocks()
  .map((block) => ({ ...block, file: /^from (\S+)$/.exec(block.marker)?.[1] }))
  .filter((block): block is typeof block & { file: string } => block.file !== undefined);

describe('the README’s code', () => {
  it('shows at least one example copied from examples/', () => {
    expect(copied.map((block) => block.file)).toContain('examples/wait-for-job.mjs');
  });

  it.each(copied)('has its snippet from $file as that file has it', ({ file, body }) => {
    const source = readFileSync(join(REPO, file), 'utf8');
    expect(source).toContain(body);
  });
});
