import { describe, expect, it } from 'vitest';
import { storableJson, storableText } from '../../src/store/jobs/storable-json.js';

describe('storableJson', () => {
  it('leaves JSON that jsonb can hold as JSON.stringify writes it', () => {
    const value = { type: 'succeeded', text: 'plain, "quoted", \\ and 😀 (a paired surrogate)' };
    expect(storableJson(value)).toEqual({ text: JSON.stringify(value), escaped: false });
  });

  it('keeps a NUL and a lone surrogate as their escape text, flagged, losing nothing', () => {
    const { text, escaped } = storableJson({ text: 'a\u0000b\ud800c' });
    expect(escaped).toBe(true);
    expect(JSON.parse(text)).toEqual({ text: 'a\\u0000b\\ud800c', _escaped: true });
  });

  it('does not take an escaped backslash followed by "u0000" for a NUL', () => {
    const value = { text: 'C:\\u0000 is a path, not a NUL' };
    expect(storableJson(value)).toEqual({ text: JSON.stringify(value), escaped: false });
  });

  it('finds the escape after an even run of backslashes', () => {
    const { text } = storableJson({ text: '\\\\\u0000' });
    expect(JSON.parse(text).text).toBe('\\\\\\u0000');
  });
});

describe('storableText', () => {
  it('drops NUL characters, which a text column refuses', () => {
    expect(storableText('api\u0000_error')).toBe('api_error');
    expect(storableText('api_error')).toBe('api_error');
  });
});
