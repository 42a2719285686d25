import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../package/child-process.js';

/** A fenced block of README.md and the HTML comment just before it (`<!-- tour -->`). */
export interface MarkedBlock {
  marker: string;
  language: string;
  body: string;
}

/** Every fenced block of README.md that an HTML comment marks, in order. */
export function markedBlocks(): MarkedBlock[] {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const pattern = /<!--\s*(.+?)\s*-->\n```(\w*)\n([\s\S]*?)\n```/g;
  return [...readme.matchAll(pattern)].map(([, marker, language, body]) => ({
    marker: marker!,
    language: language!,
    body: body!,
  }));
}

/** The commands of the tour: each line of a `<!-- tour -->` shell block, comments left out. */
export function tourCommands(): string[] {
  return markedBlocks()
    .filter((block) => block.marker === 'tour')
    .flatMap((block) => block.body.split('\n'))
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
