/** Anthropic's pages each rule, limit and price is taken from (read 2026-11/12). */
export const DOC_SOURCES = {
  versioning: 'https://platform.claude.com/docs/en/api/versioning',
  migration20261021: 'https://platform.claude.com/docs/en/api/migration-2026-10-21',
  batchProcessing: 'https://platform.claude.com/docs/en/build-with-claude/batch-processing',
  models: 'https://platform.claude.com/docs/en/about-claude/models/overview',
  modelDeprecations: 'https://platform.claude.com/docs/en/about-claude/model-deprecations',
  releaseNotes: 'https://platform.claude.com/docs/en/release-notes/overview',
  pricing: 'https://platform.claude.com/docs/en/about-claude/pricing',
  errors: 'https://platform.claude.com/docs/en/api/errors',
  midConversationSystemMessages:
    'https://platform.claude.com/docs/en/build-with-claude/mid-conversation-system-messages',
  whatsNewOpus48: 'https://platform.claude.com/docs/en/about-claude/models/whats-new-claude-4-8',
} as const;
export type DocSource = (typeof DOC_SOURCES)[keyof typeof DOC_SOURCES];
