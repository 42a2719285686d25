import { describe, expect, it } from 'vitest';
import { checkRequestParams } from '../../../src/domain/anthropic-api/check-request.js';
import { SHIPPED_MODEL_CATALOGUE } from '../../../src/domain/anthropic-api/model-catalogue.js';

/**
 * Golden cases, written from Anthropic's pages and not from the rule table: each names its page
 * and what the page says should happen. The table (request-rules.ts) feeds both the validator
 * and the simulator, so only cases like these can show that a rule in it is wrong.
 */
const VERSIONING = 'https://platform.claude.com/docs/en/api/versioning';
const BATCHES = 'https://platform.claude.com/docs/en/build-with-claude/batch-processing';
const MODELS = 'https://platform.claude.com/docs/en/about-claude/models/overview';
const DEPRECATIONS = 'https://platform.claude.com/docs/en/about-claude/model-deprecations';
const RELEASE_NOTES = 'https://platform.claude.com/docs/en/release-notes/overview';
const OPUS_5 = 'https://platform.claude.com/docs/about-claude/models/whats-new-opus-5';
const SYSTEM_MESSAGES =
  'https://platform.claude.com/docs/en/build-with-claude/mid-conversation-system-messages';
const OPUS_4_8 = 'https://platform.claude.com/docs/en/about-claude/models/whats-new-claude-4-8';
/** The same page's rules as Amazon Bedrock's user guide gives them (placement, content). */
const SYSTEM_MESSAGES_BEDROCK =
  'https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-mid-conversation-system.html';
/** Which models of the 5 generation take system messages, as an SDK integration declares it. */
const LANGCHAIN_PROFILES =
  'https://github.com/langchain-ai/langchainjs/releases/tag/@langchain%2Fanthropic@1.5.13';

type Version = '2023-06-01' | '2026-10-21';
interface GoldenCase {
  page: string;
  says: string;
  version: Version;
  params: Record<string, unknown>;
  /** null: accepted; else the field(s) refused (and, where the page quotes it, the text). */
  refused: null | { field: string | string[]; message?: string; type?: string };
  at?: string;
  betas?: string[];
}

const user = (content: unknown) => ({ role: 'user', content });
const assistant = (content: unknown) => ({ role: 'assistant', content });
const system = (content: unknown) => ({ role: 'system', content });
const onOpus48 = (...messages: unknown[]) =>
  base({ model: 'claude-opus-4-8', messages: [user('Hello, Claude'), ...messages] });
const base = (extra: Record<string, unknown> = {}) => ({
  model: 'claude-sonnet-5-5',
  max_tokens: 1024,
  messages: [user('Hello, Claude')],
  ...extra,
});
const citedText = {
  type: 'text',
  text: 'Paris',
  citations: [{ type: 'char_location', cited_text: 'Paris', document_index: 0 }],
};

const CASES: GoldenCase[] = [
  {
    page: VERSIONING,
    says: '2026-10-21 removes temperature: a request that sends it is a 400, even at the default value',
    version: '2026-10-21',
    params: base({ temperature: 1 }),
    refused: { field: 'temperature', message: 'temperature: Extra inputs are not permitted' },
  },
  {
    page: VERSIONING,
    says: '2026-10-21 removes top_p',
    version: '2026-10-21',
    params: base({ top_p: 0.95 }),
    refused: { field: 'top_p', message: 'top_p: Extra inputs are not permitted' },
  },
  {
    page: VERSIONING,
    says: '2026-10-21 removes top_k',
    version: '2026-10-21',
    params: base({ top_k: 40 }),
    refused: { field: 'top_k', message: 'top_k: Extra inputs are not permitted' },
  },
  {
    page: VERSIONING,
    says: '2023-06-01 keeps temperature',
    version: '2023-06-01',
    params: base({ temperature: 0.5, top_p: 0.9, top_k: 5 }),
    refused: null,
  },
  {
    page: VERSIONING,
    says: '2026-10-21: a document block directly in an assistant message is a 400',
    version: '2026-10-21',
    params: base({
      messages: [
        user('Summarise'),
        {
          role: 'assistant',
          content: [
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' } },
          ],
        },
        user('More'),
      ],
    }),
    refused: { field: 'messages.1.content.0' },
  },
  {
    page: VERSIONING,
    says: '2026-10-21: a document block in a user message is fine',
    version: '2026-10-21',
    params: base({
      messages: [
        user([
          { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' } },
          { type: 'text', text: 'Summarise' },
        ]),
      ],
    }),
    refused: null,
  },
  {
    page: VERSIONING,
    says: '2026-10-21: a text block with non-empty citations in a user message is a 400',
    version: '2026-10-21',
    params: base({ messages: [user([citedText])] }),
    refused: { field: 'messages.0.content.0.citations' },
  },
  {
    page: VERSIONING,
    says: '2026-10-21: ... or inside a search_result block of a user message',
    version: '2026-10-21',
    params: base({
      messages: [
        user([{ type: 'search_result', source: 'https://x', title: 'x', content: [citedText] }]),
      ],
    }),
    refused: { field: 'messages.0.content.0.content.0.citations' },
  },
  {
    page: VERSIONING,
    says: '2026-10-21: empty citations are not refused (only non-empty ones)',
    version: '2026-10-21',
    params: base({ messages: [user([{ type: 'text', text: 'x', citations: [] }])] }),
    refused: null,
  },
  {
    page: VERSIONING,
    says: '2026-10-21: citations in an assistant message are not the refused case',
    version: '2026-10-21',
    params: base({
      messages: [user('q'), { role: 'assistant', content: [citedText] }, user('and?')],
    }),
    refused: null,
  },
  {
    page: BATCHES,
    says: 'max_tokens: 0 (cache pre-warming) is not supported inside a batch',
    version: '2023-06-01',
    params: base({ max_tokens: 0 }),
    refused: { field: 'max_tokens' },
  },
  {
    page: BATCHES,
    says: 'streaming is not supported in a batch request',
    version: '2026-10-21',
    params: base({ stream: true }),
    refused: { field: 'stream' },
  },
  {
    page: BATCHES,
    says: 'stream: false is no stream at all',
    version: '2026-10-21',
    params: base({ stream: false }),
    refused: null,
  },
  {
    page: BATCHES,
    says: 'speed (fast mode) is not supported in a batch request',
    version: '2023-06-01',
    params: base({ speed: 'fast' }),
    refused: { field: 'speed' },
  },
  {
    page: BATCHES,
    says: 'store is not supported in a batch request',
    version: '2026-10-21',
    params: base({ store: true }),
    refused: { field: 'store' },
  },
  {
    page: BATCHES,
    says: 'cache_hint is not supported in a batch request',
    version: '2026-10-21',
    params: base({ cache_hint: { type: 'auto' } }),
    refused: { field: 'cache_hint' },
  },
  {
    page: MODELS,
    says: 'Claude Opus 5.5 writes at most 128K output tokens',
    version: '2026-10-21',
    params: base({ model: 'claude-opus-5-5', max_tokens: 128_001 }),
    refused: { field: 'max_tokens' },
  },
  {
    page: MODELS,
    says: 'Claude Opus 5.5: 128K output tokens is allowed',
    version: '2026-10-21',
    params: base({ model: 'claude-opus-5-5', max_tokens: 128_000 }),
    refused: null,
  },
  {
    page: MODELS,
    says: 'Claude Sonnet 5: max output 128K tokens',
    version: '2023-06-01',
    params: base({ model: 'claude-sonnet-5', max_tokens: 10_000_000 }),
    refused: { field: 'max_tokens' },
  },
  {
    page: OPUS_5,
    says: 'Claude Opus 5: max output 128K; 300K on the Batch API with the beta',
    version: '2026-10-21',
    params: base({ model: 'claude-opus-5', max_tokens: 200_000 }),
    refused: { field: 'max_tokens' },
  },
  {
    page: OPUS_5,
    says: 'Claude Opus 5, Batch API with output-300k-2026-03-24: 300K tokens is allowed',
    version: '2026-10-21',
    params: base({ model: 'claude-opus-5', max_tokens: 300_000 }),
    refused: null,
    betas: ['output-300k-2026-03-24'],
  },
  {
    page: OPUS_5,
    says: 'Claude Opus 5, Batch API with the beta: not above 300K',
    version: '2026-10-21',
    params: base({ model: 'claude-opus-5', max_tokens: 300_001 }),
    refused: { field: 'max_tokens' },
    betas: ['output-300k-2026-03-24'],
  },
  {
    page: OPUS_5,
    says: 'Claude Haiku 5.5: max output 128K (the lineup table)',
    version: '2026-10-21',
    params: base({ model: 'claude-haiku-5-5', max_tokens: 128_001 }),
    refused: { field: 'max_tokens' },
  },
  {
    page: MODELS,
    says: 'a model id the API does not offer is refused',
    version: '2026-10-21',
    params: base({ model: 'claude-sonnet-9-9' }),
    refused: { field: 'model', type: 'not_found_error' },
  },
  {
    page: RELEASE_NOTES,
    says: 'Claude Sonnet 4 and Opus 4 were retired on 2026-06-15: requests to them return errors',
    version: '2023-06-01',
    params: base({ model: 'claude-opus-4-20250514' }),
    refused: { field: 'model' },
    at: '2026-06-15T00:00:00Z',
  },
  {
    page: DEPRECATIONS,
    says: 'a deprecated model still works before its retirement date (Sonnet 4.5, retiring 2026-11-30)',
    version: '2026-10-21',
    params: base({ model: 'claude-sonnet-4-5' }),
    refused: null,
    at: '2026-11-29T23:59:59Z',
  },
  {
    page: DEPRECATIONS,
    says: 'requests to models past the retirement date fail',
    version: '2026-10-21',
    params: base({ model: 'claude-sonnet-4-5-20250929' }),
    refused: { field: 'model' },
    at: '2026-11-30T00:00:00Z',
  },
  {
    page: OPUS_4_8,
    says: 'Claude Opus 4.8 accepts a role "system" message right after a user turn; no beta header',
    version: '2026-10-21',
    params: onOpus48(system('From now on, answer in French.')),
    refused: null,
  },
  {
    page: SYSTEM_MESSAGES,
    says: 'no beta header and no version gate: the same request under 2023-06-01',
    version: '2023-06-01',
    params: onOpus48(system([{ type: 'text', text: 'Answer in French.' }])),
    refused: null,
  },
  {
    page: SYSTEM_MESSAGES_BEDROCK,
    says: 'a system message followed by an assistant turn is placed right',
    version: '2026-10-21',
    params: onOpus48(system('Be brief.'), assistant('Sure.'), user('Go on')),
    refused: null,
  },
  {
    page: SYSTEM_MESSAGES,
    says: 'available on Claude Opus 4.8 only: an older model refuses it with the reported text',
    version: '2026-10-21',
    params: base({ model: 'claude-opus-4-6', messages: [user('Hi'), system('Be brief.')] }),
    refused: {
      field: 'messages.1.role',
      message: "role 'system' is not supported on this model",
      type: 'invalid_request_error',
    },
  },
  {
    page: SYSTEM_MESSAGES,
    says: 'Claude Sonnet 4.5 (before Opus 4.8) refuses it too, under either version',
    version: '2023-06-01',
    params: base({ model: 'claude-sonnet-4-5', messages: [user('Hi'), system('Be brief.')] }),
    refused: { field: 'messages.1.role', message: "role 'system' is not supported on this model" },
    at: '2026-11-01T00:00:00Z',
  },
  {
    page: SYSTEM_MESSAGES,
    says: 'the top-level system field is not a system message: any model takes it',
    version: '2026-10-21',
    params: base({ model: 'claude-opus-4-6', system: 'Be brief.' }),
    refused: null,
  },
  {
    page: LANGCHAIN_PROFILES,
    says: 'Claude Sonnet 5 takes mid-conversation system messages (system messages only, not tool changes)',
    version: '2026-10-21',
    params: base({ model: 'claude-sonnet-5', messages: [user('Hi'), system('Be brief.')] }),
    refused: null,
  },
  {
    page: SYSTEM_MESSAGES_BEDROCK,
    says: 'a system message cannot be the first entry of messages',
    version: '2026-10-21',
    params: base({ model: 'claude-opus-4-8', messages: [system('Be brief.'), user('Hi')] }),
    refused: { field: 'messages.0', type: 'invalid_request_error' },
  },
  {
    page: SYSTEM_MESSAGES_BEDROCK,
    says: 'a system message must immediately follow a user message, not a plain assistant one',
    version: '2026-10-21',
    params: onOpus48(assistant('Hello!'), system('Be brief.')),
    refused: { field: 'messages.2' },
  },
  {
    page: SYSTEM_MESSAGES_BEDROCK,
    says: '... or an assistant message that ends in a server tool use',
    version: '2026-10-21',
    params: onOpus48(
      assistant([
        { type: 'text', text: 'Searching.' },
        { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
      ]),
      system('Cite your sources.'),
    ),
    refused: null,
  },
  {
    page: SYSTEM_MESSAGES_BEDROCK,
    says: 'a system message must be last or followed by an assistant turn, not a user one',
    version: '2026-10-21',
    params: onOpus48(system('Be brief.'), user('And now?')),
    refused: { field: 'messages.1' },
  },
  {
    page: SYSTEM_MESSAGES_BEDROCK,
    says: 'consecutive system messages are not allowed',
    version: '2026-10-21',
    params: onOpus48(system('Be brief.'), system('Be kind.')),
    refused: { field: ['messages.1', 'messages.2'] },
  },
  {
    page: SYSTEM_MESSAGES_BEDROCK,
    says: 'system message content is text blocks only: no images',
    version: '2026-10-21',
    params: onOpus48(
      system([
        { type: 'text', text: 'Like this:' },
        { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
      ]),
    ),
    refused: { field: 'messages.1.content.1' },
  },
  {
    page: SYSTEM_MESSAGES_BEDROCK,
    says: '... and no citations',
    version: '2026-10-21',
    params: onOpus48(system([citedText])),
    refused: { field: 'messages.1.content.0' },
  },
];

describe('request rules against golden cases from the docs', () => {
  for (const golden of CASES) {
    it(`${golden.version}: ${golden.says} (${golden.page})`, () => {
      const violations = checkRequestParams(golden.params, {
        version: golden.version,
        catalogue: SHIPPED_MODEL_CATALOGUE,
        now: new Date(golden.at ?? '2026-12-01T00:00:00Z'),
        betas: golden.betas ?? [],
      });
      if (golden.refused === null) {
        expect(violations).toEqual([]);
        return;
      }
      expect(violations.map((v) => v.field)).toEqual([golden.refused.field].flat());
      if (golden.refused.message) expect(violations[0]!.apiMessage).toBe(golden.refused.message);
      if (golden.refused.type) expect(violations[0]!.errorType).toBe(golden.refused.type);
    });
  }
});
